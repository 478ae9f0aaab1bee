"""Pages of the SUA's procedures: who sees what, every tab, every form, query counts, the public page."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import Bid, BidStatus, Clarification, Invitation, Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import (
    add_procedures,
    make_accepted_request,
    make_operators,
    make_procedure,
    sua_officer,
)

pytestmark = pytest.mark.django_db

TABS = ("lotti", "chiarimenti", "inviti", "offerte", "valutazione", "cronologia")


@pytest.fixture
def home(world):
    return add_procedures(world.home, world)


def detail(procedure, tab=None):
    url = reverse("procurement:procedure_detail", args=[procedure.pk])
    return f"{url}?scheda={tab}" if tab else url


def test_the_sua_sees_every_tab_of_its_procedure(world, login_as, home):
    client = login_as("funzionario_sua")
    for tab in TABS:
        response = client.get(detail(home["procedure"], tab))
        assert response.status_code == 200, tab
        assert f'id="tab-{tab}"' in response.content.decode()
    page = client.get(detail(home["procedure"], "valutazione")).content.decode()
    assert 'id="minutes-pdf-1"' in page and 'id="threshold-1"' in page


def test_a_tab_opened_by_htmx_is_its_panel_only(world, login_as, home):
    client = login_as("funzionario_sua")
    url = detail(home["procedure"], "cronologia")
    panel = client.get(url, headers={"HX-Request": "true"})
    content = panel.content.decode()
    assert panel.status_code == 200 and content.lstrip().startswith('<div id="procedure-tabs">')
    assert 'id="timeline"' in content and 'aria-current="page">Cronologia' in content
    assert "<html" not in content and 'id="next-steps"' not in content
    assert "HX-Request" in panel["Vary"]
    # The back button after the browser dropped its copy: the whole page, as without JavaScript.
    restored = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.content.decode() and 'id="next-steps"' in restored.content.decode()
    page = client.get(url).content.decode()
    assert "<html" in page and 'href="?scheda=offerte" hx-get="?scheda=offerte"' in page


def test_the_comune_sees_its_procedure_but_not_the_bids(world, login_as, home):
    client = login_as("referente_comune")
    response = client.get(detail(home["procedure"], "offerte"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="tab-offerte"' not in content and 'id="lots-table"' in content
    assert client.get(reverse("procurement:procedure_list")).status_code == 200
    pdf = client.get(reverse("procurement:lot_minutes", args=[home["procedure"].pk, home["lot"].pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # but may not act
    assert (
        client.get(reverse("procurement:procedure_edit", args=[home["draft_procedure"].pk])).status_code
        == 403
    )


def test_in_a_joint_procedure_each_comune_reads_only_its_own_lot(world, login_as):
    """One procedure for two buyers of the Province: the Comune's list and detail name its own lot and buyer
    only, never its partner's (``LotQuerySet.for_user``); the SUA reads both."""
    side = world.home
    requests = [make_accepted_request(side, party).pk for party in (side.comune, side.union)]
    procedure = ps.create_procedure(sua_officer(side), requests)
    for persona, own, partner in (
        ("referente_comune", side.comune, side.union),
        ("referente_unione", side.union, side.comune),
    ):
        client = login_as(persona)
        for url in (detail(procedure), reverse("procurement:procedure_list")):
            content = client.get(url).content.decode()
            assert own.name in content and partner.name not in content, (persona, url)
    content = login_as("funzionario_sua").get(detail(procedure)).content.decode()
    assert side.comune.name in content and side.union.name in content


