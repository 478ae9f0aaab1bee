"""The unread count of the page header's inbox link: one COUNT, run only by a page that shows it."""

from functools import cache

from casacomuni.inbox.models import Notification


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        # The template calls it (a callable without arguments); cached, so reading it twice costs one query.
        return Notification.objects.for_user(user).unread().count()

    return {"inbox_unread": count}
