"""Generators over the other pillars' data: SUA procedures and lots, the Province's own funding calls, the
funded projects of its territory, the indicators of its comuni and the aggregates of its data campaigns.

Each is registered with the models it reads (``requires``), so it is offered only where that app is
installed. Imported by ``generators`` at the end of its registry.

What is left out on purpose: operators' fiscal codes (a sole trader's is a person's codice fiscale), RUP
and users, campaign answers of one respondent, free-text and file answers. Campaigns are published as
counts and averages per question, over submitted responses only.
"""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from casacomuni.opendata.generators import Generator, Table, istat_of, register
from casacomuni.opendata.models import Frequency, Theme

# --- SUA: procedures and lots ------------------------------------------------------------------------------

PROCEDURE_COLUMNS = (
    "id_procedura",
    "ocid",
    "oggetto_procedura",
    "tipo_contratto",
    "tipo_procedura",
    "criterio_aggiudicazione",
    "stato_procedura",
    "data_pubblicazione",
    "scadenza_offerte",
    "numero_lotto",
    "oggetto_lotto",
    "ente_committente",
    "codice_istat",
    "cig",
    "cup",
    "cpv",
    "importo_base",
    "oneri_sicurezza",
    "opzioni_rinnovi",
    "importo_totale",
    "stato_lotto",
    "aggiudicatario",
    "importo_aggiudicazione",
    "ribasso_euro",
    "ribasso_percentuale",
    "data_aggiudicazione",
    "data_contratto",
    "importo_contratto",
)


def discount_percent(base: Decimal, awarded: Decimal | None) -> Decimal | None:
    """The saving as a percentage of the base amount, two decimals; None without an award or a base."""
    if awarded is None or not base:
        return None
    return ((base - awarded) * 100 / base).quantize(Decimal("0.01"))


def build_procedures(province) -> Table:
    """One row per lot of the SUA's published procedures (drafts excluded), with award and savings."""
    from casacomuni.procurement.procedures.models import Lot, ProcedureState

    lots = (
        Lot.objects.filter(procedure__province=province)
        .exclude(procedure__state=ProcedureState.DRAFT)
        .select_related("procedure", "municipality__municipality", "awarded_operator")
        .order_by("procedure_id", "number")
    )
    rows = []
    for lot in lots:
        procedure = lot.procedure
        rows.append(
            (
                procedure.pk,
                procedure.ocid,
                procedure.title,
                procedure.kind,
                procedure.procedure_type,
                procedure.criterion,
                procedure.state,
                timezone.localdate(procedure.published_at) if procedure.published_at else None,
                procedure.bid_deadline,
                lot.number,
                lot.title,
                lot.municipality.name,
                istat_of(lot.municipality),
                lot.cig,
                lot.cup,
                lot.cpv,
                lot.base_amount,
                lot.safety_costs,
                lot.options_amount,
                lot.total_amount,
                lot.state,
                lot.awarded_operator.name if lot.awarded_operator_id else None,
                lot.awarded_amount,
                lot.savings,
                discount_percent(lot.base_amount, lot.awarded_amount),
                lot.award_date,
                lot.contract_date,
                lot.contract_amount,
            )
        )
    return Table(PROCEDURE_COLUMNS, rows)


# --- EU funds: the Province's own calls and the funded projects ---------------------------------------------

CALL_COLUMNS = (
    "id_bando",
    "titolo",
    "programma",
    "ente_finanziatore",
    "link",
    "forma_finanziamento",
    "ambito_territoriale",
    "apertura",
    "scadenza",
    "scadenza_seconda_fase",
    "stato",
    "dotazione",
    "contributo_minimo",
    "contributo_massimo",
    "cofinanziamento_percentuale",
)


def build_calls(province) -> Table:
    """The calls for funding the Province published itself: national and EU calls are others' data, also the
    copies a Province imported into its own catalogue."""
    from casacomuni.eufunds.models import Call, CallSource

    calls = Call.objects.filter(province_id=province.province_id, source=CallSource.MANUAL).order_by("pk")
    rows = [
        (
            call.pk,
            call.title,
            call.programme,
            call.funder,
            call.url,
            call.funding_form,
            call.territorial_scope,
            call.opens_on,
            call.deadline,
            call.second_deadline,
            call.status,
            call.budget_total,
            call.min_contribution,
            call.max_contribution,
            call.cofinancing_share,
        )
        for call in calls
    ]
    return Table(CALL_COLUMNS, rows)


