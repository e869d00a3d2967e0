"""Issue 19.4: a self-assessment deadline can be entered, and the rules judge it in the eras that required one."""

import datetime as dt

from django.urls import reverse

from compliance import engine
from compliance.models import Deadline, Finding

from .test_histories import add_member, admin, report, submit  # noqa: F401  (the admin fixture)

D = dt.date


def test_a_missed_self_assessment_counts_in_its_era_and_not_after_2022():
    due = engine.SelfAssessment("2012-2014", D(2013, 9, 30))
    member = engine.MemberSnapshot(code="TR", self_assessments=(due,), extensions=())
    ev = engine.evaluate(member, D(2013, 10, 1))
    [f] = [f for f in ev.findings if f.kind == "missed_self_assessment"]
    assert (f.period, f.effective_on, ev.status) == ("2012-2014", D(2013, 10, 1), "contrary_to_process")
    assert engine.evaluate(member, D(2013, 9, 30)).status == "active"
    late = engine.MemberSnapshot(code="TR", self_assessments=(engine.SelfAssessment("2012-2014", D(2013, 9, 30), D(2014, 1, 15)),),
                                 extensions=())
    [f] = [f for f in engine.evaluate(late, D(2014, 2, 1)).findings if f.kind == "missed_self_assessment"]
    assert f.met_again_on == D(2014, 1, 15)  # still missed: delivered late
    recent = engine.MemberSnapshot(code="XX", self_assessments=(engine.SelfAssessment("2023-2025", D(2023, 9, 30)),))
    assert engine.evaluate(recent, D(2024, 1, 1)).status == "active"  # not required under the 2022 rule


def test_the_admin_offers_the_self_assessment_deadline_and_the_rules_use_it(admin):
    member = add_member(admin, "TR", "Turkey")
    url = reverse("admin:compliance_deadline_add") + f"?member={member.pk}"
    assert 'value="self_assessment"' in admin.get(url).content.decode()
    submit(admin, url, {"member": member.pk, "kind": "self_assessment", "cycle": "", "due_on": "2013-09-30",
                        "delivered_on": "", "reason": "OGP statement of 11 February 2014"})
    assert Deadline.objects.get(member=member, kind="self_assessment").cycle == "2013-2015"
    assert report("TR", D(2013, 10, 1))["status"] == "contrary_to_process"
    assert Finding.objects.filter(member=member, kind="missed_self_assessment").exists()
