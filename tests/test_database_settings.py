"""The database connection is set up for short web queries."""

from django.conf import settings
from django.db import connection


def test_postgresql_runs_without_jit_and_sqlite_with_wal(db):
    """JIT compilation cost 190-410 ms on queries that run in milliseconds (BENCHMARKS.md); SQLite writes beside readers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
            assert "-c jit=off" in settings.DATABASES["default"]["OPTIONS"]["options"]
        else:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0].lower() in {"wal", "memory"}
