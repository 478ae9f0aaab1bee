"""Who does a write: passed by views, API operations and commands to every service."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from casacomuni.accounts.tenancy import acting_membership

if TYPE_CHECKING:  # names for the annotations; no model import at run time
    from casacomuni.accounts.models import Membership, Organization, User


@dataclass(frozen=True)
class Actor:
    """The user, the membership they act through, and where the request came from.

    ``label`` names a system actor (a management command, a task) when there is no user.
    ``second_factor`` says whether the user gave a second factor in this session.
    """

    user: "User | None"
    membership: "Membership | None" = None
    ip_address: str | None = None
    label: str = ""
    second_factor: bool = False

    @classmethod
    def from_request(cls, request) -> "Actor":
        user = request.user if request.user.is_authenticated else None
        # django-otp's middleware adds is_verified() to session users; a token's user has none.
        verified = user is not None and getattr(user, "is_verified", lambda: False)()
        return cls(
            user=user,
            membership=acting_membership(user),
            ip_address=client_ip(request),
            second_factor=verified,
        )

    @classmethod
    def for_membership(cls, membership, label: str = "") -> "Actor":
        """The membership's user acting through it, as the middleware sets it for a request (commands, the
        demo, tests)."""
        user = membership.user
        user.acting_as = membership
        return cls(user=user, membership=membership, label=label)

    @classmethod
    def system(cls, label: str) -> "Actor":
        return cls(user=None, membership=None, label=label)

    @property
    def organization(self) -> "Organization | None":
        return self.membership.organization if self.membership else None

    def require_organization(self) -> "Organization":
        """The organisation the actor acts for, where a service needs one: a service that checked the actor's
        role has one; a system actor has none (PermissionDenied)."""
        if self.membership is None:
            raise PermissionDenied
        return self.membership.organization


def client_ip(request) -> str | None:
    # Behind a proxy, REMOTE_ADDR is the proxy: the deployment sets it from X-Forwarded-For in the
    # web server, never here, so that a client cannot forge its own address.
    return request.META.get("REMOTE_ADDR") or None
