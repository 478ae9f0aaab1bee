"""The operators' register (albo fornitori) that each Province's SUA keeps.

An economic operator (an Organization of kind "operator") applies to the albo of a Province with its
categories (CPV groups or codes for services and supplies, SOA categories with their class for works) and
its documents (DURC, SOA certificate, insurance policy); the SUA approves or rejects the application, and
later suspends, reinstates or removes the entry, each time with its reasons.

Tenancy (``RegisteredOperator.objects.for_user``), chosen for the invitations to come:
- the Province's administrator and SUA officers see the entries of their own albo, in every state;
- an operator's representatives see their own entries, in any Province;
- the referents and staff of a Comune (Unione) see the APPROVED entries of their Province's albo, read only
  (company, categories): they will propose operators for their procedures;
- nobody else sees anything (UPI, the Province's other officers, other operators).
Documents (DURC, certificates, policies) and the decisions' reasons are for the SUA and the operator only:
``OperatorDocument.objects.for_user`` and ``RegisteredOperator.objects.for_user(user, documents=True)``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib import formats
from casacomuni.lib.storage import private_upload_to

# Documents expiring within this many days trigger reminders and the "expiring" filter.
EXPIRY_WARNING_DAYS = 30


class RegistrationState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("register entry state", "Pending")
    APPROVED = "approved", pgettext_lazy("register entry state", "Approved")
    REJECTED = "rejected", pgettext_lazy("register entry state", "Rejected")
    SUSPENDED = "suspended", pgettext_lazy("register entry state", "Suspended")
    REMOVED = "removed", pgettext_lazy("register entry state", "Removed")


# States of an entry that still stands in the albo (one per operator and Province at a time).
LIVE_STATES = (RegistrationState.PENDING, RegistrationState.APPROVED, RegistrationState.SUSPENDED)


# SOA categories of works: DPR 207/2010, Allegato A ("Categorie di opere generali e specializzate"), which
# D.Lgs. 36/2023 keeps in force through Allegato II.12 (art. 100 c.4). OS2, OS12, OS18 and OS20 are split
# into -A and -B in that table. Names as in Allegato A, some shortened where marked by "…".
SOA_CATEGORIES = {
    "OG1": "Edifici civili e industriali",
    "OG2": "Restauro e manutenzione dei beni immobili sottoposti a tutela",
    "OG3": "Strade, autostrade, ponti, viadotti, ferrovie, linee tranviarie, metropolitane, funicolari, "
    "piste aeroportuali e relative opere complementari",
    "OG4": "Opere d'arte nel sottosuolo",
    "OG5": "Dighe",
    "OG6": "Acquedotti, gasdotti, oleodotti, opere di irrigazione e di evacuazione",
    "OG7": "Opere marittime e lavori di dragaggio",
    "OG8": "Opere fluviali, di difesa, di sistemazione idraulica e di bonifica",
    "OG9": "Impianti per la produzione di energia elettrica",
    "OG10": "Impianti per la trasformazione alta/media tensione e per la distribuzione di energia elettrica "
    "in corrente alternata e continua ed impianti di pubblica illuminazione",
    "OG11": "Impianti tecnologici",
    "OG12": "Opere ed impianti di bonifica e protezione ambientale",
    "OG13": "Opere di ingegneria naturalistica",
    "OS1": "Lavori in terra",
    "OS2-A": "Superfici decorate di beni immobili del patrimonio culturale e beni culturali mobili di "
    "interesse storico, artistico, archeologico ed etnoantropologico",
    "OS2-B": "Beni culturali mobili di interesse archivistico e librario",
    "OS3": "Impianti idrico-sanitario, cucine, lavanderie",
    "OS4": "Impianti elettromeccanici trasportatori",
    "OS5": "Impianti pneumatici e antintrusione",
    "OS6": "Finiture di opere generali in materiali lignei, plastici, metallici e vetrosi",
    "OS7": "Finiture di opere generali di natura edile e tecnica",
    "OS8": "Opere di impermeabilizzazione",
    "OS9": "Impianti per la segnaletica luminosa e la sicurezza del traffico",
    "OS10": "Segnaletica stradale non luminosa",
    "OS11": "Apparecchiature strutturali speciali",
    "OS12-A": "Barriere stradali di sicurezza",
    "OS12-B": "Barriere paramassi, fermaneve e simili",
    "OS13": "Strutture prefabbricate in cemento armato",
    "OS14": "Impianti di smaltimento e recupero rifiuti",
    "OS15": "Pulizia di acque marine, lacustri, fluviali",
    "OS16": "Impianti per centrali produzione energia elettrica",
    "OS17": "Linee telefoniche ed impianti di telefonia",
    "OS18-A": "Componenti strutturali in acciaio",
    "OS18-B": "Componenti per facciate continue",
    "OS19": "Impianti di reti di telecomunicazione e di trasmissione dati",
    "OS20-A": "Rilevamenti topografici",
    "OS20-B": "Indagini geognostiche",
    "OS21": "Opere strutturali speciali",
    "OS22": "Impianti di potabilizzazione e depurazione",
    "OS23": "Demolizione di opere",
    "OS24": "Verde e arredo urbano",
    "OS25": "Scavi archeologici",
    "OS26": "Pavimentazioni e sovrastrutture speciali",
    "OS27": "Impianti per la trazione elettrica",
    "OS28": "Impianti termici e di condizionamento",
    "OS29": "Armamento ferroviario",
    "OS30": "Impianti interni elettrici, telefonici, radiotelefonici e televisivi",
    "OS31": "Impianti per la mobilità sospesa",
    "OS32": "Strutture in legno",
    "OS33": "Coperture speciali",
    "OS34": "Sistemi antirumore per infrastrutture di mobilità",
    "OS35": "Interventi a basso impatto ambientale",
}

# Classes of the SOA qualification by amount (DPR 207/2010 art. 61 c.4, now Allegato II.12): I to VIII,
# with III-bis and IV-bis added in between.
SOA_CLASSES = ("I", "II", "III", "III-bis", "IV", "IV-bis", "V", "VI", "VII", "VIII")


class CategoryKind(models.TextChoices):
    CPV = "cpv", _("CPV (services and supplies)")
    SOA = "soa", _("SOA category (works)")


class DocumentKind(models.TextChoices):
    DURC = "durc", _("DURC")
    SOA_CERTIFICATE = "soa_certificate", _("SOA certificate")
    INSURANCE = "insurance", _("Insurance policy")
    OTHER = "other", _("Other")


class RegisteredOperatorQuerySet(models.QuerySet):
    def for_user(self, user, documents: bool = False):
        """The entries the user may read (see the module's docstring). With ``documents=True``, only those
        whose documents and decisions the user may read too: the SUA's own albo and the operator's own
        entries."""
        if sua := tenancy.as_sua(user):
            return self.filter(province=sua)
        if operator := tenancy.as_operator(user):
            return self.filter(operator=operator)
        party = None if documents else tenancy.as_local_party(user)
        if party is not None and party.province_id is not None:
            return self.filter(tenancy.in_province_of(party, "province"), state=RegistrationState.APPROVED)
        return self.none()

    def with_document_flags(self, today=None):
        """Annotate ``has_valid_durc`` (a DURC in force today) and ``has_expiring_documents`` (a document
        expired or expiring within EXPIRY_WARNING_DAYS): two subqueries, whatever the number of rows."""
        today = today or timezone.localdate()
        documents = OperatorDocument.objects.filter(registration=OuterRef("pk"))
        return self.annotate(
            has_valid_durc=Exists(documents.filter(kind=DocumentKind.DURC, expires_on__gte=today)),
            has_expiring_documents=Exists(
                documents.current().filter(expires_on__lte=today + timedelta(days=EXPIRY_WARNING_DAYS))
            ),
        )

    def in_category(self, code: str):
        """Entries with the category ``code``: a SOA category, a CPV code, or a CPV group covering it."""
        code = code.strip().upper()
        exact = Q(code=code)
        condition = exact | Q(code=code[:5]) if code.isdecimal() and len(code) == 8 else exact
        return self.filter(pk__in=RegistrationCategory.objects.filter(condition).values("registration"))


class RegisteredOperator(models.Model):
    """An operator's entry in the albo of a Province's SUA."""

    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="register_entries",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("SUA of the Province"),
    )
    operator = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="registrations",
        limit_choices_to={"kind": OrganizationKind.OPERATOR},
        verbose_name=_("economic operator"),
    )
    legal_representative_name = models.CharField(_("legal representative"), max_length=200)
    legal_representative_fiscal_code = models.CharField(
        _("legal representative's codice fiscale"), max_length=16
    )
    address = models.CharField(_("registered office"), max_length=300)
    state = models.CharField(
        _("state"), max_length=20, choices=RegistrationState.choices, default=RegistrationState.PENDING
    )
    reason = models.TextField(_("reasons of the last decision"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_at = models.DateTimeField(_("last decision at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RegisteredOperatorQuerySet.as_manager()

    class Meta:
        ordering = ["operator__name", "pk"]
        verbose_name = _("registered operator")
        verbose_name_plural = _("registered operators")
        indexes = [models.Index(fields=["province", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "operator"],
                condition=Q(state__in=["pending", "approved", "suspended"]),
                name="one_live_registration_per_province",
            )
        ]

    def __str__(self) -> str:
        return f"{self.operator} — {self.province}"


class RegistrationCategory(models.Model):
    """A category of an entry: a CPV group (5 digits) or code (8 digits), or a SOA category with its class."""

    registration = models.ForeignKey(RegisteredOperator, on_delete=models.CASCADE, related_name="categories")
    kind = models.CharField(_("kind"), max_length=3, choices=CategoryKind.choices)
    code = models.CharField(_("code"), max_length=8, db_index=True)
    soa_class = models.CharField(_("SOA class"), max_length=8, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "code"], name="one_category_code_per_registration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.soa_class}".strip()

    @property
    def label(self) -> str:
        if self.kind == CategoryKind.SOA:
            return SOA_CATEGORIES.get(self.code, "")
        from casacomuni.lib import identifiers

        vocabulary = identifiers.cpv_vocabulary()
        return vocabulary.get(self.code) or vocabulary.get(self.code.ljust(8, "0"), "")


class RegistrationDecision(models.Model):
    """One decision on an entry, with its reasons (the audit trail records it too)."""

    registration = models.ForeignKey(RegisteredOperator, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(_("decision"), max_length=20)
    state = models.CharField(_("resulting state"), max_length=20, choices=RegistrationState.choices)
    reason = models.TextField(_("reasons"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("decision on a registration")
        verbose_name_plural = _("decisions on registrations")

    def __str__(self) -> str:
        return f"{self.action} ({formats.day(self.decided_at)})"


class OperatorDocumentQuerySet(models.QuerySet):
    def for_user(self, user):
        """Documents of the entries of the SUA's own albo, or of the operator's own entries: never a
        Comune's or anybody else's."""
        return self.filter(registration__in=RegisteredOperator.objects.for_user(user, documents=True))

    def current(self):
        """Documents not superseded: no document of the same kind on the same entry expires later (a renewed
        DURC silences the old one's warnings). "Other" documents are never superseded."""
        later = OperatorDocument.objects.filter(
            registration=OuterRef("registration"),
            kind=OuterRef("kind"),
            expires_on__gt=OuterRef("expires_on"),
        ).exclude(kind=DocumentKind.OTHER)
        return self.filter(~Exists(later))


class OperatorDocument(models.Model):
    """A document of an entry (PDF or signed .p7m), stored under a random name, streamed by checked views."""

    registration = models.ForeignKey(RegisteredOperator, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=private_upload_to("procurement/register"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True, db_index=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = OperatorDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-expires_on", "pk"]
        verbose_name = _("operator's document")
        verbose_name_plural = _("operator's documents")

    def __str__(self) -> str:
        return self.original_name

    def is_expired(self, today=None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or timezone.localdate())
