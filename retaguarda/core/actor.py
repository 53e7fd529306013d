"""Who does a thing and from where: every service takes one, every audit record keeps one."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


class Origin:
    WEB = "web"
    API = "api"
    CLI = "cli"
    TASK = "task"
    CHOICES = [(WEB, "web"), (API, "api"), (CLI, "cli"), (TASK, "task")]


@dataclass(frozen=True)
class Actor:
    user: Any = None  # access.User or None for the system
    origin: str = Origin.CLI
    company_id: int | None = None
    ip: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def label(self) -> str:
        return self.user.get_username() if self.user is not None else _("system")

    @classmethod
    def system(cls, origin: str = Origin.TASK, company_id: int | None = None) -> "Actor":
        return cls(None, origin, company_id)


def actor_of(request, origin: str | None = None) -> Actor:
    """The actor of a web or API request: its user, current company and client address."""
    if origin is None:
        origin = Origin.API if request.path.startswith("/api/") else Origin.WEB
    user = request.user
    company = getattr(request, "company", None)
    return Actor(
        user=user if user is not None and user.is_authenticated else None,
        origin=origin,
        company_id=company.pk if company is not None else None,
        ip=request.META.get("REMOTE_ADDR"),
    )
