"""Products with their ticket→product rules, and the runs re-mapping existing tickets.

A rule change re-maps existing tickets in the background (supportops/product_remap.py); the
re-map list shows each run's progress, and "Re-map now" asks for one by hand, e.g. after a
full sync filled in form ids.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from supportops.models import Product, ProductRemap, ProductRule
from supportops.product_remap import remap_percent, remap_request

from . import display
from .base import BaseAdmin
from .readonly import ReadOnlyAdmin

FORM_HELP = (
    "A ticket-form rule matches the Zendesk ticket form id. Tickets synced before form ids "
    'were kept have none until the next full Zendesk sync; run "Re-map now" (Product '
    "re-maps) after it."
)
RULES_HELP = (
    "Rules run by position (lower first); a ticket gets the product of the first rule it "
    "matches. Saving rules re-maps the tickets already stored in the background: see Product "
    "re-maps (under Syncs) for its progress. " + FORM_HELP
)


class ProductRuleInline(admin.TabularInline):
    model = ProductRule
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "kind":
            field.help_text = FORM_HELP
        return field


@admin.register(Product)
class ProductAdmin(BaseAdmin):
    list_display = ["name", "is_enterprise_group"]
    fieldsets = [(None, {"fields": ["name", "is_enterprise_group"], "description": RULES_HELP})]
    inlines = [ProductRuleInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        changed = [
            *formset.new_objects,
            *(obj for obj, _ in formset.changed_objects),
            *formset.deleted_objects,
        ]
        remap = next((r for r in (getattr(o, "_product_remap", None) for o in changed) if r), None)
        if remap is not None:
            _remap_announce(self, request, remap)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _remap_announce(self, request, obj._product_remap)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _remap_announce(self, request, ProductRemap.objects.order_by("-requested_at").first())


def _remap_announce(model_admin, request, remap: ProductRemap | None) -> None:
    if remap is None:
        return
    url = reverse("admin:supportops_productremap_change", args=[remap.pk])
    model_admin.message_user(
        request,
        format_html(
            'Existing tickets are re-mapped to the rules in the background: <a href="{}">{}</a>.',
            url,
            remap,
        ),
        messages.INFO,
    )


@admin.register(ProductRemap)
class ProductRemapAdmin(ReadOnlyAdmin):
    change_list_template = "admin/supportops/productremap/change_list.html"
    list_display = ["requested_at", "status", "progress", "changed", "took", "reason", "error"]
    list_filter = ["status"]
    search_fields = ["reason", "error"]
    fields = [
        "status",
        "reason",
        "requested_at",
        "started_at",
        "finished_at",
        "took",
        "progress",
        "changed",
        "error",
    ]
    readonly_fields = ["took", "progress", "changed"]

    changed = display.count("tickets_changed", "Tickets changed")

    @admin.display(description="Progress")
    def progress(self, remap):
        return f"{remap.tickets_done:,} of {remap.tickets_total:,} ({remap_percent(remap)}%)"

    @admin.display(description="Duration")
    def took(self, remap):
        if remap.started_at is None:
            return None
        return display.duration((remap.finished_at or timezone.now()) - remap.started_at)

    def get_urls(self):
        return [
            path(
                "remap-now/",
                self.admin_site.admin_view(self.remap_now_view),
                name="supportops_productremap_now",
            ),
            *super().get_urls(),
        ]

    def remap_now_view(self, request):
        """POST only, staff only (admin_view sees to staff): queue a run over every ticket."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:supportops_productremap_changelist"))
        if not self.has_view_permission(request):
            raise PermissionDenied
        remap = remap_request(f"re-map now by {request.user.get_username()}")
        remap.refresh_from_db()  # with no broker it has run already
        _remap_announce(self, request, remap)
        return HttpResponseRedirect(reverse("admin:supportops_productremap_changelist"))
