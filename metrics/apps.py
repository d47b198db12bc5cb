"""The metrics app: after a sync finishes, refresh what is derived from the data."""

from django.apps import AppConfig
from django.db.models.signals import post_save


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self):
        from supportops.models import SyncRun

        from . import tasks  # noqa: F401 (registers "metrics.refresh_derived" for asking by name)
        from .refresh import sync_finished

        post_save.connect(sync_finished, sender=SyncRun, dispatch_uid="metrics-refresh-after-sync")
