"""API tokens in admin: who holds one and until when, never the token nor its digest.

Knox's own admin lists the digest and shows a new token in a message; ours lists only the
first characters knox keeps to find a token (`token_key`), and adds none: a token is asked
for by its owner at POST /api/v1/auth/token/. Deleting a row here revokes that token.
"""

from django.contrib import admin
from knox.models import AuthToken


class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ["starts_with", "user", "created", "expiry"]
    list_filter = ["expiry"]
    search_fields = ["user__username"]
    fields = ["starts_with", "user", "created", "expiry"]
    readonly_fields = fields
    ordering = ["-created"]
    list_select_related = ["user"]

    @admin.display(description="Starts with", ordering="token_key")
    def starts_with(self, token):
        return f"{token.token_key[:8]}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)
admin.site.register(AuthToken, AuthTokenAdmin)
