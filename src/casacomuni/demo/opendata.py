"""Demo open data: each demo Province's catalogue, with a dataset per data source, built from the demo data
the other modules made (run it after them: agreements, procurement, EU funds, projects, campaigns,
indicators).

Written through ``casacomuni.opendata.services`` acting as the Province's demo data officer, so the files
pass the privacy guard and the audit trail records the publications. A dataset whose source has no rows in
that Province stays unpublished (an empty table is of no use to anybody).

Re-runnable: the catalogue is found by its Province and a dataset by its identifier; an existing dataset
is regenerated (its ``modified`` moves only if the data changed) and published if it now has rows.
"""

from dataclasses import replace

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.demo.agreements import actor_for
from casacomuni.opendata import services
from casacomuni.opendata.generators import available_generators
from casacomuni.opendata.models import Catalog, Dataset

# The Provinces' codes in IndicePA follow the pattern p_<sigla> (e.g. p_tv: Provincia di Treviso).
IPA_CODE = "p_{sigla}"
HOMEPAGES = {
    "TV": "https://www.provincia.treviso.it/",
    "PG": "https://www.provincia.perugia.it/",
    "BS": "https://www.provincia.brescia.it/",
}


class DemoOpendata:
    def build(self, siglas: list[str]) -> dict[str, list[str]]:
        """Returns, per sigla, the identifiers of the published datasets."""
        published = {}
        for sigla in siglas:
            province = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
            published[sigla] = self.province(province, sigla)
        return published

    def province(self, province: Organization, sigla: str) -> list[str]:
        actor = actor_for(province, Role.DATA_OFFICER)
        if not Catalog.objects.filter(province=province).exists():
            data = replace(
                services.default_catalog_data(province),
                ipa_code=IPA_CODE.format(sigla=sigla.lower()),
                homepage=HOMEPAGES.get(sigla, ""),
            )
            services.save_catalog(actor, data)
        published = []
        for generator in available_generators():
            dataset = Dataset.objects.filter(province=province, slug=generator.code).first()
            if dataset is None:
                dataset = services.create_dataset(actor, services.NewDatasetData(generator=generator.code))
            else:
                services.regenerate_dataset(actor, dataset)
            if dataset.distributions.filter(row_count__gt=0).exists():
                if not Dataset.objects.get(pk=dataset.pk).published:
                    services.publish_dataset(actor, dataset)
                published.append(dataset.slug)
        return published
