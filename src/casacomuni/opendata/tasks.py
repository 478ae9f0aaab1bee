"""Background regeneration of the open datasets (run by the task worker; scheduled by the
``regenerate_opendata`` command from cron)."""

from django.tasks import task

from casacomuni.accounts.models import Organization
from casacomuni.opendata import services


@task
def regenerate_opendata(province_id: int | None = None) -> dict:
    """Regenerate the datasets of one Province organisation, or of every Province with datasets.

    Returns, per Province sigla, the slugs changed, unchanged and refused (with the reasons)."""
    provinces = (
        Organization.objects.filter(opendata_datasets__isnull=False).distinct().select_related("province")
    )
    if province_id is not None:
        provinces = provinces.filter(pk=province_id)
    summary = {}
    for province in provinces.order_by("pk"):
        result = services.regenerate_datasets(province)
        summary[province.province.sigla] = {
            "changed": result.changed,
            "unchanged": result.unchanged,
            "refused": result.refused,
        }
    return summary
