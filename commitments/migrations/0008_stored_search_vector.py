"""Issue #12 at scale: stored search vectors (PostgreSQL) and a stored "done" flag per milestone.

1. Stored full-text search vectors for commitments and milestones (PostgreSQL only).

Issue #12: the search filtered on ``to_tsvector(...)`` expressions with expression GIN indexes
(migration 0003). A search matching many rows recomputed ``to_tsvector`` over six text columns
per matching row (the bitmap recheck, the COUNT and the ordered page): 26.5 s at scale 10. Now
each table has a stored generated column ``search_vector`` (PostgreSQL computes it on every
INSERT and UPDATE, so every write path, the services, the importer and the bulk loader included,
keeps it current) with a GIN index, replacing the expression indexes.

The columns are not in the models (SQLite cannot compute ``to_tsvector``, and a tsvector fetched
with every row would cost every page): this migration changes the PostgreSQL database only, not
the migration state. ``commitments.filters.search_commitments`` reads them on PostgreSQL; on SQLite
the search stays the LIKE fallback. The generated expressions are the ones ``SearchVector`` of
``commitments.filters`` (``commitment_search_vector`` / ``milestone_search_vector``) compiles to.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef

SEARCH_CONFIG = "simple"
LANGUAGES = ("en", "ru", "ky")
# table, its search columns (as in commitments.filters), the GIN index
TABLES = (
    ("commitments_commitment", [f"{f}_{code}" for f in ("title", "description") for code in LANGUAGES], "commitment_search_gin"),
    ("commitments_milestone", [f"deliverable_{code}" for code in LANGUAGES], "milestone_search_gin"),
)


def _document(columns):
    return " || ' ' || ".join(f"COALESCE({column}::text, '')" for column in columns)


def add_stored_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns, index in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        # STORAGE MAIN: the vector stays in the row (compressed), not in TOAST. Out of line, the
        # planner prices a sequential scan of the (then narrow) table below the GIN index and each
        # row's vector is then fetched from TOAST: 410 ms instead of 13 ms at scale 1.
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{SEARCH_CONFIG}'::regconfig, {_document(columns)})) STORED, "
            "ALTER COLUMN search_vector SET STORAGE MAIN"
        )
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin (search_vector)")


def remove_stored_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _columns, _index in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")  # drops its index
    # Back to migration 0003's expression indexes.
    from django.contrib.postgres.indexes import GinIndex

    from commitments.filters import commitment_search_vector, milestone_search_vector

    for model_name, vector, (_table, _columns, index) in zip(
        ("Commitment", "Milestone"), (commitment_search_vector(), milestone_search_vector()), TABLES, strict=True
    ):
        schema_editor.add_index(apps.get_model("commitments", model_name), GinIndex(vector, name=index))


# 2. ``Milestone.done``: a published update says complete or withdrawn (the rule of
# commitments.filters.milestones_done_q, kept by progress.refresh_done_flags). Filled here in one
# set-based UPDATE; out of history (translation.py), so no historical column.
DONE_COMPLETIONS = ("complete", "withdrawn")


def fill_done_flags(apps, schema_editor):
    Milestone = apps.get_model("commitments", "Milestone")
    ProgressUpdate = apps.get_model("commitments", "ProgressUpdate")
    closing = ProgressUpdate.objects.filter(milestone=OuterRef("pk"), state="published", completion__in=DONE_COMPLETIONS)
    Milestone.objects.order_by().filter(Exists(closing)).update(done=True)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0007_performance_indexes")]

    operations = [
        migrations.RunPython(add_stored_vectors, remove_stored_vectors, elidable=False),
        migrations.AddField(
            model_name="milestone",
            name="done",
            field=models.BooleanField(default=False, editable=False, verbose_name="done"),
        ),
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(
                condition=models.Q(("done", False)), fields=["end_date", "end_precision"], name="milestone_open_end"
            ),
        ),
        # Last: on PostgreSQL, no DDL on the table may follow the UPDATE in this transaction (its
        # deferred foreign-key checks are pending events: "cannot CREATE INDEX … pending trigger events").
        migrations.RunPython(fill_done_flags, migrations.RunPython.noop, elidable=False),
    ]
