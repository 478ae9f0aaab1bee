"""Clarifications (art. 88 c.3 / art. 35): operators ask, the SUA answers, answers are published to all."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import OPERATOR_ROLES, SUA_ROLES, OrganizationKind
from casacomuni.procurement.procedures.models import (
    Clarification,
    Procedure,
)
from casacomuni.procurement.procedures.services.common import event, locked
from casacomuni.procurement.rules import procedure_lifecycle as life

# --- Clarifications -----------------------------------------------------------------------------------------


def may_ask(user, procedure: Procedure) -> bool:
    """The SUA running it, or any operator's representative while the procedure takes offers."""
    membership = tenancy.acting_membership(user)
    if membership is None:
        return False
    org = membership.organization
    if org.kind == OrganizationKind.PROVINCE and membership.role in SUA_ROLES:
        return org.pk == procedure.province_id
    if org.kind == OrganizationKind.OPERATOR and membership.role in OPERATOR_ROLES:
        return procedure.state in (life.PUBLISHED, life.BIDS_OPEN)
    return False


@transaction.atomic
def ask_clarification(actor: Actor, procedure: Procedure, question: str) -> Clarification:
    question = (question or "").strip()
    if not may_ask(actor.user, procedure):
        if tenancy.has_role(actor.user, *OPERATOR_ROLES):
            raise ValidationError(
                _("Questions are taken while the procedure is published and open to bids."), code="state"
            )
        raise PermissionDenied
    if not question:
        raise ValidationError({"question": _("This field is required.")})
    if len(question) > 5000:
        raise ValidationError(
            {"question": _("Enter at most %(max_length)s characters.") % {"max_length": 5000}}
        )
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    clarification = Clarification.objects.create(
        procedure=procedure, question=question, asked_by=actor.user, asker_organization=actor.organization
    )
    event(actor, procedure, "clarification.ask", {"question": [None, question]}, obj=clarification)
    return clarification


@transaction.atomic
def answer_clarification(
    actor: Actor,
    clarification: Clarification,
    answer: str,
    publish: bool = True,
    published_question: str | None = None,
) -> Clarification:
    """The SUA's answer and, to publish it, the question as others will read it: edited by the SUA to take out
    who asked. The original stays as asked (the SUA's only, and in the trail with the ask event); the published
    text goes in the trail with this one. Publishing needs that text; ``None`` keeps the one already set."""
    procedure = locked(actor, clarification.procedure)
    clarification = Clarification.objects.select_for_update().get(pk=clarification.pk, procedure=procedure)
    answer = (answer or "").strip()
    shown = clarification.published_question if published_question is None else published_question.strip()
    errors = {}
    if not answer:
        errors["answer"] = _("This field is required.")
    if publish and not shown:
        errors["published_question"] = _(
            "Write the question as it will be published, without the names of who asked."
        )
    elif len(shown) > 5000:
        errors["published_question"] = _("Enter at most %(max_length)s characters.") % {"max_length": 5000}
    if errors:
        raise ValidationError(errors)
    changes = {
        "answer": [clarification.answer, answer],
        "published": [clarification.published, publish],
        "published_question": [clarification.published_question, shown],
    }
    clarification.published_question = shown
    clarification.answer = answer
    clarification.answered_at = timezone.now()
    clarification.answered_by = actor.user
    clarification.published = publish
    clarification.save()
    event(actor, procedure, "clarification.answer", changes, obj=clarification)
    return clarification
