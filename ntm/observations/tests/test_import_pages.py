from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ntm.accounts.models import User
from ntm.observations.models import DataValue

GOOD = 'unit,set,code,period,value,note\n07408,xa-thu-nghiem,1.1,2024Q1,"85,5%",\n07408,xa-thu-nghiem,1.2,2024Q1,đạt,\n'
BAD = "unit,set,code,period,value,note\n07408,xa-thu-nghiem,1.1,2024Q1,150,\n99999,xa-thu-nghiem,1.2,2024Q1,đạt,\n"


def test_upload_previews_then_confirm_writes(client, demo, small_set, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(User.objects.get(username="xa"))
    url = reverse("observations:import", args=[demo["07408"].pk])
    response = client.post(url, {"file": SimpleUploadedFile("v.csv", GOOD.encode())})
    assert response.status_code == 200 and response.context["preview"].counts["create"] == 2
    assert not DataValue.objects.exists()
    token = response.context["token"]
    response = client.post(url, {"token": token})
    assert response.status_code == 302 and DataValue.objects.count() == 2
    assert not (tmp_path / "imports" / token).exists()


def test_a_bad_file_lists_every_problem_and_writes_nothing(
    client, demo, small_set, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(User.objects.get(username="xa"))
    url = reverse("observations:import", args=[demo["07408"].pk])
    response = client.post(url, {"file": SimpleUploadedFile("v.csv", BAD.encode())})
    errors = response.context["refused"].shown
    assert [(e.row, e.column) for e in errors] == [(2, "value"), (3, "unit")]
    assert not DataValue.objects.exists() and "token" not in response.context


def test_wrong_file_type_and_foreign_tokens_are_refused(
    client, demo, small_set, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(User.objects.get(username="xa"))
    url = reverse("observations:import", args=[demo["07408"].pk])
    response = client.post(url, {"file": SimpleUploadedFile("v.exe", b"MZ")})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, {"token": "deadbeef"})
    assert response.status_code == 302 and not DataValue.objects.exists()
    assert client.post(url, {"token": "../../etc"}).status_code == 404


def test_viewers_cannot_import_but_can_export(client, demo, small_set):
    client.force_login(User.objects.get(username="xem"))
    assert client.get(reverse("observations:import", args=[demo["07408"].pk])).status_code == 403
    response = client.get(
        reverse("observations:export", args=[demo["07408"].pk]), {"set": "", "format": "csv"}
    )
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbfunit,set,code")


def test_previews_never_confirmed_are_deleted_after_a_day(
    client, demo, small_set, settings, tmp_path
):
    import os
    import time

    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "imports"
    folder.mkdir()
    stale, fresh = folder / ("a" * 32), folder / ("b" * 32)
    stale.write_bytes(b"old")
    fresh.write_bytes(b"recent")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    client.force_login(User.objects.get(username="xa"))
    url = reverse("observations:import", args=[demo["07408"].pk])
    response = client.post(url, {"file": SimpleUploadedFile("v.csv", GOOD.encode())})
    assert response.status_code == 200
    assert not stale.exists() and fresh.exists()
    assert (folder / response.context["token"]).exists()
