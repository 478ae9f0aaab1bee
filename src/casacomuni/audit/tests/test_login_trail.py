"""The access log: logins, logouts and failed logins are in the audit trail, with the address.

Administrators' access logs must be complete, unalterable and verifiable (Garante per la protezione dei
dati personali, provvedimento 27 novembre 2008, "Amministratori di sistema").
"""

import json

from django.urls import reverse

from casacomuni.audit.models import PLATFORM_CHAIN, AuditEvent
from casacomuni.audit.tests.conftest import PASSWORD

ADDRESS = "203.0.113.7"


def log_in(client, username, password):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS
    )


def test_login_is_recorded_in_the_organisation_chain_with_the_address(client, people):
    log_in(client, "amministratore_firenze", PASSWORD)

    event = AuditEvent.objects.get(action="auth.login")
    assert (event.user, event.role, event.ip_address) == (
        people.users["amministratore_firenze"],
        "province_admin",
        ADDRESS,
    )
    assert event.organization == people.organizations["provincia_firenze"]


def test_logout_is_recorded(client, people):
    log_in(client, "amministratore_firenze", PASSWORD)
    client.post(reverse("accounts:logout"), REMOTE_ADDR=ADDRESS)

    event = AuditEvent.objects.get(action="auth.logout")
    assert (event.username, event.ip_address) == ("amministratore_firenze", ADDRESS)
    assert event.organization == people.organizations["provincia_firenze"]


def test_failed_login_records_the_username_tried_and_never_the_password(client, people):
    log_in(client, "amministratore_pisa", "wrong-password-Segreta-1")

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.changes == {"attempted_username": [None, "amministratore_pisa"]}
    assert (event.user, event.ip_address) == (None, ADDRESS)
    # An attempt on a known account is shown to that account's administrators.
    assert event.organization == people.organizations["provincia_pisa"]
    assert "Segreta" not in json.dumps(event.hash_payload())
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_failed_login_of_an_unknown_username_goes_to_the_platform_chain(client, people):
    log_in(client, "nobody", "wrong-password-Segreta-1")
    assert AuditEvent.objects.get(action="auth.login_failed").chain == PLATFORM_CHAIN
