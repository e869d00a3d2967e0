"""Issue 19.3: a hand-entered deadline is read by its era, says so, and keeps the reading it was entered with."""

import datetime as dt

from django.urls import reverse

from compliance import engine
from compliance.models import Deadline, Policy

from .test_histories import add_member, admin, submit  # noqa: F401  (the admin fixture)

D = dt.date


def test_a_2014_deadline_gets_four_months_and_a_2023_one_does_not_and_the_reading_is_stored(admin):
    member = add_member(admin, "TR", "Turkey")
    url = reverse("admin:compliance_deadline_add") + f"?member={member.pk}"
    assert "four months late is still on time" in admin.get(url).content.decode()
    response = submit(admin, url, {"member": member.pk, "kind": "action_plan", "cycle": "", "due_on": "2014-07-01",
                                   "reason": "OGP letter, 2014"})
    assert response.status_code == 302
    old = Deadline.objects.get(member=member, due_on=D(2014, 7, 1))
    assert old.on_time_until == D(2014, 10, 31)  # contrary to process from 1 November 2014 (OGP's letter)
    submit(admin, url, {"member": member.pk, "kind": "action_plan", "cycle": "", "due_on": "2023-12-31", "reason": "Letter"})
    assert Deadline.objects.get(member=member, due_on=D(2023, 12, 31)).on_time_until == D(2023, 12, 31)
    # A later edit of the era does not change what was entered: the stored reading is the engine's.
    Policy.objects.filter(member=None, applies_to="", deadline_rule="four_months_2014").update(deadline_rule="calendar_2019")
    override = engine.DeadlineOverride("2014-2016", D(2014, 7, 1), "x", "", D(2014, 10, 31))
    snapshot = engine.MemberSnapshot(code="TR", deadline_overrides=(override,), extensions=())
    [first, *_rest] = engine.evaluate(snapshot, D(2015, 1, 1)).cycles
    assert (first.due, first.late_until, first.contrary_on) == (D(2014, 7, 1), D(2014, 10, 31), D(2014, 11, 1))
