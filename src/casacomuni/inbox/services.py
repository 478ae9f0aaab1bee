"""Telling users something: ``notify`` is the one way the platform sends a notice to its users.

Call it from a background task (a service enqueues the task on commit, the task writes the notice). Each
recipient *user* gets a row in their inbox, and the e-mail as they chose for that kind: at once (the default), in
the day's digest (``send_digests``), or not at all. A bare e-mail address (a staff record without an account,
an operator's certified address) just gets the e-mail.

Marking read and the preferences are a person's own state, not acts of an organisation: they are not recorded
in the audit trail (``inbox`` sits below ``audit`` in the layers, and the trail records what organisations do).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext, override

from casacomuni.inbox import kinds
from casacomuni.inbox.kinds import Delivery
from casacomuni.inbox.models import URL_MAX_LENGTH, EmailState, NoticePreference, Notification
from casacomuni.lib.navigation import Section

# (file name, content, MIME type), as ``EmailMessage.attach`` takes them.
Attachment = tuple[str, bytes, str]

STATE_OF = {
    Delivery.IMMEDIATE: EmailState.SENT,
    Delivery.DIGEST: EmailState.PENDING_DIGEST,
    Delivery.NONE: EmailState.NOT_EMAILED,
}


def notify(
    recipients: Iterable,
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    *,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> int:
    """Send a notice of ``kind`` (a dotted name such as ``"helpdesk.reply"``, declared in its app's
    ``notices.py``) to ``recipients``: platform users or bare e-mail addresses. ``url`` is the absolute link
    to what the notice is about; it ends the e-mail unless ``body`` already shows it. ``html`` is an HTML
    alternative of the e-mail; ``attachments`` go with the e-mail, so only a kind always e-mailed at once may
    carry them.

    Returns the e-mails sent now. Raises ValueError for an undeclared kind, or attachments on a kind that may
    wait for the digest or not be e-mailed (programming errors)."""
    declared = kinds.get(kind)
    if attachments and declared.deliveries != kinds.ONLY_IMMEDIATE:
        raise ValueError(f"{kind}: attachments need a kind delivered only immediately")
    users, addresses = _split(recipients)
    text = body if not url or url in body else f"{body}\n\n{url}"
    with transaction.atomic():
        deliveries = deliveries_for(users, declared)
        # Each user's delivery where they can be e-mailed at all (active, with an address); NONE otherwise.
        delivery = {user.pk: deliveries[user.pk] if _mailable(user) else Delivery.NONE for user in users}
        now = timezone.now()
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=kind,
                subject=subject[:300],
                body=body,
                url=local_path(url),
                created_at=now,
                email_state=STATE_OF[delivery[user.pk]],
                emailed_at=now if delivery[user.pk] == Delivery.IMMEDIATE else None,
            )
            for user in users
        )
        to_mail = {user.email for user in users if delivery[user.pk] == Delivery.IMMEDIATE}
        # A user's own address follows their preference, even when it is also given bare.
        to_mail |= addresses - {user.email for user in users}
        for address in sorted(to_mail):
            _send(address, subject, text, html, attachments)
    return len(to_mail)


def _split(recipients: Iterable) -> tuple[list, set[str]]:
    users: dict = {}
    addresses: set[str] = set()
    for recipient in recipients:
        if isinstance(recipient, str):
            if recipient:
                addresses.add(recipient)
        else:
            users[recipient.pk] = recipient
    return list(users.values()), addresses


def _mailable(user) -> bool:
    return bool(user.is_active and user.email)


def _send(address: str, subject: str, text: str, html: str | None, attachments: Sequence[Attachment]) -> None:
    """One message per address, so that nobody sees the others' addresses."""
    message = EmailMultiAlternatives(subject, text, None, [address])
    if html is not None:
        message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


def deliveries_for(users: list, kind: kinds.NoticeKind) -> dict[int, Delivery]:
    """user id -> how that user gets ``kind`` by e-mail (their choice, else the kind's default)."""
    chosen = dict(
        NoticePreference.objects.filter(user__in=[user.pk for user in users], kind=kind.name).values_list(
            "user_id", "delivery"
        )
    )
    result = {}
    for user in users:
        delivery = chosen.get(user.pk, kind.default)
        # A choice the kind no longer offers (its declaration changed) falls back to the default.
        result[user.pk] = Delivery(delivery) if delivery in kind.deliveries else kind.default
    return result


