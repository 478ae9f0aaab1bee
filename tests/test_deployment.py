"""Production configuration: Django's deployment checklist passes with the documented variables, and every
response carries the security headers."""

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client, override_settings

# pytest-playwright sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
# The check runs on its own embedded database in a temporary folder, never on the suite's PostgreSQL.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "ALLOWED_HOSTS": "casadeicomuni.example.it",
    "EMAIL_BACKEND": "smtp",
}


@pytest.mark.once  # a fresh interpreter on its own embedded database
def test_the_deployment_checklist_passes_with_the_documented_production_variables(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY}
    env.update(PRODUCTION, SECRET_KEY=secrets.token_urlsafe(60))
    env["CASACOMUNI_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "casacomuni", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.once  # a fresh interpreter on its own embedded database
def test_the_development_defaults_would_not_pass_the_checklist(tmp_path):
    # The check above is not vacuous: without the production variables Django's checklist complains.
    env = {
        key: value for key, value in os.environ.items() if key not in {*PRODUCTION, *TEST_ONLY, "SECRET_KEY"}
    }
    env["CASACOMUNI_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "casacomuni", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


@pytest.mark.django_db
def test_every_page_refuses_unused_browser_features_and_cross_origin_openers(client):
    response = client.get("/accounts/login/", follow=True)
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@override_settings(
    SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_SSL_REDIRECT=True
)
def test_over_tls_the_browser_is_told_to_keep_to_https_and_plain_http_is_redirected():
    client = Client()
    assert client.get("/accounts/login/", secure=True)["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
