"""Background tasks of the fiscal app (django.tasks, run by `retaguarda worker`)."""

from django.tasks import task


@task
def probe_contingencies() -> list[int]:
    """End the contingencies that began by themselves once the state's SEFAZ answers again (every 5 minutes)."""
    from retaguarda.fiscal.services.transmission import probe_contingencies

    return probe_contingencies()
