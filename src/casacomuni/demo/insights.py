"""Demo data collection: per demo Province, the "Maturità digitale" campaign of last year (closed) and of this
year (open), a "Fabbisogni formativi" campaign, and a digital services catalogue with the Comuni's adoptions.

Everything is written through ``casacomuni.insights.services``, acting as the Province's data officer and the
Comuni's referents, so the answers pass the real validation, the maturity index is the real formula's and the
audit trail is the real one. The answers are invented but plausible and deterministic: each Comune has a
"digital level" drawn from a generator seeded with its ISTAT code, larger Comuni tending higher, and the level
grows a little from one edition to the next. Most Comuni answer; a few leave a draft or do not start.

Re-runnable: a campaign is found by its Province, title and edition, a service by its Province and name, an
adoption by its service and Comune; what exists is left as it is.
"""

import math
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.demo.agreements import actor_for
from casacomuni.insights.models import Campaign, DigitalService, ServiceAdoption
from casacomuni.insights.services import campaigns as campaign_services
from casacomuni.insights.services import digital_services
from casacomuni.insights.services import questionnaires as questionnaire_services
from casacomuni.insights.services import responses as response_services

SEED = 20261126
MATURITY_TITLE = "Maturità digitale dei Comuni"
TRAINING_TITLE = "Fabbisogni formativi del personale"

# (name, category, description, share of Comuni using it)
SERVICES = (
    (
        "Intermediazione tecnologica pagoPA",
        "pagopa",
        "La Provincia fa da intermediario tecnologico verso pagoPA: i Comuni pubblicano le posizioni debitorie "
        "e ricevono le rendicontazioni senza un contratto proprio con un partner tecnologico.",
        0.7,
    ),
    (
        "Protocollo informatico e gestione documentale",
        "documents",
        "Protocollo, fascicolo e conservazione a norma in un unico sistema, ospitato dalla Provincia.",
        0.45,
    ),
    (
        "Hosting sul cloud qualificato della Provincia",
        "cloud",
        "Le applicazioni comunali migrate su infrastruttura qualificata ACN, con backup e continuità operativa.",
        0.35,
    ),
    (
        "Sistema informativo territoriale (SIT)",
        "gis",
        "Cartografia di base, PRG/PAT e vincoli consultabili online; aggiornamento dei layer comunali.",
        0.55,
    ),
    (
        "Sito comunale sul modello Designers Italia",
        "website",
        "Il sito istituzionale conforme al modello dei siti comunali, con i servizi digitali in evidenza.",
        0.3,
    ),
    (
        "Centro servizi per la sicurezza informatica",
        "security",
        "Monitoraggio, gestione degli incidenti e formazione del personale sulla sicurezza informatica.",
        0.25,
    ),
)

TRAINING_AREAS = (
    "digital",
    "procurement",
    "eu_funds",
    "accounting",
    "privacy",
    "security",
    "transparency",
    "planning",
)


def rng_for(*parts) -> random.Random:
    # Seeded demo data, nothing secret (bandit B311, ruff S311).
    return random.Random(f"{SEED}:" + ":".join(str(p) for p in parts))  # noqa: S311  # nosec B311


def digital_level(comune: Organization, year: int, this_year: int) -> float:
    """A level in [0, 1]: larger Comuni higher on average; one year earlier, a little lower."""
    population = max(comune.municipality.population or 1000, 100)
    rng = rng_for("level", comune.municipality.istat_code)
    base = 0.2 + 0.5 * min(1.0, math.log10(population) / 5.2) + rng.uniform(-0.15, 0.15)
    growth = rng.uniform(0.05, 0.15)
    return max(0.02, min(1.0, base - growth * (this_year - year)))


def clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, round(value))))


def maturity_answers(comune: Organization, year: int, level: float) -> dict:
    rng = rng_for("maturity", comune.municipality.istat_code, year)
    population = comune.municipality.population or 1000
    total = clamp(8 + population / 4000 + rng.uniform(-2, 2), 4, 60)
    website = "compliant" if level + rng.uniform(-0.1, 0.1) > 0.62 else "partial" if level > 0.3 else "none"
    harvested = level + rng.uniform(-0.2, 0.2) > 0.55
    answers = {
        "spid_cie_login": rng.random() < 0.55 + 0.45 * level,
        "pagopa_services": clamp(level * 13 + rng.uniform(-2, 2), 0, 40),
        "io_services": clamp(level * 11 + rng.uniform(-2, 2), 0, 40),
        "website_model": website,
        "send_act_types": clamp(level * 3.6 + rng.uniform(-1, 1), 0, 6),
        "pdnd_eservices": clamp(level * 3.2 + rng.uniform(-1, 1), 0, 6),
        "cloud_services_total": total,
        "cloud_services_migrated": clamp(total * min(1.0, level + rng.uniform(-0.15, 0.15)), 0, total),
        "open_data_harvested": harvested,
        "rtd_named": rng.random() < 0.6 + 0.4 * level,
        "syllabus_percent": f"{max(0.0, min(100.0, level * 85 + rng.uniform(-10, 10))):.1f}",
    }
    if website == "compliant":
        answers["website_online_since"] = date(year - 1, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    if harvested:
        answers["open_datasets"] = clamp(5 + level * 60 + rng.uniform(-5, 5), 1, 500)
    return answers


def training_answers(comune: Organization, year: int) -> dict:
    rng = rng_for("training", comune.municipality.istat_code, year)
    staff = clamp((comune.municipality.population or 1000) / 160 + rng.uniform(-2, 2), 3, 3000)
    answers = {
        "staff_total": staff,
        "staff_to_train": clamp(staff * rng.uniform(0.2, 0.7), 1, staff),
        "areas": rng.sample(TRAINING_AREAS, rng.randint(2, 4)),
        "level": rng.choice(("base", "intermediate", "intermediate", "advanced")),
        "format": rng.choice(("classroom", "online_live", "elearning", "blended", "blended")),
        "budget_available": rng.random() < 0.4,
    }
    if answers["budget_available"]:
        answers["budget_amount"] = f"{rng.randint(5, 80) * 100}.00"
    return answers


def moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 30)))


