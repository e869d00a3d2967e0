"""GIN indexes for the full-text search of commitments and milestones (PostgreSQL only).

The indexed expressions are the search vectors of ``commitments/filters.py``
(``commitment_search_vector`` and ``milestone_search_vector``): PostgreSQL uses an
expression index only for the identical expression, so keep them in step. The
indexes are not in the models' Meta (SQLite has no GIN), so this migration
changes the database only, not the migration state.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

COMMITMENT_INDEX = "commitment_search_gin"
MILESTONE_INDEX = "milestone_search_gin"


def _indexes():
    from commitments.filters import commitment_search_vector, milestone_search_vector

    return [
        ("Commitment", GinIndex(commitment_search_vector(), name=COMMITMENT_INDEX)),
        ("Milestone", GinIndex(milestone_search_vector(), name=MILESTONE_INDEX)),
    ]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in _indexes():
        schema_editor.add_index(apps.get_model("commitments", model_name), index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in _indexes():
        schema_editor.remove_index(apps.get_model("commitments", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0002_alter_actionplan_approval_act_and_more")]

    operations = [migrations.RunPython(add_indexes, remove_indexes)]
