"""Gapless numbering series: the number is taken under a row lock in the caller's transaction,
so a rollback gives it back and two documents never share one."""

from django.db import IntegrityError, transaction

from retaguarda.core.models import NumberSeries


def next_number(key: str, *, company_id: int) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the document's transaction")
    try:
        with transaction.atomic():
            NumberSeries.objects.get_or_create(company_id=company_id, key=key)
    except IntegrityError:
        pass  # created by a concurrent transaction
    series = NumberSeries.objects.select_for_update().get(company_id=company_id, key=key)
    number = series.next_number
    NumberSeries.objects.filter(pk=series.pk).update(next_number=number + 1)
    return number
