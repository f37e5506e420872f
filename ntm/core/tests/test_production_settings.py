"""The production settings, read in a fresh process from the documented environment
(deploy/ntm.env.example), as systemd would start the application."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLE = ROOT / "deploy" / "ntm.env.example"


def _example_env() -> dict[str, str]:
    env = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            env[name] = value
    return env


def _run(extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Only what the env file gives: nothing of the test run (NTM_ALLOW_DEV_KEY, DEBUG, …) leaks.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env.update(_example_env())
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={k: v for k, v in env.items() if v is not None},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _settings(extra: dict[str, str], *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = _run(extra, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_documented_production_environment_passes_check_deploy():
    result = _run({}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    # The two HSTS warnings and axes' W006 silenced in settings are the only ones (reasons
    # there).
    assert "(3 silenced)" in result.stdout


def test_without_a_mail_server_check_deploy_fails():
    result = _run({"EMAIL_HOST": ""}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "mail.E001" in result.stderr and "console.EmailBackend" in result.stderr


def test_without_https_check_deploy_warns():
    result = _run({"HTTPS": ""}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_https_behind_the_proxy_and_smtp_from_the_environment():
    values = _settings(
        {},
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        "NTM_PROXY_COUNT",
        "MAILERS",
    )
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://ntm.example.gov.vn"]
    assert values["NTM_PROXY_COUNT"] == 1
    mailer = values["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "smtp.example.gov.vn"
    assert mailer["OPTIONS"]["port"] == 587 and mailer["OPTIONS"]["use_tls"] is True
    assert mailer["OPTIONS"]["username"] == "ntm@example.gov.vn"


@pytest.mark.parametrize(
    ("extra", "hsts", "proxy_header"),
    [
        # development: no HSTS even with HTTPS=1 (the proxy is still believed)
        ({"DEBUG": "1"}, 0, ["HTTP_X_FORWARDED_PROTO", "https"]),
        ({"NTM_PROXY_COUNT": "0"}, 31536000, None),  # no proxy: the header is never believed
        ({"SECURE_HSTS_SECONDS": "3600"}, 3600, ["HTTP_X_FORWARDED_PROTO", "https"]),
    ],
)
def test_each_setting_follows_its_variable(extra, hsts, proxy_header):
    values = _settings(extra, "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER")
    assert values["SECURE_HSTS_SECONDS"] == hsts
    assert values["SECURE_PROXY_SSL_HEADER"] == proxy_header


def test_the_mailer_django_builds_is_smtp_with_the_environment():
    code = (
        "from django.core import mail; m = mail.mailers.default; "
        "print(type(m).__module__, m.host, m.port, m.use_tls, m.use_ssl, m.username, m.password)"
    )
    result = _run(
        {"EMAIL_USE_TLS": "", "EMAIL_USE_SSL": "1", "EMAIL_PORT": ""}, "shell", "-c", code
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.mail.backends.smtp",
        "smtp.example.gov.vn",
        "465",  # the SSL port when EMAIL_PORT is left empty
        "False",
        "True",
        "ntm@example.gov.vn",
        "CHANGE-ME",
    ]
