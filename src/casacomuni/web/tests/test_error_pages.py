"""Error pages keep the platform's look, and the 500 page renders even with nothing working."""

import pytest
from django.test import Client, RequestFactory

from casacomuni.web import views

pytestmark = pytest.mark.urls("casacomuni.web.tests.urls_errors")


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test-errors/400/", 400, "Richiesta non valida"),
        ("/test-errors/403/", 403, "Accesso negato"),
        ("/no-such-page/", 404, "Pagina non trovata"),
    ],
)
def test_error_page_has_the_status_and_the_platform_look(client, db, path, status, heading):
    response = client.get(path)
    content = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in content
    assert 'class="it-header-wrapper"' in content
    assert 'id="footer"' in content


def test_forbidden_page_keeps_the_users_menu(login_as):
    response = login_as("personale_comune").get("/test-errors/403/")
    assert response.status_code == 403
    assert 'id="user-menu"' in response.content.decode()


def test_server_error_page_renders_without_request_context_or_database():
    # No session, user or membership (nothing a middleware sets), and no database: this test has no db
    # fixture, so any query would fail it.
    response = views.server_error(RequestFactory().get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Errore del server</h1>" in content
    assert 'class="it-header-wrapper"' in content
    assert "bootstrap-italia.min.css" in content


def test_unhandled_exception_gives_the_500_page(db):
    response = Client(raise_request_exception=False).get("/test-errors/500/")
    assert response.status_code == 500
    assert "<h1>Errore del server</h1>" in response.content.decode()
