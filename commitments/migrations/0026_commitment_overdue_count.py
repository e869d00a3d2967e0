"""Store each commitment's overdue-milestones count with the days it holds for (``commitments.overdue_counts``), fill
it as of today in one statement, and index it for the list's sort both ways (ties by identifier) and for the daily
refresh of the counts whose window has ended (issue #20)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from django.utils import timezone

    from commitments.overdue_counts import refresh_lapsed_counts

    refresh_lapsed_counts(timezone.localdate())  # every row: none counted yet


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0025_api_search_trigram_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='commitment',
            name='overdue_stored',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='Overdue milestones'),
        ),
        migrations.AddField(
            model_name='commitment',
            name='overdue_from',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='commitment',
            name='overdue_until',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='commitment',
            index=models.Index(fields=['-overdue_stored', 'identifier'], name='commitment_overdue_desc'),
        ),
        migrations.AddIndex(
            model_name='commitment',
            index=models.Index(fields=['overdue_stored', 'identifier'], name='commitment_overdue_identifier'),
        ),
        migrations.AddIndex(
            model_name='commitment',
            index=models.Index(fields=['overdue_until'], name='commitment_overdue_until'),
        ),
        migrations.AddIndex(
            model_name='commitment',
            index=models.Index(fields=['overdue_from'], name='commitment_overdue_from'),
        ),
    ]