def local_path(url: str) -> str:
    """The path of ``url`` on this platform ("/rete/modelli/3/"), or "" for an address elsewhere: a notice
    only ever leads to a page of the platform."""
    base = settings.CASACOMUNI_BASE_URL.rstrip("/")
    if base and url.startswith(base + "/"):
        url = url[len(base) :]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return ""
    if len(url) > URL_MAX_LENGTH:
        return ""  # cut, it would lead elsewhere: the e-mail keeps the whole link
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) else ""


# --- The reader's own state -------------------------------------------------------------------------------


def mark_read(user, notification: Notification) -> Notification:
    """Mark the user's own notice as read (once: the first reading's time is kept)."""
    if notification.recipient_id != user.pk:
        raise ValueError("a notice is marked read only by its recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notice of the user as read; returns how many."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def preferences_of(user) -> dict[str, Delivery]:
    """kind name -> the user's delivery, for every declared kind (the default where they chose nothing)."""
    return deliveries_by_kind(user, kinds.registered())


def deliveries_by_kind(user, declared: list[kinds.NoticeKind]) -> dict[str, Delivery]:
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {
        kind.name: Delivery(chosen[kind.name]) if chosen.get(kind.name) in kind.deliveries else kind.default
        for kind in declared
    }


@transaction.atomic
def save_preferences(user, choices: dict[str, str]) -> None:
    """Store the user's choice per kind; a choice equal to the kind's default removes the row, so that a
    later change of default reaches those who never chose. Raises ValueError for a kind or a delivery not
    offered (the form refuses them first)."""
    for name, delivery in choices.items():
        kind = kinds.get(name)
        if delivery not in kind.deliveries:
            raise ValueError(f"{name}: {delivery!r} is not offered")
        if delivery == kind.default:
            NoticePreference.objects.filter(user=user, kind=name).delete()
        else:
            NoticePreference.objects.update_or_create(user=user, kind=name, defaults={"delivery": delivery})


# --- The daily digest -------------------------------------------------------------------------------------


def send_digests() -> int:
    """E-mail each user with notices waiting for the digest one message listing them, and mark them e-mailed.
    Run it again the same day and it sends nothing: only notices still waiting are taken. Returns the e-mails
    sent."""
    waiting = Notification.objects.filter(email_state=EmailState.PENDING_DIGEST).values_list(
        "recipient_id", "pk"
    )
    by_user: dict[int, list[int]] = defaultdict(list)
    for user_id, pk in waiting:
        by_user[user_id].append(pk)
    return sum(_send_digest(user_id, pks) for user_id, pks in by_user.items())


def _send_digest(user_id: int, pks: list[int]) -> int:
    with transaction.atomic():
        # Taken under a lock (on PostgreSQL) so that two runs at once cannot both send the same notices.
        notices = list(
            Notification.objects.select_for_update()
            .filter(pk__in=pks, email_state=EmailState.PENDING_DIGEST)
            .select_related("recipient")
            .order_by("created_at", "pk")
        )
        if not notices:
            return 0
        recipient = notices[0].recipient
        Notification.objects.filter(pk__in=[notice.pk for notice in notices]).update(
            email_state=EmailState.SENT, emailed_at=timezone.now()
        )
        if not _mailable(recipient):
            return 0
        subject, text = render_digest(recipient, notices)
        _send(recipient.email, subject, text, None, ())
    return 1


def render_digest(recipient, notices: list[Notification]) -> tuple[str, str]:
    """(subject, text) of a user's digest, in the platform's language, the notices grouped by pillar."""
    base = settings.CASACOMUNI_BASE_URL.rstrip("/")
    groups: dict = defaultdict(list)
    for notice in notices:
        kind = kinds.find(notice.kind)
        groups[kind.section if kind else Section.ADMINISTRATION].append(notice)
    order = Section.values
    with override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "Casa dei Comuni: %(count)s notification of the day",
            "Casa dei Comuni: %(count)s notifications of the day",
            len(notices),
        ) % {"count": len(notices)}
        text = render_to_string(
            "inbox/email/digest.txt",
            {
                "recipient": recipient,
                "groups": [
                    (Section(section).label, groups[section]) for section in order if section in groups
                ],
                "base_url": base,
                "inbox_url": base + reverse("inbox:list"),
                "preferences_url": base + reverse("inbox:preferences"),
            },
        )
    return subject, text
