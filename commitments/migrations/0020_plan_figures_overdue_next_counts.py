"""Store each plan's overdue counts for the next two days more milestones become overdue (``PlanFigures``, issue #20).

With one window a row's overdue count lapsed on the first day another of its milestones became
overdue: ~4 % of the plans every day at scale 10, whose milestones the home page then counted
(~30 ms of its first render) until the sweep stored them again. The rows are filled here as
``commitments.figures.overdue_counts`` computes them, as of today (the same rule, written out: a
migration keeps the rule of its day); the index on the last window's end replaces the first's.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db import migrations, models
from django.utils import timezone


def _overdue_from(end_date, precision):
    if precision == "day":
        return end_date + dt.timedelta(days=1)
    if precision == "month":
        return (end_date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return None


def fill(apps, schema_editor, today=None):
    PlanFigures = apps.get_model("commitments", "PlanFigures")
    Milestone = apps.get_model("commitments", "Milestone")
    today = today or timezone.localdate()
    dues = defaultdict(list)
    open_ends = Milestone.objects.filter(done=False, end_date__isnull=False).order_by()
    for plan_id, end_date, precision in open_ends.values_list("commitment__plan_id", "end_date", "end_precision").iterator(chunk_size=20_000):
        due = _overdue_from(end_date, precision)
        if due is not None:
            dues[plan_id].append(due)
    fields = ["overdue", "overdue_from", "overdue_until", "overdue_next", "overdue_next_until", "overdue_later", "overdue_later_until"]
    rows = []
    for row in PlanFigures.objects.order_by("plan_id").only("plan_id").iterator(chunk_size=2_000):
        days = dues.get(row.plan_id, [])
        past = [day for day in days if day <= today]
        coming = sorted({day for day in days if day > today})
        ending = Counter(days)
        nth = [coming[n] if len(coming) > n else None for n in range(3)]
        row.overdue = len(past)
        row.overdue_from = max(past, default=None)
        row.overdue_until, row.overdue_next_until, row.overdue_later_until = nth
        row.overdue_next = row.overdue + (ending[nth[0]] if nth[0] else 0)
        row.overdue_later = row.overdue_next + (ending[nth[1]] if nth[1] else 0)
        rows.append(row)
    PlanFigures.objects.bulk_update(rows, fields, batch_size=1_000)


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0019_commitment_latest_update_at'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='planfigures',
            name='planfigures_overdue_until',
        ),
        migrations.AddField(
            model_name='planfigures',
            name='overdue_later',
            field=models.PositiveIntegerField(default=0, verbose_name='Overdue milestones after that'),
        ),
        migrations.AddField(
            model_name='planfigures',
            name='overdue_later_until',
            field=models.DateField(blank=True, null=True, verbose_name='the last count holds until'),
        ),
        migrations.AddField(
            model_name='planfigures',
            name='overdue_next',
            field=models.PositiveIntegerField(default=0, verbose_name='Overdue milestones from that day'),
        ),
        migrations.AddField(
            model_name='planfigures',
            name='overdue_next_until',
            field=models.DateField(blank=True, null=True, verbose_name='that count holds until'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='planfigures',
            index=models.Index(fields=['overdue_later_until'], name='planfigures_overdue_ends'),
        ),
    ]
