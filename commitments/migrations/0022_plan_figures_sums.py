"""The sums of every plan's stored figures, kept by the database itself (issue #20).

The home page's headline figures are the sums of the plans' stored figures (``PlanFigures``): summing
the 10,000 rows at scale 10 on every first render was ~2-3 ms of SQL (and its plan ~0.4 ms). Those rows
are written by ``figures.refresh_plan_figures`` (the services, the sweep, imports, the admin), deleted by
cascades of deleted plans and members, filled by migrations: only the database sees every change. So
``commitments_planfigures_sums`` holds one row (``id`` 1): how many rows there are and the sum of each
figure, kept by triggers in the writing statement's own transaction (a reader sees the sums of the rows it
sees), as ``ogp_portal_table_rows`` keeps its counts: on PostgreSQL statement-level triggers (the rows
inserted, updated or deleted, from the transition tables; ``TRUNCATE`` sets 0), on SQLite row-level ones.
The overdue sum is of ``overdue``, each row's count in its first window; ``figures.checked_portal_figures``
corrects it by the few rows outside that window on the day (indexes on the window's ends). No model.
Tests: tests/commitments/test_plan_figures_sums.py.
"""

from django.db import migrations, models

TABLE = "commitments_planfigures_sums"
FIGURES = "commitments_planfigures"
COLUMNS = ("no_update", "no_evidence", "not_started", "limited", "substantial", "complete", "withdrawn", "contested", "overdue")

_CREATE = f'CREATE TABLE {TABLE} ("id" integer NOT NULL PRIMARY KEY, "rows" bigint NOT NULL, ' + ", ".join(
    f'"{c}" bigint NOT NULL' for c in COLUMNS
) + ")"


_QUOTED = ", ".join(f'"{c}"' for c in COLUMNS)
_SUMS = ", ".join(f'COALESCE(SUM("{c}"), 0)' for c in COLUMNS)


def _apply(sign: str, source: str) -> str:
    """PL/pgSQL: add (``+``) or take (``-``) the rows of a transition table ``source`` to or from the sums."""
    sets = ", ".join(f'"{c}" = s."{c}" {sign} t."{c}"' for c in ("rows", *COLUMNS))
    sums = ", ".join(f'COALESCE(SUM("{c}"), 0) AS "{c}"' for c in COLUMNS)
    return f'UPDATE {TABLE} AS s SET {sets} FROM (SELECT COUNT(*) AS "rows", {sums} FROM {source}) AS t WHERE s."id" = 1 AND t."rows" > 0'


_ZEROS = ", ".join(f'"{c}" = 0' for c in ("rows", *COLUMNS))
_POSTGRESQL_FUNCTIONS = f"""
CREATE FUNCTION commitments_planfigures_sums_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply("+", "inserted")};
    RETURN NULL;
END $$;
CREATE FUNCTION commitments_planfigures_sums_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply("-", "deleted")};
    {_apply("+", "inserted")};
    RETURN NULL;
END $$;
CREATE FUNCTION commitments_planfigures_sums_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply("-", "deleted")};
    RETURN NULL;
END $$;
CREATE FUNCTION commitments_planfigures_sums_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {TABLE} SET {_ZEROS} WHERE "id" = 1;
    RETURN NULL;
END $$;
"""

_POSTGRESQL_TRIGGERS = f"""
CREATE TRIGGER {FIGURES}_sums_inserted AFTER INSERT ON {FIGURES} REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION commitments_planfigures_sums_inserted();
CREATE TRIGGER {FIGURES}_sums_updated AFTER UPDATE ON {FIGURES} REFERENCING OLD TABLE AS deleted NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION commitments_planfigures_sums_updated();
CREATE TRIGGER {FIGURES}_sums_deleted AFTER DELETE ON {FIGURES} REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION commitments_planfigures_sums_deleted();
CREATE TRIGGER {FIGURES}_sums_truncated AFTER TRUNCATE ON {FIGURES}
    FOR EACH STATEMENT EXECUTE FUNCTION commitments_planfigures_sums_truncated();
"""


def _sqlite_set(*terms) -> str:
    """``"c" = "c" + NEW."c" ...`` for every figure: each term a format of ``c`` (e.g. ``+ NEW."{c}"``)."""
    return ", ".join(f'"{c}" = "{c}" ' + " ".join(t.format(c=c) for t in terms) for c in COLUMNS)


_NEW, _OLD = '+ NEW."{c}"', '- OLD."{c}"'
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER {FIGURES}_sums_inserted AFTER INSERT ON {FIGURES} BEGIN UPDATE {TABLE} SET "
    f'"rows" = "rows" + 1, {_sqlite_set(_NEW)} WHERE "id" = 1; END',
    f"CREATE TRIGGER {FIGURES}_sums_updated AFTER UPDATE ON {FIGURES} BEGIN UPDATE {TABLE} SET "
    f'{_sqlite_set(_NEW, _OLD)} WHERE "id" = 1; END',
    f"CREATE TRIGGER {FIGURES}_sums_deleted AFTER DELETE ON {FIGURES} BEGIN UPDATE {TABLE} SET "
    f'"rows" = "rows" - 1, {_sqlite_set(_OLD)} WHERE "id" = 1; END',
)

_FILL = f'INSERT INTO {TABLE} ("id", "rows", {_QUOTED}) SELECT 1, COUNT(*), {_SUMS} FROM {FIGURES}'


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in ("postgresql", "sqlite"):
        return  # elsewhere the home page sums the rows as before (no table: figures.checked_portal_figures)
    run = schema_editor.execute
    run(_CREATE)
    # The triggers first: creating one locks the table against writes until this migration's transaction
    # commits, so the sums written next miss no row.
    if connection.vendor == "postgresql":
        run(_POSTGRESQL_FUNCTIONS, params=None)
        run(_POSTGRESQL_TRIGGERS, params=None)
    else:
        for statement in _SQLITE_TRIGGERS:
            run(statement, params=None)
    run(_FILL, params=None)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    for kind in ("inserted", "updated", "deleted", "truncated"):
        if connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FIGURES}_sums_{kind} ON {FIGURES}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS commitments_planfigures_sums_{kind}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FIGURES}_sums_{kind}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0021_progress_submitted_milestone_index"),
        ("ogp_portal", "0001_table_row_counts"),
    ]

    operations = [
        migrations.AddIndex(model_name="planfigures", index=models.Index(fields=["overdue_until"], name="planfigures_overdue_until")),
        migrations.RunPython(create, drop),
    ]
