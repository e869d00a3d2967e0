"""Issue #20: the home page's five next deadlines found without sorting every deadline of the day.

The five open deadlines due soonest are ordered by day, then by the member's stored name. At scale 10
about 2,250 deadlines fall due on the same day, and choosing five of them joined every member's name and
sorted them all (~1.5 ms of the home page's first render). With an index on the members' stored name
(with the id, read alone) and one on the open deadlines by member and day, PostgreSQL reads members in
name order and looks up each one's deadline on that day, stopping at five (``ogp_portal.pages``,
``_next_deadlines_query``). The members' index is on the original ``name`` column, which modeltranslation
would turn into one index per language if it were declared in the model's ``Meta``: it is created here
(PostgreSQL only; SQLite runs the plain query) and is not part of the migration state, as ``member_kind_name``.
"""

from django.db import migrations, models

MEMBER_NAME_INDEX = models.Index(fields=["name", "id"], name="member_stored_name")


def add_member_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("commitments", "member"), MEMBER_NAME_INDEX)


def remove_member_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("commitments", "member"), MEMBER_NAME_INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0021_progress_submitted_milestone_index"),
        ("compliance", "0013_standing_upcoming_deadlines"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(condition=models.Q(("met_on__isnull", True)), fields=["member", "due_on"], name="deadline_open_member_due"),
        ),
        migrations.RunPython(add_member_index, remove_member_index, elidable=False),
    ]
