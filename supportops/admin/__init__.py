"""Django admin: cost inputs are edited here; synced data and sync runs are read-only."""

from django.contrib import admin

from . import costs, sync, synced  # noqa: F401

admin.site.site_header = "SupportOps admin"
admin.site.site_title = "SupportOps admin"
admin.site.index_title = "Cost inputs, synced data and sync runs"
