from .base import BaseAdmin


class ReadOnlyAdmin(BaseAdmin):
    """Synced rows mirror a vendor system: editing them here would be overwritten or lost."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
