"""The dashboard shows the acting organisation its own figures, at a cost that does not grow with data."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import make_municipality, make_user


def test_anonymous_visitor_is_sent_to_the_login(client, db):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_province_sees_its_territory_and_coverage(login_as, world):
    context = login_as("amministratore_provincia").get(reverse("web:dashboard")).context
    # Treviso in the test world: 4 comuni (80,000 + 3,200 + 1,500 + 900 inhabitants); two are Comuni on
    # the platform, the other two belong to the registered Unione.
    assert context["figures"] == {
        "comuni": 4,
        "inhabitants": 85600,
        "comuni_covered": 4,
        "inhabitants_covered": 85600,
    }
    kinds = {row["label"]: row["count"] for row in context["organizations_by_kind"]}
    assert kinds == {OrganizationKind.MUNICIPALITY.label: 2, OrganizationKind.UNION.label: 1}
    roles = {row["label"]: row["count"] for row in context["members_by_role"]}
    assert roles[Role.PROVINCE_ADMIN.label] == 1
    assert roles[Role.MUNICIPALITY_REFERENT.label] == 2  # the Comune's and the Unione's referents
    assert context["people"] == 8  # the province's five officers, two comune people, one union referent


def test_comune_not_on_the_platform_is_not_counted_as_covered(login_as, world):
    make_municipality(world.home.province, "026099", "Comune Assente", 5000)
    response = login_as("funzionario_sua").get(reverse("web:dashboard"))
    figures = response.context["figures"]
    assert (figures["comuni"], figures["comuni_covered"]) == (5, 4)
    assert (figures["inhabitants"], figures["inhabitants_covered"]) == (90600, 85600)
    assert "90.600" in response.content.decode()  # Italian thousands separator


def test_province_dashboard_query_count_does_not_grow_with_organisations(login_as, world):
    client = login_as("amministratore_provincia")
    client.get(reverse("web:dashboard"))  # the first request also stores the chosen membership in the session
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("web:dashboard"))
    for index in range(10):
        municipality = make_municipality(world.home.province, f"026{200 + index}", f"Nuovo {index}", 1000)
        org = Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=f"Comune {index}",
            province=world.home.province,
            municipality=municipality,
        )
        Membership.objects.create(
            user=make_user(f"nuovo{index}"), organization=org, role=Role.MUNICIPALITY_STAFF
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("web:dashboard"))
    assert response.context["figures"]["comuni_covered"] == 14
    assert len(after) == len(before)


def test_province_does_not_count_another_provinces_organisations(login_as, world):
    context = login_as("amministratore_provincia").get(reverse("web:dashboard")).context
    elsewhere = world.elsewhere.comune.name
    assert elsewhere not in str(context["organizations_by_kind"])
    assert context["figures"]["comuni"] == world.home.province.municipalities.count()


def test_upi_sees_how_many_of_the_provinces_joined(login_as, world):
    context = login_as("dirigente_upi").get(reverse("web:dashboard")).context
    # Both provinces of the test world are ordinary-statute provinces with their organisation.
    assert context["provinces"] == {"total": 2, "joined": 2}
    world.elsewhere.province_org.is_active = False
    world.elsewhere.province_org.save()
    context = login_as("dirigente_upi").get(reverse("web:dashboard")).context
    assert context["provinces"] == {"total": 2, "joined": 1}
    assert context["people"] == len(world.personas)


def test_comune_sees_its_data_and_colleagues(login_as, world):
    content = login_as("referente_comune").get(reverse("web:dashboard")).content.decode()
    assert "Treviso Capoluogo" in content
    assert "80.000" in content
    assert world.personas["personale_comune"].email in content
    assert world.personas["referente_unione"].email not in content  # another organisation


def test_union_sees_its_member_comuni(login_as, world):
    response = login_as("referente_unione").get(reverse("web:dashboard"))
    members = response.context["union_members"]
    assert (members["count"], members["inhabitants"]) == (2, 2400)
    assert "Monte di Treviso" in response.content.decode()


def test_operator_sees_its_own_data(login_as, world):
    world.operator.fiscal_code = "01234567897"
    world.operator.save()
    content = login_as("operatore_economico").get(reverse("web:dashboard")).content.decode()
    assert "Impresa Alfa S.r.l." in content
    assert "01234567897" in content
    assert "Impresa Beta" not in content


def test_user_without_organisation_is_told_what_to_do(client, db):
    client.force_login(make_user("senza_ente"))
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    assert response.context["organization"] is None
    assert "alert-warning" in response.content.decode()