PROJECT_COLUMNS = (
    "cup",
    "titolo",
    "programma",
    "misura",
    "beneficiario",
    "codice_istat",
    "stato",
    "pnrr",
    "misura_pnrr",
    "data_inizio",
    "data_fine_prevista",
    "data_fine_effettiva",
    "finanziamento_totale",
    "finanziamento_pubblico",
    "finanziamento_ue",
    "impegni",
    "pagamenti",
)


def build_projects(province) -> Table:
    """The funded projects of the Province's territory (as OpenCoesione publishes them: CUP, beneficiary,
    status, financing and payments)."""
    from casacomuni.projects.models import FundedProject

    projects = (
        FundedProject.objects.filter(province=province)
        .with_totals()
        .select_related("beneficiary__municipality")
        .order_by("cup")
    )
    rows = [
        (
            project.cup,
            project.title,
            project.programme,
            project.measure,
            project.beneficiary.name,
            istat_of(project.beneficiary),
            project.status,
            project.is_pnrr,
            project.pnrr_measure,
            project.start_date,
            project.planned_end_date,
            project.actual_end_date,
            project.fin_total or Decimal("0"),
            project.fin_public or Decimal("0"),
            project.fin_eu or Decimal("0"),
            project.commitments or Decimal("0"),
            project.payments or Decimal("0"),
        )
        for project in projects
    ]
    return Table(PROJECT_COLUMNS, rows)


# --- Indicators -------------------------------------------------------------------------------------------

INDICATOR_COLUMNS = ("codice_indicatore", "indicatore", "unita", "anno", "codice_istat", "comune", "valore")


def build_indicators(province) -> Table:
    """The yearly values of the active indicators for every comune of the Province."""
    from casacomuni.indicators.models import Observation

    observations = (
        Observation.objects.filter(province_id=province.province_id, indicator__is_active=True)
        .select_related("indicator", "municipality")
        .order_by("indicator__order", "indicator__code", "year", "municipality__istat_code")
    )
    rows = [
        (
            o.indicator.code,
            o.indicator.name,
            o.indicator.unit,
            o.year,
            o.municipality.istat_code,
            o.municipality.name,
            o.value.normalize() if o.value == o.value.to_integral_value() else o.value,
        )
        for o in observations
    ]
    return Table(INDICATOR_COLUMNS, rows)


# --- Campaign aggregates ----------------------------------------------------------------------------------

CAMPAIGN_COLUMNS = (
    "id_campagna",
    "campagna",
    "anno",
    "codice_domanda",
    "domanda",
    "tipo",
    "unita",
    "risposte",
    "opzione",
    "conteggio",
    "percentuale",
    "media",
)
# Kinds published as aggregates; text, date and file answers are never published.
AGGREGATED_KINDS = ("yes_no", "single_choice", "multiple_choice", "integer", "decimal")
INDEX_CODE = "indice"


def share(count: int, total: int) -> Decimal | None:
    return (Decimal(count) * 100 / total).quantize(Decimal("0.01")) if total else None


def average(values: list[Decimal]) -> Decimal | None:
    return (sum(values) / len(values)).quantize(Decimal("0.0001")).normalize() if values else None


def question_rows(campaign, question, values: list) -> list[tuple]:
    """The aggregate rows of one question: per option (counts and shares) or one row (the average)."""
    head = (campaign.pk, campaign.title, campaign.year, question.code, question.text, question.kind)
    answered = len(values)
    if question.kind == "yes_no":
        yes = sum(1 for value in values if value is True)
        return [
            (*head, question.unit, answered, option, count, share(count, answered), None)
            for option, count in (("si", yes), ("no", answered - yes))
        ]
    if question.kind in ("single_choice", "multiple_choice"):
        counts = defaultdict(int)
        for value in values:
            for code in value if isinstance(value, list) else [value]:
                counts[str(code)] += 1
        codes = [str(choice.get("code")) for choice in question.choices or ()]
        return [
            (*head, question.unit, answered, code, counts[code], share(counts[code], answered), None)
            for code in codes
        ]
    numbers = [Decimal(str(value)) for value in values]
    return [(*head, question.unit, answered, "", answered, None, average(numbers))]


