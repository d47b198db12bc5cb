"""Celery entry points of the core. Thin: call the service, report primitives."""

from celery import shared_task

from .product_remap import remap_run


@shared_task(name="supportops.product_remap")
def product_remap_task(*, remap_id: int, **kwargs) -> dict:
    remap = remap_run(remap_id)
    if remap is None:  # claimed already, finished, or waiting behind a running one
        return {"remap_id": remap_id, "status": None, "error": ""}
    return {"remap_id": remap.pk, "status": remap.status, "error": remap.error}
