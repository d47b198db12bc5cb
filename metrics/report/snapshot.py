"""A month's report built once and kept: the data, its charts and every rendering of them.

Why a snapshot: sending goes to several people, maybe over hours (each at 8:00 in their own
time zone), with retries; the archive must show what was sent. Building once per month and
sending that row gives everyone the same numbers whatever syncs in between. `rebuild` exists
for an admin who fixed an input and wants the month's report made again (before it goes out).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse

from supportops.models import MonthlyReport, ReportChart

from ..figures.report import cost_trend_alt, cost_trend_figure, coverage_alt, coverage_figure
from ..periods import Month
from . import documents
from .builder import build_report

log = logging.getLogger(__name__)

CHART_WIDTH, CHART_HEIGHT = 552, 300  # CSS pixels; rendered at 2× for sharp screens


def month_of(value: date | Month) -> Month:
    return value if isinstance(value, Month) else Month(value.year, value.month)


def _figures(data: dict) -> list[tuple[str, object, str]]:
    """(name, figure, alt) of each chart the data has figures for."""
    sections = data.get("sections", {})
    out = []
    cost = sections.get("cost_trend")
    if cost and cost["rows"] and not cost["missing"]:
        out.append(("cost_trend", cost_trend_figure(cost["rows"], data["currency"]),
                    cost_trend_alt(cost["rows"], data["currency"])))  # fmt: skip
    coverage = sections.get("coverage")
    if coverage and coverage["rows"]:
        out.append(("coverage", coverage_figure(coverage["rows"], data["label"]),
                    coverage_alt(coverage["rows"], data["label"])))  # fmt: skip
    return out


def render_charts(data: dict) -> list[documents.ChartImage]:
    """Each chart as a PNG; one that fails or runs past the time limit is logged and comes
    back without an image, so its section prints its table and the report still goes out."""
    from .render import RenderError, charts_png

    figures = _figures(data)
    results = charts_png([(figure, CHART_WIDTH, CHART_HEIGHT) for _, figure, _ in figures])
    images = []
    for (name, _, alt), result in zip(figures, results, strict=True):
        if isinstance(result, RenderError):
            log.warning("report %s: chart %s not rendered: %s", data["month"], name, result)
            images.append(documents.ChartImage(name, None, alt, str(result)))
        else:
            images.append(documents.ChartImage(name, result, alt))
    return images


def _pdf(data: dict, charts: list[documents.ChartImage]) -> bytes:
    from .render import html_to_pdf

    return html_to_pdf(documents.pdf_html(data, charts))


def chart_url(month: Month, name: str) -> str:
    return reverse("report-chart", args=[str(month), name])


def _build(month: Month, *, now: datetime) -> tuple[MonthlyReport, list[ReportChart]]:
    from .render import RenderError

    data = build_report(month, now=now)
    charts = render_charts(data)
    try:
        pdf = _pdf(data, charts)
    except RenderError as exc:
        # The email and the archive still carry every figure; a missing attachment is said
        # in the email rather than holding the whole report back.
        log.warning("report %s: PDF not rendered: %s", data["month"], exc)
        pdf = b""
        data["pdf_missing"] = f"The PDF could not be made this time ({exc})."
    report = MonthlyReport(
        month=month.first_date,
        built_at=now,
        has_data=data["has_data"],
        data=data,
        subject=documents.subject(data),
        html_email=documents.email_html(data, charts),
        text=documents.email_text(data),
        archive_html=documents.archive_html(data, charts, lambda n: chart_url(month, n)),
        pdf=pdf,
    )
    rows = [
        ReportChart(name=chart.name, position=i, png=chart.png, alt=chart.alt)
        for i, chart in enumerate(charts)
        if chart.png is not None
    ]
    return report, rows


def report_for(month: date | Month, *, now: datetime, rebuild: bool = False) -> MonthlyReport:
    """The month's saved report, built and saved (with its charts) when there is none yet.

    Two workers asking at once both build, and the unique month keeps one: the loser reads
    the winner's row, so every recipient still gets the same snapshot.
    """
    month = month_of(month)
    existing = MonthlyReport.objects.filter(month=month.first_date).first()
    if existing is not None and not rebuild:
        return existing
    report, charts = _build(month, now=now)
    with transaction.atomic():
        if rebuild:
            MonthlyReport.objects.filter(month=month.first_date).delete()
        elif MonthlyReport.objects.select_for_update().filter(month=month.first_date).exists():
            return MonthlyReport.objects.get(month=month.first_date)
        report.save()
        for chart in charts:
            chart.report = report
        ReportChart.objects.bulk_create(charts)
    return report


def preview(month: date | Month, *, now: datetime) -> MonthlyReport:
    """An unsaved build (admin's preview): `chart_list` holds its unsaved charts, and its
    archive_html carries them as data: URIs (there is no saved chart to link to)."""
    report, charts = _build(month_of(month), now=now)
    inline = {c.name: documents.data_uri(c.png) for c in charts if c.png is not None}
    report.archive_html = documents.archive_html(report.data, charts, inline.__getitem__)
    report.chart_list = charts
    return report
