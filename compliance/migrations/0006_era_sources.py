"""The policy eras' first days checked against OGP's documents (README, "Policy eras").

* The 31 August calendar (``calendar_2019``) was in force for the plans due in 2018: its first day moves
  from the estimate 2019-01-01 to 2018-01-01 (OGP, "Let's Get Co-Creating: Participate in the 2018 Action
  Plan Process!": 2018 plans "due by August 31, 2018").
* Each era's reason names its source; the 2020 extension was a Criteria and Standards Subcommittee
  resolution, not the Steering Committee's.

Only rows an administrator has not changed are touched (same day, rule and reason as migration 0005 stored).
"""

import datetime as dt

from django.db import migrations

OLD_2019 = "OGP 2019 calendar: plans due 31 August, on time until 31 December."
NEW_2019 = (
    "OGP calendar with plans due 31 August, on time until 31 December (more than four months late: contrary "
    "to process, the cohort shifts). In force for the plans due in 2018 (OGP, \"Let's Get Co-Creating: "
    "Participate in the 2018 Action Plan Process!\"); the day OGP adopted it is not published."
)
OLD_2014 = "OGP 2014: a plan more than four months late is contrary to process. Set the era's first day from OGP's records."
NEW_2014 = (
    "OGP 2014: a plan more than four months late is contrary to process (the Criteria and Standards "
    "Subcommittee's clarification of February 2014, endorsed by the Steering Committee: OGP, \"OGP Publishes "
    "Letters to 11 Countries\"). The day in February 2014 is not published; the row of 2000 has the same rule."
)
OLD_2015 = "OGP 2015 calendar: a plan late within six months keeps its end date; later, the cohort shifts."
NEW_2015 = (
    "OGP 2015 calendar (\"Starting 2015, all OGP countries will now fall into two groups\": OGP, \"A New OGP "
    "Calendar: What Countries Need To Do and When\", early 2015): more than four months late is contrary to "
    "process; late within six months keeps the end date; later, the cohort shifts."
)
OLD_COVID = (
    "OGP Steering Committee, COVID-19 (2020): plans due in 2020 could be delivered until 31 December "
    "2020, or the member could move to the next cohort without acting contrary to process."
)
NEW_COVID = (
    "OGP Criteria and Standards Subcommittee resolution, COVID-19 (2020): plans due in 2020 could be delivered "
    "until 31 December 2020, or the member could move to the next cohort without acting contrary to process."
)


def forwards(apps, schema_editor):
    Policy = apps.get_model("compliance", "Policy")
    defaults = Policy.objects.filter(member=None, applies_to="")
    if not defaults.filter(effective_from=dt.date(2018, 1, 1)).exists():
        defaults.filter(effective_from=dt.date(2019, 1, 1), deadline_rule="calendar_2019", reason=OLD_2019).update(
            effective_from=dt.date(2018, 1, 1), reason=NEW_2019
        )
    defaults.filter(effective_from=dt.date(2014, 1, 1), reason=OLD_2014).update(reason=NEW_2014)
    defaults.filter(effective_from=dt.date(2015, 1, 1), reason=OLD_2015).update(reason=NEW_2015)
    apps.get_model("compliance", "DeadlineExtension").objects.filter(name="COVID-19 (2020)", reason=OLD_COVID).update(
        reason=NEW_COVID
    )


def backwards(apps, schema_editor):
    Policy = apps.get_model("compliance", "Policy")
    defaults = Policy.objects.filter(member=None, applies_to="")
    if not defaults.filter(effective_from=dt.date(2019, 1, 1)).exists():
        defaults.filter(effective_from=dt.date(2018, 1, 1), reason=NEW_2019).update(
            effective_from=dt.date(2019, 1, 1), reason=OLD_2019
        )
    defaults.filter(reason=NEW_2014).update(reason=OLD_2014)
    defaults.filter(reason=NEW_2015).update(reason=OLD_2015)
    apps.get_model("compliance", "DeadlineExtension").objects.filter(reason=NEW_COVID).update(reason=OLD_COVID)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_fidelity")]

    operations = [migrations.RunPython(forwards, backwards)]
