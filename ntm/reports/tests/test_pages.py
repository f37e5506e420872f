"""Report pages, downloads, the command line and zipped bulk jobs (the registry's wiring)."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document as WordDocument

from ntm.reports.models import ReportJob


def _text(content: bytes) -> str:
    doc = WordDocument(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def demo(db):
    """The demo with its values and stored results (personas use it too)."""
    from ntm.demo.loader import load_demo

    return load_demo(with_values=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_index_lists_the_reports_of_a_commune(persona, client, demo):
    persona("xa")
    response = client.get(reverse("reports:index", args=[demo["07408"].pk]), {"period": "2024Q4"})
    assert response.status_code == 200
    names = [k.name for k in response.context["kinds"]]
    assert names == ["bieu1", "progress", "plan", "mobilisation"]
    assert response.context["period"] == "2024Q4"
    assert b"bieu1/docx/?period=2024Q4" in response.content


def test_commune_page_plan_and_snapshot_link_their_reports(persona, client, demo):
    persona("xa")
    unit = demo["07408"]
    page = client.get(
        reverse("evaluation:set_result", args=[unit.pk, "xa-ntm-nang-cao-2021-2025"]),
        {"period": "2024Q4"},
    )
    assert reverse("reports:download", args=[unit.pk, "bieu1", "pdf"]).encode() in page.content
    plan = client.get(reverse("planning:plan", args=[unit.pk, 2024]))
    assert reverse("reports:download", args=[unit.pk, "plan", "docx"]).encode() in plan.content
    snapshot = client.get(reverse("planning:snapshot", args=[unit.pk, 2024, "2024Q4"]))
    url = reverse("reports:download", args=[unit.pk, "progress", "xlsx"]) + "?period=2024Q4"
    assert url.encode() in snapshot.content


def test_download_streams_the_document(persona, client, demo):
    persona("xa")
    url = reverse("reports:download", args=[demo["07408"].pk, "bieu1", "docx"])
    response = client.get(url, {"period": "2024Q4", "set": "xa-ntm-nang-cao-2021-2025"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bieu1-07408-2024Q4.docx"' in response["Content-Disposition"]
    assert "13/19" in _text(response.content)


@pytest.mark.parametrize(
    ("report", "fmt", "params", "reason"),
    [
        ("bieu1", "docx", {"period": "2024Q9"}, "not a period"),
        ("nonsense", "docx", {"period": "2024Q4"}, "Unknown report"),
        ("bieu1", "csv", {"period": "2024Q4"}, "not csv"),
        ("province-rollup", "xlsx", {"period": "2024Q4"}, "not built for"),
        ("bieu1", "docx", {"period": "2024Q4", "set": "no-such-set"}, "no-such-set"),
    ],
)
def test_bad_requests_explain_themselves(persona, client, demo, report, fmt, params, reason):
    persona("xa")
    url = reverse("reports:download", args=[demo["07408"].pk, report, fmt])
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_build_report_command_writes_the_file(demo, tmp_path):
    out = tmp_path / "bieu1.docx"
    call_command(
        "build_report",
        "bieu1",
        unit="07408",
        period="2024Q4",
        fmt="docx",
        out=str(out),
        set_code="xa-ntm-nang-cao-2021-2025",
        stdout=io.StringIO(),
    )
    assert "13/19" in _text(out.read_bytes())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "99999", "period": "2024Q4"}, "No administrative unit"),
        ({"unit": "07408", "period": "2024Q7"}, "not a period"),
        ({"unit": "07408", "period": "2026Q1"}, "did not exist"),
        ({"unit": "07408", "period": "2019Q4"}, "2019Q4"),
    ],
)
def test_build_report_command_refuses_with_a_reason(demo, tmp_path, options, message):
    out = tmp_path / "x.docx"
    with pytest.raises(CommandError, match=message):
        call_command("build_report", "bieu1", fmt="docx", out=str(out), language="en", **options)
    assert not out.exists()


def test_bulk_job_zips_every_commune(
    persona, client, demo, media, django_capture_on_commit_callbacks
):
    persona("tinh")
    province = demo["24"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:bulk", args=[province.pk]),
            {
                "report": "bieu1",
                "fmt": "docx",
                "period": "2024Q4",
                "set": "xa-ntm-nang-cao-2021-2025",
            },
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job", args=[province.pk, job.pk])
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert job.done == job.total >= 1
    page = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b"100%" in page.content and b"hx-trigger" not in page.content
    download = client.get(reverse("reports:job_download", args=[province.pk, job.pk]))
    assert 'filename="bieu1-24-2024Q4-docx.zip"' in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert "bieu1-07408-2024Q4.docx" in names
    assert "13/19" in _text(archive.read("bieu1-07408-2024Q4.docx"))
    # Communes without results are listed with the reason, not fatal.
    assert len([n for n in names if n.endswith(".docx")]) + len(job.skipped) == job.total


def test_running_job_polls_and_a_commune_cannot_start_a_bulk_job(persona, client, demo, media):
    persona("tinh")
    province = demo["24"]
    job = ReportJob.objects.create(
        unit=province,
        report="bieu1",
        period="2024Q4",
        fmt="pdf",
        total=40,
        done=10,
        status=ReportJob.Status.RUNNING,
    )
    page = client.get(reverse("reports:job", args=[province.pk, job.pk]))
    assert b"25%" in page.content and b'hx-trigger="every 1s"' in page.content
    assert (
        client.get(reverse("reports:job_download", args=[province.pk, job.pk])).status_code == 404
    )
    persona("xa")
    response = client.post(
        reverse("reports:bulk", args=[demo["07408"].pk]),
        {"report": "bieu1", "fmt": "docx", "period": "2024Q4"},
    )
    assert response.status_code == 400
    assert ReportJob.objects.count() == 1


def test_jobs_of_another_unit_are_not_found(persona, client, demo, other_commune, media):
    job = ReportJob.objects.create(
        unit=other_commune.parent.parent, report="bieu1", period="2024Q4", fmt="pdf"
    )
    persona("tinh")
    url = reverse("reports:job", args=[demo["24"].pk, job.pk])
    assert client.get(url).status_code == 404


def test_a_province_defaults_to_the_set_and_period_its_communes_have_results_for(
    persona, client, demo
):
    persona("tinh")
    response = client.get(reverse("reports:index", args=[demo["24"].pk]))
    assert response.status_code == 200
    assert response.context["set_code"] == "xa-ntm-nang-cao-2021-2025"
    # The latest period with results: the last reports of the communes merged into Mỹ Thái
    # (demo: Q2/2025), after Dương Đức's Q4/2024.
    assert response.context["period"] == "2025Q2"
    assert [k.name for k in response.context["bulk_kinds"]] == [
        "bieu1",
        "progress",
        "plan",
        "mobilisation",
    ]


def test_build_report_names_the_unit_that_had_a_reused_code_in_the_period(
    reform, small_set, tmp_path
):
    from ntm.accounts.models import User
    from ntm.evaluation.actions import values_import

    rows = ["unit,set,code,period,value"]
    rows += [f"14758,xa-thu-nghiem,3,{p},đạt" for p in ("2024Q4", "2025Q4")]
    values_import(
        ("\n".join(rows) + "\n").encode(),
        user=User.objects.get(username="thanhhoa"),
        filename="v.csv",
    )
    for period, name in [("2024Q4", "phường Đông Thọ"), ("2025Q4", "phường Hàm Rồng")]:
        out = tmp_path / f"{period}.docx"
        call_command(
            "build_report",
            "bieu1",
            unit="14758",
            period=period,
            fmt="docx",
            out=str(out),
            set_code="xa-thu-nghiem",
            basis="working",  # the imported values are drafts
            stdout=io.StringIO(),
        )
        assert name in _text(out.read_bytes()), period


def test_a_job_whose_worker_died_fails_with_the_reason_and_starts_again(
    persona, client, demo, media, monkeypatch
):
    """A worker killed mid-job (here: an exception no handler catches, as a kill leaves the
    job) leaves it running; once its heartbeat is older than the lease the page marks it
    failed, stops polling and offers to start it again."""
    import datetime as dt

    from django.utils import timezone

    from ntm.reports import registry, services

    persona("tinh")
    province = demo["24"]
    job = ReportJob.objects.create(unit=province, report="bieu1", period="2024Q4", fmt="docx")
    real_build = registry.build
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # not an Exception: the job's own handler does not see it
        return real_build(*args, **kwargs)

    monkeypatch.setattr(registry, "build", dying)
    with pytest.raises(KeyboardInterrupt):
        services.run_bulk(job.pk)
    monkeypatch.setattr(registry, "build", real_build)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.RUNNING and job.heartbeat_at is not None
    url = reverse("reports:job", args=[province.pk, job.pk])
    # Within the lease it is still running, and polled.
    assert b'hx-trigger="every 1s"' in client.get(url, HTTP_HX_REQUEST="true").content
    ReportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=11)
    )
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and job.finished_at is not None
    assert "hx-trigger" not in page and job.error in page.replace("&#x27;", "'")
    again = client.post(
        reverse("reports:bulk", args=[province.pk]),
        {"report": job.report, "period": job.period, "set": job.set_code, "fmt": job.fmt},
    )
    assert again.status_code == 302
    assert ReportJob.objects.count() == 2
