"""Django admin: cost inputs are edited here; synced data and sync runs are read-only.

The site (supportops/admin_site.py) lists them in sections: cost inputs; customers and
identities; synced data; syncs; access.
"""

from . import costs, customers, products, sync, synced, tokens  # noqa: F401
