"""Background tasks of the EU-funds office: scheduled imports, status refresh, digests."""

from pathlib import Path

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext, override

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.recipients import people_acting_for
from casacomuni.eufunds import services
from casacomuni.eufunds.digest import build_digest, due_preferences
from casacomuni.eufunds.models import DIGEST_EDITOR_ROLES, DigestPreference
from casacomuni.inbox.services import notify


@task
def import_calls_task(source: str, path: str = "", url: str = "") -> dict:
    """Import one file (``path``) or the live SEDIA page (``url``, or the configured one)."""
    actor = Actor.system(f"scheduled import ({source})")
    if path:
        payload, origin = Path(path).read_bytes(), path
    else:
        payload = services.fetch_sedia(url or None)
        origin = url or settings.CASACOMUNI_SEDIA_URL
    run = services.import_calls(actor, source, payload, origin=origin)
    return {"run": run.pk, "created": run.created, "updated": run.updated, "bad": run.bad}


@task
def refresh_call_statuses() -> int:
    return services.refresh_status()


def digest_recipients(preference: DigestPreference) -> list:
    """The Comune's referents (and its other digest editors), users of the platform."""
    return list(people_acting_for([preference.organization_id], DIGEST_EDITOR_ROLES))


def render_digest(preference: DigestPreference, items) -> tuple[str, str, str]:
    """(subject, text, html) of a digest, in the platform's language."""
    base = settings.CASACOMUNI_BASE_URL
    context = {
        "preference": preference,
        "organization": preference.organization,
        "items": items,
        "base_url": base,
        "unsubscribe_url": base + reverse("eufunds:digest_unsubscribe", args=[preference.token]),
        "preferences_url": base + reverse("eufunds:digest_preferences"),
    }
    with override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "Casa dei Comuni: %(count)s call for funding for %(name)s",
            "Casa dei Comuni: %(count)s calls for funding for %(name)s",
            len(items),
        ) % {
            "count": len(items),
            "name": preference.organization.name,
        }
        text = render_to_string("eufunds/email/digest.txt", context)
        html = render_to_string("eufunds/email/digest.html", context)
    return subject, text, html


@task
def send_digest(preference_id: int) -> int:
    """Send one Comune's digest to its referents (their inbox, and the e-mail unless they turned it off);
    returns the e-mails sent (0: nothing to send)."""
    preference = DigestPreference.objects.select_related("organization").filter(pk=preference_id).first()
    if preference is None or not preference.active:
        return 0
    now = timezone.now()
    items = build_digest(preference, now=now)
    people = digest_recipients(preference)
    if not items or not people:
        return 0
    subject, text, html = render_digest(preference, items)
    # The text keeps its own links (each call's, the preferences', the Comune's unsubscribe token).
    link = settings.CASACOMUNI_BASE_URL + reverse("eufunds:digest_preview")
    sent = notify(people, "eufunds.digest", subject, text, link, html=html)
    # Recorded once told, by e-mail or only in the inbox: the next digest starts from here.
    services.record_digest_sent(preference, [item.call.pk for item in items], len(people), now)
    return sent


@task
def send_due_digests() -> int:
    """Enqueue the digests due now (fortnightly or monthly since the last one)."""
    due = due_preferences(timezone.now())
    for preference in due:
        send_digest.enqueue(preference.pk)
    return len(due)
