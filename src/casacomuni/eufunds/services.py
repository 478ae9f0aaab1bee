"""Write operations of the EU-funds office: importing calls, manual calls, status refresh, criteria.

Every function checks the actor's role, runs in one transaction and records an audit event. A system actor
(``Actor.system``: the scheduled import, the status refresh) is not a member of anything and may run the
imports. Bad input raises ValidationError (or ImportFileError for an unreadable file) and writes nothing.
"""

import json
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import Role
from casacomuni.audit.services import record_event
from casacomuni.eufunds.importers import PARSERS, BadRecord, ParsedCall
from casacomuni.eufunds.importers._common import CONTENT_FIELDS
from casacomuni.eufunds.models import (
    DIGEST_EDITOR_ROLES,
    IMPORTABLE_SOURCES,
    Call,
    CallChange,
    CallCriterion,
    CallSource,
    CallStatus,
    CriterionKind,
    DigestDelivery,
    DigestFrequency,
    DigestPreference,
    ImportRun,
    catalogue_filter_for_owner,
)
from casacomuni.eufunds.permissions import runs_the_office
from casacomuni.eufunds.rules import eligibility
from casacomuni.eufunds.rules.status import derive_status

MAX_IMPORT_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 30


class ImportFileError(ValueError):
    """The file cannot be read at all (not JSON/CSV, not the source's shape): nothing is imported."""


def is_office(actor) -> bool:
    return runs_the_office(actor.membership)


def catalogue_owner(actor) -> int | None:
    """The catalogue ``actor`` writes to: None for the national one (UPI and system actors, such as the
    scheduled imports), or the id of the Province whose EU-funds office the actor is.

    Raises:
        PermissionDenied: anybody else.
    """
    if actor.user is None and actor.label:
        return None
    membership = actor.membership
    if membership is not None and membership.role == Role.UPI_ADMIN:
        return None
    if is_office(actor):
        return membership.organization.province_id
    raise PermissionDenied


# --- imports -------------------------------------------------------------------------------------------


def import_calls(
    actor, source: str, payload: bytes, *, origin: str = "", now: datetime | None = None
) -> ImportRun:
    """Upsert the calls of one file from ``source`` (sedia, incentivi, regional).

    Records are matched by (source, identifier): a new one is created; an unchanged one (same content hash)
    only gets its last-seen time; a changed one is updated with one ``CallChange`` per changed field. A
    record repeating an identifier met earlier in the file, or another identifier's content, counts as a
    duplicate. Bad records are skipped and listed in the run with their reasons. The file is one transaction.

    UPI and the scheduled imports write the national catalogue; a Province's office writes its own, and a
    record the national catalogue already holds is left as it is (counted as ``national``).

    Raises:
        PermissionDenied: neither UPI, nor a system actor, nor a Province's EU-funds office.
        ImportFileError: unknown source, too large, or unreadable as a whole (nothing written).
    """
    owner = catalogue_owner(actor)
    if source not in IMPORTABLE_SOURCES:
        raise ImportFileError(_("Unknown source: %(source)s.") % {"source": source})
    if len(payload) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than 20 MB."))
    results = list(PARSERS[source](payload))
    fatal = next((r for r in results if isinstance(r, BadRecord) and r.fatal), None)
    if fatal is not None:
        raise ImportFileError(
            _("The file cannot be read as a %(source)s export: %(reason)s")
            % {
                "source": CallSource(source).label,
                "reason": fatal.reason,
            }
        )
    if not results:
        raise ImportFileError(_("The file holds no records."))
    now = now or timezone.now()
    parsed = [r for r in results if isinstance(r, ParsedCall)]
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source,
            origin=origin[:500],
            organization=actor.organization,
            created_by=actor.user,
            started_at=now,
        )
        same_source = Call.objects.filter(source=source)
        ids = [p.source_id for p in parsed]
        existing = {call.source_id: call for call in same_source.owned_by(owner).filter(source_id__in=ids)}
        in_national = (
            set(same_source.owned_by(None).filter(source_id__in=ids).values_list("source_id", flat=True))
            if owner is not None
            else set()
        )
        known_hashes = dict(
            same_source.owned_by(owner)
            .filter(content_hash__in=[p.content_hash() for p in parsed])
            .values_list("content_hash", "source_id")
        )
        seen: set[str] = set()
        unchanged: list[Call] = []
        imported: list[tuple[Call, ParsedCall]] = []
        for record in results:
            if isinstance(record, BadRecord):
                run.bad += 1
                run.bad_records.append({"ref": record.ref, "reason": record.reason})
                continue
            digest = record.content_hash()
            other = known_hashes.get(digest)
            if record.source_id in seen or (other is not None and other != record.source_id):
                run.duplicates += 1
                continue
            seen.add(record.source_id)
            known_hashes.setdefault(digest, record.source_id)
            if record.source_id in in_national:
                run.national += 1
                continue
            call = existing.get(record.source_id)
            if call is None:
                call = _create_call(record, digest, now, owner)
                run.created += 1
            elif call.content_hash == digest:
                call.last_seen_at = now
                unchanged.append(call)
                run.unchanged += 1
            else:
                _update_call(call, record, digest, now, run)
                run.updated += 1
            imported.append((call, record))
        Call.objects.bulk_update(unchanged, ["last_seen_at"], batch_size=500)
        run.criteria_rederived = _sync_derived_criteria(imported, owner, now)
        run.finished_at = timezone.now()
        run.save()
        refresh_status(now=now)
        record_event(
            actor,
            "eufunds.calls_imported",
            run,
            {
                "source": [None, source],
                "created": [None, run.created],
                "updated": [None, run.updated],
                "unchanged": [None, run.unchanged],
                "national": [None, run.national],
                "duplicates": [None, run.duplicates],
                "bad": [None, run.bad],
                "criteria_rederived": [None, run.criteria_rederived],
            },
        )
    return run


