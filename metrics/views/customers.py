"""Customers: the filtered list and its CSV, one customer's page, unmatched records."""

from urllib.parse import urlencode

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ..cached import customer_list_cached
from ..customer_csv import customer_csv_lines
from ..customer_query import (
    DEFAULT_SORT,
    BadFilter,
    BadSort,
    CustomerFilters,
    customer_filter_form,
    stale_preset_query,
)
from ..customers import (
    customer_detail,
    customer_export,
    customer_plans,
    unmatched_rows,
)
from ..figures.customers import customer_activity_chart
from ..timeline import BadTimelineFilter, TimelineFilters, filter_options

# Events per page of a customer's timeline: enough for "what happened lately" on a phone.
TIMELINE_EVENTS = 50


def _stale_preset_url() -> str:
    """The "stale high-value accounts" view: paying, no contact in 60 days, highest MRR first."""
    return f"{reverse('customers')}?{urlencode(stale_preset_query())}"


def _customer_list_error(request, exc: BadSort | BadFilter):
    """The list page with the form as typed and what is wrong with it, as a 400."""
    if isinstance(exc, BadSort):
        error, param = f"Cannot sort the customers: {exc}.", "sort"
    else:
        error, param = f"Cannot filter the customers: {exc}.", exc.param
    plans = customer_plans(selected=request.GET.get("plan", "").strip())
    context = {
        "error": error,
        "form": customer_filter_form(query=request.GET, plans=plans, error_param=param),
        "search": request.GET.get("search", "").strip(),
        "stale_preset_url": _stale_preset_url(),
    }
    return render(request, "metrics/customers.html", context, status=400)


def customer_list_view(request):
    try:
        page = customer_list_cached(
            now=timezone.now(),
            filters=CustomerFilters.parse(request.GET),
            sort=request.GET.get("sort", DEFAULT_SORT),
            page=request.GET.get("page", 1),
        )
    except (BadSort, BadFilter) as exc:
        return _customer_list_error(request, exc)
    context = {
        "page": page,
        "search": page.search,
        "form": customer_filter_form(query=request.GET, plans=page.plans),
        "stale_preset_url": _stale_preset_url(),
    }
    return render(request, "metrics/customers.html", context)


def customer_list_csv_view(request):
    """Every customer the list shows for the same parameters, streamed as CSV."""
    now = timezone.now()
    try:
        rows = customer_export(
            now=now,
            filters=CustomerFilters.parse(request.GET),
            sort=request.GET.get("sort", DEFAULT_SORT),
        )
    except (BadSort, BadFilter) as exc:
        return _customer_list_error(request, exc)
    response = StreamingHttpResponse(
        customer_csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="customers-{now:%Y-%m-%d}.csv"'
    return response


def _timeline_number(request) -> int:
    raw = request.GET.get("page", "").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise BadTimelineFilter("page", f"The page must be a whole number from 1, not {raw!r}")
    return int(raw)


def _timeline_csv_url(customer_id: int, filters: TimelineFilters | None) -> str:
    """The API's CSV of every event the filters keep (the page shows one page of them)."""
    query = {**(filters.query if filters else {}), "format": "csv"}
    url = reverse("api:customer-timeline", kwargs={"customer_id": customer_id})
    return f"{url}?{urlencode(query)}"


def customer_detail_view(request, customer_id: int):
    """The customer, and a page of its timeline narrowed by source and kind; a filter that
    cannot be read is the same page as a 400 with the form as typed and what is wrong."""
    error, filters, number = None, None, None
    try:
        filters, number = TimelineFilters.parse(request.GET), _timeline_number(request)
    except BadTimelineFilter as exc:
        error = exc
    detail = customer_detail(
        customer_id=customer_id,
        now=timezone.now(),
        timeline_filters=filters,
        timeline_number=number,
        timeline_page_size=TIMELINE_EVENTS,
    )
    if detail is None:
        raise Http404("No such customer.")
    context = {
        "detail": detail,
        "customer": detail.customer,
        "chart": customer_activity_chart(detail.months),
        "timeline": detail.timeline,
        "timeline_options": filter_options(request.GET),
        "timeline_narrowed": any(request.GET.get(name) for name in ("source", "kind")),
        "timeline_error": f"Cannot show the timeline: {error}." if error else None,
        "timeline_error_param": error.param if error else None,
        "timeline_csv_url": _timeline_csv_url(customer_id, filters),
    }
    status = 400 if error else 200
    return render(request, "metrics/customers_detail.html", context, status=status)


def customer_unmatched_view(request):
    return render(request, "metrics/customers_unmatched.html", {"rows": unmatched_rows()})
