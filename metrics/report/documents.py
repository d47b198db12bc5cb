"""The report's renderings: the email's HTML and text parts, the archive page, the PDF's HTML.

All read one view of the builder's data (`presented`), where every figure is already a string
as people read it (thousands separators, currency, signed changes), so the four cannot word a
number differently. Images are named by the chart's slug; each rendering says how a slug
becomes a `src` (cid: in the email, a URL in the archive, a data: URI in the PDF).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from .builder import COUNT, MONEY, RATE

CID_DOMAIN = "supportops.report"
UP, DOWN = "▲", "▼"
GOOD, BAD, NEUTRAL = "#047857", "#b91c1c", "#6b7280"


@dataclass(frozen=True)
class ChartImage:
    name: str
    png: bytes | None  # None: it failed to render; the section shows its table instead
    alt: str
    error: str = ""


def money(text: str | None, currency: str) -> str:
    return "—" if text is None else f"{Decimal(text):,.2f} {currency}"


def count(value: int | str | None) -> str:
    return "—" if value is None else f"{int(value):,}"


def rate(text: str | None) -> str:
    return "—" if text is None else f"{Decimal(text) * 100:.2f}%"


def engineers(text: str | None) -> str:
    return "—" if text is None else f"{Decimal(text):,.2f}"


def figure(unit: str, text, currency: str) -> str:
    return {MONEY: lambda: money(text, currency), COUNT: lambda: count(text),
            RATE: lambda: rate(text)}[unit]()  # fmt: skip


def _change(change: dict, against: str, value: str | None, unit: str, worse_up) -> dict:
    """ "▲ 12.3% vs Oct 2026" (a rate: "▲ 1.2 pts", the difference of the two rates, which is
    how people compare percentages), coloured by whether the move is good news; `worse_up`
    None: neither (tickets)."""
    if change["value"] is None:
        return {"text": f"no figure for {against}", "color": NEUTRAL}
    if unit == RATE and value is not None:
        delta = (Decimal(value) - Decimal(change["value"])) * 100
        size = f"{abs(delta):.1f} pts"
    elif change["change"] is not None:
        delta = Decimal(change["change"])
        size = f"{abs(delta) * 100:.1f}%"
    else:
        return {"text": f"— vs {against}", "color": NEUTRAL}
    arrow = UP if delta > 0 else DOWN if delta < 0 else "="
    if not delta or worse_up is None:
        color = NEUTRAL
    else:
        color = BAD if (delta > 0) == worse_up else GOOD
    return {"text": f"{arrow} {size} vs {against}", "color": color}


def _month_label(month_text: str, shift: int) -> str:
    from ..periods import Month

    return Month.parse(month_text).shift(shift).label


def presented(data: Mapping) -> dict:
    """The data with every figure worded; the templates print, they never compute."""
    currency = data["currency"]
    previous_label = _month_label(data["month"], -1)
    year_label = _month_label(data["month"], -12)
    headlines = [
        {
            "label": h["label"],
            "value": figure(h["unit"], h["value"], currency),
            "previous_month": _change(
                h["previous_month"], previous_label, h["value"], h["unit"], h["higher_is_worse"]
            ),
            "last_year": _change(
                h["last_year"], year_label, h["value"], h["unit"], h["higher_is_worse"]
            ),
            "note": h["note"],
        }
        for h in data.get("headlines", [])
    ]
    sections = data.get("sections", {})
    out = {
        "label": data["label"],
        "month": data["month"],
        "currency": currency,
        "timezone": data["timezone"],
        "has_data": data["has_data"],
        "missing": data.get("missing", ""),
        "billing_missing": data.get("billing_missing", ""),
        "headlines": headlines,
        "links": list(data["links"].items()),
        "archive_link": data["links"].get("Report archive", ""),
        "freshness": data["freshness"],
        "pdf_missing": data.get("pdf_missing", ""),
    }
    if "cost_trend" in sections:
        cost = sections["cost_trend"]
        out["cost_trend"] = {
            "missing": cost["missing"],
            "rows": [
                {"label": r["label"], "tickets": count(r["tickets"]),
                 "team_cost": money(r["team_cost"], currency),
                 "cost_per_ticket": money(r["cost_per_ticket"], currency),
                 "cost_per_reply": money(r["cost_per_reply"], currency)}
                for r in cost["rows"]
            ],
        }  # fmt: skip
    if "coverage" in sections:
        cov = sections["coverage"]
        forecast = cov["forecast"]
        out["coverage"] = {
            "missing": cov["missing"],
            "business_days": cov["business_days"],
            "over": [r["product"] for r in cov["rows"] if r["over_capacity"]],
            "rows": [
                {"product": r["product"], "tickets": count(r["tickets"]),
                 "required": engineers(r["required_engineers"]),
                 "assigned": engineers(r["assigned_engineers"]),
                 "coverage": rate(r["coverage_ratio"]), "over": r["over_capacity"]}
                for r in cov["rows"]
            ],
            "hires": forecast["total_hires_needed"],
            "hire_cost": money(forecast["total_monthly_cost"], currency),
            "forecast_months": forecast["months"],
            "hiring": [
                {"product": g["product"], "hires": g["hires_needed"],
                 "first_over": g["first_over_capacity_month"] or "—",
                 "hire_cost": money(g["hire_monthly_cost"], currency), "reason": g["reason"]}
                for g in forecast["groups"]
                if g["hires_needed"] or g["reason"]
            ],
        }  # fmt: skip
    if "feature_requests" in sections:
        req = sections["feature_requests"]
        out["feature_requests"] = {
            "missing": req["missing"],
            "rows": [
                {"label": r["label"], "tickets": count(r["tickets"]),
                 "customers": count(r["customers"]), "ltv": money(r["ltv_sum"], currency),
                 "mrr": money(r["mrr_sum"], currency)}
                for r in req["rows"]
            ],
        }  # fmt: skip
    if "bugs" in sections:
        bugs = sections["bugs"]
        out["bugs"] = {
            "missing": bugs["missing"],
            "rows": [
                {"title": r["title"], "tickets": count(r["tickets"]),
                 "customers": count(r["customers"]), "mrr": money(r["mrr"], currency),
                 "support_cost": money(r["support_cost"], currency)}
                for r in bugs["rows"]
            ],
        }  # fmt: skip
    if "unprofitable" in sections:
        un = sections["unprofitable"]
        out["unprofitable"] = {
            "missing": un["missing"],
            "count": count(un["count"]),
            # the margin of the unprofitable is ≤ 0: worded as the cost above revenue
            "total": money(_negated(un.get("total_margin")), currency),
            "rows": [
                {"name": r["name"], "support_cost": money(r["support_cost"], currency),
                 "revenue": money(r["revenue"], currency), "margin": money(r["margin"], currency)}
                for r in un["rows"]
            ],
        }  # fmt: skip
    return out


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _negated(text: str | None) -> str | None:
    return None if text is None else str(-Decimal(text))


def cid(name: str) -> str:
    return f"{name}@{CID_DOMAIN}"


def _charts(charts: list[ChartImage], src: Callable[[ChartImage], str]) -> dict:
    return {
        chart.name: {"src": src(chart), "alt": chart.alt}
        for chart in charts
        if chart.png is not None
    }


def email_html(data: Mapping, charts: list[ChartImage]) -> str:
    return render_to_string(
        "reports/email.html",
        {"r": presented(data), "charts": _charts(charts, lambda c: f"cid:{cid(c.name)}")},
    )


def pdf_html(data: Mapping, charts: list[ChartImage]) -> str:
    """The email's layout with the images inlined as data: URIs (Chromium prints it offline)."""

    def inline(chart: ChartImage) -> str:
        return data_uri(chart.png)

    return render_to_string(
        "reports/email.html", {"r": presented(data), "charts": _charts(charts, inline), "pdf": True}
    )


def archive_html(data: Mapping, charts: list[ChartImage], chart_url: Callable[[str], str]) -> str:
    return render_to_string(
        "reports/email_body.html",
        {"r": presented(data), "charts": _charts(charts, lambda c: chart_url(c.name))},
    )


def email_text(data: Mapping) -> str:
    return render_to_string("reports/email.txt", {"r": presented(data)})


def subject(data: Mapping) -> str:
    return f"SupportOps monthly report: {data['label']}"
