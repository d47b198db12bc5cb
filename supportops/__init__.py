"""SupportOps: support analytics joined with billing, CRM and usage data."""

from .celery import app as celery_app

__all__ = ("celery_app",)
