"""Background tasks of the accounts app (run by the task worker, after the transaction commits).

The welcome and password-reset e-mails go straight to the person, not through the inbox (``notify``): who
cannot log in yet cannot read an inbox, and the link that sets a password must never be stored in one.
"""

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
from casacomuni.inbox.services import notify


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


@task
def send_operator_join_email(join_request_id: int) -> None:
    """A new request goes to the operator's representatives; a decision to the person who asked."""
    from casacomuni.accounts.models import JoinRequestState, OperatorJoinRequest
    from casacomuni.accounts.recipients import people_acting_for
    from casacomuni.accounts.roles import Role

    join_request = (
        OperatorJoinRequest.objects.select_related("operator", "user").filter(pk=join_request_id).first()
    )
    if join_request is None:
        return
    pending = join_request.state == JoinRequestState.PENDING
    if pending:
        recipients = list(people_acting_for([join_request.operator_id], [Role.OPERATOR_REPRESENTATIVE]))
        template = "accounts/email/operator_join_request.txt"
    else:
        recipients = [join_request.user]
        template = "accounts/email/operator_join_decision.txt"
    link = settings.CASACOMUNI_BASE_URL + reverse("accounts:operator_requests")
    with override(settings.LANGUAGE_CODE):
        subject = (
            _("A request to act for your company") if pending else _("Your request to act for a company")
        )
        body = render_to_string(template, {"join_request": join_request, "link": link})
        notify(recipients, "accounts.operator_join", subject, body, link)
