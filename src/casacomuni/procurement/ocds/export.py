"""The SUA's procedures as Open Contracting Data Standard 1.1 releases and records (lots and bids extensions).

Every procedure past draft has an OCID (``Procedure.ocid``, assigned at publication) and one release per
state change that published information, each with a stable id ``<ocid>-<kind>``:

========================  ==================  ============================================================
kind (release id suffix)  tag                 date
========================  ==================  ============================================================
``tender``                tender              ``published_at``: the notice / invitation, tender active
``award``                 award               ``awarded_at``: awards per lot, bids (statistics, details)
``contract``              contract            ``contract_signed_at``: contracts per lot
``cancellation``          tenderCancellation  ``closed_at`` of a cancelled procedure (tender cancelled)
``unsuccessful``          tenderUpdate        ``closed_at`` of a deserted procedure (tender unsuccessful)
========================  ==================  ============================================================

Mapping (DOMAIN §4.9): the Province's SUA is ``tender.procuringEntity``; each lot's Comune is a party with
the role ``buyer`` and the first lot's Comune is ``buyer`` (OCDS 1.1 has one buyer per release: the other
Comuni of an aggregated procedure are listed in ``parties`` with the role buyer); the lot id is its CIG; CPV in
``items[].classification`` (one item per lot, ``relatedLot``); bids are public after the award
(``bids.statistics`` per lot: bids, validBids, tendersAbnormallyLow, and the lowest and highest valid bids'
values; ``bids.details`` with status and, for the valid bids, the value). A bid excluded as anomalous (art. 54)
is "disqualified", neither valid nor counted in the valid bids' values.

Only fields of OCDS 1.1 and of the two declared extensions are published (``tender.statusDetails`` is OCDS 1.2:
a cancelled or unsuccessful tender says so by ``tender.status`` and the release's tag alone).

Personal data: parties are organisations only. An identifier (scheme ``IT-CF``) is published only when the
organisation's code is 11 digits (partita IVA / codice fiscale of a legal entity); a 16-character personal
codice fiscale (a sole trader) is never published, nor any e-mail/PEC, nor the RUP, the legal
representatives, the officers or the reasons of exclusion.

The release content is built from the procedure's current rows, restricted to what the release's stage had
published (the tender release carries no award, no bid). Everything here is read-only: the views call
``release_page`` and ``record_package``, which cost a fixed number of queries whatever the number of
procedures.
"""

from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import F, IntegerField, Prefetch, Value
from django.utils import timezone

from casacomuni.lib import identifiers
from casacomuni.procurement.procedures.models import (
    Bid,
    BidStatus,
    Criterion,
    Lot,
    LotState,
    Procedure,
    ProcedureState,
    ProcedureType,
)
from casacomuni.procurement.requests.models import ContractKind

OCDS_VERSION = "1.1"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
]
PAGE_SIZE = 100
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ReleaseKind:
    code: str
    order: int
    tag: str
    date_field: str
    states: tuple[str, ...] | None  # the procedure states in which the release exists (None: any public)


RELEASE_KINDS = (
    ReleaseKind("tender", 0, "tender", "published_at", None),
    ReleaseKind("award", 1, "award", "awarded_at", (ProcedureState.AWARDED, ProcedureState.CONTRACT_SIGNED)),
    ReleaseKind("contract", 2, "contract", "contract_signed_at", (ProcedureState.CONTRACT_SIGNED,)),
    ReleaseKind("cancellation", 3, "tenderCancellation", "closed_at", (ProcedureState.CANCELLED,)),
    ReleaseKind("unsuccessful", 4, "tenderUpdate", "closed_at", (ProcedureState.DESERTED,)),
)
KIND_BY_ORDER = {kind.order: kind for kind in RELEASE_KINDS}
KIND_BY_CODE = {kind.code: kind for kind in RELEASE_KINDS}