def build_campaigns(province) -> Table:
    """For each campaign the Province sent, per question: how many Comuni answered, how many chose each
    option (and the share), or the average of the numbers; and the average index where there is one.
    Only submitted responses count; nothing is published per Comune or per person."""
    from casacomuni.insights.models import Answer, Campaign, CampaignState, Question, Response

    campaigns = list(
        Campaign.objects.filter(province=province).exclude(state=CampaignState.DRAFT).order_by("year", "pk")
    )
    submitted = Response.objects.submitted().filter(campaign__in=campaigns)
    values = defaultdict(list)
    answers = Answer.objects.filter(response__in=submitted, question__kind__in=AGGREGATED_KINDS).exclude(
        value__isnull=True
    )
    for campaign_id, question_id, value in answers.values_list(
        "response__campaign_id", "question_id", "value"
    ):
        values[(campaign_id, question_id)].append(value)
    scores = defaultdict(list)
    for campaign_id, score in submitted.exclude(score__isnull=True).values_list("campaign_id", "score"):
        scores[campaign_id].append(score)
    questions = defaultdict(list)
    for question in (
        Question.objects.filter(questionnaire__campaigns__in=campaigns, kind__in=AGGREGATED_KINDS)
        .select_related("section")
        .order_by("section__order", "order", "pk")
        .distinct()
    ):
        questions[question.questionnaire_id].append(question)
    rows = []
    for campaign in campaigns:
        for question in questions[campaign.questionnaire_id]:
            rows.extend(question_rows(campaign, question, values[(campaign.pk, question.pk)]))
        if scores[campaign.pk]:
            count = len(scores[campaign.pk])
            rows.append(
                (
                    campaign.pk,
                    campaign.title,
                    campaign.year,
                    INDEX_CODE,
                    "Indice 0-100",
                    "index",
                    "",
                    count,
                    "",
                    count,
                    None,
                    average(scores[campaign.pk]),
                )
            )
    return Table(CAMPAIGN_COLUMNS, rows)


register(
    Generator(
        code="gare-sua",
        title="Gare della stazione unica appaltante",
        description=(
            "Le procedure di gara bandite dalla stazione unica appaltante della Provincia per i Comuni, un "
            "lotto per riga: CIG, CUP, CPV, importi, stato, aggiudicatario, ribasso e contratto."
        ),
        theme=Theme.GOVE,
        accrual_periodicity=Frequency.WEEKLY,
        keywords=("appalti", "gare", "stazione unica appaltante", "CIG"),
        build=build_procedures,
        requires=("procurement.Procedure", "procurement.Lot"),
    )
)
register(
    Generator(
        code="bandi-provincia",
        title="Bandi di finanziamento della Provincia",
        description=(
            "Gli avvisi e i bandi di finanziamento pubblicati dalla Provincia: programma, ente finanziatore, "
            "scadenze, dotazione e contributi."
        ),
        theme=Theme.ECON,
        accrual_periodicity=Frequency.WEEKLY,
        keywords=("bandi", "finanziamenti", "fondi europei"),
        build=build_calls,
        requires=("eufunds.Call",),
    )
)
register(
    Generator(
        code="progetti-finanziati",
        title="Progetti finanziati nei Comuni",
        description=(
            "I progetti finanziati dei Comuni e delle Unioni del territorio seguiti dall'ufficio europa della "
            "Provincia: CUP, programma, beneficiario, stato, finanziamenti, impegni e pagamenti."
        ),
        theme=Theme.ECON,
        accrual_periodicity=Frequency.MONTHLY,
        keywords=("progetti", "CUP", "PNRR", "fondi europei"),
        build=build_projects,
        requires=("projects.FundedProject",),
    )
)
register(
    Generator(
        code="indicatori-comuni",
        title="Indicatori dei Comuni",
        description=(
            "I valori annuali degli indicatori calcolati dalla piattaforma per ogni Comune della Provincia "
            "(gare e risparmi, fondi europei per abitante, servizi associati, maturità digitale)."
        ),
        theme=Theme.REGI,
        accrual_periodicity=Frequency.ANNUAL,
        keywords=("indicatori", "comuni", "statistiche"),
        build=build_indicators,
        requires=("indicators.Observation",),
    )
)
register(
    Generator(
        code="rilevazioni-aggregate",
        title="Rilevazioni presso i Comuni: risultati aggregati",
        description=(
            "I risultati delle rilevazioni della Provincia presso i Comuni (ad esempio la maturità digitale), "
            "aggregati per domanda: numero di risposte, conteggi e percentuali per opzione, medie."
        ),
        theme=Theme.GOVE,
        accrual_periodicity=Frequency.ANNUAL,
        keywords=("rilevazioni", "maturità digitale", "comuni"),
        build=build_campaigns,
        requires=("insights.Campaign", "insights.Response", "insights.Answer"),
    )
)
