"""Store OGP's default compliance policy so administrators can see and edit it.

The same values are the built-in fallback in ``compliance.engine.DEFAULT_POLICIES``.
"""

import datetime as dt

from django.db import migrations

DEFAULTS = [
    {
        "effective_from": dt.date(2000, 1, 1),
        "deadline_rule": "calendar_2019",
        "reason": "OGP calendar (c. 2019–2021): plans due 31 August, on time until 31 December; "
        "forum quarterly (OGP letter of 24 February 2023); status update every six months.",
    },
    {
        "effective_from": dt.date(2022, 1, 1),
        "deadline_rule": "after_plan_end_12m",
        "reason": "From 2022 a new plan must be published within 12 months after the end of the last plan.",
    },
]


def add_defaults(apps, schema_editor):
    Policy = apps.get_model("compliance", "Policy")
    for row in DEFAULTS:
        Policy.objects.get_or_create(member=None, effective_from=row["effective_from"], defaults=row)


def remove_defaults(apps, schema_editor):
    Policy = apps.get_model("compliance", "Policy")
    Policy.objects.filter(member=None, effective_from__in=[r["effective_from"] for r in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_policy_decision_notification")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
