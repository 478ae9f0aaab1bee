"""What the pages of data collection share: who may read them and the campaign read through the user's scope."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from casacomuni.insights.models import Campaign, data_province, respondent_comune


def is_officer(user) -> bool:
    return data_province(user) is not None


def require_respondent(user) -> None:
    if respondent_comune(user) is None:
        raise PermissionDenied


def require_reader(user, officer_only: bool = False) -> None:
    """403 unless the user acts as a data officer of a Province or (``officer_only`` false) for a Comune as
    its referent or staff; a Unione's referent is not a respondent."""
    if data_province(user) is None and (officer_only or respondent_comune(user) is None):
        raise PermissionDenied


def get_campaign(request, pk, officer_only=False) -> Campaign:
    require_reader(request.user, officer_only)
    return get_object_or_404(
        Campaign.objects.for_user(request.user).select_related("province", "questionnaire"), pk=pk
    )
