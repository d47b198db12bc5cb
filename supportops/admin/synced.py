from django.contrib import admin

from supportops.customers import identity_link
from supportops.models import (
    Charge,
    Contact,
    Customer,
    CustomerIdentity,
    Interaction,
    Invoice,
    Opportunity,
    Plan,
    Subscription,
    Ticket,
    UsageMonth,
)

from .merge import merge_view
from .readonly import ReadOnlyAdmin


class IdentityInline(admin.TabularInline):
    model = CustomerIdentity
    fields = ["source", "external_id", "name", "account_key", "match_method"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "is_paying", "is_enterprise", "mrr_minor", "currency"]
    list_filter = ["is_paying", "is_enterprise"]
    search_fields = ["name", "identities__external_id", "identities__account_key"]
    readonly_fields = ["plan", "is_paying", "is_enterprise", "mrr_minor", "currency"]
    inlines = [IdentityInline]
    actions = ["merge_customers"]

    @admin.action(description="Merge selected customers into one…", permissions=["change"])
    def merge_customers(self, request, queryset):
        return merge_view(self, request, queryset)


@admin.register(CustomerIdentity)
class CustomerIdentityAdmin(admin.ModelAdmin):
    """Source records are read-only, except for the customer an admin links them to."""

    list_display = ["source", "external_id", "name", "account_key", "customer", "match_method"]
    list_filter = [
        ("customer", admin.EmptyFieldListFilter),
        "source",
        "match_method",
        "is_deleted",
    ]
    search_fields = ["external_id", "name", "account_key", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    fields = [
        "customer",
        "source",
        "external_id",
        "name",
        "domains",
        "account_key",
        "references",
        "match_method",
        "is_deleted",
        "synced_at",
        "extra",
    ]
    readonly_fields = [f for f in fields if f != "customer"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "customer" in form.changed_data:
            identity_link(identity=obj, customer=obj.customer)


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["email", "name", "role", "source", "customer", "is_active"]
    list_filter = ["source", "role", "is_active"]
    search_fields = ["email", "name", "external_id"]
    list_select_related = ["customer"]


class InteractionInline(admin.TabularInline):
    model = Interaction
    fields = ["created_at", "author_role", "is_public", "body"]
    readonly_fields = fields
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


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "name", "unit_amount_minor", "currency", "interval"]
    list_filter = ["source", "interval", "is_active"]
    search_fields = ["external_id", "name"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "customer", "status", "mrr_minor", "currency", "started_at"]
    list_filter = ["source", "status"]
    search_fields = ["external_id", "customer__name"]
    list_select_related = ["customer"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "customer",
        "status",
        "amount_paid_minor",
        "currency",
        "created_at",
    ]
    list_filter = ["source", "status"]
    search_fields = ["external_id", "customer__name"]
    list_select_related = ["customer"]


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "customer",
        "status",
        "amount_minor",
        "amount_refunded_minor",
        "currency",
        "failure_code",
        "created_at",
    ]
    list_filter = ["source", "status", "refunded", "disputed"]
    search_fields = ["external_id", "payment_intent_external_id", "customer__name"]
    list_select_related = ["customer"]


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "name", "customer", "stage", "amount", "is_won", "close_date"]
    list_filter = ["source", "stage", "is_won", "is_closed"]
    search_fields = ["external_id", "name", "customer__name"]
    list_select_related = ["customer"]


@admin.register(UsageMonth)
class UsageMonthAdmin(ReadOnlyAdmin):
    list_display = ["account_id", "month", "api_calls", "customer", "source"]
    list_filter = ["source", "month"]
    search_fields = ["account_id", "customer__name"]
    list_select_related = ["customer"]
