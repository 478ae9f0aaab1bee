"""Builders of notices for tests: one notice, and the cross-tenant matrix's notices on each side."""

from django.utils import timezone

from casacomuni.inbox.models import EmailState, Notification


def make_notification(
    recipient, subject: str = "Avviso di prova", *, read: bool = False, **extra
) -> Notification:
    """A notice of a declared kind (``agreements.deadlines`` unless ``kind`` says otherwise) in ``recipient``'s
    inbox, as ``notify`` would store it."""
    fields = {
        "kind": "agreements.deadlines",
        "body": "Testo dell'avviso.",
        "url": "/",
        "email_state": EmailState.SENT,
        "read_at": timezone.now() if read else None,
        **extra,
    }
    return Notification.objects.create(recipient=recipient, subject=subject, **fields)


def add_inbox(side, world) -> dict:
    """For the cross-tenant matrix: at home, a notice for each persona (subjects unique in the world, so that a
    list showing another person's is caught); elsewhere, a notice for a colleague of that Province's office,
    who is no persona. ``world.objects[side]["inbox"]["notifications"]``."""
    from casacomuni.accounts.models import Membership
    from casacomuni.accounts.roles import Role
    from casacomuni.accounts.testing import make_user

    if side is world.home:
        people = list(world.personas.values())
    else:
        colleague = make_user(f"collega_{side.province.sigla.lower()}")
        Membership.objects.create(user=colleague, organization=side.province_org, role=Role.SUA_OFFICER)
        people = [colleague]
    sigla = side.province.sigla
    return {
        "notifications": [
            make_notification(person, f"Avviso riservato a {person.username} ({sigla})") for person in people
        ]
    }
