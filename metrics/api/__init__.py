"""The metric endpoints of the REST API: the same functions and results the dashboards use.

They live beside the metrics so the core (`supportops/`) never imports the read side;
`supportops/urls.py` mounts `metrics/api/urls.py` under /api/v1/ in the `api` namespace.
"""
