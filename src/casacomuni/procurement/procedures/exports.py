"""CSV export of the SUA procedures, one row per lot.

Who: the SUA (the Province's administrator and SUA officers) exports the lots of its Province's procedures;
a Comune (Unione) exports the lots it buys (not the other Comuni's lots of an aggregated procedure).

Format, chosen for the people who open it, Italian officers with Excel: UTF-8 with a byte-order mark (so
Excel reads the accents), ``;`` as separator and the decimal comma without thousands separators (what
Excel with Italian settings expects: ``1234,56``), dates as ``YYYY-MM-DD`` (read as dates by Excel and
unambiguous for programs), CRLF line ends (RFC 4180). A text cell starting with ``= + - @`` gets a leading
apostrophe, so that no spreadsheet runs it as a formula. The column headers and the coded values (kind,
procedure, criterion, state) are fixed Italian strings, not interface translations: the file's layout is
an interface that must not change with the language of the person downloading it.

One query streamed in chunks whatever the number of lots (``Lot.objects ... .values(...)``), the bids counted
by outcome in it (received, admitted, excluded, excluded as anomalous under art. 54) with the lot's anomaly
threshold. A Comune's file leaves the counts empty until the deadline for offers (art. 35 c.2-3 D.Lgs.
36/2023: how many bid is not to be known before it); the SUA's has them.
"""

import codecs
import csv
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform
from django.http import StreamingHttpResponse
from django.utils import timezone

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import LOCAL_ROLES, SUA_ROLES, OrganizationKind
from casacomuni.lib.spreadsheets import no_formula
from casacomuni.procurement.ocds.export import AWARD_CRITERIA, PROCUREMENT_METHODS
from casacomuni.procurement.procedures.models import BidStatus, Lot, LotState, ProcedureState
from casacomuni.procurement.requests.models import ContractKind
from casacomuni.procurement.rules import confidentiality

CSV_ROLES = (*SUA_ROLES, *LOCAL_ROLES)

KIND_LABELS = {
    ContractKind.WORKS: "Lavori",
    ContractKind.SERVICES: "Servizi",
    ContractKind.SUPPLIES: "Forniture",
    ContractKind.SOCIAL_SERVICES: "Servizi sociali e altri servizi specifici",
    ContractKind.ENGINEERING: "Servizi di ingegneria e architettura",
}
STATE_LABELS = {
    ProcedureState.DRAFT: "Bozza",
    ProcedureState.PUBLISHED: "Pubblicata",
    ProcedureState.BIDS_OPEN: "Offerte aperte",
    ProcedureState.BIDS_CLOSED: "Offerte chiuse",
    ProcedureState.EVALUATION: "Valutazione",
    ProcedureState.PROPOSED_AWARD: "Proposta di aggiudicazione",
    ProcedureState.AWARDED: "Aggiudicata",
    ProcedureState.CONTRACT_SIGNED: "Contratto stipulato",
    ProcedureState.DESERTED: "Deserta",
    ProcedureState.CANCELLED: "Annullata",
}
LOT_STATE_LABELS = {
    LotState.OPEN: "Aperto",
    LotState.AWARDED: "Aggiudicato",
    LotState.DESERTED: "Deserto",
    LotState.CANCELLED: "Annullato",
}

COLUMNS = (
    ("CIG", "cig"),
    ("CUP", "cup"),
    ("Oggetto della procedura", "procedure__title"),
    ("Lotto", "number"),
    ("Oggetto del lotto", "title"),
    ("Tipologia", "procedure__kind"),
    ("Procedura", "procedure__procedure_type"),
    ("Criterio di aggiudicazione", "procedure__criterion"),
    ("CPV", "cpv"),
    ("Comune", "municipality__name"),
    ("Importo a base di gara", "base_amount"),
    ("Oneri per la sicurezza", "safety_costs"),
    ("Importo di aggiudicazione", "awarded_amount"),
    ("Risparmio (euro)", None),
    ("Risparmio (%)", None),
    ("Aggiudicatario", "awarded_operator__name"),
    ("Data della richiesta", "request__submitted_at"),
    ("Data di pubblicazione", "procedure__published_at"),
    ("Scadenza delle offerte", "procedure__bid_deadline"),
    ("Data di aggiudicazione", "award_date"),
    ("Data del contratto", "contract_date"),
    ("Importo del contratto", "contract_amount"),
    ("Offerte ricevute", "bids_received"),
    ("Offerte ammesse", "bids_admitted"),
    ("Offerte escluse", "bids_excluded"),
    ("di cui escluse perché anomale (art. 54)", "bids_anomalous"),
    ("Soglia di anomalia (%)", "anomaly_threshold"),
    ("Stato della procedura", "procedure__state"),
    ("Stato del lotto", "state"),
    ("OCID", "procedure__ocid"),
)
FIELDS = [field for _header, field in COLUMNS if field]
# The bids of each lot by outcome, counted in the export's one query. An anomalous bid (art. 54 c.1) is an
# excluded one: it is counted among the excluded and on its own.
ANNOTATIONS = {
    "bids_received": Count("bids"),
    "bids_admitted": Count("bids", filter=Q(bids__status=BidStatus.ADMITTED)),
    "bids_excluded": Count("bids", filter=Q(bids__status__in=(BidStatus.EXCLUDED, BidStatus.ANOMALOUS))),
    "bids_anomalous": Count("bids", filter=Q(bids__status=BidStatus.ANOMALOUS)),
    # As text, the digits as computed ("16.140"): a JSON value would come back as a float on SQLite.
    "anomaly_threshold": KeyTextTransform("threshold", "evaluation__result"),
}


