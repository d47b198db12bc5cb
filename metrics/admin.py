"""Admin of the monthly report (issue #9): schedule, recipients, built reports, deliveries.

Registered on the project's site (supportops/admin_site.py lists them under "Monthly
report"). Here rather than in supportops/admin/ because previews and test sends call the
report builder and sender, which live in metrics and which the core may not import.

Permissions: preview needs view on monthly reports; a test send creates a delivery row, so
it needs add on report deliveries; resend needs change on report deliveries (the rows are
otherwise read-only).
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from supportops.admin.base import BaseAdmin
from supportops.admin.readonly import ReadOnlyAdmin
from supportops.models import (
    MonthlyReport,
    ReportDelivery,
    ReportRecipient,
    ReportSchedule,
)

from .periods import BadPeriod, Month
from .report import delivery as sender
from .report.schedule import last_month

Status = ReportDelivery.Status
UNKNOWN = "Unknown: check, then resend"


def archive_url(month) -> str:
    text = f"{month:%Y-%m}"
    try:
        return reverse("report-archive", args=[text])
    except NoReverseMatch:  # the archive page is not mounted (yet)
        return f"/reports/{text}/"


@admin.register(ReportSchedule)
class ReportScheduleAdmin(BaseAdmin):
    list_display = ["__str__", "enabled", "send_hour"]
    change_form_template = "admin/supportops/reportschedule/change_form.html"

    def has_add_permission(self, request):
        return False  # the one row is made on first use (no query on every admin page)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """A list of one row is a click too many: straight to the schedule itself."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        schedule = ReportSchedule.load()
        return HttpResponseRedirect(
            reverse("admin:supportops_reportschedule_change", args=[schedule.pk])
        )


@admin.register(ReportRecipient)
class ReportRecipientAdmin(BaseAdmin):
    list_display = ["email", "name", "zone", "skip_if_no_data", "active", "last_delivery"]
    list_filter = ["active", "skip_if_no_data"]
    search_fields = ["email", "name"]
    fields = ["email", "name", "timezone", "skip_if_no_data", "active"]

    def get_queryset(self, request):
        # The address's latest report delivery (also one sent with send_report --to).
        latest = ReportDelivery.objects.filter(
            email=OuterRef("email"), kind=ReportDelivery.Kind.REPORT
        ).order_by("-month")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_status=Subquery(latest.values("status")[:1]),
                last_month=Subquery(latest.values("month")[:1]),
            )
        )

    @admin.display(description="Time zone", ordering="timezone")
    def zone(self, recipient):
        return recipient.timezone or "(reporting time zone)"

    @admin.display(description="Last delivery", ordering="last_month")
    def last_delivery(self, recipient):
        if recipient.last_status is None:
            return "—"
        label = Status(recipient.last_status).label
        return f"{recipient.last_month:%Y-%m}: {label}"


