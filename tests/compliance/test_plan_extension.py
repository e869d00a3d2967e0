"""Issue 19.4: a resolution extending every plan of a period by a stated time, entered as data and used by the rules."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from compliance import engine, services
from compliance.models import PlanExtension
from tests.factories import ActionPlanFactory, MemberFactory

D = dt.date
PLAN = engine.PlanInfo(D(2018, 9, 1), D(2020, 8, 31), D(2018, 8, 31))
COVID = engine.PlanExtension(D(2020, 1, 1), D(2020, 12, 31), 12, "C&S resolution: 2018–2020 plans extended by 12 months")


def test_the_2018_2020_plans_extended_by_12_months_move_the_next_deadline_and_the_updates():
    member = engine.MemberSnapshot(code="XX", joined_on=D(2017, 11, 21), plans=(PLAN,), extensions=())
    without = engine.evaluate(member, D(2020, 6, 1))
    with_it = engine.evaluate(engine.MemberSnapshot(code="XX", joined_on=D(2017, 11, 21), plans=(PLAN,), extensions=(),
                                                    plan_extensions=(COVID,)), D(2020, 6, 1))
    due = [d.due for d in without.next_deadlines if d.kind == "action_plan"]
    due_ext = [d.due for d in with_it.next_deadlines if d.kind == "action_plan"]
    assert (due, due_ext) == ([D(2020, 12, 31)], [D(2021, 12, 31)])  # the end moved to 2021-08-31
    # The extended implementation still owes status updates in 2021-H1.
    late = engine.evaluate(engine.MemberSnapshot(code="XX", joined_on=D(2017, 11, 21), plans=(PLAN,), extensions=(),
                                                 plan_extensions=(COVID,)), D(2021, 7, 2))
    assert "2021-H1" in {f.period for f in late.findings if f.kind == "missed_status_update"}


@pytest.mark.django_db
def test_the_resolution_is_entered_as_data_and_read_by_the_snapshot():
    member = MemberFactory(code="XX", joined_on=D(2017, 11, 21))
    ActionPlanFactory(member=member, start_date=PLAN.start, end_date=PLAN.end, submitted_on=PLAN.submitted_on)
    PlanExtension.objects.create(name="COVID-19", ends_from=D(2020, 1, 1), ends_to=D(2020, 12, 31), months=12, reason="C&S")
    assert services.build_snapshot(member).plan_extensions[0].months == 12
    ev = services.evaluate_member(member, D(2020, 6, 1))
    assert [d.due for d in ev.next_deadlines if d.kind == "action_plan"] == [D(2021, 12, 31)]
    overlapping = PlanExtension(name="Other", ends_from=D(2020, 6, 1), ends_to=D(2021, 6, 1), months=6, reason="x")
    with pytest.raises(ValidationError):
        overlapping.full_clean()
