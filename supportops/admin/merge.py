"""The admin's two-step merge: pick the customer to keep, then confirm."""

from django.contrib import messages
from django.template.response import TemplateResponse

from supportops.customers import customers_merge


def merge_view(model_admin, request, queryset):
    customers = list(queryset.order_by("id"))
    if len(customers) < 2:
        model_admin.message_user(
            request, "Select at least two customers to merge.", messages.WARNING
        )
        return None
    if request.POST.get("confirm") == "yes":
        target_id = request.POST.get("target")
        target = next((c for c in customers if str(c.pk) == target_id), None)
        if target is None:
            model_admin.message_user(request, "Choose the customer to keep.", messages.ERROR)
        else:
            others = [c for c in customers if c.pk != target.pk]
            customers_merge(target=target, others=others)
            model_admin.message_user(
                request, f"Merged {len(others)} customer(s) into {target}.", messages.SUCCESS
            )
            return None
    return TemplateResponse(
        request,
        "admin/supportops/customer/merge.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Merge customers",
            "customers": customers,
            "opts": model_admin.model._meta,
            "action_checkbox_name": "_selected_action",
        },
    )
