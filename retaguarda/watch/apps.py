from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WatchConfig(AppConfig):
    name = "retaguarda.watch"
    label = "watch"
    verbose_name = _("Watch")

    def ready(self):
        from retaguarda.core import periodic
        from retaguarda.core.audit import register_action_labels
        from retaguarda.watch import (
            notifications,  # noqa: F401  (registers the outbox handler)
            triggers,  # noqa: F401  (timeline events -> event-driven evaluation)
        )
        from retaguarda.watch.tasks import run_watch, weekly_digest

        periodic.register(run_watch, every=timedelta(minutes=15))
        periodic.register(weekly_digest, every=timedelta(days=7))
        register_action_labels(
            {
                "opened": pgettext_lazy("audit action", "opened"),
                "reopened": pgettext_lazy("audit action", "reopened"),
                "resolved": pgettext_lazy("audit action", "resolved"),
                "dismissed": pgettext_lazy("audit action", "dismissed"),
                "acknowledged": pgettext_lazy("audit action", "acknowledged"),
                "in_progress": pgettext_lazy("audit action", "started"),
                "open": pgettext_lazy("audit action", "reopened"),
                "assigned": pgettext_lazy("audit action", "assigned"),
                "planned": pgettext_lazy("audit action", "plan changed"),
                "commented": pgettext_lazy("audit action", "commented"),
                "step_checked": pgettext_lazy("audit action", "step done"),
                "step_unchecked": pgettext_lazy("audit action", "step undone"),
                "escalated": pgettext_lazy("audit action", "escalated"),
            }
        )
