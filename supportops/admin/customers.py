from django.contrib import admin

from supportops.customers import identity_link
from supportops.models import Contact, Customer, CustomerIdentity

from .base import BaseAdmin
from .display import minor_money
from .forms import CustomerAdminForm
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
class CustomerAdmin(BaseAdmin):
    """Name and domains are the admin's; plan, paying, enterprise and MRR come from billing;
    the signup date from the linked records' creation times."""

    form = CustomerAdminForm
    list_display = ["name", "plan", "is_paying", "is_enterprise", "mrr"]
    list_filter = ["is_paying", "is_enterprise"]
    search_fields = ["name", "identities__external_id", "identities__account_key"]
    list_select_related = ["plan"]
    fields = ["name", "domains", "plan", "is_paying", "is_enterprise", "mrr", "signed_up_at"]
    readonly_fields = ["plan", "is_paying", "is_enterprise", "mrr", "signed_up_at"]
    inlines = [IdentityInline]
    actions = ["merge_customers"]

    mrr = minor_money("mrr_minor", "MRR")

    @admin.action(description="Merge selected customers into one…", permissions=["change"])
    def merge_customers(self, request, queryset):
        return merge_view(self, request, queryset)


@admin.register(CustomerIdentity)
class CustomerIdentityAdmin(BaseAdmin):
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
        "source_created_at",
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
