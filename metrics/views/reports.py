"""The report archive: every month's report as it was sent, its PDF and its chart images.

The pages show the stored snapshot (metrics/report/snapshot.py), never a rebuild, so what a
reader finds here is what the email said. Login is required by the site's middleware like
every page.
"""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_replace
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render

from supportops.models import MonthlyReport, ReportChart, ReportDelivery

from ..periods import BadPeriod, Month


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except BadPeriod:
        raise Http404(f"No report for {text!r}: months are written YYYY-MM.") from None


def _report(text: str) -> MonthlyReport:
    month = _month(text)
    report = MonthlyReport.objects.filter(month=month.first_date).first()
    if report is None:
        raise Http404(f"No report has been built for {month.label}.")
    return report


def report_list_view(request):
    reports = MonthlyReport.objects.defer("html_email", "text", "archive_html", "pdf", "data")
    months = {report.month: report for report in reports}
    deliveries = (
        ReportDelivery.objects.filter(kind=ReportDelivery.Kind.REPORT)
        .values("month")
        .annotate(
            sent=Count("pk", filter=Q(status=ReportDelivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=ReportDelivery.Status.GAVE_UP)),
            waiting=Count("pk", filter=~Q(status__in=[ReportDelivery.Status.SENT,
                                                      ReportDelivery.Status.GAVE_UP,
                                                      ReportDelivery.Status.SKIPPED])),
            last_sent=Max("sent_at"),
        )
        .order_by()
    )  # fmt: skip
    counts = {row["month"]: row for row in deliveries}
    rows = [
        {
            "month": Month(month.year, month.month),
            "report": months.get(month),
            "counts": counts.get(month, {}),
        }
        for month in sorted(set(months) | set(counts), reverse=True)
    ]
    return render(request, "reports/archive_list.html", {"rows": rows})


# The stored email HTML styles itself with style attributes (email clients read no
# stylesheet): this page alone allows them; scripts and <style> elements stay nonce-only.
@csp_replace({"style-src-attr": [UNSAFE_INLINE]})
def report_archive_view(request, month: str):
    report = _report(month)
    deliveries = ReportDelivery.objects.filter(month=report.month).order_by("email", "kind")
    return render(
        request,
        "reports/archive.html",
        {"report": report, "month": _month(month), "deliveries": deliveries},
    )


def report_pdf_view(request, month: str):
    report = _report(month)
    if not report.pdf:
        raise Http404(report.data.get("pdf_missing") or "This report has no PDF.")
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    filename = f"supportops-report-{report.month:%Y-%m}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def report_chart_view(request, month: str, name: str):
    chart = ReportChart.objects.filter(report__month=_month(month).first_date, name=name).first()
    if chart is None:
        raise Http404("No such chart.")
    response = HttpResponse(bytes(chart.png), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response