class DemoInsights:
    def __init__(self, today: date | None = None):
        self.today = today or timezone.localdate()

    def build(self, siglas: list[str]) -> None:
        provinces = Organization.objects.filter(kind=OrganizationKind.PROVINCE, province__sigla__in=siglas)
        for province in provinces.select_related("province").order_by("province__sigla"):
            comuni = list(
                campaign_services.province_comuni(province)
                .select_related("municipality")
                .order_by("municipality__istat_code")
            )
            if not comuni:
                continue
            officer = actor_for(province, Role.DATA_OFFICER)
            self.maturity_campaign(province, officer, comuni, self.today.year - 1, closed=True)
            self.maturity_campaign(province, officer, comuni, self.today.year, closed=False)
            self.training_campaign(province, officer, comuni)
            self.catalogue(province, officer, comuni)

    def campaign(self, province, officer, title, template, year, opens_on, deadline, comuni):
        existing = Campaign.objects.filter(province=province, title=title, year=year).first()
        if existing is not None:
            return existing, False
        campaign = campaign_services.create_campaign(
            officer,
            campaign_services.CampaignData(
                title=title,
                questionnaire=questionnaire_services.builtin_template(template),
                year=year,
                opens_on=opens_on,
                deadline=deadline,
                targets=[c.pk for c in comuni],
            ),
        )
        return campaign_services.send_campaign(officer, campaign, now=moment(opens_on)), True

    def maturity_campaign(self, province, officer, comuni, year, closed: bool) -> None:
        if closed:
            opens_on, deadline = date(year, 3, 1), date(year, 4, 30)
        else:
            opens_on = min(self.today - timedelta(days=20), date(year, 12, 1))
            deadline = self.today + timedelta(days=25)
        campaign, created = self.campaign(
            province, officer, MATURITY_TITLE, "maturita_digitale", year, opens_on, deadline, comuni
        )
        if not created:
            return
        answered_share = 0.9 if closed else 0.75
        for index, comune in enumerate(comuni):
            rng = rng_for("answers", comune.municipality.istat_code, year)
            roll = rng.random()
            is_capoluogo = comune.municipality.is_capoluogo
            if roll > answered_share + 0.08 and not is_capoluogo:
                continue  # not started
            answers = maturity_answers(comune, year, digital_level(comune, year, self.today.year))
            submit = is_capoluogo or roll <= answered_share
            day = opens_on + timedelta(days=min((deadline - opens_on).days, 3 + index % 25))
            day = min(day, self.today)
            response_services.save_response(
                actor_for(comune, Role.MUNICIPALITY_REFERENT),
                campaign,
                answers,
                submit=submit,
                now=moment(day),
            )
        if closed:
            campaign_services.close_campaign(officer, campaign, now=moment(deadline + timedelta(days=15)))

    def training_campaign(self, province, officer, comuni) -> None:
        year = self.today.year
        opens_on = min(self.today - timedelta(days=10), date(year, 12, 15))
        campaign, created = self.campaign(
            province,
            officer,
            TRAINING_TITLE,
            "fabbisogni_formativi",
            year,
            opens_on,
            self.today + timedelta(days=40),
            comuni,
        )
        if not created:
            return
        for comune in comuni:
            if rng_for("training-answers", comune.municipality.istat_code).random() < 0.55:
                response_services.save_response(
                    actor_for(comune, Role.MUNICIPALITY_REFERENT),
                    campaign,
                    training_answers(comune, year),
                    submit=True,
                    now=moment(min(self.today, opens_on + timedelta(days=5))),
                )

    def catalogue(self, province, officer, comuni) -> None:
        for name, category, description, share in SERVICES:
            service = DigitalService.objects.filter(province=province, name=name).first()
            if service is None:
                service = digital_services.save_digital_service(
                    officer,
                    digital_services.DigitalServiceData(
                        name=name, category=category, description=description, is_active=True
                    ),
                )
            known = set(
                ServiceAdoption.objects.filter(service=service).values_list("organization_id", flat=True)
            )
            for comune in comuni:
                if comune.pk in known:
                    continue
                rng = rng_for("adoption", name, comune.municipality.istat_code)
                roll = rng.random()
                if roll > share + 0.1:
                    continue
                status = "active" if roll <= share else "planned"
                if status == "active" and rng.random() < 0.06:
                    status = "ceased"
                since = (
                    date(rng.randint(2019, self.today.year - 1), rng.randint(1, 12), 1)
                    if status != "planned"
                    else None
                )
                digital_services.record_adoption(
                    officer,
                    service,
                    digital_services.AdoptionData(organization=comune, status=status, since=since),
                )
