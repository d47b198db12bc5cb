"""Every source SupportOps knows, by name."""

from importlib import import_module

from .base import Connector
from .errors import ConnectorError

CONNECTORS = {
    "zendesk": "connectors.zendesk.connector",
    "intercom": "connectors.intercom.connector",
    "stripe": "connectors.stripe.connector",
    "salesforce": "connectors.salesforce.connector",
    "usage": "connectors.usage.connector",
}


def get_connector(source: str) -> Connector:
    if source not in CONNECTORS:
        known = ", ".join(sorted(CONNECTORS))
        raise ConnectorError(f"unknown source {source!r}; known sources: {known}")
    return import_module(CONNECTORS[source]).CONNECTOR


def enabled_sources() -> list[str]:
    return [name for name in CONNECTORS if get_connector(name).is_configured()]
