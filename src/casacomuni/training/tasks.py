"""Background tasks of training: the e-mail to a person promoted from the waiting list, and the reminders
before each session (enqueued daily by cron through ``casacomuni training_reminders``), and the reminder to
the staff far behind on the year's 40 hours (``training_reminders --far-behind``)."""

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.inbox.services import notify
from casacomuni.training import ledger
from casacomuni.training.models import Enrolment, EnrolmentState, Session, StaffMember
from casacomuni.training.rules import ledger as rules


def addressee(person: StaffMember):
    """Whom to tell about a member of staff: their account when they have one (their inbox, and the e-mail
    as they chose), else the address of their staff record."""
    if person.user is not None and person.user.is_active:
        return person.user
    return person.email


def link(name: str, *args) -> str:
    return settings.CASACOMUNI_BASE_URL + reverse(name, args=args)


@task
def send_promotion_notice(enrolment_id: int) -> int:
    """A seat freed up: the person promoted from the waiting list is told. Returns the e-mails sent."""
    enrolment = Enrolment.objects.select_related("person__user", "edition__module").get(pk=enrolment_id)
    if not enrolment.person.email or enrolment.state != EnrolmentState.ENROLLED:
        return 0
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: a seat for you in %(course)s") % {
            "course": enrolment.edition.module.title
        }
        body = _(
            "A seat freed up in the edition %(code)s of %(course)s: you are now enrolled (you were on the "
            "waiting list). Cancel your enrolment on the platform if you can no longer take part."
        ) % {"code": enrolment.edition.code, "course": enrolment.edition.module.title}
    return notify(
        [addressee(enrolment.person)],
        "training.promotion",
        subject,
        body,
        link("training:edition_detail", enrolment.edition_id),
    )


@task
def send_session_reminders(day: str) -> int:
    """The day before a session, each enrolled participant with an e-mail gets its time and place (or link).
    ``day`` is the ISO date of the sessions to remind. Returns the e-mails sent."""
    sessions = Session.objects.filter(starts_at__date=day).select_related("edition__module")
    sent = 0
    for session in sessions:
        enrolled = session.edition.enrolments.filter(state=EnrolmentState.ENROLLED).exclude(person__email="")
        starts = timezone.localtime(session.starts_at)
        with override(settings.LANGUAGE_CODE):
            subject = _("Casa dei Comuni: %(course)s, session of %(day)s") % {
                "course": session.edition.module.title,
                "day": f"{starts:%d/%m/%Y}",
            }
            body = _("The session starts at %(time)s. Where: %(where)s.") % {
                "time": f"{starts:%H:%M}",
                "where": session.video_link or session.place,
            }
        sent += notify(
            [addressee(enrolment.person) for enrolment in enrolled.select_related("person__user")],
            "training.session_reminder",
            subject,
            body,
            link("training:edition_detail", session.edition_id),
        )
    return sent


@task
def send_far_behind_reminders(year: int) -> int:
    """Each person in service far behind on ``year``'s 40 hours (``rules.ledger.FAR_BEHIND``), with an
    e-mail, is told its hours and those still to do. Returns the e-mails sent."""
    people = StaffMember.objects.filter(active=True).exclude(email="")
    sent = 0
    far_behind = ledger.standing_filter(ledger.with_hours(people, year), rules.FAR_BEHIND, year)
    for person in far_behind.select_related("user").iterator():
        with override(settings.LANGUAGE_CODE):
            subject = _("Casa dei Comuni: your training hours of %(year)s") % {"year": year}
            body = _(
                "You have %(hours)s hours of training in %(year)s: %(missing)s are still missing to the 40 hours "
                "a year each public employee must receive. Ask your organisation's referent for the courses "
                "open to you."
            ) % {"hours": person.hours, "year": year, "missing": rules.missing(person.hours)}
        sent += notify([addressee(person)], "training.far_behind", subject, body, link("training:my_hours"))
    return sent