# The Italian procedures (D.Lgs. 36/2023) on the OCDS method codelist (open, selective, limited, direct).
PROCUREMENT_METHODS = {
    ProcedureType.OPEN: ("open", "Procedura aperta (art. 71 D.Lgs. 36/2023)"),
    ProcedureType.RESTRICTED: ("selective", "Procedura ristretta (art. 72 D.Lgs. 36/2023)"),
    ProcedureType.COMPETITIVE_NEGOTIATION: (
        "selective",
        "Procedura competitiva con negoziazione (art. 73 D.Lgs. 36/2023)",
    ),
    ProcedureType.COMPETITIVE_DIALOGUE: ("selective", "Dialogo competitivo (art. 74 D.Lgs. 36/2023)"),
    ProcedureType.INNOVATION_PARTNERSHIP: (
        "selective",
        "Partenariato per l'innovazione (art. 75 D.Lgs. 36/2023)",
    ),
    ProcedureType.NEGOTIATED_BELOW_THRESHOLD: (
        "limited",
        "Procedura negoziata senza bando (art. 50 c.1 lett. c-e D.Lgs. 36/2023)",
    ),
    ProcedureType.NEGOTIATED_WITHOUT_NOTICE: (
        "limited",
        "Procedura negoziata senza pubblicazione di un bando (art. 76 D.Lgs. 36/2023)",
    ),
    ProcedureType.DIRECT_AWARD: ("direct", "Affidamento diretto (art. 50 c.1 lett. a-b D.Lgs. 36/2023)"),
}
PROCUREMENT_CATEGORIES = {
    ContractKind.WORKS: "works",
    ContractKind.SUPPLIES: "goods",
    ContractKind.SERVICES: "services",
    ContractKind.SOCIAL_SERVICES: "services",
    ContractKind.ENGINEERING: "services",
}
# OCDS 1.1 awardCriteria codelist: priceOnly, costOnly, qualityOnly, ratedCriteria.
AWARD_CRITERIA = {
    Criterion.LOWEST_PRICE: ("priceOnly", "Minor prezzo (art. 108 c.3 D.Lgs. 36/2023)"),
    Criterion.OEPV: (
        "ratedCriteria",
        "Offerta economicamente più vantaggiosa, miglior rapporto qualità/prezzo (art. 108 D.Lgs. 36/2023)",
    ),
}
LOT_STATUS = {
    LotState.OPEN: "active",
    LotState.AWARDED: "complete",
    LotState.DESERTED: "unsuccessful",
    LotState.CANCELLED: "cancelled",
}
# OCDS bidStatus codelist: a bid excluded by the officer or as anomalous (art. 54) is disqualified.
BID_STATUS = {
    BidStatus.RECEIVED: "pending",
    BidStatus.ADMITTED: "valid",
    BidStatus.EXCLUDED: "disqualified",
    BidStatus.ANOMALOUS: "disqualified",
}


def publisher_name() -> str:
    return settings.CASACOMUNI_OCDS_PUBLISHER


# --- Values ------------------------------------------------------------------------------------------------


