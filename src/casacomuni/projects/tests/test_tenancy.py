"""The cross-tenant check of this app's pages and API operations, for every persona, before the shared matrix
(tests/test_cross_tenant.py) takes them in: another tenant's objects answer 403 or 404, GET and POST; lists
and list operations show none of another tenant's rows."""

import pytest
from django.db.models import Q
from django.urls import reverse

from casacomuni.accounts.testing import PERSONAS
from casacomuni.projects.models import Application, Expense, FundedProject
from casacomuni.projects.testing import add_projects

pytestmark = pytest.mark.django_db

OFFICE = {"amministratore_provincia", "funzionario_europa"}
LOCAL = {"referente_comune": "comune", "personale_comune": "comune", "referente_unione": "union"}


@pytest.fixture
def tenants(world):
    return {"home": add_projects(world.home), "elsewhere": add_projects(world.elsewhere)}


def foreign_applications(world, persona):
    """Written out independently of ``for_user``: the office reads its Province's, a Comune what it leads or
    partners, nobody else any."""
    if persona in OFFICE:
        return Application.objects.exclude(province=world.home.province_org)
    if persona in LOCAL:
        own = getattr(world.home, LOCAL[persona])
        return Application.objects.exclude(Q(lead=own) | Q(partners__organization=own))
    return Application.objects.all()


def foreign_projects(world, persona):
    if persona in OFFICE:
        return FundedProject.objects.exclude(province=world.home.province_org)
    if persona in LOCAL:
        return FundedProject.objects.exclude(beneficiary=getattr(world.home, LOCAL[persona]))
    return FundedProject.objects.all()


def object_urls(world, persona):
    urls = []
    for app in foreign_applications(world, persona):
        pk = app.pk
        urls += [
            reverse("projects:application_detail", args=[pk]),
            reverse("projects:application_edit", args=[pk]),
            reverse("projects:application_partner_add", args=[pk]),
            reverse("projects:application_task_add", args=[pk]),
            reverse("projects:application_document_add", args=[pk]),
            reverse("projects:application_project", args=[pk]),
            *(
                reverse("projects:application_action", args=[pk, action])
                for action in ("confirm", "fund", "withdraw")
            ),
            *(reverse("projects:application_partner_remove", args=[pk, p.pk]) for p in app.partners.all()),
            *(reverse("projects:application_task_done", args=[pk, t.pk]) for t in app.tasks.all()),
            *(reverse("projects:application_document", args=[pk, d.pk]) for d in app.documents.all()),
        ]
    for project in foreign_projects(world, persona):
        pk = project.pk
        urls += [
            reverse("projects:project_detail", args=[pk]),
            reverse("projects:project_edit", args=[pk]),
            reverse("projects:project_expense_add", args=[pk]),
            reverse("projects:project_procurement", args=[pk]),
            *(
                reverse("projects:project_add", args=[pk, part])
                for part in ("financing", "movement", "check")
            ),
            *(
                reverse("projects:project_expense_document", args=[pk, e.pk])
                for e in Expense.objects.filter(period__project=project)
            ),
        ]
    return urls


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_other_tenants_objects_are_unreachable(client, world, tenants, persona):
    client.force_login(world.personas[persona])
    for url in object_urls(world, persona):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404, 405), (
                f"{persona} {method} {url}: {response.status_code}"
            )
    for app in foreign_applications(world, persona):
        for path in (
            f"/api/v1/eufunds/applications/{app.pk}",
            f"/api/v1/eufunds/applications/{app.pk}/actions/withdraw",
        ):
            response = (
                client.post(path, "{}", content_type="application/json")
                if "actions" in path
                else client.get(path)
            )
            assert response.status_code in (403, 404), f"{persona} {path}: {response.status_code}"
            assert response["Content-Type"].startswith("application/problem+json")
    for project in foreign_projects(world, persona):
        response = client.get(f"/api/v1/eufunds/projects/{project.pk}")
        assert response.status_code in (403, 404) and response["Content-Type"].startswith(
            "application/problem+json"
        )


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_lists_show_no_other_tenant(client, world, tenants, persona):
    client.force_login(world.personas[persona])
    names = [a.title for a in foreign_applications(world, persona)] + [
        p.title for p in foreign_projects(world, persona)
    ]
    names += [p.cup for p in foreign_projects(world, persona)]
    pages = [
        "projects:application_list",
        "projects:project_list",
        "projects:results",
        "projects:projects_csv",
    ]
    for name in pages:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403), f"{persona} {name}"
        leaked = [n for n in names if n in response.content.decode()]
        assert not leaked, f"{persona} sees {leaked} on {name}"
    for path in ("/api/v1/eufunds/applications?limit=500", "/api/v1/eufunds/projects?limit=500"):
        response = client.get(path)
        assert response.status_code in (200, 403)
        leaked = [n for n in names if n in response.content.decode()]
        assert not leaked, f"{persona} sees {leaked} through {path}"
