"""Issue #20: the API's ``?search=`` of commitments finds a rare word's rows from indexes (PostgreSQL only).

DRF's search (``ogp_portal/api_search.py``) tests ``UPPER(identifier::text) LIKE '%WORD%'`` or the same on the
title in the request's language, walking the list in its order: a word in few rows walked all 150,000 at scale
10 (1.2–1.8 s). A trigram GIN index (``pg_trgm``, added by 0016) on each of these upper-cased texts answers the
LIKE, the rows re-checked against it, so the results are the same. A broad search is written so that these
indexes do not apply (api_search.py). Not part of the migration state (SQLite has no trigram index).
"""

from django.db import migrations

INDEXES = (
    ("commitment_identifier_upper_trgm", "identifier"),
    ("commitment_title_en_upper_trgm", "title_en"),
    ("commitment_title_ru_upper_trgm", "title_ru"),
    ("commitment_title_ky_upper_trgm", "title_ky"),
)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("commitments", "commitment")._meta.db_table)
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {table} "
            f"USING gin ((UPPER({schema_editor.quote_name(column)}::text)) gin_trgm_ops)"
        )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0024_list_sort_identifier_indexes"),
    ]

    operations = [
        migrations.RunPython(add_indexes, remove_indexes, elidable=False),
    ]
