"""Every FilterSet the API uses, run on querysets directly (no HTTP).

The commitment, milestone and progress-update FilterSets are the public pages' own, tested in
``tests/commitments/test_filters.py``.
"""

import datetime as dt

import pytest

from commitments import filters as cf
from commitments.models import Activity, ActionPlan, Agency, Member
from compliance import filters as compf
from compliance.models import Deadline, Decision, Finding, StatusEvent
from forums import filters as ff
from forums.models import Attendance, Forum, ForumMembership, Meeting
from tests.factories import (
    ActivityFactory,
    AdminDeadlineFactory,
    DecisionFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


def ids(filterset_class, data, queryset):
    filterset = filterset_class(data, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_member_filterset(world):
    kg, bishkek = world["kg"], world["bishkek"]
    qs = Member.objects.all()
    assert ids(cf.MemberFilterSet, {"kind": "local"}, qs) == {bishkek.pk}
    assert ids(cf.MemberFilterSet, {"code": "KG"}, qs) == {kg.pk}
    assert ids(cf.MemberFilterSet, {"parent": kg.pk}, qs) == {bishkek.pk}
    assert not cf.MemberFilterSet({"kind": "planet"}, queryset=qs).is_valid()


def test_agency_filterset(world):
    qs = Agency.objects.all()
    assert ids(cf.AgencyFilterSet, {"member_code": "KGBSK"}, qs) == {world["local"].lead_agency_id}
    assert len(ids(cf.AgencyFilterSet, {"member": world["kg"].pk}, qs)) == 2


def test_action_plan_filterset(world):
    qs = ActionPlan.objects.all()
    assert ids(cf.ActionPlanFilterSet, {"member_code": "KG"}, qs) == {world["own"].plan_id}
    assert ids(cf.ActionPlanFilterSet, {"start_date__gte": "2018-01-01", "member": world["bishkek"].pk}, qs) == {
        world["local"].plan_id
    }
    assert ids(cf.ActionPlanFilterSet, {"end_date__lte": "2000-01-01"}, qs) == set()


def test_activity_filterset(world):
    activity = ActivityFactory(commitment=world["own"])
    ActivityFactory(commitment=world["other"])
    assert ids(cf.ActivityFilterSet, {"commitment": world["own"].pk}, Activity.objects.all()) == {activity.pk}


@pytest.fixture
def forum_world(world):
    kg_forum = ForumFactory(member=world["kg"])
    bsk_forum = ForumFactory(member=world["bishkek"], name="Open Bishkek Committee", cadence="semiannual")
    chair = ForumMembershipFactory(forum=kg_forum, sector="civil_society", role="co_chair")
    member = ForumMembershipFactory(forum=bsk_forum)
    held = MeetingFactory(forum=kg_forum)
    planned = MeetingFactory(forum=bsk_forum, status="planned", starts_at=dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC))
    present = Attendance.objects.create(meeting=held, membership=chair)
    absent = Attendance.objects.create(meeting=planned, membership=member, status=Attendance.Status.ABSENT)
    return locals()


def test_forum_filtersets(forum_world):
    w = forum_world
    assert ids(ff.ForumFilterSet, {"member_code": "KGBSK"}, Forum.objects.all()) == {w["bsk_forum"].pk}
    assert ids(ff.ForumFilterSet, {"cadence": "quarterly"}, Forum.objects.all()) == {w["kg_forum"].pk}
    qs = ForumMembership.objects.all()
    assert ids(ff.ForumMembershipFilterSet, {"role": "co_chair"}, qs) == {w["chair"].pk}
    assert ids(ff.ForumMembershipFilterSet, {"forum": w["bsk_forum"].pk, "sector": "government"}, qs) == {w["member"].pk}
    qs = Meeting.objects.all()
    assert ids(ff.MeetingFilterSet, {"status": "planned"}, qs) == {w["planned"].pk}
    assert ids(ff.MeetingFilterSet, {"starts_after": "2024-01-01T00:00:00Z"}, qs) == {w["planned"].pk}
    assert ids(ff.MeetingFilterSet, {"starts_before": "2024-01-01T00:00:00Z", "member": w["kg_forum"].member_id}, qs) == {
        w["held"].pk
    }
    # ISO allows offsets PostgreSQL refuses (beyond ±15:59); the moment is compared in UTC.
    assert ids(ff.MeetingFilterSet, {"starts_after": "2024-12-31T09:00:00-22:57"}, qs) == {w["planned"].pk}
    assert ids(ff.MeetingFilterSet, {"starts_after": "9999-12-31T23:00:00-05:00"}, qs) == set()
    assert len(ids(ff.MeetingFilterSet, {"starts_after": "0001-01-01T00:30:00+05:00"}, qs)) == 2
    qs = Attendance.objects.all()
    assert ids(ff.AttendanceFilterSet, {"status": "absent"}, qs) == {w["absent"].pk}
    assert ids(ff.AttendanceFilterSet, {"forum": w["kg_forum"].pk}, qs) == {w["present"].pk}
    assert ids(ff.AttendanceFilterSet, {"meeting": w["planned"].pk, "membership": w["member"].pk}, qs) == {w["absent"].pk}


def test_compliance_filtersets(world):
    kg = world["kg"]
    met = AdminDeadlineFactory(member=kg, due_on=dt.date(2021, 12, 31), met_on=dt.date(2021, 12, 1))
    open_deadline = AdminDeadlineFactory(member=kg, due_on=dt.date(2023, 12, 31))
    assert ids(compf.DeadlineFilterSet, {"met": "true"}, Deadline.objects.all()) == {met.pk}
    assert ids(compf.DeadlineFilterSet, {"due_on__gte": "2022-01-01", "member_code": "KG"}, Deadline.objects.all()) == {
        open_deadline.pk
    }
    resolved = Finding.objects.create(
        member=kg, kind="missed_forum_meeting", period="2022-Q2", effective_on=dt.date(2022, 7, 1), resolved_on=dt.date(2022, 9, 1)
    )
    unresolved = Finding.objects.create(member=kg, kind="missed_status_update", period="2022-H1", effective_on=dt.date(2022, 8, 1))
    assert ids(compf.FindingFilterSet, {"resolved": "false"}, Finding.objects.all()) == {unresolved.pk}
    assert ids(compf.FindingFilterSet, {"kind": "missed_forum_meeting", "member_code": "KG"}, Finding.objects.all()) == {resolved.pk}
    assert ids(compf.FindingFilterSet, {"effective_on__gte": "2022-07-15"}, Finding.objects.all()) == {unresolved.pk}
    event = StatusEvent.objects.create(member=kg, status="under_review", effective_on=dt.date(2023, 1, 1))
    assert ids(compf.StatusEventFilterSet, {"status": "under_review", "member_code": "KG"}, StatusEvent.objects.all()) == {event.pk}
    assert ids(compf.StatusEventFilterSet, {"effective_on__lte": "2022-01-01"}, StatusEvent.objects.all()) == set()
    decision = DecisionFactory(member=kg)
    assert ids(compf.DecisionFilterSet, {"kind": "irm_minimum_requirements", "member": kg.pk}, Decision.objects.all()) == {decision.pk}
    assert ids(compf.DecisionFilterSet, {"decided_on__gte": "2023-01-01"}, Decision.objects.all()) == set()
