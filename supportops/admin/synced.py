"""Synced data: read-only mirrors of the vendors' records, newest first."""

from django.contrib import admin

from supportops.models import (
    Charge,
    CrmActivity,
    Interaction,
    Invoice,
    Opportunity,
    Plan,
    Subscription,
    Ticket,
    UsageMonth,
)

from .display import count, major_money, minor_money
from .readonly import ReadOnlyAdmin


class InteractionInline(admin.TabularInline):
    model = Interaction
    fields = ["created_at", "author_role", "is_public", "body"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "source",
        "subject",
        "customer",
        "channel",
        "status",
        "product",
        "created_at",
        "is_deleted",
    ]
    list_filter = ["source", "channel", "status", "product", "is_deleted", "type"]
    search_fields = ["external_id", "subject", "customer__name"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_select_related = ["customer", "product"]
    inlines = [InteractionInline]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "source",
        "ticket_external_id",
        "author_role",
        "is_public",
        "created_at",
    ]
    list_filter = ["source", "author_role", "is_public"]
    search_fields = ["external_id", "ticket_external_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "name", "unit_amount", "interval", "is_active"]
    list_filter = ["source", "interval", "is_active"]
    search_fields = ["external_id", "name"]
    shown_as = {"unit_amount_minor": "unit_amount"}

    unit_amount = minor_money("unit_amount_minor", "Unit amount")


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "customer", "status", "mrr", "started_at"]
    list_filter = ["source", "status"]
    search_fields = ["external_id", "customer__name"]
    ordering = ["-started_at", "-id"]
    list_select_related = ["customer"]
    shown_as = {"mrr_minor": "mrr"}

    mrr = minor_money("mrr_minor", "MRR")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "customer", "status", "amount_due", "amount_paid", "created_at"]
    list_filter = ["source", "status"]
    search_fields = ["external_id", "customer__name"]
    ordering = ["-created_at", "-id"]
    list_select_related = ["customer"]
    shown_as = {"amount_due_minor": "amount_due", "amount_paid_minor": "amount_paid"}

    amount_due = minor_money("amount_due_minor", "Amount due")
    amount_paid = minor_money("amount_paid_minor", "Amount paid")


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "customer",
        "status",
        "amount",
        "amount_refunded",
        "failure_code",
        "created_at",
    ]
    list_filter = ["source", "status", "refunded", "disputed"]
    search_fields = ["external_id", "payment_intent_external_id", "customer__name"]
    ordering = ["-created_at", "-id"]
    list_select_related = ["customer"]
    shown_as = {
        "amount_minor": "amount",
        "amount_captured_minor": "amount_captured",
        "amount_refunded_minor": "amount_refunded",
    }

    amount = minor_money("amount_minor", "Amount")
    amount_captured = minor_money("amount_captured_minor", "Amount captured")
    amount_refunded = minor_money("amount_refunded_minor", "Amount refunded")


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "name", "customer", "stage", "value", "is_won", "close_date"]
    list_filter = ["source", "stage", "is_won", "is_closed"]
    search_fields = ["external_id", "name", "customer__name"]
    ordering = ["-created_at", "-id"]
    list_select_related = ["customer"]
    shown_as = {"amount": "value"}

    value = major_money("amount", "Amount")


@admin.register(CrmActivity)
class CrmActivityAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "kind", "subject", "customer", "status", "source"]
    list_filter = ["source", "kind", "status", "is_deleted"]
    search_fields = ["external_id", "subject", "customer__name"]
    date_hierarchy = "occurred_at"
    ordering = ["-occurred_at", "-id"]
    list_select_related = ["customer"]


@admin.register(UsageMonth)
class UsageMonthAdmin(ReadOnlyAdmin):
    list_display = ["account_id", "month", "calls", "customer", "source"]
    list_filter = ["source", "month"]
    search_fields = ["account_id", "customer__name"]
    ordering = ["-month", "account_id"]
    list_select_related = ["customer"]
    shown_as = {"api_calls": "calls"}

    calls = count("api_calls", "API calls")
