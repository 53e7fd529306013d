"""The company an actor works in. Finance never falls back to "every company": an actor without one is
refused. (To be replaced by the core company-scoping helper once it lands on main.)"""

from retaguarda.core.actor import Actor
from retaguarda.core.errors import Forbidden


def company_of(actor: Actor) -> int:
    if not actor.company_id:
        raise Forbidden(code="access.no_company")
    return actor.company_id
