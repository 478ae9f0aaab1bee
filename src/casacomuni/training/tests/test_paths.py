"""Training paths (percorsi formativi) as their users meet them: the office writes a path of its modules in
order and publishes it (two modules at least, all published); the Comuni read the published paths, a person
its progress, the office and a Comune's referent the progress of the people they manage. Refusals in Italian
with nothing written; another Province's path out of reach; pages and API at a fixed number of queries."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.training import paths, services
from casacomuni.training.models import Completion, Enrolment, EnrolmentState, Path, PathModule
from casacomuni.training.testing import make_edition, make_module, make_staff, persona_actor

pytestmark = pytest.mark.django_db

API = "/api/v1/training"
DATA = services.PathData(
    title="Percorso del RUP",
    description="Dalla programmazione al collaudo.",
    area="procurement",
    level="intermediate",
)


def as_persona(client, world, persona):
    client.force_login(world.personas[persona])
    return client


def text(response) -> str:
    return response.content.decode()


def office(world):
    return persona_actor(world, "funzionario_formazione")


@pytest.fixture
def catalogue(world):
    """At home three published modules (12, 8 and 6 hours) and a draft, the first with an open edition;
    elsewhere a published module and a published path of it."""
    province = world.home.province_org
    modules = [
        make_module(province, title="Programmare gli acquisti", hours="12"),
        make_module(province, title="La gara telematica", hours="8"),
        make_module(province, title="Il collaudo", hours="6"),
    ]
    draft = make_module(province, title="Bozza sul contratto", published=False)
    edition = make_edition(modules[0], code="2026/07")
    foreign_module = make_module(world.elsewhere.province_org, title="Modulo di un'altra Provincia")
    foreign = Path.objects.create(
        province=world.elsewhere.province_org, title="Percorso di un'altra Provincia", published=True, **AREA
    )
    PathModule.objects.create(path=foreign, module=foreign_module, position=1)
    return {"modules": modules, "draft": draft, "edition": edition, "foreign": foreign}


AREA = {"description": "Obiettivi.", "area": "procurement", "level": "base"}


def training_events() -> int:
    return AuditEvent.objects.filter(action__startswith="training.").count()


def published_path(world, modules) -> Path:
    path = services.create_path(office(world), DATA, modules)
    return services.publish_path(office(world), path)


def completed(person, module, revoked=False) -> Completion:
    edition = make_edition(module, past=True, code=f"C/{Completion.objects.count()}")
    enrolment = Enrolment.objects.create(
        edition=edition, person=person, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
    )
    return Completion.objects.create(
        enrolment=enrolment,
        person=person,
        completed_on=date.today(),
        hours=module.hours,
        revoked_at=timezone.now() if revoked else None,
    )


def rows(modules: list, total: int = 4) -> dict:
    """The module rows of the form: (module, position) pairs, the rest of ``total`` rows left empty."""
    data = {"moduli-TOTAL_FORMS": total, "moduli-INITIAL_FORMS": 0}
    for number, (module, position) in enumerate(modules):
        data |= {f"moduli-{number}-module": module.pk, f"moduli-{number}-position": position}
    return data


FORM = {"title": DATA.title, "description": DATA.description, "area": DATA.area, "level": DATA.level}


# --- The office writes and publishes ------------------------------------------------------------------------


def test_the_office_writes_a_path_of_its_modules_ordered_by_position_and_publishes_it(
    client, world, catalogue
):
    first, second, third = catalogue["modules"]
    as_persona(client, world, "funzionario_formazione")
    response = client.post(
        reverse("training:path_create"), FORM | rows([(third, 3), (first, 1), (second, 2)])
    )
    path = Path.objects.get(title=DATA.title)
    assert response.status_code == 302 and path.province == world.home.province_org and not path.published
    assert paths.module_ids(path) == [first.pk, second.pk, third.pk]
    listing = text(client.get(reverse("training:path_list")))
    assert DATA.title in listing and "Percorso in bozza" in listing and "Percorso di un'altra" not in listing
    page = text(client.get(reverse("training:path_detail", args=[path.pk])))
    assert page.index(first.title) < page.index(second.title) < page.index(third.title)
    assert 'id="path-hours">26,0<' in page and "2026/07" in page  # 12 + 8 + 6 hours; the open edition
    response = client.post(reverse("training:path_publish", args=[path.pk]), follow=True)
    path.refresh_from_db()
    assert path.published and "Il percorso è nel catalogo dei Comuni." in text(response)
    actions = AuditEvent.objects.filter(
        organization=world.home.province_org, action__startswith="training.path"
    )
    assert set(actions.values_list("action", flat=True)) == {"training.path.create", "training.path.publish"}


def test_the_office_reorders_the_modules_of_a_published_path_and_withdraws_it(client, world, catalogue):
    first, second, third = catalogue["modules"]
    path = published_path(world, [first, second])
    as_persona(client, world, "funzionario_formazione")
    form = text(client.get(reverse("training:path_edit", args=[path.pk])))
    assert f'value="{first.pk}" selected' in form
    client.post(reverse("training:path_edit", args=[path.pk]), FORM | rows([(third, 1), (first, 2)]))
    assert paths.module_ids(path) == [third.pk, first.pk]
    response = client.post(reverse("training:path_unpublish", args=[path.pk]), follow=True)
    path.refresh_from_db()
    assert not path.published and "Il percorso non è più nel catalogo dei Comuni." in text(response)


def test_a_path_with_one_module_is_not_published(client, world, catalogue):
    path = services.create_path(office(world), DATA, catalogue["modules"][:1])
    events = training_events()
    as_persona(client, world, "funzionario_formazione")
    response = client.post(reverse("training:path_publish", args=[path.pk]), follow=True)
    path.refresh_from_db()
    assert "Un percorso si pubblica con almeno due moduli." in text(response)
    assert not path.published and training_events() == events


def test_a_path_with_a_draft_module_is_not_published(world, catalogue):
    path = services.create_path(office(world), DATA, [catalogue["modules"][0], catalogue["draft"]])
    with pytest.raises(ValidationError) as refusal:
        services.publish_path(office(world), path)
    assert "ancora in bozza: Bozza sul contratto" in " ".join(refusal.value.messages)
    path.refresh_from_db()
    assert not path.published


def test_a_published_path_keeps_two_published_modules(client, world, catalogue):
    first, second, _third = catalogue["modules"]
    path = published_path(world, [first, second])
    as_persona(client, world, "funzionario_formazione")
    response = client.post(
        reverse("training:path_edit", args=[path.pk]), FORM | {"title": "Nuovo titolo"} | rows([(first, 1)])
    )
    assert response.status_code == 400 and "Un percorso si pubblica con almeno due moduli." in text(response)
    with pytest.raises(ValidationError, match="ancora in bozza"):
        services.set_path_modules(office(world), path, [first, second, catalogue["draft"]])
    path.refresh_from_db()
    assert path.title == DATA.title and paths.module_ids(path) == [first.pk, second.pk]


def test_modules_of_another_province_are_refused_and_nothing_written(client, world, catalogue):
    foreign = catalogue["foreign"].path_modules.get().module
    events, count = training_events(), Path.objects.count()
    with pytest.raises(ValidationError) as refusal:
        services.create_path(office(world), DATA, [catalogue["modules"][0], foreign])
    assert refusal.value.message_dict["modules"] == [
        "Un percorso è fatto di moduli del catalogo della tua Provincia."
    ]
    as_persona(client, world, "funzionario_formazione")
    response = client.post(reverse("training:path_create"), FORM | rows([(foreign, 1)]))
    assert response.status_code == 400 and "opzione valida" in text(response)
    assert Path.objects.count() == count and training_events() == events


def test_a_module_twice_and_empty_fields_are_refused_in_italian(world, catalogue):
    first = catalogue["modules"][0]
    with pytest.raises(ValidationError) as refusal:
        services.create_path(office(world), services.PathData("", "", "x", "base"), [first, first])
    assert refusal.value.message_dict == {
        "title": ["Questo campo è obbligatorio."],
        "description": ["Questo campo è obbligatorio."],
        "area": ["Scegli una delle opzioni."],
        "modules": ["Ogni modulo compare una sola volta nel percorso."],
    }
    assert not Path.objects.filter(province=world.home.province_org).exists()


def test_a_foreign_path_is_out_of_the_offices_reach(client, world, catalogue):
    foreign = catalogue["foreign"]
    with pytest.raises(PermissionDenied):
        services.unpublish_path(office(world), foreign)
    with pytest.raises(PermissionDenied):
        services.set_path_modules(office(world), foreign, catalogue["modules"][:2])
    as_persona(client, world, "funzionario_formazione")
    for name in ("path_detail", "path_edit", "path_publish", "path_unpublish"):
        assert client.post(reverse(f"training:{name}", args=[foreign.pk])).status_code == 404, name
    foreign.refresh_from_db()
    assert foreign.published and foreign.title == "Percorso di un'altra Provincia"


def test_a_comune_cannot_write_paths(client, world, catalogue):
    path = published_path(world, catalogue["modules"][:2])
    with pytest.raises(PermissionDenied):
        services.create_path(persona_actor(world, "referente_comune"), DATA, catalogue["modules"][:2])
    as_persona(client, world, "referente_comune")
    assert client.get(reverse("training:path_create")).status_code == 403
    assert client.post(reverse("training:path_unpublish", args=[path.pk])).status_code == 403
    path.refresh_from_db()
    assert path.published


# --- What the Comuni and their people notice ----------------------------------------------------------------


def test_a_comune_reads_its_provinces_published_paths_only(client, world, catalogue):
    published = published_path(world, catalogue["modules"][:2])
    draft = services.create_path(office(world), services.PathData("Bozza di percorso", "O.", "data", "base"))
    as_persona(client, world, "referente_comune")
    listing = text(client.get(reverse("training:path_list")))
    assert published.title in listing and "Bozza di percorso" not in listing
    assert "Percorso di un'altra Provincia" not in listing and 'id="new-path"' not in listing
    assert client.get(reverse("training:path_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("training:path_detail", args=[catalogue["foreign"].pk])).status_code == 404
    module_page = text(client.get(reverse("training:module_detail", args=[catalogue["modules"][0].pk])))
    assert published.title in module_page


def test_roles_without_training_are_refused(client, world, catalogue):
    for persona in ("funzionario_sua", "dirigente_upi", "operatore_economico"):
        as_persona(client, world, persona)
        assert client.get(reverse("training:path_list")).status_code == 403, persona


def test_a_person_reads_its_progress_and_the_next_module(client, world, catalogue):
    first, second, third = catalogue["modules"]
    path = published_path(world, [first, second, third])
    (person,) = make_staff(world.home.comune, 1, users=[world.personas["personale_comune"]])
    completed(person, third)
    completed(person, first, revoked=True)  # a revoked certificate no longer counts
    as_persona(client, world, "personale_comune")
    page = text(client.get(reverse("training:path_detail", args=[path.pk])))
    assert "Moduli completati: 1 su 3. Prossimo: Programmare gli acquisti." in page
    assert 'id="path-people"' not in page  # a member of staff reads its own progress only
    completed(person, first)
    completed(person, second)
    page = text(client.get(reverse("training:path_detail", args=[path.pk])))
    assert "Hai completato tutti i moduli del percorso." in page


def test_the_referent_and_the_office_read_the_progress_of_their_people(client, world, catalogue):
    first, second, _third = catalogue["modules"]
    path = published_path(world, [first, second])
    own, idle = make_staff(world.home.comune, 2)
    (sibling,) = make_staff(world.home.sibling_comune, 1)
    sibling.last_name = "Vicina"
    sibling.save()
    completed(own, first)
    completed(sibling, first)
    completed(sibling, second)
    as_persona(client, world, "referente_comune")
    table = text(client.get(reverse("training:path_detail", args=[path.pk]))).split('id="path-people"')[1]
    assert own.last_name in table and "1 / 2" in table and "1 persona ha iniziato il percorso" in table
    assert sibling.last_name not in table and idle.last_name not in table
    as_persona(client, world, "funzionario_formazione")
    table = text(client.get(reverse("training:path_detail", args=[path.pk]))).split('id="path-people"')[1]
    assert own.last_name in table and sibling.last_name in table and "2 / 2" in table


def test_the_progress_of_many_people_takes_two_queries(world, catalogue):
    first, second, third = catalogue["modules"]
    path = published_path(world, [first, second, third])
    people = make_staff(world.home.comune, 3)
    completed(people[0], second)
    completed(people[1], first)
    completed(people[1], second)
    completed(people[1], third)
    with CaptureQueriesContext(connection) as captured:
        progress = paths.progress_of(path, people)
    assert len(captured) == 2
    assert progress[people[0].pk].completed == (second.pk,) and progress[people[0].pk].next == first.pk
    assert progress[people[1].pk].complete and progress[people[2].pk].done == 0


# --- Queries and the API ------------------------------------------------------------------------------------


def test_the_pages_take_the_same_queries_whatever_the_data(client, world, catalogue):
    modules = catalogue["modules"]
    path = published_path(world, modules[:2])
    urls = [reverse("training:path_list"), reverse("training:path_detail", args=[path.pk])]
    urls += [reverse("training:path_edit", args=[path.pk])]
    as_persona(client, world, "funzionario_formazione")
    client.get(urls[0])  # the session's first request reads the membership

    def queries() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200, url
            counts.append(len(captured))
        return counts

    def grow(organization, module):
        for person in make_staff(organization, 2):
            completed(person, module)
        make_edition(module, code=f"N/{module.pk}")
        services.create_path(office(world), DATA, [module])

    grow(world.home.comune, modules[0])
    before = queries()
    grow(world.home.sibling_comune, modules[1])
    services.set_path_modules(office(world), path, modules)
    assert queries() == before


def test_the_api_lists_paths_and_gives_one_with_its_modules_in_order(client, world, catalogue, as_persona):
    first, second, _third = catalogue["modules"]
    path = published_path(world, [second, first])
    draft = services.create_path(office(world), services.PathData("Bozza di percorso", "O.", "data", "base"))
    listed = client.get(f"{API}/paths", headers=as_persona("referente_comune")).json()
    assert [item["title"] for item in listed["items"]] == [path.title]
    assert listed["items"][0]["hours"] == "20.0" and listed["items"][0]["modules_count"] == 2
    detail = client.get(f"{API}/paths/{path.pk}", headers=as_persona("referente_comune")).json()
    assert [(row["position"], row["module"]["title"]) for row in detail["modules"]] == [
        (1, second.title),
        (2, first.title),
    ]
    headers = as_persona("referente_comune")
    for hidden in (draft, catalogue["foreign"]):
        response = client.get(f"{API}/paths/{hidden.pk}", headers=headers)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    office_list = client.get(f"{API}/paths?published=false", headers=as_persona("funzionario_formazione"))
    assert [item["title"] for item in office_list.json()["items"]] == ["Bozza di percorso"]
    assert client.get(f"{API}/paths", headers=as_persona("funzionario_sua")).status_code == 403
