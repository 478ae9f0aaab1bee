"""API of the calls catalogue: calls, a call's eligibility for a Province's comuni, imports.

Reads go through ``Call.objects.for_user`` (national calls and the caller's Province's own; 404 for a call
of another Province), writes through eufunds.services. Errors are problem+json: 400 a bad file or bad
filters (nothing written), 403 a role that may not act or another Province's eligibility, 404 an unknown
or foreign call.
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.eufunds import selectors, services
from casacomuni.eufunds.models import Call, CallCriterion, CallSource, CallStatus
from casacomuni.eufunds.permissions import READER_ROLES
from casacomuni.eufunds.templatetags.eufunds_tags import reason_text
from casacomuni.lib.search import MAX_LENGTH
from casacomuni.territory.models import Municipality, Province

router = Router(tags=["eufunds"])


class CallOut(Schema):
    id: int
    source: CallSource
    source_id: str
    title: str
    programme: str
    funder: str
    url: str
    status: CallStatus = Field(description="Derived from the dates: forthcoming, open, closed")
    opens_on: datetime.date | None
    deadline: datetime.datetime | None = Field(description="The first (or only) deadline")
    second_deadline: datetime.datetime | None = Field(description="Two-stage calls: the second stage's")
    budget_total: Decimal | None
    min_contribution: Decimal | None
    max_contribution: Decimal | None
    province: str | None = Field(
        description="Abbreviation of the Province whose own call this is; null: national"
    )
    verdict: str | None = Field(None, description="With eligible_for: eligible or unknown (to review)")

    @staticmethod
    def resolve_province(obj):
        return obj.province.sigla if obj.province_id else None

    @staticmethod
    def resolve_verdict(obj, context):
        return getattr(context["request"], "eufunds_verdicts", {}).get(obj.pk)


class CriterionOut(Schema):
    id: int
    kind: str
    value: dict
    excerpt: str
    province: str | None = Field(
        description="Abbreviation of the Province whose own criterion this is; null: national"
    )
    derived: bool = Field(description="Read by the import from the call's record (not entered by a person)")

    @staticmethod
    def resolve_province(obj):
        return obj.province.sigla if obj.province_id else None


class CallDetailOut(CallOut):
    summary: str
    beneficiaries: str
    eligible_actions: str
    funding_form: str
    territorial_scope: str
    budget_text: str
    cofinancing_share: Decimal | None
    first_seen_at: datetime.datetime
    last_seen_at: datetime.datetime
    criteria: list[CriterionOut] = Field(
        description="National criteria and the caller's Province's own (UPI: every Province's)"
    )


class CallFilters(Schema):
    status: CallStatus | None = None
    programme: str = Field("", max_length=200)
    q: str = Field(
        "",
        max_length=MAX_LENGTH,
        description="Words of the title, summary, programme or funder, or the identifier at the source",
    )
    eligible_for: str = Field(
        "", max_length=6, description="ISTAT code: calls that Comune is not excluded from"
    )


def readable(request):
    tenancy.require_role(request.user, *READER_ROLES)
    return Call.objects.for_user(request.user).select_related("province")


@router.get("/calls", response=list[CallOut], summary="Calls for funding (national and the Province's own)")
@paginate
def list_calls(request, filters: Query[CallFilters]):
    calls = readable(request).search(filters.q)
    if filters.status:
        calls = calls.filter(status=filters.status)
    if filters.programme:
        calls = calls.filter(programme=filters.programme)
    if filters.eligible_for:
        rows = selectors.municipality_profiles(
            Municipality.objects.filter(istat_code=filters.eligible_for.strip())
        )
        if not rows:
            raise HttpError(400, _("There is no Comune with this ISTAT code."))
        request.eufunds_verdicts = selectors.eligible_call_ids(rows[0], calls)
        calls = calls.filter(pk__in=list(request.eufunds_verdicts))
    return calls.by_relevance()


@router.get("/calls/{call_id}", response=CallDetailOut, summary="One call, with its eligibility criteria")
def get_call(request, call_id: int):
    criteria = CallCriterion.objects.for_user(request.user).select_related("province").order_by("kind", "pk")
    return get_object_or_404(
        readable(request).prefetch_related(Prefetch("criteria", queryset=criteria)), pk=call_id
    )


class EligibilityReasonOut(Schema):
    kind: str
    outcome: str
    message: str


class EligibilityRowOut(Schema):
    istat_code: str | None
    name: str
    population: int | None
    verdict: Literal["eligible", "not_eligible", "unknown"]
    reasons: list[EligibilityReasonOut]


class EligibilityOut(Schema):
    call: int
    province: str | None
    items: list[EligibilityRowOut]
    count: int


def row_out(row: selectors.Row) -> dict:
    return {
        "istat_code": row.profile.istat_code,
        "name": row.profile.name,
        "population": row.profile.population,
        "verdict": row.verdict.outcome,
        "reasons": [
            {"kind": r.kind, "outcome": r.outcome, "message": reason_text(r)} for r in row.verdict.reasons
        ],
    }


@router.get(
    "/calls/{call_id}/eligibility",
    response=EligibilityOut,
    summary="Every Comune of a Province with its verdict for the call, and the reasons",
)
def call_eligibility(request, call_id: int, province: str = ""):
    """A Province's office: its own Province only (default); UPI: any Province (required); a Comune: its own
    row only."""
    call = get_object_or_404(readable(request), pk=call_id)
    membership = tenancy.acting_membership(request.user)
    org = membership.organization
    sigla = province.strip().upper()
    if org.kind == OrganizationKind.PROVINCE:
        own = org.province.sigla
        if sigla and sigla != own:
            raise PermissionDenied(_("A Province's office sees the eligibility of its own Comuni only."))
        target = org.province
    elif org.kind == OrganizationKind.UPI:
        if not sigla:
            raise HttpError(400, _("Give the Province's abbreviation (province=SIGLA)."))
        target = Province.objects.filter(sigla=sigla).first()
        if target is None:
            raise HttpError(400, _("There is no Province with this abbreviation."))
    else:
        if sigla and (org.province is None or sigla != org.province.sigla):
            raise PermissionDenied(_("A Comune sees its own eligibility only."))
        profile = selectors.organization_profile(org)
        rows = (
            [selectors.Row(profile, v) for _c, v in selectors.calls_with_verdicts(profile, [call])]
            if profile
            else []
        )
        items = [row_out(row) for row in rows]
        return {
            "call": call.pk,
            "province": org.province.sigla if org.province else None,
            "items": items,
            "count": len(items),
        }
    items = [row_out(row) for row in selectors.province_eligibility(call, target)]
    return {"call": call.pk, "province": target.sigla, "items": items, "count": len(items)}


class BadRecordOut(Schema):
    ref: str
    reason: str


class ImportRunOut(Schema):
    id: int
    source: str
    origin: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    created: int
    updated: int
    unchanged: int
    national: int = Field(description="A Province's import: records already national, left as they are")
    duplicates: int
    bad: int
    bad_records: list[BadRecordOut]


@router.post(
    "/imports",
    response={201: ImportRunOut},
    summary="Import a file of calls (multipart: file and source sedia, incentivi or regional)",
)
def create_import(request, source: Form[Literal["sedia", "incentivi", "regional"]], file: File[UploadedFile]):
    """UPI (into the national catalogue) and the Province's EU-funds officers and administrators (into the
    Province's own: records already national are left as they are). Returns the run's report; an unreadable
    file answers 400 and writes nothing."""
    actor = Actor.from_request(request)
    services.catalogue_owner(actor)
    if file.size is not None and file.size > services.MAX_IMPORT_BYTES:
        raise HttpError(400, _("The file is larger than 20 MB."))
    try:
        run = services.import_calls(actor, source, file.read(), origin=file.name or "")
    except services.ImportFileError as refused:
        raise HttpError(400, str(refused)) from refused
    return Status(201, run)
