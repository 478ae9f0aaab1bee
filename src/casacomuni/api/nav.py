"""The API documentation in the main navigation (see casacomuni.web.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.web.navigation import AUTHENTICATED, NavEntry, Section

NAV = [NavEntry(_("API documentation"), "api:openapi-view", Section.API, AUTHENTICATED)]
