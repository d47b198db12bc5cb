"""The yardstick for ingest benchmarks: PostgreSQL's own COPY of the rows a sync just wrote.

Each synced table is copied out (not timed) and COPYed back into an empty twin made with
`LIKE … INCLUDING ALL`, so the twin has the same indexes and constraints the sync had to keep
up: what is timed is the database's bulk load of the very same rows, nothing else.
"""

from __future__ import annotations

import io
import time

from django.db import connection


def copy_seconds(models) -> dict[str, float]:
    """Seconds PostgreSQL takes to COPY each model's current rows into an indexed empty twin."""
    if connection.vendor != "postgresql":
        raise SystemExit("the COPY yardstick needs PostgreSQL: set BENCH_DATABASE_URL")
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            twin = f"bench_copy_{table}"
            cursor.execute(f'DROP TABLE IF EXISTS "{twin}"')
            cursor.execute(f'CREATE TABLE "{twin}" (LIKE "{table}" INCLUDING ALL)')
            data = io.BytesIO()
            cursor.copy_expert(f'COPY "{table}" TO STDOUT', data)
            data.seek(0)
            started = time.perf_counter()
            cursor.copy_expert(f'COPY "{twin}" FROM STDIN', data)
            timings[model.__name__] = time.perf_counter() - started
            cursor.execute(f'DROP TABLE "{twin}"')
    return timings
