"""The number of rows of the API's longest page-numbered lists, kept by the database itself (issue #20).

``/api/v1/activities/`` and ``/api/v1/attendance/`` answer with page numbers and the list's exact
``count`` (their answer's shape is the API's promise): without a filter that was a ``COUNT(*)`` of
~300,000 and ~446,000 rows on every uncached request at scale 10 (34-54 ms of SQL; p95 264 and 397 ms
under 16 connections). Their rows are written by services, imports, the admin, cascades of deleted
plans, meetings and members, the seed loader and the scale generator's ``COPY``: only the database
sees every one. So ``ogp_portal_table_rows`` holds one row per counted table, kept by triggers in
the writing statement's own transaction (a reader sees the count of the rows it sees): on
PostgreSQL statement-level triggers (the rows inserted or deleted, from the transition tables; a
``TRUNCATE`` sets 0), on SQLite row-level ones. No model: read by ``ogp_portal.api`` with one
query in place of the ``COUNT`` (``StoredCountPaginator``); the plans' count, by the home page's figures
(``commitments.figures``: whether every plan has its stored figures). Tests: tests/api/test_stored_counts.py.
"""

from django.db import migrations

TABLES = ("commitments_activity", "forums_attendance", "commitments_actionplan")

_CREATE = 'CREATE TABLE ogp_portal_table_rows ("table" varchar(63) NOT NULL PRIMARY KEY, "rows" bigint NOT NULL)'

_POSTGRESQL_FUNCTIONS = """
CREATE FUNCTION ogp_portal_rows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM inserted;
    IF n > 0 THEN
        UPDATE ogp_portal_table_rows SET "rows" = "rows" + n WHERE "table" = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION ogp_portal_rows_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM deleted;
    IF n > 0 THEN
        UPDATE ogp_portal_table_rows SET "rows" = "rows" - n WHERE "table" = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION ogp_portal_rows_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ogp_portal_table_rows SET "rows" = 0 WHERE "table" = TG_TABLE_NAME;
    RETURN NULL;
END $$;
"""

_POSTGRESQL_TRIGGERS = """
CREATE TRIGGER {table}_rows_inserted AFTER INSERT ON {table} REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_portal_rows_inserted();
CREATE TRIGGER {table}_rows_deleted AFTER DELETE ON {table} REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_portal_rows_deleted();
CREATE TRIGGER {table}_rows_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_portal_rows_truncated();
"""

_SQLITE_TRIGGERS = (
    'CREATE TRIGGER {table}_rows_inserted AFTER INSERT ON {table} '
    """BEGIN UPDATE ogp_portal_table_rows SET "rows" = "rows" + 1 WHERE "table" = '{table}'; END""",
    'CREATE TRIGGER {table}_rows_deleted AFTER DELETE ON {table} '
    """BEGIN UPDATE ogp_portal_table_rows SET "rows" = "rows" - 1 WHERE "table" = '{table}'; END""",
)

_FILL = "INSERT INTO ogp_portal_table_rows (\"table\", \"rows\") SELECT '{table}', COUNT(*) FROM {table}"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in ("postgresql", "sqlite"):
        return  # elsewhere the lists count as before (no row: ``StoredCountPaginator`` counts)
    run = schema_editor.execute
    run(_CREATE)
    if connection.vendor == "postgresql":
        run(_POSTGRESQL_FUNCTIONS, params=None)
    for table in TABLES:
        # The triggers first: creating one locks the table against writes until this migration's transaction
        # commits, so the count written next misses no row.
        if connection.vendor == "postgresql":
            run(_POSTGRESQL_TRIGGERS.format(table=table), params=None)
        else:
            for statement in _SQLITE_TRIGGERS:
                run(statement.format(table=table), params=None)
        run(_FILL.format(table=table))


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
    if connection.vendor == "postgresql":
        for kind in ("inserted", "deleted", "truncated"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS ogp_portal_rows_{kind}()")
    schema_editor.execute("DROP TABLE IF EXISTS ogp_portal_table_rows")


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0020_plan_figures_overdue_next_counts"),
        ("forums", "0008_merge_alternate_and_text_limits"),
    ]

    operations = [migrations.RunPython(create, drop)]
