"""Fill the plans' stored figures (PlanFigures) by the rule of ``commitments.figures.refresh_plan_figures``, in its own copy."""

import datetime as dt

from django.db import migrations
from django.db.models import Count, Exists, OuterRef

COMPLETION_FIELDS = {
    "": "no_update",
    "no_evidence": "no_evidence",
    "not_started": "not_started",
    "limited": "limited",
    "substantial": "substantial",
    "complete": "complete",
    "withdrawn": "withdrawn",
}


def overdue_from(end_date, precision):
    if end_date is None:
        return None
    if precision == "day":
        return end_date + dt.timedelta(days=1)
    if precision == "month":
        return (end_date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return None


def fill(apps, schema_editor):
    ActionPlan = apps.get_model("commitments", "ActionPlan")
    Commitment = apps.get_model("commitments", "Commitment")
    Milestone = apps.get_model("commitments", "Milestone")
    PlanFigures = apps.get_model("commitments", "PlanFigures")
    Review = apps.get_model("engagement", "Review")
    today = dt.date.today()
    contested = Exists(
        Review.objects.filter(
            stance="dispute", responded_at__isnull=True, hidden_at__isnull=True,
            update__state="published", update__milestone__commitment_id=OuterRef("pk"),
        )
    )
    ids = list(ActionPlan.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = {pk: PlanFigures(plan_id=pk) for pk in chunk}
        counts = (
            Commitment.objects.filter(plan_id__in=chunk).order_by().values_list("plan_id", "completion")
            .annotate(n=Count("pk"), contested=Count("pk", filter=contested))
        )
        for plan_id, completion, n, disputed in counts:
            row = rows[plan_id]
            field = COMPLETION_FIELDS.get(completion or "", "no_update")
            setattr(row, field, getattr(row, field) + n)
            row.contested += disputed
        dues = {}
        for plan_id, end_date, precision in (
            Milestone.objects.filter(commitment__plan_id__in=chunk, done=False, end_date__isnull=False)
            .order_by().values_list("commitment__plan_id", "end_date", "end_precision")
        ):
            due = overdue_from(end_date, precision)
            if due is not None:
                dues.setdefault(plan_id, []).append(due)
        for plan_id, days in dues.items():
            row = rows[plan_id]
            past = [day for day in days if day <= today]
            coming = [day for day in days if day > today]
            row.overdue, row.overdue_from, row.overdue_until = len(past), max(past, default=None), min(coming, default=None)
        PlanFigures.objects.bulk_create(rows.values(), ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0011_plan_figures"),
        ("engagement", "0003_merge_outbox_and_text_limits"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