def test_the_list_finds_procedures_by_words_of_their_object_or_a_lots_cig(world, login_as):
    side = world.home
    school = make_procedure(side, world, title="Manutenzione straordinaria della scuola primaria")
    road = make_procedure(side, world, title="Rifacimento della segnaletica stradale")
    client = login_as("funzionario_sua")

    def listed(text):
        response = client.get(reverse("procurement:procedure_list"), {"q": text})
        assert response.status_code == 200
        return sorted(procedure.pk for procedure in response.context["page"])

    assert listed("scuola straordinaria") == [school.pk]  # two words of the object, in another order
    assert listed(road.lots.get().cig) == [road.pk]
    assert listed("scuola stradale") == []
    assert listed("") == sorted([school.pk, road.pk])
    # A search too long for the form is refused in the form and filters nothing.
    response = client.get(reverse("procurement:procedure_list"), {"q": "x" * 201})
    assert "q" in response.context["filter_form"].errors


def test_the_filters_refresh_the_results_in_place_with_htmx(world, login_as, monkeypatch):
    from casacomuni.procurement.procedures import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    make_procedure(world.home, world, title="Manutenzione straordinaria della scuola primaria")
    make_procedure(world.home, world, title="Ampliamento della scuola media")
    make_procedure(world.home, world, title="Rifacimento della segnaletica stradale")
    client = login_as("funzionario_sua")
    url = reverse("procurement:procedure_list")
    results = client.get(url, {"q": "scuola"}, headers={"HX-Request": "true"})
    content = results.content.decode()
    assert results.status_code == 200 and "HX-Request" in results["Vary"]
    assert content.lstrip().startswith('<div id="procedure-results">') and "<html" not in content
    assert "2 procedure" in content and "segnaletica" not in content
    # The pages of the results keep the filter.
    assert 'href="?q=scuola&amp;page=2"' in content
    # Without htmx, and to htmx's history restore, the whole page with the form.
    for headers in ({}, {"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        page = client.get(url, {"q": "scuola"}, headers=headers)
        assert "<html" in page.content.decode() and 'id="procedure-filters"' in page.content.decode()
        assert "2 procedure" in page.content.decode() and "HX-Request" in page["Vary"]


def test_invitations_and_unpublished_questions_are_read_only_by_whom_they_concern(world):
    """Invitation and Clarification ``for_user``: in a joint procedure a Comune reads the invitations of its own
    lot only; an operator none of a procedure still in draft; a question the SUA has not published is read by
    the SUA alone."""
    side = world.home
    requests = [make_accepted_request(side, party).pk for party in (side.comune, side.union)]
    procedure = ps.create_procedure(sua_officer(side), requests)
    own_lot, partner_lot = (procedure.lots.get(municipality=party) for party in (side.comune, side.union))
    operator = world.memberships["operatore_economico"].organization
    invitations = {
        lot: Invitation.objects.create(procedure=procedure, lot=lot, operator=operator, reason="Albo.")
        for lot in (own_lot, partner_lot)
    }
    comune, sua = world.acting("referente_comune"), world.acting("funzionario_sua")
    assert list(Invitation.objects.for_user(comune)) == [invitations[own_lot]]
    assert Invitation.objects.for_user(sua).count() == 2
    assert not Invitation.objects.for_user(world.acting("operatore_economico")).exists()  # a draft

    question = ps.ask_clarification(sua_officer(side), procedure, "Chi ha chiesto: l'impresa Rossi.")
    assert list(Clarification.objects.for_user(sua)) == [question]
    assert not Clarification.objects.for_user(comune).exists()


def test_others_get_404_or_403(world, login_as, home):
    other = add_procedures(world.elsewhere, world)
    client = login_as("funzionario_sua")
    assert client.get(detail(other["procedure"])).status_code == 404
    url = reverse("procurement:lot_minutes", args=[other["procedure"].pk, other["lot"].pk, "docx"])
    assert client.get(url).status_code == 404
    client = login_as("funzionario_europa")
    assert client.get(detail(home["procedure"])).status_code == 403
    client = login_as("operatore_economico")
    assert client.get(detail(home["procedure"])).status_code == 403
    # The Unione of the same Province has no lot in the procedure: 404, minutes included.
    union = login_as("referente_unione")
    assert union.get(detail(home["procedure"])).status_code == 404
    minutes = reverse("procurement:lot_minutes", args=[home["procedure"].pk, home["lot"].pk, "pdf"])
    assert union.get(minutes).status_code == 404
    # The Comune's staff (the lot's buyer) reads it.
    assert login_as("personale_comune").get(detail(home["procedure"])).status_code == 200


def test_the_public_page_shows_published_procedures_without_login(client, world, home):
    response = client.get(reverse("procurement:procedure_public", args=[home["procedure"].pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert home["lot"].cig in content
    assert "Il sopralluogo è obbligatorio?" in content
    assert "sua_tv" not in content  # no asker, no officer
    draft = client.get(reverse("procurement:procedure_public", args=[home["draft_procedure"].pk]))
    assert draft.status_code == 404


def test_consulted_operators_are_public_after_the_award_only(client, world):
    procedure = make_procedure(world.home, world, state="published")
    lot = procedure.lots.get()
    operator = make_operators(world.home, 1)[0]
    Invitation.objects.create(
        procedure=procedure, lot=lot, operator=operator, reason="Iscritto in categoria."
    )
    url = reverse("procurement:procedure_public", args=[procedure.pk])
    assert operator.name not in client.get(url).content.decode()
    awarded = add_procedures(world.home, world)["procedure"]
    page = client.get(reverse("procurement:procedure_public", args=[awarded.pk])).content.decode()
    assert 'id="consulted"' in page


def test_create_a_procedure_from_the_page(world, login_as):
    request = make_accepted_request(world.home, world.home.comune)
    client = login_as("funzionario_sua")
    assert client.get(reverse("procurement:procedure_create")).status_code == 200
    response = client.post(reverse("procurement:procedure_create"), {"requests": [request.pk], "title": ""})
    assert response.status_code == 302
    procedure = Procedure.objects.get()
    assert procedure.lots.get().request == request
    again = client.post(reverse("procurement:procedure_create"), {"requests": [request.pk]})
    assert again.status_code == 400
    assert Procedure.objects.count() == 1


def test_edit_lot_cig_and_deadline_then_publish(world, login_as):
    request = make_accepted_request(world.home, world.home.comune)
    client = login_as("funzionario_sua")
    client.post(reverse("procurement:procedure_create"), {"requests": [request.pk]})
    procedure = Procedure.objects.get()
    lot = procedure.lots.get()
    url = reverse("procurement:lot_edit", args=[procedure.pk, lot.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="suggested-anac-form"' in page.content.decode()
    data = {
        "title": lot.title,
        "cig": "B00012EADC",  # wrong check characters
        "cup": "",
        "cpv": lot.cpv,
        "category": "OG1",
        "soa_class": "",
        "base_amount": "150000.00",
        "safety_costs": "3000.00",
        "options_amount": "0",
    }
    assert client.post(url, data).status_code == 400
    assert client.post(url, data | {"cig": "B00012EADB"}).status_code == 302
    lot.refresh_from_db()
    assert lot.cig == "B00012EADB" and str(lot.safety_costs) == "3000.00"
    edit = reverse("procurement:procedure_edit", args=[procedure.pk])
    form = client.get(edit).context["form"]
    values = {k: v for k, v in form.initial.items() if v is not None}
    values["deadline_reductions"] = []
    values["bid_deadline"] = (timezone.localtime() + timedelta(days=15)).strftime("%Y-%m-%dT%H:%M")
    for key in (
        "round_intermediates",
        "method_drawn",
        "cross_border_interest",
        "rescale",
        "labour_intensive",
        "strategic_it",
    ):
        if not values.get(key):
            values.pop(key, None)
    response = client.post(edit, values)
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(reverse("procurement:procedure_action", args=[procedure.pk, life.PUBLISH]))
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.state == life.PUBLISHED and procedure.ocid


def test_method_c_reference_discount_is_chosen_from_the_table_on_the_edit_page(world, login_as):
    """Allegato II.2 method C: the officer picks the percentile; the lot's SOA category (OG1) and amount band
    (150,000 euro: "fino a 150.000") give R_ref, 32,000 % at the 80th percentile."""
    procedure = make_procedure(world.home, world)
    client = login_as("funzionario_sua")
    edit = reverse("procurement:procedure_edit", args=[procedure.pk])
    form = client.get(edit).context["form"]
    labels = dict(form.fields["reference_percentile"].choices)
    assert "32,000 %" in labels[80] and "OG1" in labels[80]
    values = {k: v for k, v in form.initial.items() if v not in (None, False)}
    values |= {"anomaly_method": "C", "reference_percentile": "80", "deadline_reductions": []}
    values["bid_deadline"] = (timezone.localtime() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(edit, values)
    assert response.status_code == 302, response.context["form"].errors
    procedure.refresh_from_db()
    assert procedure.anomaly_parameters["method"] == "C"
    assert procedure.anomaly_parameters["reference_percentile"] == 80


def test_the_page_shows_the_bid_excluded_as_anomalous_with_its_reason(world, login_as):
    """Art. 54 c.1: the evaluation's outcome is the bid's status. make_procedure's five bids under method A:
    T = 16,140 (worked in test_procedures), the 27,90 % bid excluded."""
    procedure = make_procedure(world.home, world, state="evaluation")
    anomalous = procedure.lots.get().bids.get(status=BidStatus.ANOMALOUS)
    client = login_as("funzionario_sua")
    page = client.get(detail(procedure, "offerte")).content.decode()
    assert f'data-status="{BidStatus.ANOMALOUS}"' in page
    assert "Esclusa perché anomala: Offerta anomala, art. 54 c.1 D.Lgs. 36/2023" in page
    assert "superiore alla soglia di anomalia del 16,140 %" in page
    evaluation = client.get(detail(procedure, "valutazione")).content.decode()
    assert anomalous.operator.name in evaluation.split('id="anomalous-1"')[1].split("</span>")[0]


def test_an_impossible_action_is_refused_with_a_message(world, login_as):
    procedure = make_procedure(world.home, world, state="draft")
    client = login_as("funzionario_sua")
    response = client.post(reverse("procurement:procedure_action", args=[procedure.pk, life.AWARD]))
    assert response.status_code == 400
    assert 'id="procedure-error"' in response.content.decode()
    response = client.post(reverse("procurement:procedure_action", args=[procedure.pk, life.CANCEL]))
    assert response.status_code == 400
    procedure.refresh_from_db()
    assert procedure.state == life.DRAFT


def test_record_and_exclude_bids_from_the_page(world, login_as):
    procedure = make_procedure(world.home, world, state="bids_open")
    lot = procedure.lots.get()
    operator = make_operators(world.home, 1)[0]
    client = login_as("funzionario_sua")
    url = reverse("procurement:bid_record", args=[procedure.pk, lot.pk])
    prefix = f"b{lot.pk}-"
    received = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    bid = {prefix + "operator": operator.pk, prefix + "received_at": received}
    assert client.post(url, bid | {prefix + "discount_percent": "120"}).status_code == 400
    assert client.post(url, bid | {prefix + "discount_percent": "12.5"}).status_code == 302
    bid = Bid.objects.get()
    exclude = reverse("procurement:bid_decide", args=[procedure.pk, bid.pk, "exclude"])
    # Reception is open: no decision until the deadline, told in Rome time (12:00 UTC in winter is 13:00).
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=datetime(2099, 1, 15, 12, 0, tzinfo=UTC))
    response = client.post(exclude, {f"d{bid.pk}-reason": "DURC irregolare"})
    assert response.status_code == 400
    assert (
        "solo dopo il termine di presentazione delle offerte (15/01/2099 13:00" in response.content.decode()
    )
    bid.refresh_from_db()
    assert bid.status == BidStatus.RECEIVED
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(minutes=1))
    assert client.post(exclude, {}).status_code == 400
    assert client.post(exclude, {f"d{bid.pk}-reason": "DURC irregolare"}).status_code == 302
    bid.refresh_from_db()
    assert bid.status == BidStatus.EXCLUDED and bid.exclusion_reason == "DURC irregolare"


# --- The tabs' forms sent by htmx: the panel back, in place -------------------------------------------------

HTMX = {"HX-Request": "true"}


def form_reply(response) -> tuple[str, str]:
    """The answer to a form of the tabs sent by htmx: the tab panel, then the next steps for htmx to swap in
    by their id; nothing of the page around them."""
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="procedure-tabs">') and "<html" not in content
    assert "HX-Request" in response["Vary"]
    panel, next_steps = content.split('<div id="procedure-next-steps" hx-swap-oob="true">')
    return panel, next_steps


def test_the_bid_forms_sent_by_htmx_get_the_tab_back_with_the_outcome(world, login_as):
    procedure = make_procedure(world.home, world, state="bids_open")
    lot = procedure.lots.get()
    operator = make_operators(world.home, 1)[0]
    client = login_as("funzionario_sua")
    url = reverse("procurement:bid_record", args=[procedure.pk, lot.pk])
    prefix = f"b{lot.pk}-"
    bid = {
        prefix + "operator": operator.pk,
        prefix + "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }

    # Refused: the form again, open, with the reason by the field and the notice on top; nothing written.
    refused = client.post(url, bid | {prefix + "discount_percent": "120"}, headers=HTMX)
    assert refused.status_code == 400 and not Bid.objects.exists()
    panel, _next_steps = form_reply(refused)
    assert 'role="alert" tabindex="-1" autofocus>Correggi gli errori indicati di seguito.' in panel
    assert f'id="{prefix}discount_percent-errors"' in panel and 'value="120"' in panel
    assert '<details class="mb-4" open>' in panel

    # Recorded: the tab with the new bid and the message, which takes the focus (htmx focuses [autofocus]).
    recorded = client.post(url, bid | {prefix + "discount_percent": "12.5"}, headers=HTMX)
    assert recorded.status_code == 200 and Bid.objects.count() == 1
    panel, next_steps = form_reply(recorded)
    assert re.search(
        r'id="tab-feedback">\s*<div [^>]*role="status" tabindex="-1" autofocus>\s*L&#x27;offerta è', panel
    )
    assert panel.count('class="bid-row"') == 1 and 'id="action-close_bids"' in next_steps
    # The message was shown in place: the next page does not show it again.
    assert "stata registrata" not in client.get(detail(procedure, "offerte")).content.decode()

    # Once the bids are closed, admitting the bid changes the next steps too: htmx gets them again.
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(minutes=1))
    procedure.refresh_from_db()
    ps.transition_procedure(sua_officer(world.home), procedure, life.CLOSE_BIDS)
    no_admitted = "Nessun lotto ha un&#x27;offerta ammessa"
    assert no_admitted in client.get(detail(procedure, "offerte")).content.decode()
    decide = Bid.objects.get()
    exclude = reverse("procurement:bid_decide", args=[procedure.pk, decide.pk, "exclude"])
    without_reason = client.post(exclude, {}, headers=HTMX)
    assert without_reason.status_code == 400
    panel, _next_steps = form_reply(without_reason)
    assert 'role="alert" tabindex="-1" autofocus>Indica le motivazioni dell&#x27;esclusione.' in panel
    admit = reverse("procurement:bid_decide", args=[procedure.pk, decide.pk, "admit"])
    admitted = client.post(admit, headers=HTMX)
    assert admitted.status_code == 200
    panel, next_steps = form_reply(admitted)
    # The button pressed is gone: the bid's new status takes the focus.
    assert '<td tabindex="-1" autofocus>Ammessa</td>' in panel
    assert 'id="action-start_evaluation"' in next_steps and no_admitted not in next_steps
    decide.refresh_from_db()
    assert decide.status == BidStatus.ADMITTED


def test_the_clarification_forms_sent_by_htmx_get_the_tab_back_with_the_outcome(world, login_as):
    procedure = make_procedure(world.home, world, state="published")
    client = login_as("funzionario_sua")
    asked = client.post(
        reverse("procurement:clarification_ask", args=[procedure.pk]),
        {"question": "È ammesso il subappalto?"},
        headers=HTMX,
    )
    assert asked.status_code == 200
    panel, _next_steps = form_reply(asked)
    assert "La domanda è stata registrata." in panel and 'aria-current="page">Chiarimenti' in panel
    clarification = Clarification.objects.get()
    prefix = f"a{clarification.pk}-"
    answer = reverse("procurement:clarification_answer", args=[procedure.pk, clarification.pk])
    reply = {prefix + "answer": "Sì, nei limiti di legge.", prefix + "publish": "on"}
    refused = client.post(answer, reply | {prefix + "published_question": " "}, headers=HTMX)
    assert refused.status_code == 400 and "senza i nomi di chi ha chiesto" in form_reply(refused)[0]
    answered = client.post(answer, reply | {prefix + "published_question": "Subappalto?"}, headers=HTMX)
    assert answered.status_code == 200
    assert "La risposta è stata registrata." in form_reply(answered)[0]
    clarification.refresh_from_db()
    assert clarification.published and clarification.answer == "Sì, nei limiti di legge."


def test_a_bid_without_its_time_of_receipt_or_after_the_deadline_is_refused_on_the_page(world, login_as):
    """Art. 71 ff. D.Lgs. 36/2023: no bid is admitted after the deadline; the time of receipt is the one
    recorded (art. 25, Dir. 2014/24 Annex IV), so the form requires it and never assumes now."""
    procedure = make_procedure(world.home, world, state="bids_open")
    lot = procedure.lots.get()
    operator = make_operators(world.home, 1)[0]
    client = login_as("funzionario_sua")
    url = reverse("procurement:bid_record", args=[procedure.pk, lot.pk])
    prefix = f"b{lot.pk}-"
    bid = {prefix + "operator": operator.pk, prefix + "discount_percent": "12.5"}
    response = client.post(url, bid)
    assert response.status_code == 400 and not Bid.objects.exists()
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(days=1))
    late = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, bid | {prefix + "received_at": late})
    assert response.status_code == 400 and not Bid.objects.exists()
    assert "dopo il termine di presentazione delle offerte" in response.content.decode()


def test_clarifications_from_an_operator_and_answers(world, login_as):
    procedure = make_procedure(world.home, world, state="published")
    client = login_as("operatore_economico")
    url = reverse("procurement:clarification_ask", args=[procedure.pk])
    assert client.post(url, {"question": ""}).status_code == 400
    asked = f"Siamo {world.operator.name}, Mario Bianchi: è ammesso il subappalto?"
    assert client.post(url, {"question": asked}).status_code == 302
    clarification = Clarification.objects.get()
    assert clarification.asker_organization == world.operator
    sua = login_as("funzionario_sua")
    answer = reverse("procurement:clarification_answer", args=[procedure.pk, clarification.pk])
    prefix = f"a{clarification.pk}-"
    reply = {prefix + "answer": "Sì, nei limiti di legge.", prefix + "publish": "on"}
    # The form offers the question as asked, to be edited; an empty published text is refused.
    tab = sua.get(reverse("procurement:procedure_detail", args=[procedure.pk]) + "?scheda=chiarimenti")
    assert f'name="{prefix}published_question"' in tab.content.decode()
    refused = sua.post(answer, reply | {prefix + "published_question": " "})
    assert refused.status_code == 400 and "senza i nomi di chi ha chiesto" in refused.content.decode()
    edited = sua.post(answer, reply | {prefix + "published_question": "È ammesso il subappalto?"})
    assert edited.status_code == 302
    public = sua.get(reverse("procurement:procedure_public", args=[procedure.pk])).content.decode()
    assert "È ammesso il subappalto?" in public
    assert world.operator.name not in public and "Mario Bianchi" not in public
    # The SUA still reads the original; the lot's Comune reads only the published text.
    tab = sua.get(reverse("procurement:procedure_detail", args=[procedure.pk]) + "?scheda=chiarimenti")
    assert "Mario Bianchi" in tab.content.decode()
    comune = login_as("referente_comune")
    tab = comune.get(reverse("procurement:procedure_detail", args=[procedure.pk]) + "?scheda=chiarimenti")
    assert "È ammesso il subappalto?" in tab.content.decode() and "Mario Bianchi" not in tab.content.decode()
    # Both texts are in the trail: the original with the question, the published one with the answer.
    events = {e.action: e.changes for e in AuditEvent.objects.filter(action__startswith="procedure.clarif")}
    assert events["procedure.clarification.ask"]["question"] == [None, asked]
    assert events["procedure.clarification.answer"]["published_question"] == ["", "È ammesso il subappalto?"]


def test_list_queries_do_not_grow_with_the_data(world, login_as):
    client = login_as("funzionario_sua")
    make_procedure(world.home, world, state="draft")
    url = reverse("procurement:procedure_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for comune in (world.home.sibling_comune, world.home.union):
        make_procedure(world.home, world, state="draft", party=comune)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one)


def test_detail_queries_do_not_grow_with_the_bids(world, login_as):
    few = make_procedure(world.home, world, state="evaluation", discounts=("10", "11", "12", "13", "14"))
    more = make_procedure(
        world.home,
        world,
        state="evaluation",
        discounts=tuple(str(10 + n) for n in range(12)),
        party=world.home.sibling_comune,
    )
    client = login_as("funzionario_sua")
    for tab in TABS:
        client.get(detail(few, tab))
        with CaptureQueriesContext(connection) as one:
            client.get(detail(few, tab))
        with CaptureQueriesContext(connection) as many:
            client.get(detail(more, tab))
        assert len(many) == len(one), tab


def test_invitations_page_lists_candidates_and_refuses_the_outgoing_contractor(world, login_as):
    # A previous award by this SUA in OG1, same band: its contractor is the outgoing one.
    previous = make_procedure(world.home, world, state="awarded", base_amount=Decimal("300000.00"))
    winner = previous.lots.get().awarded_operator
    procedure = make_procedure(
        world.home, world, state="draft", base_amount=Decimal("320000.00"), party=world.home.sibling_comune
    )
    lot = procedure.lots.get()
    make_operators(world.home, 3, prefix="Candidata")
    client = login_as("funzionario_sua")
    url = reverse("procurement:lot_invitations", args=[procedure.pk, lot.pk])
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["candidates"]
    assert [row["operator_id"] for row in rows if row["outgoing"]] == [winner.pk]
    refused = client.post(url, {"operator": winner.pk, "reason": "Impresa affidabile."})
    assert refused.status_code == 400
    assert not Invitation.objects.filter(lot=lot).exists()
    allowed = client.post(
        url,
        {
            "operator": winner.pk,
            "reason": "Impresa affidabile.",
            "exception_reason": "Unico operatore con l'attrezzatura richiesta; esecuzione precedente a regola d'arte.",
        },
    )
    assert allowed.status_code == 302
    invitation = Invitation.objects.get(lot=lot)
    assert invitation.rotation_exception is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_the_procedure_search_uses_the_gin_index(world):
    make_procedure(world.home, world, title="Manutenzione straordinaria della scuola primaria")
    with connection.cursor() as cursor:
        # On a few rows the planner may rather walk the ordering's btree index; with plain index scans off too,
        # what is left is a bitmap scan, and the only index that can answer the text condition is the GIN one.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert "procurement_procedure_search" in Procedure.objects.search("scuole").explain()
