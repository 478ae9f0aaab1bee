"""Notices of the experiences, sent through the inbox (``inbox.services.notify``) by tasks enqueued when the
services' transactions commit:

- ``experiences.review``: an experience was submitted; UPI's administrators are asked to review it;
- ``experiences.reviewed``: UPI published it or sent it back; the Province's authors are told;
- ``experiences.replication``: a Province wants to replicate it; both sides get the other's contact.
"""

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.models import Organization
from casacomuni.accounts.recipients import people_acting_for
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.experiences.models import Experience, ExperienceState, Replication
from casacomuni.inbox.services import notify

REVIEW = "experiences.review"
REVIEWED = "experiences.reviewed"
REPLICATION = "experiences.replication"


def link(experience: Experience) -> str:
    return settings.CASACOMUNI_BASE_URL + reverse("experiences:detail", args=[experience.pk])


def upi_reviewers():
    upi = Organization.objects.filter(kind=OrganizationKind.UPI).values_list("pk", flat=True)
    return people_acting_for(upi, [Role.UPI_ADMIN])


def authors(experience: Experience) -> list:
    """Who wrote the experience and who submitted it (the same person, often)."""
    return [user for user in (experience.created_by, experience.submitted_by) if user is not None]


@task
def send_review_request(experience_id: int) -> int:
    """UPI's administrators are asked to review a submitted experience. Returns the e-mails sent."""
    experience = Experience.objects.select_related("province").get(pk=experience_id)
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: an experience to review, %(title)s") % {"title": experience.title}
        body = _(
            "%(province)s submitted the experience “%(title)s” for review: publish it or send it back."
        ) % {
            "province": experience.province.name,
            "title": experience.title,
        }
    return notify(upi_reviewers(), REVIEW, subject, body, link(experience))


@task
def send_review_outcome(experience_id: int) -> int:
    """The authors learn that UPI published their experience, or sent it back with its note."""
    experience = Experience.objects.select_related("created_by", "submitted_by").get(pk=experience_id)
    with override(settings.LANGUAGE_CODE):
        if experience.state == ExperienceState.PUBLISHED:
            subject = _("Casa dei Comuni: your experience is published")
            body = _("UPI published the experience “%(title)s”: everybody can read it now.") % {
                "title": experience.title
            }
        else:
            subject = _("Casa dei Comuni: your experience was sent back")
            body = _("UPI sent back the experience “%(title)s” with this note:\n\n%(note)s") % {
                "title": experience.title,
                "note": experience.review_note,
            }
    return notify(authors(experience), REVIEWED, subject, body, link(experience))


@task
def send_replication_notices(replication_id: int) -> int:
    """A Province wants to replicate an experience: its owner gets the contact of the person who asked, the
    Province that asked gets the experience's contact. Returns the e-mails sent."""
    replication = Replication.objects.select_related(
        "experience__province", "experience__created_by", "province", "requested_by"
    ).get(pk=replication_id)
    experience = replication.experience
    asking = replication.requested_by
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: %(province)s wants to replicate “%(title)s”") % {
            "province": replication.province.name,
            "title": experience.title,
        }
        to_owner = _(
            "%(province)s wants to replicate your experience “%(title)s”. Its message:\n\n%(message)s\n\n"
            "Contact: %(name)s, %(email)s."
        ) % {
            "province": replication.province.name,
            "title": experience.title,
            "message": replication.message,
            "name": asking.get_full_name() or asking.get_username() if asking else "—",
            "email": asking.email if asking else "—",
        }
        to_asking = _(
            "You told %(province)s that you want to replicate “%(title)s”. Its contact: %(name)s, %(role)s, "
            "%(email)s."
        ) % {
            "province": experience.province.name,
            "title": experience.title,
            "name": experience.contact_name,
            "role": experience.contact_role,
            "email": experience.contact_email,
        }
    owners = [experience.contact_email, *([experience.created_by] if experience.created_by else [])]
    sent = notify(owners, REPLICATION, subject, to_owner, link(experience))
    if asking is not None:
        sent += notify([asking], REPLICATION, subject, to_asking, link(experience))
    return sent
