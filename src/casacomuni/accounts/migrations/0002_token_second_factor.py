from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

# Administrators' roles (accounts.roles.ADMIN_ROLES), written out: a migration must not change with the code.
ADMIN_ROLES = ("upi_admin", "province_admin")
LIFETIME_DAYS = 90


def revoke_unsafe_tokens(apps, schema_editor):
    """Tokens of administrators' roles may have been made without the second factor (the bypass closed by
    this release): all are revoked. Tokens that never expire get LIFETIME_DAYS from now."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    usable = ApiToken.objects.filter(revoked_at__isnull=True)
    usable.filter(membership__role__in=ADMIN_ROLES).update(revoked_at=now)
    usable.filter(expires_at__isnull=True).update(expires_at=now + timedelta(days=LIFETIME_DAYS))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="second_factor_verified",
            field=models.BooleanField(default=False, verbose_name="second factor verified"),
        ),
        migrations.RunPython(revoke_unsafe_tokens, migrations.RunPython.noop),
    ]