def ocds_datetime(value) -> str | None:
    """An RFC 3339 date-time in UTC; a date is the start of that day in the platform's time zone."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time.min))
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount) -> dict | None:
    if amount is None:
        return None
    return {"amount": float(Decimal(amount).quantize(CENT)), "currency": "EUR"}


def bid_amount(bid: Bid, lot: Lot) -> Decimal | None:
    """The bid's value: its price, or the lot's base less the discount (to the cent, half up)."""
    if bid.price is not None:
        return bid.price
    if bid.discount_percent is None:
        return None
    return (lot.base_amount * (Decimal(100) - bid.discount_percent) / Decimal(100)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def legal_entity_code(code: str) -> str | None:
    """The organisation's partita IVA / numeric codice fiscale, or None (absent, or a person's code)."""
    code = (code or "").strip().upper().removeprefix("IT")
    return code if len(code) == 11 and code.isdigit() else None


def party_id(org) -> str:
    code = legal_entity_code(org.fiscal_code)
    return f"IT-CF-{code}" if code else f"CASACOMUNI-ORG-{org.pk}"


def party(org, roles: list[str]) -> dict:
    entry = {"id": party_id(org), "name": org.name, "roles": roles}
    code = legal_entity_code(org.fiscal_code)
    if code:
        entry["identifier"] = {"scheme": "IT-CF", "id": code, "legalName": org.name}
    return entry


def reference(org) -> dict:
    return {"id": party_id(org), "name": org.name}


def lot_id(lot: Lot) -> str:
    """The CIG (DOMAIN §4.9: lot id = CIG); a lot without one (never published so) by its number."""
    return lot.cig or f"LOTTO-{lot.number}"


# --- Releases ----------------------------------------------------------------------------------------------


def release_kinds_of(procedure: Procedure) -> list[ReleaseKind]:
    """The releases a procedure has published, in order (the same conditions as ``release_index``)."""
    if not procedure.ocid:
        return []
    return [
        kind
        for kind in RELEASE_KINDS
        if getattr(procedure, kind.date_field) is not None
        and (kind.states is None or procedure.state in kind.states)
        and procedure.state != ProcedureState.DRAFT
    ]


def build_release(procedure: Procedure, kind: ReleaseKind) -> dict:
    """One release of ``procedure`` (its lots, bids and operators prefetched: see ``procedures_for_export``)."""
    lots = list(procedure.lots.all())
    awarded_stage = kind.code in ("award", "contract")
    contract_stage = kind.code == "contract"
    parties: dict[str, dict] = {}

    def add_party(org, role):
        key = party_id(org)
        if key not in parties:
            parties[key] = party(org, [])
        if role not in parties[key]["roles"]:
            parties[key]["roles"].append(role)

    add_party(procedure.province, "procuringEntity")
    for lot in lots:
        add_party(lot.municipality, "buyer")
    if awarded_stage:
        for lot in lots:
            for bid in lot.bids.all():
                add_party(bid.operator, "tenderer")
            if lot.state == LotState.AWARDED and lot.awarded_operator is not None:
                add_party(lot.awarded_operator, "supplier")

    release = {
        "ocid": procedure.ocid,
        "id": f"{procedure.ocid}-{kind.code}",
        "date": ocds_datetime(getattr(procedure, kind.date_field)),
        "tag": [kind.tag],
        "initiationType": "tender",
        "language": "it",
        "parties": list(parties.values()),
    }
    if lots:
        release["buyer"] = reference(lots[0].municipality)
    release["tender"] = tender_section(procedure, lots, kind, awarded_stage)
    if awarded_stage:
        release["bids"] = bids_section(procedure, lots)
        awards = [award_of(lot) for lot in lots if lot.state == LotState.AWARDED and lot.awarded_operator]
        if awards:
            release["awards"] = awards
    if contract_stage:
        contracts = [contract_of(lot) for lot in lots if lot.state == LotState.AWARDED and lot.contract_date]
        if contracts:
            release["contracts"] = contracts
    return release


def tender_status(procedure: Procedure, kind: ReleaseKind) -> str:
    if kind.code == "cancellation":
        return "cancelled"
    if kind.code == "unsuccessful":
        return "unsuccessful"
    if kind.code in ("award", "contract"):
        return "complete"
    return "active"


def tender_section(procedure: Procedure, lots: list[Lot], kind: ReleaseKind, awarded_stage: bool) -> dict:
    method, method_details = PROCUREMENT_METHODS.get(procedure.procedure_type, (None, ""))
    criteria, criteria_details = AWARD_CRITERIA.get(procedure.criterion, (None, ""))
    vocabulary = identifiers.cpv_vocabulary()
    tender = {
        "id": f"{procedure.ocid}-tender",
        "title": procedure.title,
        "status": tender_status(procedure, kind),
        "procuringEntity": reference(procedure.province),
        "items": [
            {
                "id": lot_id(lot),
                "description": lot.title,
                "classification": {
                    "scheme": "CPV",
                    "id": lot.cpv,
                    "description": vocabulary.get(lot.cpv, ""),
                },
                "relatedLot": lot_id(lot),
            }
            for lot in lots
        ],
        "value": money(sum((lot.total_amount for lot in lots), Decimal("0"))),
        "procurementMethod": method,
        "procurementMethodDetails": method_details,
        "mainProcurementCategory": PROCUREMENT_CATEGORIES.get(procedure.kind),
        "awardCriteria": criteria,
        "awardCriteriaDetails": criteria_details,
        "tenderPeriod": {
            "startDate": ocds_datetime(procedure.published_at),
            "endDate": ocds_datetime(procedure.bid_deadline),
        },
        "lots": [
            {
                "id": lot_id(lot),
                "title": lot.title,
                "status": lot_status(lot, kind),
                "value": money(lot.total_amount),
            }
            for lot in lots
        ],
    }
    if procedure.description:
        tender["description"] = procedure.description
    if awarded_stage:
        bidders = {bid.operator_id: bid.operator for lot in lots for bid in lot.bids.all()}
        tender["numberOfTenderers"] = len(bidders)
        tender["tenderers"] = [reference(org) for org in sorted(bidders.values(), key=party_id)]
    return tender


def lot_status(lot: Lot, kind: ReleaseKind) -> str:
    if kind.code == "tender":
        return "active"
    if kind.code == "cancellation" and lot.state != LotState.AWARDED:
        return "cancelled"
    if kind.code == "unsuccessful" and lot.state != LotState.AWARDED:
        return "unsuccessful"
    return LOT_STATUS.get(lot.state, "active")


def bid_identifier(lot: Lot, bid: Bid) -> str:
    return f"{lot_id(lot)}-OFFERTA-{bid.pk}"


def bids_section(procedure: Procedure, lots: list[Lot]) -> dict:
    statistics, details = [], []
    for lot in lots:
        bids = list(lot.bids.all())
        valid = [bid for bid in bids if bid.status == BidStatus.ADMITTED]
        ident = lot_id(lot)
        statistics.append({"id": f"{ident}-bids", "measure": "bids", "value": len(bids), "relatedLot": ident})
        statistics.append(
            {"id": f"{ident}-validBids", "measure": "validBids", "value": len(valid), "relatedLot": ident}
        )
        abnormal = abnormally_low(lot, bids)
        if abnormal is not None:
            statistics.append(
                {
                    "id": f"{ident}-tendersAbnormallyLow",
                    "measure": "tendersAbnormallyLow",
                    "value": abnormal,
                    "relatedLot": ident,
                }
            )
        values = [amount for bid in valid if (amount := bid_amount(bid, lot)) is not None]
        if values:
            for measure, amount in (
                ("lowestValidBidValue", min(values)),
                ("highestValidBidValue", max(values)),
            ):
                statistics.append(
                    {
                        "id": f"{ident}-{measure}",
                        "measure": measure,
                        "value": float(amount),
                        "currency": "EUR",
                        "relatedLot": ident,
                    }
                )
        for bid in bids:
            detail = {
                "id": bid_identifier(lot, bid),
                "date": ocds_datetime(bid.received_at),
                "status": BID_STATUS.get(bid.status),
                "tenderers": [reference(bid.operator)],
                "relatedLots": [ident],
            }
            if bid.status == BidStatus.ADMITTED:
                amount = bid_amount(bid, lot)
                if amount is not None:
                    detail["value"] = money(amount)
            details.append(detail)
    return {"statistics": statistics, "details": details}


def abnormally_low(lot: Lot, bids: list[Bid]) -> int | None:
    """How many bids the anomaly threshold excluded (art. 54), when the lot was evaluated by it."""
    evaluation = getattr(lot, "evaluation", None)
    if evaluation is None or not evaluation.method.startswith("anomaly_"):
        return None
    return sum(bid.status == BidStatus.ANOMALOUS for bid in bids)


def award_of(lot: Lot) -> dict:
    award = {
        "id": f"{lot_id(lot)}-AGG",
        "title": lot.title,
        "status": "active",
        "date": ocds_datetime(lot.award_date),
        "value": money(lot.awarded_amount),
        "suppliers": [reference(lot.awarded_operator)],
        "relatedLots": [lot_id(lot)],
    }
    bid = next((b for b in lot.bids.all() if b.operator_id == lot.awarded_operator_id), None)
    if bid is not None:
        award["relatedBid"] = bid_identifier(lot, bid)
    return award


def contract_of(lot: Lot) -> dict:
    return {
        "id": f"{lot_id(lot)}-CONTRATTO",
        "awardID": f"{lot_id(lot)}-AGG",
        "title": lot.title,
        "status": "active",
        "value": money(lot.contract_amount),
        "dateSigned": ocds_datetime(lot.contract_date),
    }


# --- Compiled release (OCDS merge) -------------------------------------------------------------------------


def merge_into(target: dict, source: dict) -> None:
    """OCDS merge: objects merged field by field, arrays of objects with ``id`` merged by id, anything else
    (strings, numbers, arrays of strings such as ``roles``) replaced by the newer value."""
    for key, value in source.items():
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merge_into(current, value)
        elif (
            isinstance(value, list)
            and isinstance(current, list)
            and all(isinstance(item, dict) and "id" in item for item in value + current)
        ):
            by_id = {item["id"]: item for item in current}
            for item in value:
                if item["id"] in by_id:
                    merge_into(by_id[item["id"]], item)
                else:
                    copied = deepcopy(item)
                    current.append(copied)
                    by_id[item["id"]] = copied
        else:
            target[key] = deepcopy(value)


def compile_releases(releases: list[dict]) -> dict:
    """The compiled release (OCDS merging specification): ``tag`` ["compiled"], ``date`` the newest release's
    and ``id`` ``<ocid>-<date>``, as the reference implementation (ocdsmerge, used by ocdskit) sets them."""
    ordered = sorted(releases, key=lambda release: release["date"])
    compiled: dict = {}
    for release in ordered:
        merge_into(compiled, {key: value for key, value in release.items() if key not in ("id", "tag")})
    compiled["date"] = ordered[-1]["date"]
    compiled["id"] = f"{ordered[-1]['ocid']}-{compiled['date']}"
    compiled["tag"] = ["compiled"]
    return {key: compiled[key] for key in ("ocid", "id", "date", "tag", "initiationType")} | compiled


# --- Queries -----------------------------------------------------------------------------------------------


def published_procedures():
    return Procedure.objects.public().filter(ocid__isnull=False)


def release_index(since: datetime | None = None, until: datetime | None = None):
    """One row (procedure pk, release date, kind order) per release, oldest first: a single UNION query."""
    parts = []
    for kind in RELEASE_KINDS:
        field = kind.date_field
        rows = published_procedures().filter(**{f"{field}__isnull": False})
        if kind.states is not None:
            rows = rows.filter(state__in=kind.states)
        if since is not None:
            rows = rows.filter(**{f"{field}__gte": since})
        if until is not None:
            rows = rows.filter(**{f"{field}__lte": until})
        parts.append(
            rows.order_by()
            .annotate(release_date=F(field), kind_order=Value(kind.order, output_field=IntegerField()))
            .values_list("pk", "release_date", "kind_order")
        )
    first, *others = parts
    return first.union(*others, all=True).order_by("release_date", "pk", "kind_order")


def procedures_for_export(queryset):
    """The procedures with everything the releases read, in four queries whatever their number."""
    return queryset.select_related("province").prefetch_related(
        Prefetch(
            "lots",
            queryset=Lot.objects.select_related("municipality", "awarded_operator", "evaluation").order_by(
                "number"
            ),
        ),
        Prefetch("lots__bids", queryset=Bid.objects.select_related("operator").order_by("received_at", "pk")),
    )


def release_page(page: int, since=None, until=None, page_size: int | None = None) -> tuple[list[dict], bool]:
    """The releases of page ``page`` (from 1) and whether there is a next page."""
    page_size = page_size or PAGE_SIZE
    offset = (page - 1) * page_size
    rows = list(release_index(since, until)[offset : offset + page_size + 1])
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    procedures = procedures_for_export(Procedure.objects.filter(pk__in={pk for pk, _d, _k in rows})).in_bulk()
    return [build_release(procedures[pk], KIND_BY_ORDER[order]) for pk, _date, order in rows], has_next


def release_package(releases: list[dict], uri: str, policy_url: str, published: datetime) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": ocds_datetime(published),
        "publisher": {"name": publisher_name()},
        "license": LICENSE_URL,
        "publicationPolicy": policy_url,
        "releases": releases,
    }


def procedure_by_ocid(ocid: str) -> Procedure | None:
    return procedures_for_export(published_procedures().filter(ocid=ocid, published_at__isnull=False)).first()


def record_of(procedure: Procedure) -> dict:
    releases = [build_release(procedure, kind) for kind in release_kinds_of(procedure)]
    return {"ocid": procedure.ocid, "releases": releases, "compiledRelease": compile_releases(releases)}


def record_package(procedure: Procedure, uri: str, policy_url: str) -> dict:
    record = record_of(procedure)
    latest = max(release["date"] for release in record["releases"])
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": latest,
        "publisher": {"name": publisher_name()},
        "license": LICENSE_URL,
        "publicationPolicy": policy_url,
        "records": [record],
    }


def latest_release_date(releases: list[dict]) -> datetime:
    """The package's publication date: its newest release's (stable for the same data), now when empty."""
    if not releases:
        return timezone.now()
    return datetime.strptime(max(r["date"] for r in releases), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