def _sync_derived_criteria(imported: list[tuple[Call, ParsedCall]], owner: int | None, now: datetime) -> int:
    """Make each imported call's derived criteria those its record says now (``ParsedCall.criteria``); returns
    how many calls had theirs replaced. Called inside the import's transaction.

    The derived criteria belong to the call's catalogue (``owner``). A criterion a person entered is never
    touched, and a kind a person annotated in that catalogue (or a derived criterion a person changed) takes
    the place of the record's: the record's is not derived again for it."""
    records = {call.pk: record for call, record in imported}
    current: dict[int, list[tuple[int, tuple]]] = defaultdict(list)
    by_person: dict[int, set[str]] = defaultdict(set)
    rows = CallCriterion.objects.filter(catalogue_filter_for_owner(owner), call_id__in=list(records))
    for pk, call_id, kind, value, excerpt, derived in rows.values_list(
        "pk", "call_id", "kind", "value", "excerpt", "derived"
    ):
        if derived:
            current[call_id].append((pk, _criterion_key(kind, value, excerpt)))
        else:
            by_person[call_id].add(kind)
    stale: list[int] = []
    fresh: list[CallCriterion] = []
    replaced = 0
    for call_id, record in records.items():
        wanted = [c for c in record.criteria if c.kind not in by_person[call_id]]
        have = current[call_id]
        if sorted(_criterion_key(c.kind, c.value, c.excerpt) for c in wanted) == sorted(
            key for _, key in have
        ):
            continue
        replaced += 1
        stale.extend(pk for pk, _ in have)
        fresh.extend(
            CallCriterion(
                call_id=call_id,
                kind=c.kind,
                value=dict(c.value),
                excerpt=c.excerpt,
                province_id=owner,
                derived=True,
                updated_at=now,
            )
            for c in wanted
        )
    CallCriterion.objects.filter(pk__in=stale).delete()
    CallCriterion.objects.bulk_create(fresh, batch_size=500)
    return replaced


def _criterion_key(kind: str, value, excerpt: str) -> tuple:
    return kind, json.dumps(value, sort_keys=True, default=str), excerpt


def _values(record: ParsedCall) -> dict:
    return {name: getattr(record, name) for name in CONTENT_FIELDS}


