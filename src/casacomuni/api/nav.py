"""The API documentation in the main navigation (see casacomuni.lib.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.lib.navigation import AUTHENTICATED, NavEntry, Section

NAV = [NavEntry(_("API documentation"), "api:openapi-view", Section.API, AUTHENTICATED)]
