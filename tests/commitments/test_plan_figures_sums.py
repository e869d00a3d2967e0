"""The sums of the plans' stored figures, kept by the database (migration commitments 0022, issue #20).

The home page's headline figures read ``commitments_planfigures_sums`` (one row: how many ``PlanFigures``
rows there are and the sum of each figure) instead of summing every row. Triggers keep it in the writing
statement's transaction; these tests hold it equal to the sums of the rows after every kind of write: the
import, a publication, the service storing rows again (an upsert's update), new rows, raw SQL, a filtered
``update()``, deletions by cascade (a plan, a queryset of plans) and a filtered delete, and the figures the home page
reads from it equal to the rules' (``oracle``) on days when rows are outside their first window.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, F, Sum

from commitments.figures import SUMS_TABLE, portal_figures, refresh_plan_figures
from commitments.models import ActionPlan, Milestone, PlanFigures
from tests.commitments.test_plan_figures import DAYS, oracle, publish

pytestmark = pytest.mark.django_db

COLUMNS = ("no_update", "no_evidence", "not_started", "limited", "substantial", "complete", "withdrawn", "contested", "overdue")


def kept() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "rows", {", ".join(COLUMNS)} FROM {SUMS_TABLE} WHERE "id" = 1')
        row = cursor.fetchone()
    return dict(zip(("rows", *COLUMNS), (int(value) for value in row)))


def summed() -> dict:
    sums = PlanFigures.objects.aggregate(rows=Count("pk"), **{column: Sum(column) for column in COLUMNS})
    return {name: value or 0 for name, value in sums.items()}


def test_the_sums_follow_every_kind_of_write(kg17, people):
    assert kept() == summed() and kept()["rows"] == ActionPlan.objects.count() > 0  # the import stored every plan
    # A publication: the plan's row stored again (an upsert that updates).
    milestone = Milestone.objects.filter(commitment=kg17).order_by("number").first()
    before = kept()
    publish(milestone, people, "complete")
    assert kept() == summed() != before
    # Every row stored again on another day (other overdue counts), then a filtered update, then raw SQL.
    refresh_plan_figures(ActionPlan.objects.values_list("pk", flat=True), dt.date(2030, 1, 1))
    assert kept() == summed()
    PlanFigures.objects.filter(plan__member=kg17.plan.member).update(contested=F("contested") + 2, overdue=F("overdue") + 1)
    assert kept() == summed()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PlanFigures._meta.db_table} SET complete = complete + 3")
    assert kept() == summed()
    # A new plan's row, then the plan deleted (a cascade), then a member with its plans, then a filtered delete.
    plan = ActionPlan.objects.create(member=kg17.plan.member, title="Fourth plan", start_date=dt.date(2031, 1, 1), end_date=dt.date(2032, 12, 31))
    refresh_plan_figures([plan.pk])
    assert kept() == summed() and kept()["rows"] == ActionPlan.objects.count()
    plan.delete()
    assert kept() == summed()
    ActionPlan.objects.exclude(member=kg17.plan.member).delete()  # a queryset's cascade
    assert kept() == summed() and kept()["rows"] == ActionPlan.objects.count()
    PlanFigures.objects.filter(plan=kg17.plan).delete()
    assert kept() == summed() and kept()["rows"] == ActionPlan.objects.count() - 1


def test_the_home_pages_figures_read_the_kept_sums_and_equal_the_rules_on_every_day(kg17, django_assert_num_queries):
    # Rows stored on the first day: on the later days some are in their second or third window, or lapsed.
    refresh_plan_figures(ActionPlan.objects.values_list("pk", flat=True), DAYS[0])
    for day in DAYS:
        with django_assert_num_queries(1) as captured:  # the kept sums, whether every plan has its row, the lapsed ones
            figures = portal_figures(day)
        assert SUMS_TABLE in captured.captured_queries[0]["sql"]
        assert figures == oracle(day), day
