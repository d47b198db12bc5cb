"""The admin site: its index grouped the way an admin thinks rather than by Django app.

INSTALLED_APPS names SupportOpsAdminConfig in place of "django.contrib.admin". This module is
not in supportops/admin/ because Django imports the site class while that package registers
its models on this very site, and INSTALLED_APPS is read before models can be imported.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.text import slugify

# (section, models in the order shown). A registered model named in no section is listed
# under "Other", so nothing registered ever disappears from the index.
SECTIONS = [
    (
        "Cost inputs",
        [
            "supportops.TeamMember",
            "supportops.Expense",
            "supportops.Product",
            "supportops.MetricSettings",
        ],
    ),
    (
        "Customers and identities",
        ["supportops.Customer", "supportops.CustomerIdentity", "supportops.Contact"],
    ),
    (
        "Synced data (read-only)",
        [
            "supportops.Ticket",
            "supportops.Interaction",
            "supportops.Plan",
            "supportops.Subscription",
            "supportops.Invoice",
            "supportops.Charge",
            "supportops.Opportunity",
            "supportops.CrmActivity",
            "supportops.UsageMonth",
        ],
    ),
    ("Syncs", ["supportops.SyncRun", "supportops.SyncState", "supportops.ProductRemap"]),
    (
        "Monthly report",
        [
            "supportops.ReportSchedule",
            "supportops.ReportRecipient",
            "supportops.MonthlyReport",
            "supportops.ReportDelivery",
        ],
    ),
    (
        "Access",
        [
            "auth.User",
            "auth.Group",
            "knox.AuthToken",
            "axes.AccessAttempt",
            "axes.AccessFailureLog",
            "axes.AccessLog",
        ],
    ),
]
OTHER = "Other"


class SupportOpsAdminSite(admin.AdminSite):
    site_header = "SupportOps admin"
    site_title = "SupportOps admin"
    index_title = "Administration"

    def get_app_list(self, request, app_label=None):
        """The index and the sidebar list sections; an app's own page (/admin/<app>/) is kept."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        by_label = {
            model["model"]._meta.label: model for app in app_list for model in app["models"]
        }
        sections = [
            (name, [by_label.pop(label) for label in labels if label in by_label])
            for name, labels in SECTIONS
        ]
        sections.append((OTHER, list(by_label.values())))
        index_url = reverse("admin:index", current_app=self.name)
        return [
            {
                "name": name,
                "app_label": slugify(name),
                "app_url": f"{index_url}#{slugify(name)}",
                "has_module_perms": True,
                "models": models,
            }
            for name, models in sections
            if models
        ]


class SupportOpsAdminConfig(AdminConfig):
    default_site = "supportops.admin_site.SupportOpsAdminSite"
