"""How long an `Idempotency-Key` is remembered, and the periodic clean-up of older ones.

A key replays its stored answer for 24 hours (long enough for any client's retries); after that the same
key starts afresh, and `purge_expired` (a periodic task) deletes the rows so the table does not grow."""

from datetime import timedelta

from django.utils import timezone

from retaguarda.core.models import IdempotencyKey

TTL = timedelta(hours=24)


def expired_before(now=None):
    return (now or timezone.now()) - TTL


def purge_expired(now=None) -> int:
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=expired_before(now)).delete()
    return deleted