class MonthFilter(admin.SimpleListFilter):
    """Months as YYYY-MM, only those with rows (Django's date filter offers "past 7 days")."""

    title = "month"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = (
            model_admin.get_queryset(request).order_by("-month").values_list("month", flat=True)
        )
        return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in dict.fromkeys(months.distinct())]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            month = Month.parse(self.value())
        except BadPeriod:
            return queryset.none()
        return queryset.filter(month=month.first_date)


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "month_label",
        "email",
        "kind",
        "state",
        "attempts",
        "last_error",
        "sent_at",
        "message_id",
    ]
    list_filter = ["status", MonthFilter, "kind"]
    search_fields = ["email", "last_error", "message_id"]
    actions = ["resend_selected"]
    fields = [
        "month_label",
        "email",
        "recipient",
        "kind",
        "state",
        "attempts",
        "last_error",
        "claimed_at",
        "sent_at",
        "message_id",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["month_label", "state"]

    @admin.display(description="Month", ordering="month")
    def month_label(self, delivery):
        return f"{delivery.month:%Y-%m}"

    @admin.display(description="Status", ordering="status")
    def state(self, delivery):
        if sender.is_unknown(delivery, now=timezone.now()):
            return UNKNOWN
        return delivery.get_status_display()

    def has_resend_permission(self, request):
        return request.user.has_perm("supportops.change_reportdelivery")

    @admin.action(description="Resend the selected reports", permissions=["resend"])
    def resend_selected(self, request, queryset):
        now = timezone.now()
        for delivery in queryset.order_by("month", "email"):
            try:
                delivery = sender.resend(delivery, now=now)
            except sender.StillSending as exc:
                self.message_user(request, str(exc), messages.WARNING)
                continue
            _announce(self, request, delivery, "Resend")


def _announce(model_admin, request, delivery: ReportDelivery, what: str) -> None:
    label = f"{what} of {delivery.month:%Y-%m} to {delivery.email}"
    if delivery.status == Status.SENT:
        model_admin.message_user(request, f"{label}: sent.", messages.SUCCESS)
    elif delivery.status in (Status.FAILED, Status.GAVE_UP):
        model_admin.message_user(request, f"{label} failed: {delivery.last_error}", messages.ERROR)
    elif delivery.status == Status.SKIPPED:
        model_admin.message_user(request, f"{label}: skipped (no data).", messages.WARNING)
    else:
        model_admin.message_user(request, f"{label}: queued.", messages.INFO)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["month_label", "built_at", "has_data", "deliveries", "archive"]
    list_filter = ["has_data"]
    fields = ["month_label", "built_at", "has_data", "subject", "deliveries", "archive"]
    readonly_fields = ["month_label", "deliveries", "archive"]

    def get_queryset(self, request):
        sent = (
            ReportDelivery.objects.filter(month=OuterRef("month"), kind=ReportDelivery.Kind.REPORT)
            .order_by()
            .values("month")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .defer("data", "html_email", "text", "archive_html", "pdf")
            .annotate(delivery_count=Subquery(sent[:1]))
        )

    @admin.display(description="Month", ordering="month")
    def month_label(self, report):
        return f"{report.month:%Y-%m}"

    @admin.display(description="Deliveries", ordering="delivery_count")
    def deliveries(self, report):
        count = getattr(report, "delivery_count", None) or 0
        url = reverse("admin:supportops_reportdelivery_changelist")
        return format_html('<a href="{}?month={}">{}</a>', url, f"{report.month:%Y-%m}", count)

    @admin.display(description="Archive")
    def archive(self, report):
        url = archive_url(report.month)
        return format_html('<a href="{}">{}</a>', url, url)

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="supportops_monthlyreport_preview",
            ),
            path(
                "send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="supportops_monthlyreport_send_test",
            ),
            *super().get_urls(),
        ]

    def _month(self, request, value: str) -> Month | None:
        value = (value or "").strip()
        if not value:
            return last_month(now=timezone.now())
        try:
            return Month.parse(value)
        except BadPeriod as exc:
            self.message_user(request, f"Bad month: {exc}.", messages.ERROR)
            return None

    # The email HTML styles itself with style attributes, as on the archive page.
    @csp_replace({"style-src-attr": [UNSAFE_INLINE]})
    def preview_view(self, request):
        """The report as it would be built now (not saved, not sent), as the archive shows it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        from .report.snapshot import preview

        month = self._month(request, request.GET.get("month", ""))
        if month is None:
            return HttpResponseRedirect(reverse("admin:supportops_monthlyreport_changelist"))
        report = preview(month.first_date, now=timezone.now())
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: report of {month.label}",
            "opts": self.model._meta,
            "month": month,
            "report": report,
        }
        return TemplateResponse(request, "admin/supportops/monthlyreport/preview.html", context)

    def send_test_view(self, request):
        """POST: the month's report (built and saved if missing) to the signed-in user."""
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = ""
        back = back or reverse("admin:supportops_reportdelivery_changelist")
        if request.method != "POST":
            return HttpResponseRedirect(back)
        if not request.user.has_perm("supportops.add_reportdelivery"):
            raise PermissionDenied
        address = (request.user.email or "").strip()
        if not address:
            user_url = reverse("admin:auth_user_change", args=[request.user.pk])
            self.message_user(
                request,
                format_html(
                    'Your user has no email address: <a href="{}">add one to your user</a>, '
                    "then send the test again.",
                    user_url,
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(back)
        month = self._month(request, request.POST.get("month", ""))
        if month is None:
            return HttpResponseRedirect(back)
        delivery = sender.send_test(month.first_date, address, now=timezone.now())
        _announce(self, request, delivery, "Test")
        return HttpResponseRedirect(back)
