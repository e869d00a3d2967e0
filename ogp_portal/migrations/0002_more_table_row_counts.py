"""The rows of three more page-numbered API lists, kept by the database itself (issue #20).

``/api/v1/forum-memberships/``, ``/api/v1/meetings/`` and ``/api/v1/deadlines/`` answer with their exact
``count``: without a filter a ``COUNT(*)`` of ~60,000, ~50,000 and ~42,000 rows at scale 10 (3-8 ms of SQL
on every uncached request, more than the rest of the answer). Kept as migration 0001 keeps the first
tables' (its functions, triggers and first count; read by ``ogp_portal.api.stored_row_count``).
"""

import importlib

from django.db import migrations

TABLES = ("forums_forummembership", "forums_meeting", "compliance_deadline")

_first = importlib.import_module("ogp_portal.migrations.0001_table_row_counts")


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    run = schema_editor.execute
    for table in TABLES:
        # The triggers first: creating one locks the table against writes until this migration's transaction
        # commits, so the count written next misses no row.
        if connection.vendor == "postgresql":
            run(_first._POSTGRESQL_TRIGGERS.format(table=table), params=None)
        else:
            for statement in _first._SQLITE_TRIGGERS:
                run(statement.format(table=table), params=None)
        run(_first._FILL.format(table=table))


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    for table in TABLES:
        for kind in ("inserted", "deleted", "truncated"):
            if connection.vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_rows_{kind} ON {table}")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_rows_{kind}")
    schema_editor.execute(
        f"DELETE FROM ogp_portal_table_rows WHERE \"table\" IN ({', '.join(repr(t) for t in TABLES)})"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("ogp_portal", "0001_table_row_counts"),
        ("forums", "0008_merge_alternate_and_text_limits"),
        ("compliance", "0015_standing_home_row_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
