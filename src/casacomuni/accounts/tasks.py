"""Background tasks of the accounts app (run by the task worker, after the transaction commits)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.models import User


def password_link(user: User, base_url: str = "") -> str:
    """The one-use link with which ``user`` chooses a password (Django's reset token)."""
    return (base_url or settings.CASACOMUNI_BASE_URL) + reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@task
def send_welcome_email(user_id: int, base_url: str = "") -> None:
    """E-mail a new user the link with which they choose their password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    with override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/email/welcome.txt", {"user": user, "link": password_link(user, base_url)}
        )
        send_mail(_("Your Casa dei Comuni account"), body, None, [user.email])


@task
def send_password_reset_email(user_id: int, base_url: str = "") -> None:
    """E-mail a user who forgot the password the link with which they choose a new one."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    with override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/email/password_reset.txt", {"user": user, "link": password_link(user, base_url)}
        )
        send_mail(_("Choose a new password for Casa dei Comuni"), body, None, [user.email])
