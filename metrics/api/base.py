"""The shape every metric endpoint shares: parse the query, make one metric call, serialize.

A metric endpoint is a subclass naming its query serializer, its result serializer and the one
metric call (`compute`); conventions (unknown parameters refused, default window, JSON and CSV
of the same rows) live here once.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from supportops.models import MetricSettings

from ..periods import Month, last_complete_months
from .render import MetricCSVRenderer


class MetricView(APIView):
    renderer_classes = [JSONRenderer, MetricCSVRenderer]
    query_class = None  # a params.MetricQuery subclass
    result_class = None  # a Serializer of the metric's result
    csv_header: list[str] | None = None  # column order of the CSV (default: as the rows have it)

    def __init_subclass__(cls, **kwargs):
        """Each endpoint's OpenAPI entry: its parameters and its result, documented once."""
        super().__init_subclass__(**kwargs)
        if cls.query_class is None or cls.result_class is None:
            return

        def get(self, request):
            return MetricView.answer(self, request)

        cls.get = extend_schema(parameters=[cls.query_class], responses=cls.result_class)(get)

    def compute(self, *, query: dict, now):
        """The one metric call; `query` holds the validated parameters with defaults filled."""
        raise NotImplementedError

    def answer(self, request):
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        now = timezone.now()
        needs_window = "start" in query.fields and "window" not in params
        needs_month = "month" in query.fields and params.get("month") is None
        if needs_window or needs_month:  # the defaults are cut in the reporting time zone
            tz = ZoneInfo(MetricSettings.load().reporting_timezone)
            if needs_window:
                params["window"] = last_complete_months(now=now, tz=tz)
            if needs_month:
                params["month"] = Month.containing(now, tz).shift(-1)  # last complete month
        result = self.compute(query=params, now=now)
        return Response(self.result_class(result, context={"request": request}).data)

    def get_renderer_context(self):
        context = super().get_renderer_context()
        if self.csv_header:
            context["header"] = self.csv_header
        return context
