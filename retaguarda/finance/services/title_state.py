"""A title's state follows its open amount; both change in one UPDATE, because the database checks
that they agree (`finance_title_state_matches_open`). The timeline event is written as
`core.states.transition` writes it."""

from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.core.actor import Actor
from retaguarda.core.errors import InvalidTransition, NotFound
from retaguarda.core.models import DocumentEvent
from retaguarda.finance.models import Title
from retaguarda.finance.states import TitleState


def lock_title(company_id: int, title_id: int) -> Title:
    title = Title.objects.select_for_update().filter(company_id=company_id, pk=title_id).first()
    if title is None:
        raise NotFound()
    return title


def state_for(title: Title, amount_open: Decimal) -> str:
    if amount_open == 0:
        return TitleState.SETTLED
    if amount_open == title.amount:
        return TitleState.OPEN
    return TitleState.PARTIAL


def set_open(title: Title, amount_open: Decimal, *, actor: Actor, state: str | None = None, payload=None) -> Title:
    """Write the title's new open amount and the state it implies (or `state`), logging the change."""
    target = state or state_for(title, amount_open)
    current = title.state
    if target != current and target not in Title.TRANSITIONS.get(current, set()):
        labels = dict(TitleState.choices)
        raise InvalidTransition(
            _("Cannot move from “%(from)s” to “%(to)s”.")
            % {"from": labels.get(current, current), "to": labels.get(target, target)}
        )
    title.amount_open = amount_open
    title.state = target
    title.version += 1
    title.save(update_fields=["amount_open", "state", "version", "updated_at"])
    if target != current:
        DocumentEvent.objects.create(
            document_type=Title._meta.label_lower,
            document_id=title.pk,
            from_state=current,
            to_state=target,
            user=actor.user,
            origin=actor.origin,
            payload=payload or {},
        )
    return title
