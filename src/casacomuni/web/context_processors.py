"""What every page's shell (web/base.html) needs: the acting membership, the switcher and the menu."""

from casacomuni.accounts.middleware import memberships_of
from casacomuni.web.navigation import menu_for


def shell(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "active_membership": membership,
        # A lazy QuerySet: the database is read only by pages that show the organisation switcher.
        "switchable_memberships": memberships_of(user) if authenticated else (),
        "main_menu": menu_for(user, membership, request.path),
    }
