"""With DEBUG off, errors answer in Vietnamese with a way back, never Django's English pages."""

from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_not_found_and_not_allowed_are_vietnamese_with_a_way_home(persona, client, demo, settings):
    settings.DEBUG = False
    persona("xem")
    missing = client.get("/units/99999999/")
    assert missing.status_code == 404
    text = missing.content.decode()
    assert "Không tìm thấy trang" in text and f'href="{reverse("home")}"' in text
    assert "Not Found" not in text
    refused = client.get(reverse("people:carry_over", args=[demo["07408"].pk]))
    assert refused.status_code == 403 and "Không được phép" in refused.content.decode()


def test_a_server_error_page_needs_no_context(db):
    response = server_error(RequestFactory().get("/"))
    text = response.content.decode()
    assert response.status_code == 500 and "Đã có lỗi xảy ra" in text and "Server Error" not in text


def test_a_refused_form_says_it_expired(db, settings):
    settings.DEBUG = False
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403 and "Biểu mẫu đã hết hạn" in response.content.decode()
