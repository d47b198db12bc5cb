from django.contrib import admin

from supportops.models import SyncRun, SyncState

from .readonly import ReadOnlyAdmin


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "source",
        "status",
        "started_at",
        "duration",
        "records_read",
        "records_written",
        "error",
    ]
    list_filter = ["source", "status", "full"]
    search_fields = ["error"]
    date_hierarchy = "started_at"


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = ["source", "stream", "cursor", "updated_at"]
    list_filter = ["source"]
