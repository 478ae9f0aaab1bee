"""Telling users something: ``notify`` is the one way the platform sends a notice to its users.

Call it from a background task (the existing pattern: a service enqueues a task on commit, the task writes the
notice). First increment: each recipient gets the e-mail; the in-app inbox and the per-kind preferences build
on this signature.
"""

from collections.abc import Iterable

from django.core.mail import send_mail


def notify(recipients: Iterable, kind: str, subject: str, body: str, url: str = "") -> int:
    """Send a notice of ``kind`` (a dotted name such as ``"helpdesk.reply"``) to ``recipients``: platform users
    or bare e-mail addresses (a staff record without an account, an operator's certified address).
    ``url`` is the absolute link to what the notice is about. Returns the e-mails sent."""
    text = f"{body}\n\n{url}" if url else body
    sent = 0
    for address in sorted({_address(recipient) for recipient in recipients} - {""}):
        sent += send_mail(subject, text, None, [address])
    return sent


def _address(recipient) -> str:
    return recipient if isinstance(recipient, str) else (recipient.email or "")
