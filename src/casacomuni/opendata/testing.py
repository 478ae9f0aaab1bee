"""Test data of the open-data catalogues, shared with the cross-tenant matrix.

``add_opendata(side, world)`` gives ``side``'s Province a catalogue (IPA code ``p_<sigla>``) and two
datasets made through the services, with their files: ``dataset`` published, ``unpublished_dataset`` not.
Another side's ``unpublished_dataset`` must answer 404 everywhere; its ``dataset`` is public on the public
pages and API, but 404 on the officers' pages and operations of any other Province.
"""

from dataclasses import replace

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import make_user
from casacomuni.opendata import services
from casacomuni.opendata.models import Catalog, Dataset


def data_officer(province_org) -> Actor:
    """An actor acting as a data officer of ``province_org`` (its first one, or a new user)."""
    membership = (
        Membership.objects.filter(organization=province_org, role=Role.DATA_OFFICER, is_active=True)
        .select_related("user", "organization")
        .first()
    )
    if membership is None:
        user = make_user(f"dati_{province_org.province.sigla.lower()}_{province_org.pk}")
        membership = Membership.objects.create(user=user, organization=province_org, role=Role.DATA_OFFICER)
    return Actor.for_membership(membership)


def make_catalog(province_org, ipa_code: str | None = None) -> Catalog:
    catalog = Catalog.objects.filter(province=province_org).first()
    if catalog is not None:
        return catalog
    data = replace(
        services.default_catalog_data(province_org),
        ipa_code=ipa_code or f"p_{province_org.province.sigla.lower()}",
    )
    return services.save_catalog(data_officer(province_org), data)


def make_dataset(province_org, generator: str = "convenzioni", publish: bool = True, **fields) -> Dataset:
    """A dataset of ``generator`` created (and published) through the services, files included."""
    make_catalog(province_org)
    data = services.NewDatasetData(generator=generator, publish=publish, **fields)
    return services.create_dataset(data_officer(province_org), data)


def add_opendata(side, world) -> dict:
    return {
        "dataset": make_dataset(side.province_org, "convenzioni", publish=True),
        "unpublished_dataset": make_dataset(side.province_org, "adesioni", publish=False),
    }
