"""Store each commitment's last published update (``Commitment.latest_update_at``) and index it for the list's sort.

Filled here in one statement (issue #20: fast at scale 10), by the rule ``filters._latest_update_at``
states and ``progress.refresh_completion`` keeps: ``published_at`` of the newest published update by
(period end, publication) of any of the commitment's milestones; NULL while none is published.
The indexes are made after the fill, so it writes no index entries one by one.
"""

from django.db import migrations, models

_TABLES = {"commitment": "commitments_commitment", "milestone": "commitments_milestone", "update": "commitments_progressupdate"}

# PostgreSQL: one UPDATE … FROM a grouped select (the newest update per commitment, DISTINCT ON).
_FILL_POSTGRESQL = """
UPDATE {commitment} AS c SET latest_update_at = newest.published_at
FROM (
    SELECT DISTINCT ON (m.commitment_id) m.commitment_id, u.published_at
    FROM {update} u JOIN {milestone} m ON m.id = u.milestone_id
    WHERE u.state = 'published'
    ORDER BY m.commitment_id, u.period_end DESC, u.published_at DESC
) AS newest
WHERE newest.commitment_id = c.id
"""

# Elsewhere (SQLite: tests and small databases): the same rule as a sub-select per commitment.
_FILL_OTHER = """
UPDATE {commitment} SET latest_update_at = (
    SELECT u.published_at FROM {update} u JOIN {milestone} m ON m.id = u.milestone_id
    WHERE u.state = 'published' AND m.commitment_id = {commitment}.id
    ORDER BY u.period_end DESC, u.published_at DESC LIMIT 1
)
"""


def fill(apps, schema_editor):
    sql = _FILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else _FILL_OTHER
    quote = schema_editor.connection.ops.quote_name
    schema_editor.execute(sql.format(**{key: quote(name) for key, name in _TABLES.items()}))


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0018_progress_published_milestone_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='commitment',
            name='latest_update_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='Last published update'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='commitment',
            index=models.Index(fields=['latest_update_at', 'identifier'], name='commitment_latest_update'),
        ),
        migrations.AddIndex(
            model_name='commitment',
            index=models.Index(fields=['-latest_update_at', 'identifier'], name='commitment_latest_update_desc'),
        ),
    ]
