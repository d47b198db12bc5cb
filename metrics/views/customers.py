"""Customers: the filtered list and its CSV, one customer's page, unmatched records."""

import json

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from ..customer_csv import customer_csv_lines
from ..customer_query import (
    DEFAULT_SORT,
    BadFilter,
    BadSort,
    CustomerFilters,
    customer_filter_form,
)
from ..customers import (
    customer_detail,
    customer_export,
    customer_list,
    customer_plans,
    unmatched_rows,
)
from ..figures.customers import customer_activity_figure

# The newest events on a customer's page: enough for "what happened lately" on a phone.
TIMELINE_EVENTS = 50


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
    }
    return render(request, "metrics/customers.html", context, status=400)


def customer_list_view(request):
    try:
        page = customer_list(
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


def customer_detail_view(request, customer_id: int):
    detail = customer_detail(
        customer_id=customer_id, now=timezone.now(), timeline_limit=TIMELINE_EVENTS
    )
    if detail is None:
        raise Http404("No such customer.")
    figure = customer_activity_figure(detail.months)
    context = {
        "detail": detail,
        "customer": detail.customer,
        "chart": json.loads(figure.to_json()),
    }
    return render(request, "metrics/customers_detail.html", context)


def customer_unmatched_view(request):
    return render(request, "metrics/customers_unmatched.html", {"rows": unmatched_rows()})
