from django.contrib import admin

from supportops.models import SyncRun, SyncState
from supportops.redact import redact

from . import display
from .readonly import ReadOnlyAdmin


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ["source", "status", "started_at", "took", "read", "written", "reason"]
    list_filter = ["source", "status", "full"]
    search_fields = ["error"]
    date_hierarchy = "started_at"
    fields = [
        "source",
        "status",
        "full",
        "started_at",
        "finished_at",
        "took",
        "records_read",
        "records_written",
        "pages",
        "counts",
        "reason",
    ]
    readonly_fields = ["took", "reason"]

    read = display.count("records_read", "Records read")
    written = display.count("records_written", "Records written")

    @admin.display(description="Error", ordering="error")
    def reason(self, run):
        # Rows saved before redaction existed may still hold a credential.
        return redact(run.error)

    @admin.display(description="Duration")
    def took(self, run):
        return display.duration(run.duration)


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = ["source", "stream", "cursor", "updated_at"]
    list_filter = ["source"]