def lots_for_export(user) -> tuple:
    """The lots the user may export: the SUA its Province's, a Comune its own; and whether the user is the
    SUA (who alone sees the bids before the deadline)."""
    membership = tenancy.acting_membership(user)
    org = membership.organization
    if org.kind == OrganizationKind.PROVINCE:
        return Lot.objects.filter(procedure__province=org), True
    return Lot.objects.filter(municipality=org), False


def text(value) -> str:
    """A text typed by someone (object, names): never read by a spreadsheet as a formula (CSV injection)."""
    return no_formula(value or "")


def amount(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):.2f}".replace(".", ",")


def percentage(value) -> str:
    """A percentage as computed (e.g. the threshold "16.140"), with the decimal comma."""
    return "" if value in (None, "") else str(value).replace(".", ",")


def day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat() if isinstance(value, date) else str(value)


def savings(base, awarded) -> tuple[Decimal | None, Decimal | None]:
    """Base amount − awarded amount, and the same as a percentage of the base (two decimals)."""
    if base is None or awarded is None:
        return None, None
    saved = Decimal(base) - Decimal(awarded)
    percent = (saved * 100 / Decimal(base)).quantize(Decimal("0.01")) if base else None
    return saved, percent


def bid_counts(lot: dict, disclosed: bool) -> list[str]:
    """The bids by outcome; empty cells for a Comune before the deadline for offers (art. 35 c.2-3)."""
    names = ("bids_received", "bids_admitted", "bids_excluded", "bids_anomalous")
    return [str(lot[name]) if disclosed else "" for name in names]


def row_of(lot: dict, sua: bool = True, now: datetime | None = None) -> list[str]:
    saved, percent = savings(lot["base_amount"], lot["awarded_amount"])
    disclosed = sua or confidentiality.disclosed(now or timezone.now(), lot["procedure__bid_deadline"])
    return [
        text(lot["cig"]),
        text(lot["cup"]),
        text(lot["procedure__title"]),
        str(lot["number"]),
        text(lot["title"]),
        KIND_LABELS.get(lot["procedure__kind"], lot["procedure__kind"]),
        PROCUREMENT_METHODS.get(lot["procedure__procedure_type"], ("", lot["procedure__procedure_type"]))[1],
        AWARD_CRITERIA.get(lot["procedure__criterion"], ("", lot["procedure__criterion"]))[1],
        text(lot["cpv"]),
        text(lot["municipality__name"]),
        amount(lot["base_amount"]),
        amount(lot["safety_costs"]),
        amount(lot["awarded_amount"]),
        amount(saved),
        amount(percent),
        text(lot["awarded_operator__name"]),
        day(lot["request__submitted_at"]),
        day(lot["procedure__published_at"]),
        day(lot["procedure__bid_deadline"]),
        day(lot["award_date"]),
        day(lot["contract_date"]),
        amount(lot["contract_amount"]),
        *bid_counts(lot, disclosed),
        percentage(lot["anomaly_threshold"]),
        STATE_LABELS.get(lot["procedure__state"], lot["procedure__state"]),
        LOT_STATE_LABELS.get(lot["state"], lot["state"]),
        lot["procedure__ocid"] or "",
    ]


class Echo:
    def write(self, value):
        return value


def csv_lines(rows, sua: bool = True):
    writer = csv.writer(Echo(), delimiter=";", lineterminator="\r\n")
    yield codecs.BOM_UTF8.decode("utf-8") + writer.writerow([header for header, _field in COLUMNS])
    now = timezone.now()
    for row in rows:
        yield writer.writerow(row_of(row, sua, now))


def export_rows(lots):
    return (
        lots.order_by("-procedure__created_at", "procedure_id", "number")
        .annotate(**ANNOTATIONS)
        .values(*FIELDS)
        .iterator(chunk_size=2000)
    )


@login_required
def procedures_csv(request):
    tenancy.require_role(request.user, *CSV_ROLES)
    lots, sua = lots_for_export(request.user)
    state = request.GET.get("state", "")
    if state in ProcedureState.values:
        lots = lots.filter(procedure__state=state)
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        lots = lots.filter(Q(procedure__created_at__year=int(year)) | Q(award_date__year=int(year)))
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(export_rows(lots), sua)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="procedure-{stamp}.csv"'
    return response
