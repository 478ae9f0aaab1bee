"""Start-up checks of the procurement settings (Django system checks: ``runserver``, ``migrate``, ``check``).

The OCID prefix: every OCID the platform publishes is ``<prefix>-<procedure id>``, and an OCDS prefix has the
shape ``ocds-`` followed by six lowercase letters or digits, assigned by the Open Contracting Partnership on
registration (https://standard.open-contracting.org/latest/en/schema/identifiers/#contracting-process-identifier-ocid).
A prefix of another shape would publish identifiers no OCDS tool accepts, and they cannot be changed once
published: the platform refuses to start with one.
"""

import re

from django.conf import settings
from django.core.checks import Error, register

OCID_PREFIX = re.compile(r"ocds-[a-z0-9]{6}")


@register()
def check_ocds_prefix(app_configs, **kwargs):
    prefix = settings.CASACOMUNI_OCDS_PREFIX
    if OCID_PREFIX.fullmatch(prefix or ""):
        return []
    return [
        Error(
            f"CASACOMUNI_OCDS_PREFIX is {prefix!r}: an OCID prefix is 'ocds-' followed by six lowercase letters "
            "or digits (e.g. 'ocds-a1b2c3'), as the Open Contracting Partnership assigns it on registration.",
            hint="Set CASACOMUNI_OCDS_PREFIX to the prefix registered for this publisher.",
            id="procurement.E001",
        )
    ]
