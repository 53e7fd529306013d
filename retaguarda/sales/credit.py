"""A customer's credit exposure: their open receivables plus their orders confirmed and not yet invoiced.

One definition, held against the customer's credit limit by the confirmation (`services.orders.check_credit`,
for one customer) and by the watch rule `sales.credit_limit` (every customer of the company, in one query).
A limit of zero means the customer is not under credit control."""

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from retaguarda.core.decimal_sql import DecimalAdd, DecimalSum
from retaguarda.core.money import ZERO, MoneyField
from retaguarda.finance.selectors import open_total_subquery
from retaguarda.parties.models import Party
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import RESERVED_STATES


def exposures(company_id: int) -> QuerySet[Party]:
    """The company's customers under credit control, each with `open_receivables`, `pending_orders`
    (confirmed orders waiting for their note: their stock is reserved, their receivable not yet created)
    and `exposure`, their sum. Correlated subqueries through the open-installment and the order-customer
    indexes; filter on `exposure__gt=F("credit_limit")` for the customers over their limit."""
    pending = (
        SalesOrder.objects.filter(company_id=company_id, customer=OuterRef("pk"), state__in=RESERVED_STATES)
        .order_by()
        .values("customer")
        .annotate(total=DecimalSum("total"))
        .values("total")
    )
    zero = Value(ZERO, output_field=MoneyField())
    return (
        Party.objects.filter(company_id=company_id, credit_limit__gt=0)
        .annotate(
            open_receivables=Coalesce(open_total_subquery(company_id, OuterRef("pk")), zero),
            pending_orders=Coalesce(Subquery(pending, output_field=MoneyField()), zero),
        )
        .annotate(exposure=DecimalAdd("open_receivables", "pending_orders"))
    )
