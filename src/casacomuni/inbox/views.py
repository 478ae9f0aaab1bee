"""Pages of the inbox: a person's own notices (newest first, filtered by unread and by pillar), opening one (it
becomes read and leads to its page), marking all read, and the choice of e-mail per kind.

Thin views: reads through ``Notification.objects.for_user`` (another person's notice is a 404), writes through
``inbox.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from casacomuni.inbox import kinds, services
from casacomuni.inbox.forms import PreferencesForm
from casacomuni.inbox.models import Notification
from casacomuni.lib.navigation import Section

PAGE_SIZE = 25
UNREAD, ALL = "unread", "all"


@login_required
def notification_list(request):
    show = UNREAD if request.GET.get("show") == UNREAD else ALL
    group = request.GET.get("group", "")
    notices = Notification.objects.for_user(request.user)
    if show == UNREAD:
        notices = notices.unread()
    if group in Section.values:
        notices = notices.of_kinds(kind.name for kind in kinds.registered() if kind.section == group)
    else:
        group = ""
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {kind.name: kind.label for kind in kinds.registered()}
    for notice in page:
        notice.kind_label = labels.get(notice.kind, notice.kind)
    return render(
        request,
        "inbox/list.html",
        {
            "page": page,
            "show": show,
            "group": group,
            "groups": sections_with_kinds(),
        },
    )


def sections_with_kinds() -> list[tuple[str, str]]:
    present = {kind.section for kind in kinds.registered()}
    return [(value, label) for value, label in Section.choices if value in present]


@login_required
def open_notification(request, pk: int):
    """Mark the notice read and go to the page it is about (a local path only), or back to the inbox."""
    notice = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.mark_read(request.user, notice)
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=set()):
        return redirect(notice.url)
    return redirect("inbox:list")


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("inbox:list")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial_deliveries=services.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.save_preferences(request.user, form.cleaned_data)
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("inbox:preferences")
    return render(request, "inbox/preferences.html", {"form": form, "deliveries": kinds.ALL_DELIVERIES})
