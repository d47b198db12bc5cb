"""The Celery app. Periodic schedules live in `supportops.schedules`, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportops.settings.base")

app = Celery("supportops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["connectors", "supportops", "metrics", "metrics.report"])


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    from .schedules import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
