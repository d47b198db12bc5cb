"""Django admin: cost inputs are edited here; synced data and sync runs are read-only."""

from . import costs, sync, synced  # noqa: F401
