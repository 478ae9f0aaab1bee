"""The inbox's pages: the list, opening a notice, marking all read, the preferences, and the header's count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.inbox.models import NoticePreference, Notification
from casacomuni.inbox.testing import make_notification


@pytest.fixture
def client_of(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_inbox_lists_the_newest_first_and_marks_the_unread(client_of, anna):
    now = timezone.now()
    make_notification(anna, "Vecchio avviso", read=True, created_at=now - timedelta(days=2))
    make_notification(anna, "Nuovo avviso", created_at=now)
    page = client_of(anna).get(reverse("inbox:list")).content.decode()
    assert page.index("Nuovo avviso") < page.index("Vecchio avviso")
    table = page.split('id="notifications"')[1]
    assert table.count(">non letta</span>") == 1
    assert "2 notifiche" in table


def test_filters_by_unread_and_by_area(client_of, anna):
    make_notification(anna, "Già letta", read=True, kind="tests.open")
    make_notification(anna, "Da leggere in rete", kind="tests.open")
    make_notification(anna, "Da leggere in amministrazione", kind="tests.locked")
    client = client_of(anna)
    unread = client.get(reverse("inbox:list"), {"show": "unread"}).content.decode()
    assert "Già letta" not in unread and "Da leggere in rete" in unread
    network = client.get(reverse("inbox:list"), {"group": "network"}).content.decode()
    assert "Da leggere in amministrazione" not in network and "Già letta" in network
    # An unknown area is ignored, not an error.
    assert client.get(reverse("inbox:list"), {"group": "boh", "page": "x"}).status_code == 200


def test_the_list_costs_the_same_queries_with_many_notices(client_of, anna, django_assert_max_num_queries):
    client = client_of(anna)
    make_notification(anna, "Uno")
    client.get(reverse("inbox:list"))  # warm the session
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("inbox:list"))
    Notification.objects.bulk_create(
        Notification(recipient=anna, kind="tests.open", subject=f"Avviso {n}", email_state="sent")
        for n in range(60)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("inbox:list")).content.decode()
    assert "Pagina 1 di 3" in page


def test_opening_a_notice_marks_it_read_and_follows_its_local_link(client_of, anna):
    notice = make_notification(anna, "Risposta dello sportello", url="/calendario/?mese=2026-12")
    response = client_of(anna).get(reverse("inbox:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/calendario/?mese=2026-12"
    notice.refresh_from_db()
    assert notice.is_read


def test_a_notice_with_a_foreign_link_leads_back_to_the_inbox(client_of, anna):
    # Not stored so by notify (local_path); a row written by hand must still not redirect elsewhere.
    notice = make_notification(anna, "Strano", url="//evil.example/")
    response = client_of(anna).get(reverse("inbox:open", args=[notice.pk]))
    assert response["Location"] == reverse("inbox:list")


def test_another_persons_notice_is_not_found_and_stays_unread(client_of, anna, bruno):
    notice = make_notification(bruno, "Di Bruno")
    client = client_of(anna)
    assert client.get(reverse("inbox:open", args=[notice.pk])).status_code == 404
    assert "Di Bruno" not in client.get(reverse("inbox:list")).content.decode()
    client.post(reverse("inbox:read_all"))
    notice.refresh_from_db()
    assert not notice.is_read


def test_mark_all_read_needs_a_post_and_reads_only_ones_own(client_of, anna):
    make_notification(anna, "Uno")
    make_notification(anna, "Due")
    client = client_of(anna)
    assert client.get(reverse("inbox:read_all")).status_code == 405
    response = client.post(reverse("inbox:read_all"), follow=True)
    assert "2 notifiche segnate come lette." in response.content.decode()
    assert not Notification.objects.unread().exists()


def test_the_header_shows_the_unread_count_with_one_query(client_of, anna):
    for subject in ("Uno", "Due", "Tre"):
        make_notification(anna, subject)
    make_notification(anna, "Letta", read=True)
    client = client_of(anna)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("inbox:preferences")).content.decode()
    assert 'id="inbox-badge" aria-hidden="true">3</span>' in page
    assert "3 notifiche non lette" in page
    assert len([q for q in queries.captured_queries if "inbox_notification" in q["sql"]]) == 1
    Notification.objects.update(read_at=timezone.now())
    page = client.get(reverse("inbox:preferences")).content.decode()
    assert 'id="inbox-badge"' not in page and "Notifiche: nessuna da leggere" in page


def test_preferences_are_a_table_by_area_and_are_saved(client_of, anna):
    client = client_of(anna)
    page = client.get(reverse("inbox:preferences")).content.decode()
    assert "<caption>Rete</caption>" in page and "Avvisi di sicurezza" in page
    assert 'name="tests.locked" id="id_tests.locked-none"' not in page  # not offered
    data = {kind: "immediate" for kind in ("tests.open", "tests.locked", "tests.receipt")}
    response = client.post(reverse("inbox:preferences"), {**all_defaults(), **data, "tests.open": "digest"})
    assert response.status_code == 302
    assert list(NoticePreference.objects.values_list("kind", "delivery")) == [("tests.open", "digest")]


def test_preferences_refuse_a_choice_not_offered_with_a_clear_message_and_save_nothing(client_of, anna):
    client = client_of(anna)
    data = {**all_defaults(), "tests.open": "digest", "tests.locked": "none", "tests.receipt": "weekly"}
    response = client.post(reverse("inbox:preferences"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "Non è stato salvato nulla" in page
    assert "Scegli come ti arriva per e-mail “Avvisi di sicurezza”, tra le opzioni offerte." in page
    assert "“Ricevute”" in page
    assert not NoticePreference.objects.exists()


def all_defaults() -> dict:
    from casacomuni.inbox import kinds

    return {kind.name: kind.default.value for kind in kinds.registered()}
