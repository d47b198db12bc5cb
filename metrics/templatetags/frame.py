"""Page parts every metric page shares: the CSV link beside a chart and its definition."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from ..definitions import definition

register = template.Library()


@register.simple_tag
def api_csv_url(url_name: str, **params) -> str:
    """The API's CSV of what the page shows: /api/v1/...?<params>&format=csv."""
    query = {key: str(value) for key, value in params.items() if value not in (None, "")}
    query["format"] = "csv"
    return f"{reverse(url_name)}?{urlencode(query)}"


@register.filter
def is_under(path: str, prefix: str) -> bool:
    """Whether `path` is the page `prefix` or one below it, for the navigation's current page;
    the Overview at "/" is current only on "/" itself."""
    if not prefix:
        return False
    return path == prefix if prefix == "/" else path.startswith(prefix)


@register.inclusion_tag("frame/definition.html")
def metric_definition(key: str):
    heading, html = definition(key)
    return {"heading": heading, "html": mark_safe(html)}  # our own docs file, not user input
