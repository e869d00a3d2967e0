"""Querysets compiled once per process (``commitments.compiled.Compiled``, issue #20): the ORM's rows, in one query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from commitments import views
from commitments.compiled import Compiled
from commitments.models import ActionPlan, Commitment, Milestone, ProgressUpdate
from ogp_portal.permissions import published_updates

pytestmark = pytest.mark.django_db


def _largest_plan():
    return max(ActionPlan.objects.all(), key=lambda plan: plan.commitments.count())


def test_a_compiled_values_list_gives_the_orms_rows_in_the_order_asked_with_dates_converted(seed_data):
    plan = _largest_plan()
    expected = list(
        Milestone.objects.filter(commitment__plan_id=plan.pk).order_by("id").values_list("pk", *views.PLAN_MILESTONE_FIELDS)
    )
    assert len(expected) > 10
    with CaptureQueriesContext(connection) as ctx:
        rows = views._PLAN_MILESTONES.rows(plan.pk)
    assert len(ctx.captured_queries) == 1
    assert rows == [tuple(row) for row in expected]
    assert any(isinstance(row[3], dt.date) for row in rows)  # SQLite's text dates through the compiler's converters
    # Another plan, the same statement: that plan's rows.
    other = ActionPlan.objects.exclude(pk=plan.pk).first()
    assert views._PLAN_MILESTONES.rows(other.pk) == [
        tuple(row)
        for row in Milestone.objects.filter(commitment__plan_id=other.pk).order_by("id").values_list("pk", *views.PLAN_MILESTONE_FIELDS)
    ]


def test_compiled_model_instances_are_the_orms(seed_data):
    commitment = max(Commitment.objects.all(), key=lambda c: c.milestones.count())
    expected = list(Milestone.objects.filter(commitment_id=commitment.pk).order_by("id"))
    with CaptureQueriesContext(connection) as ctx:
        got = views._MILESTONES.objects(commitment.pk)
    assert len(ctx.captured_queries) == 1
    assert [m.pk for m in got] == [m.pk for m in expected]
    fields = [f.attname for f in Milestone._meta.concrete_fields]
    assert [[getattr(m, f) for f in fields] for m in got] == [[getattr(m, f) for f in fields] for m in expected]
    with translation.override("ru"):  # the translated text through modeltranslation, as from the ORM
        assert [m.deliverable for m in views._MILESTONES.objects(commitment.pk)] == [m.deliverable for m in expected]


def test_the_published_levels_are_the_plans_published_updates(seed_data):
    plan = _largest_plan()
    expected = published_updates(ProgressUpdate.objects.filter(milestone__commitment__plan_id=plan.pk))
    rows = views._PLAN_LEVELS.rows(plan.pk)
    assert sorted(rows, key=repr) == sorted(
        (tuple(r) for r in expected.values_list("milestone_id", "period_end", "published_at", "completion")), key=repr
    )


def test_what_a_compiled_query_cannot_keep_is_refused(seed_data):
    with pytest.raises(ValueError, match="select_related"):
        Compiled(lambda pk: Commitment.objects.select_related("plan").filter(pk=pk)).objects(1)
    with pytest.raises(ValueError, match="translated"):
        Compiled(lambda pk: Milestone.objects.filter(pk=pk).values_list("pk", "deliverable")).rows(1)
    with pytest.raises(ValueError, match="appears 2 times"):
        Compiled(lambda pk: Milestone.objects.filter(pk=pk, commitment_id=pk)).objects(1)


def test_the_plan_pages_commitments_carry_their_lead_agency_or_none(seed_data):
    plan = _largest_plan()
    without = plan.commitments.order_by("number").first()
    Commitment.objects.filter(pk=without.pk).update(lead_agency=None)
    expected = {c.pk: c.lead_agency for c in plan.commitments.select_related("lead_agency")}
    got = [views._with_agency(c) for c in views._PLAN_COMMITMENTS.objects(plan.pk)]
    assert sorted(c.pk for c in got) == sorted(expected)
    for c in got:
        agency = expected[c.pk]
        assert (c.lead_agency is None) == (agency is None)
        if agency is not None:
            assert (c.lead_agency.pk, c.lead_agency.name, c.lead_agency.acronym) == (agency.pk, agency.name, agency.acronym)
    assert got[[c.pk for c in got].index(without.pk)].lead_agency is None
