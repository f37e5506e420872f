"""Links never lead to a 404: ancestors and successors the user cannot open are plain text;
an ended unit says on its pages when it ended and what it became."""

from django.urls import reverse


def test_breadcrumbs_link_only_what_the_user_may_open(persona, client, demo):
    persona("xa")
    duong_duc = demo["07408"]
    text = client.get(reverse("geo:detail", args=[duong_duc.pk])).text
    province = demo["24"]
    assert "Tỉnh Bắc Giang" in text
    assert reverse("geo:detail", args=[province.pk]) not in text
    # Every link on the page opens.
    for ancestor in duong_duc.ancestors():
        url = reverse("geo:detail", args=[ancestor.pk])
        if url in text:
            assert client.get(url).status_code == 200


def test_an_ended_unit_says_what_it_became_on_its_pages(persona, client, demo):
    persona("tinh")
    duong_duc = demo["07408"]
    my_thai = demo["07420"]
    for url in [
        reverse("geo:detail", args=[duong_duc.pk]),
        reverse("reports:index", args=[duong_duc.pk]),
    ]:
        text = client.get(url).text
        assert "30/06/2025" in text and "Xã Mỹ Thái" in text
        # tinh administered Bắc Giang, not Bắc Ninh: the successor is named, not linked.
        assert reverse("geo:detail", args=[my_thai.pk]) not in text
    persona("admin")
    text = client.get(reverse("geo:detail", args=[duong_duc.pk])).text
    assert reverse("geo:detail", args=[my_thai.pk]) in text
    # A unit in force shows no such notice.
    assert "ended on" not in client.get(reverse("geo:detail", args=[my_thai.pk])).text.lower()
