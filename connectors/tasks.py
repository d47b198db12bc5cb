"""Celery entry points. Thin: parse primitives, call the sync service, report."""

from celery import shared_task

from .sync import sync_source


@shared_task(name="connectors.sync_source")
def sync_source_task(*, source: str, full: bool = False, **kwargs) -> dict:
    run = sync_source(source=source, full=full)
    return {"run_id": run.pk, "status": run.status, "error": run.error}