def _create_call(record: ParsedCall, digest: str, now: datetime, province_id: int | None) -> Call:
    return Call.objects.create(
        source=record.source,
        source_id=record.source_id,
        province_id=province_id,
        content_hash=digest,
        raw=record.raw,
        first_seen_at=now,
        last_seen_at=now,
        changed_at=now,
        status=derive_status(record.opens_on, record.deadline, timezone.localtime(now)),
        **_values(record),
    )


def _update_call(call: Call, record: ParsedCall, digest: str, now: datetime, run: ImportRun | None) -> None:
    changes = []
    for name, new in _values(record).items():
        old = getattr(call, name)
        if _comparable(old) != _comparable(new):
            changes.append(
                CallChange(
                    call=call,
                    field=name,
                    old=_display_value(old),
                    new=_display_value(new),
                    seen_at=now,
                    import_run=run,
                )
            )
            setattr(call, name, new)
    CallChange.objects.bulk_create(changes)
    call.content_hash = digest
    call.raw = record.raw
    call.last_seen_at = now
    call.changed_at = now
    call.status = derive_status(call.opens_on, call.deadline, timezone.localtime(now))
    call.save()


def _comparable(value):
    if isinstance(value, Decimal):
        return value.normalize()
    if value == "":
        return None
    return value


def _display_value(value) -> str:
    """A field value as the change history shows it (Italian formats, Rome time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def fetch_sedia(url: str | None = None, *, timeout: int = FETCH_TIMEOUT_SECONDS) -> bytes:
    """One page of the live SEDIA search API from ``url`` (default ``CASACOMUNI_SEDIA_URL``).

    Raises:
        ImportFileError: no address configured, or the request failed.
    """
    url = url or settings.CASACOMUNI_SEDIA_URL
    if not url:
        raise ImportFileError(_("No SEDIA address is configured (CASACOMUNI_SEDIA_URL)."))
    if not url.startswith("https://"):
        raise ImportFileError(_("The SEDIA address must start with https://."))
    # The search API answers a POST (DOMAIN §5); an empty multipart body returns the default query's page.
    # HTTPS only, checked above (bandit B310, ruff S310).
    request = urllib.request.Request(  # noqa: S310  # nosec B310
        url, data=b"", method="POST", headers={"Accept": "application/json"}
    )
    try:
        # HTTPS only (bandit B310, ruff S310).
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            return response.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise ImportFileError(_("The SEDIA API did not answer: %(error)s") % {"error": exc}) from exc


def refresh_status(*, now: datetime | None = None) -> int:
    """Re-derive every call's status from its dates (rules.status); returns how many changed."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    forthcoming = Call.objects.filter(opens_on__gt=today)
    closed = Call.objects.exclude(opens_on__gt=today).filter(deadline__lt=now)
    open_ = Call.objects.exclude(opens_on__gt=today).exclude(deadline__lt=now)
    changed = 0
    for queryset, status in (
        (forthcoming, CallStatus.FORTHCOMING),
        (closed, CallStatus.CLOSED),
        (open_, CallStatus.OPEN),
    ):
        changed += queryset.exclude(status=status).update(status=status)
    return changed


# --- manual calls --------------------------------------------------------------------------------------

MANUAL_FIELDS = (
    "title",
    "summary",
    "programme",
    "funder",
    "url",
    "beneficiaries",
    "eligible_actions",
    "funding_form",
    "territorial_scope",
    "opens_on",
    "deadline",
    "second_deadline",
    "budget_total",
    "min_contribution",
    "max_contribution",
    "cofinancing_share",
)
_TEXT_FIELDS = frozenset(MANUAL_FIELDS[:9])


@dataclass(frozen=True, kw_only=True)
class CallData:
    """A call entered by hand, as the officer types it (``MANUAL_FIELDS``): a save sets every field."""

    title: str
    summary: str = ""
    programme: str = ""
    funder: str = ""
    url: str = ""
    beneficiaries: str = ""
    eligible_actions: str = ""
    funding_form: str = ""
    territorial_scope: str = ""
    opens_on: date | None = None
    deadline: datetime | None = None
    second_deadline: datetime | None = None
    budget_total: Decimal | None = None
    min_contribution: Decimal | None = None
    max_contribution: Decimal | None = None
    cofinancing_share: Decimal | None = None


