"""Issue #20: the name part of a search answered from indexes, and the list's member options (PostgreSQL only).

A search finds commitments by their lead agency's or member's name in any language
(``commitments.search._named``): one case-insensitive regular expression per word over the names
joined by spaces. Without an index that tested every agency (22,500 at scale 10, 12 ms) and every
member on each search, and the searched list asked it twice (the page and its count). A trigram
GIN index (``pg_trgm``, a trusted extension) on the same joined names answers the regular
expression, and an index on the upper-cased acronym the acronym's exact match; the rows found
are re-checked against the expression, so the results are the same. The commitment list's member
options (every member, in the filter's order) are read from a covering index instead of sorted.

The indexed expressions are the ones ``_named`` builds (``Concat`` of the name columns with
spaces between, compiled by Django the same way); ``tests/test_indexes.py`` checks that the
search's plan uses them. Not part of the migration state (SQLite has no trigram index; its search
is the LIKE fallback).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Upper
from django.db.models.sql import Query

LANGUAGES = ("en", "ru", "ky")
# index, model, the name columns joined (as commitments.search._named joins them)
TRIGRAM_INDEXES = (
    ("agency_names_trgm", "agency", tuple(f"name_{code}" for code in LANGUAGES)),
    ("member_names_trgm", "member", tuple(f"{field}_{code}" for field in ("name", "country") for code in LANGUAGES)),
)
ACRONYM_INDEX = models.Index(Upper("acronym"), name="agency_acronym_upper")
# The commitment list's member options, every member in the filter's order (kind, English name), read
# from the index alone: no sort of 3,000 rows on each list render.
MEMBER_OPTIONS_INDEX = models.Index(
    fields=["kind", "name_en"], include=["code", *(f"name_{code}" for code in LANGUAGES if code != "en")], name="member_kind_name"
)


def _joined_sql(model, columns, schema_editor):
    """The SQL of the names joined by spaces, compiled by Django as the search's query compiles it."""
    parts = [part for column in columns for part in (Value(" "), column)][1:]
    query = Query(model, alias_cols=False)
    expression = Concat(*parts, output_field=CharField()).resolve_expression(query)
    sql, params = expression.as_sql(query.get_compiler(connection=schema_editor.connection), schema_editor.connection)
    return sql % tuple(schema_editor.quote_value(p) for p in params)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, model_name, columns in TRIGRAM_INDEXES:
        model = apps.get_model("commitments", model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        joined = _joined_sql(model, columns, schema_editor)
        schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(name)} ON {table} USING gin (({joined}) gin_trgm_ops)")
    schema_editor.add_index(apps.get_model("commitments", "agency"), ACRONYM_INDEX)
    schema_editor.add_index(apps.get_model("commitments", "member"), MEMBER_OPTIONS_INDEX)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _model, _columns in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
    schema_editor.remove_index(apps.get_model("commitments", "agency"), ACRONYM_INDEX)
    schema_editor.remove_index(apps.get_model("commitments", "member"), MEMBER_OPTIONS_INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0015_plan_figures_labels"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes, elidable=False),
    ]
