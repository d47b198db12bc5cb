"""CSV for every metric endpoint: the same rows and the same numbers as its JSON.

djangorestframework-csv does the flattening and quoting; this picks the rows a metric's JSON
holds (its `rows`, or what the view's `csv_rows` returns) and renders a refused request as a
CSV of what was wrong, so `?format=csv` never turns a 400 into a blank download.
"""

from __future__ import annotations

from rest_framework_csv.renderers import CSVRenderer


class MetricCSVRenderer(CSVRenderer):
    def render(self, data, media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        if response is not None and response.status_code >= 400:
            rows = [
                {"parameter": name, "error": " ".join(str(m) for m in messages)}
                for name, messages in _errors(data)
            ]
            return super().render(
                rows, media_type, {**renderer_context, "header": ["parameter", "error"]}
            )
        rows = view.csv_rows(data) if hasattr(view, "csv_rows") else data.get("rows", data)
        return super().render(rows, media_type, renderer_context)


def _errors(data):
    if isinstance(data, dict):
        for name, messages in data.items():
            yield name, messages if isinstance(messages, list) else [messages]
    else:
        yield "", data if isinstance(data, list) else [data]