def save_manual_call(actor: Actor, data: CallData, call: Call | None = None) -> Call:
    """Create (or change) a call entered by hand: a ministry's or a PNRR notice. A Province's call is its
    own (``province`` set: read only within the Province); UPI's is national.

    Raises:
        PermissionDenied: neither UPI nor an office role, or the call is not a manual call of the actor's
            catalogue.
        ValidationError: inconsistent dates or amounts.
    """
    owner = catalogue_owner(actor)
    if call is not None and (call.source != CallSource.MANUAL or call.province_id != owner):
        raise PermissionDenied
    errors = {}
    if data.deadline and data.second_deadline and data.second_deadline <= data.deadline:
        errors["second_deadline"] = _("The second-stage deadline must follow the first.")
    if data.opens_on and data.deadline and timezone.localtime(data.deadline).date() < data.opens_on:
        errors["deadline"] = _("The deadline cannot precede the opening date.")
    low, high = data.min_contribution, data.max_contribution
    if low is not None and high is not None and low > high:
        errors["max_contribution"] = _("The maximum contribution is below the minimum.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        creating = call is None
        if call is None:
            call = Call(
                source=CallSource.MANUAL,
                source_id=f"manual-{uuid.uuid4().hex[:16]}",
                province_id=owner,
                created_by=actor.user,
                first_seen_at=now,
            )
        changes = {}
        for name in MANUAL_FIELDS:
            new = getattr(data, name)
            if name in _TEXT_FIELDS:
                new = (new or "").strip()
            old = getattr(call, name)
            if not creating and _comparable(old) != _comparable(new):
                changes[name] = [old, new]
                CallChange.objects.create(
                    call=call, field=name, old=_display_value(old), new=_display_value(new), seen_at=now
                )
            setattr(call, name, new)
        call.last_seen_at = now
        if creating or changes:
            call.changed_at = now
        call.status = derive_status(call.opens_on, call.deadline, timezone.localtime(now))
        call.content_hash = ParsedCall(
            source=call.source, source_id=call.source_id, **{n: getattr(call, n) for n in MANUAL_FIELDS}
        ).content_hash()
        call.save()
        record_event(actor, "eufunds.call_created" if creating else "eufunds.call_changed", call, changes)
    return call


# --- eligibility criteria ------------------------------------------------------------------------------


def _validate_criterion_value(kind: str, value: dict) -> dict:
    """The value in the shape ``rules.eligibility`` reads, or ValidationError."""
    if kind not in CriterionKind.values:
        raise ValidationError({"kind": _("Unknown kind of criterion.")})
    if not isinstance(value, dict):
        raise ValidationError({"value": _("The value is not valid.")})
    probe = eligibility.check(eligibility.Criterion(kind, value), eligibility.Profile())
    if probe.message == eligibility.gettext_noop("The criterion is incomplete: review it."):
        raise ValidationError({"value": _("The value is incomplete for this kind of criterion.")})
    return value


def save_criterion(
    actor, call: Call, kind: str, value: dict, excerpt: str, criterion: CallCriterion | None = None
):
    """Annotate ``call`` with one eligibility criterion quoted from its text (or change one).

    The criterion belongs to the actor's catalogue: national for UPI and system actors (on national calls
    only), the Province's own for its office (on national calls and on its own). A criterion may be changed
    only by the catalogue it belongs to. Changing a criterion derived from the call's record makes it a
    person's: the next imports keep it and derive no other of its kind (``_sync_derived_criteria``).

    Raises:
        PermissionDenied: not UPI, a system actor or an office role; the call is not readable by the actor
            or is another catalogue's own; the criterion is another catalogue's.
        ValidationError: unknown kind, incomplete value, no excerpt.
    """
    owner = catalogue_owner(actor)
    if actor.user is not None and not Call.objects.for_user(actor.user).filter(pk=call.pk).exists():
        raise PermissionDenied
    if call.province_id is not None and call.province_id != owner:
        raise PermissionDenied
    if criterion is not None and (criterion.call_id != call.pk or criterion.province_id != owner):
        raise PermissionDenied
    excerpt = (excerpt or "").strip()
    if not excerpt:
        raise ValidationError({"excerpt": _("Quote the text of the call the criterion comes from.")})
    value = _validate_criterion_value(kind, value)
    with transaction.atomic():
        old = (
            None
            if criterion is None
            else {"kind": criterion.kind, "value": criterion.value, "excerpt": criterion.excerpt}
        )
        was_derived = criterion is not None and criterion.derived
        criterion = criterion or CallCriterion(call=call, province_id=owner, created_by=actor.user)
        criterion.kind, criterion.value, criterion.excerpt = kind, value, excerpt
        # A person who changes a criterion read from the record makes it theirs: imports leave it alone.
        criterion.derived = False
        criterion.annotated_by = actor.organization
        criterion.updated_at = timezone.now()
        criterion.save()
        record_event(
            actor,
            "eufunds.criterion_saved",
            criterion,
            {
                "call": [None, call.pk],
                "kind": [old and old["kind"], kind],
                "value": [old and old["value"], value],
            }
            | ({"derived": [True, False]} if was_derived else {}),
        )
    return criterion


def delete_criterion(actor, criterion: CallCriterion) -> None:
    """Delete a criterion of the actor's own catalogue (see ``save_criterion``).

    Raises:
        PermissionDenied: the criterion is another catalogue's, or on a call the actor does not read.
    """
    owner = catalogue_owner(actor)
    if criterion.province_id != owner:
        raise PermissionDenied
    if actor.user is not None and not Call.objects.for_user(actor.user).filter(pk=criterion.call_id).exists():
        raise PermissionDenied
    with transaction.atomic():
        record_event(
            actor,
            "eufunds.criterion_deleted",
            criterion,
            {"call": [criterion.call_id, None], "kind": [criterion.kind, None]},
        )
        criterion.delete()


# --- digests -------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DigestPreferenceData:
    """How often a Comune wants the digest of calls, and its interests (one per line)."""

    frequency: str
    interests: str = ""


def save_digest_preference(actor: Actor, organization, data: DigestPreferenceData) -> DigestPreference:
    """Set a Comune's (Unione's) digest frequency and interests; saving re-subscribes it.

    Raises:
        PermissionDenied: not a referent of ``organization``.
    """
    membership = actor.membership
    if (
        membership is None
        or membership.organization_id != organization.pk
        or membership.role not in DIGEST_EDITOR_ROLES
    ):
        raise PermissionDenied
    frequency = data.frequency
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": _("Choose a frequency.")})
    interests = "\n".join(line.strip() for line in data.interests.splitlines() if line.strip())
    with transaction.atomic():
        preference, _created = DigestPreference.objects.select_for_update().get_or_create(
            organization=organization
        )
        changes = {
            "frequency": [preference.frequency, frequency],
            "interests": [preference.interests, interests],
            "unsubscribed": [preference.unsubscribed, False],
        }
        preference.frequency, preference.interests, preference.unsubscribed = frequency, interests, False
        preference.updated_at = timezone.now()
        preference.save()
        record_event(actor, "eufunds.digest_preference_saved", preference, changes, organization=organization)
    return preference


def unsubscribe_digest(token: str) -> DigestPreference | None:
    """Stop the digests of the preference holding ``token`` (the link in every digest; no login)."""
    with transaction.atomic():
        preference = DigestPreference.objects.select_for_update().filter(token=token).first()
        if preference is None:
            return None
        if not preference.unsubscribed:
            preference.unsubscribed = True
            preference.updated_at = timezone.now()
            preference.save(update_fields=["unsubscribed", "updated_at"])
            record_event(
                Actor.system("digest unsubscribe link"),
                "eufunds.digest_unsubscribed",
                preference,
                {"unsubscribed": [False, True]},
                organization=preference.organization,
            )
    return preference


def record_digest_sent(preference: DigestPreference, call_ids: list[int], recipients: int, now: datetime):
    with transaction.atomic():
        DigestDelivery.objects.create(
            preference=preference, sent_at=now, call_ids=call_ids, recipients=recipients
        )
        DigestPreference.objects.filter(pk=preference.pk).update(last_sent_at=now)
        record_event(
            Actor.system("digest task"),
            "eufunds.digest_sent",
            preference,
            {"calls": [None, len(call_ids)], "recipients": [None, recipients]},
            organization=preference.organization,
        )
