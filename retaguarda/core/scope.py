"""Company scope: every business read and write is limited to one company, and no company means no business.

`scoped(Product, actor)` is the company's products; an actor without a company is refused with
`NoCompany` (403 `access.no_company`) instead of seeing every company's rows. System work (tasks,
commands, the demo) names its company explicitly: `Actor.system(company_id=...)`, or a company id.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from retaguarda.core.actor import Actor
from retaguarda.core.errors import DomainError


class NoCompany(DomainError, PermissionDenied):
    """Also a PermissionDenied, so a page answers it with the 403 page and its message."""

    code = "access.no_company"
    status = 403
    default_message = _("You do not work in any company yet. Ask an administrator to give you access to one.")


def company_optional(view):
    """Mark a page that a signed-in user without a company may still open (sign-in, own account,
    the company list, reference tables). Every other page answers `NoCompany`. Put it outermost."""
    view.company_optional = True
    return view


def company_id_of(whom: Any) -> int:
    """The company id of an actor, a company or a plain id; `NoCompany` when there is none."""
    if isinstance(whom, Actor):
        company_id = whom.company_id
    elif isinstance(whom, Model):
        company_id = whom.pk
    else:
        company_id = whom
    if not company_id:
        raise NoCompany()
    return int(company_id)


def scoped(source: type[Model] | QuerySet, whom: Any, *, field: str = "company") -> QuerySet:
    """The rows of `source` (a model or a queryset) that belong to `whom`'s company.

    `field` is the path to the company when it is not a direct `company` foreign key
    (`"location__company"`)."""
    qs = source._default_manager.all() if isinstance(source, type) else source
    return qs.filter(**{f"{field}_id": company_id_of(whom)})
