"""The Celery app. Periodic schedules live in `supportops.schedules`, in one place.

Without DJANGO_SETTINGS_MODULE a worker runs the production settings
(supportops/settings/choose.py), which refuse the published demo SECRET_KEY.
"""

from celery import Celery

from .settings.choose import settings_module_choose

settings_module_choose()

app = Celery("supportops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["connectors", "supportops", "metrics", "metrics.report"])


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    from .schedules import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
