"""Issue 19, point 3: nothing accepted silently (pinned dates), and stored standing == live evaluation after
every kind of admin write (through the admin over HTTP, and a property test over random sequences of writes)."""

import datetime as dt
import re
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments.models import ActionPlan, Member
from compliance import engine, services, signals
from compliance.models import Decision, DeadlineExtension, Finding, Letter, MemberStanding
from tests.factories import ActionPlanFactory, AgencyFactory, DecisionFactory, ForumMembershipFactory, MemberFactory

from .conftest import bishkek

from .test_histories import TOKEN, add_member, add_plan, admin, submit  # noqa: F401  (the admin fixture)

D = dt.date


# ---------------------------------------------------------------- refused with a reason


def test_an_administrators_open_finding_outlives_a_delivered_plan():
    plan = engine.PlanInfo(D(2019, 9, 1), D(2021, 8, 31), D(2019, 8, 1))
    later = engine.PlanInfo(D(2021, 9, 1), D(2023, 8, 31), D(2021, 8, 1))
    finding = engine.AdminFinding(1, D(2020, 3, 1), "2019-2021", "Forum did not meet")
    member = engine.MemberSnapshot(code="XX", joined_on=D(2019, 1, 1), plans=(plan, later), admin_findings=(finding,))
    ev = engine.evaluate(member, D(2021, 9, 1))
    assert ev.status == "contrary_to_process"  # before: active again once the 2021 plan was delivered
    assert "stays open" in str(ev.changes[-1].reason) if ev.changes[-1].effective_on == D(2021, 8, 1) else True
    resolved = engine.AdminFinding(1, D(2020, 3, 1), "2019-2021", "x", resolved_on=D(2021, 8, 20), resolution="Met")
    assert engine.evaluate(engine.MemberSnapshot(code="XX", joined_on=D(2019, 1, 1), plans=(plan, later),
                                                 admin_findings=(resolved,)), D(2021, 9, 1)).status == "active"


@pytest.mark.django_db
def test_plans_before_joining_or_submitted_after_their_end_are_refused():
    member = MemberFactory(code="XX", joined_on=D(2019, 1, 1))
    early = ActionPlan(member=member, title="Early", start_date=D(2018, 1, 1), end_date=D(2019, 12, 31), submitted_on=D(2018, 1, 1))
    with pytest.raises(ValidationError) as error:
        early.full_clean()
    assert "before the member joined OGP (2019-01-01)" in str(error.value)
    late = ActionPlan(member=member, title="Late", start_date=D(2019, 9, 1), end_date=D(2020, 8, 31), submitted_on=D(2020, 9, 1))
    with pytest.raises(ValidationError) as error:
        late.full_clean()
    assert "after its implementation ends" in str(error.value)


def test_the_admin_refuses_another_members_agency_as_lead_institution(admin):
    kg = add_member(admin, "KG", "Kyrgyz Republic", "2017-11-21")
    other = MemberFactory(code="ME", name="Montenegro")
    theirs = AgencyFactory(member=other)
    response = submit(admin, reverse("admin:commitments_actionplan_add"), {
        "member": kg.pk, "title_en": "NAP", "title": "NAP", "start_date": "2018-09-01", "end_date": "2020-08-31",
        "submitted_on": "2018-08-31", "themes": "[]", "lead_institutions": [theirs.pk],
    }, expect=200)
    assert "Every lead institution must be one of the member" in response.content.decode().replace("&#x27;", "'")
    assert not ActionPlan.objects.exists()


@pytest.mark.django_db
def test_a_deadline_with_another_members_plan_and_an_overlapping_extension_are_refused():
    from compliance.models import Deadline

    kg, other = MemberFactory(code="KG"), MemberFactory(code="ME", name="Montenegro")
    plan = ActionPlanFactory(member=other)
    row = Deadline(member=kg, plan=plan, kind="action_plan", cycle="2021-2023", due_on=D(2021, 12, 31),
                   source="administrator", reason="A letter")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "another member" in str(error.value)
    DeadlineExtension.objects.all().delete()
    DeadlineExtension.objects.create(name="COVID-19 (2020)", due_from=D(2020, 1, 1), due_to=D(2020, 12, 31),
                                     until=D(2020, 12, 31), reason="C&S resolution")
    second = DeadlineExtension(name="Second", due_from=D(2020, 6, 1), due_to=D(2021, 6, 30), until=D(2021, 6, 30), reason="x")
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "overlaps the extension" in str(error.value)


def test_a_reactivation_of_an_active_member_and_a_decision_after_removal_are_refused(admin):
    member = add_member(admin, "TT", "Trinidad and Tobago")
    url = reverse("admin:compliance_decision_add") + f"?member={member.pk}"
    body = {"member": member.pk, "kind": "sc_reactivation", "decided_on": "2019-06-01", "cycle": "",
            "document": "Steering Committee", "summary": "Reactivated.", "due_on": "", "met_on": ""}
    page = admin.get(url).content.decode()
    response = admin.post(url, {**body, "csrfmiddlewaretoken": TOKEN.search(page).group(1)})
    assert response.status_code == 200 and "A reactivation applies to an inactive member" in response.content.decode()
    for kind, day in (("sc_inactive", "2018-12-06"), ("sc_removal", "2019-12-06")):
        submit(admin, url, {**body, "kind": kind, "decided_on": day, "summary": kind})
    page = admin.get(url).content.decode()
    response = admin.post(url, {**body, "kind": "css_under_review", "decided_on": "2020-03-01",
                                "csrfmiddlewaretoken": TOKEN.search(page).group(1)})
    assert response.status_code == 200 and "removed from OGP before this day" in response.content.decode()
    assert Decision.objects.filter(member=member).count() == 2


def test_a_plan_dated_after_the_members_removal_is_refused_like_a_decision(admin):
    """Issue 19.3: the rules ignore anything after a removal; a plan dated after it is refused with the reason."""
    from commitments import services as commitments

    member = MemberFactory(code="RR", joined_on=D(2014, 1, 1))
    DecisionFactory(member=member, kind="sc_inactive", decided_on=D(2018, 12, 6))
    DecisionFactory(member=member, kind="sc_removal", decided_on=D(2019, 12, 6))
    late = ActionPlan(member=member, title="After", start_date=D(2020, 9, 1), end_date=D(2022, 8, 31), submitted_on=D(2020, 8, 31))
    with pytest.raises(ValidationError) as error:
        late.full_clean()
    assert "removed from OGP before this day" in str(error.value.message_dict["submitted_on"])
    superuser = admin.get(reverse("admin:index")).wsgi_request.user
    with pytest.raises(ValidationError) as error:  # the service (the API, the admin)
        commitments.create_plan(by=superuser, data={"member": member, "title": "After", "start_date": D(2020, 9, 1),
                                                     "end_date": D(2022, 8, 31), "submitted_on": None})
    assert "removed from OGP before this day" in str(error.value.message_dict["start_date"])
    page = admin.get(reverse("admin:commitments_actionplan_add")).content.decode()
    response = admin.post(reverse("admin:commitments_actionplan_add"), {  # the admin: a 200 with the reason
        "member": member.pk, "title_en": "After", "title": "After", "start_date": "2020-09-01", "end_date": "2022-08-31",
        "submitted_on": "2020-08-31", "themes": "[]", "csrfmiddlewaretoken": TOKEN.search(page).group(1),
    })
    assert response.status_code == 200 and "removed from OGP before this day" in response.content.decode()
    assert not ActionPlan.objects.filter(member=member).exists()
    # Up to the day of the removal the member's plans are taken (a plan the day before, and on the day).
    for day in (D(2019, 12, 5), D(2019, 12, 6)):
        ActionPlan(member=member, title=str(day), start_date=day, end_date=D(2021, 8, 31), submitted_on=day).full_clean()


@pytest.mark.django_db
def test_a_status_letter_needs_the_status_the_rules_give(kg):
    letter = Letter(member=kg, kind="under_review", dated=D(2023, 2, 24), document="OGP letter")
    with pytest.raises(ValidationError) as error:
        letter.full_clean()
    assert "Choose the status event this letter announces" in str(error.value)
    with pytest.raises(ValidationError):
        services.record_letter_status(kg, status="inactive_recommended", previous_status="active",
                                      effective_on=D(2022, 6, 1), cycle="", reason="", reference="")
    # The statuses the letters of seed 000 give are the rules' own: taken.
    event = services.record_letter_status(kg, status="contrary_to_process", previous_status="active",
                                          effective_on=D(2022, 1, 1), cycle="2021-2023", reason="", reference="")
    assert event.pk


@pytest.mark.django_db
def test_a_finding_before_joining_is_refused(kg):
    finding = Finding(member=kg, kind="contrary_to_process", period="2018-2020", effective_on=D(2017, 1, 1),
                      source="administrator", reason="x")
    with pytest.raises(ValidationError) as error:
        finding.full_clean()
    assert "before the member joined OGP" in str(error.value)


# ---------------------------------------------------------------- stored standing == live evaluation


def run_recomputes():
    """Run the recomputes queued for after commit (the test's transaction never commits), and nothing else."""
    connection = transaction.get_connection()
    pending = [entry for entry in connection.run_on_commit
               if isinstance(entry[1], partial) and entry[1].func is signals._recompute]
    connection.run_on_commit = [entry for entry in connection.run_on_commit if entry not in pending]
    for _sids, callback, _robust in pending:
        callback()


def assert_stored_is_live(member):
    member = Member.objects.get(pk=member.pk)  # as stored now (the rules read the member's joining date and kind)
    stored = MemberStanding.objects.filter(member=member).values(*services.STANDING_FIELDS).first()
    live = services.standing_values(services.evaluate_member(member, timezone.now()))
    assert stored == live


def test_stored_standing_equals_the_live_rules_after_each_kind_of_admin_change(admin):
    def write(url, data):
        submit(admin, url, data)
        run_recomputes()

    member = add_member(admin, "XX", "Member", "2016-01-01")
    write(reverse("admin:commitments_actionplan_add"), {
        "member": member.pk, "title_en": "NAP", "title": "NAP", "start_date": "2016-09-01", "end_date": "2018-08-31",
        "submitted_on": "2016-08-31", "themes": "[]",
    })
    assert_stored_is_live(member)  # a plan saved in the admin
    plan = ActionPlan.objects.get(member=member)
    url = reverse("admin:commitments_actionplan_change", args=[plan.pk])
    form = admin.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', form)
    write(url, {"member": member.pk, "title_en": "NAP", "title": "NAP", "start_date": "2016-09-01",
                "end_date": "2024-08-31", "submitted_on": "2016-08-31", "themes": "[]",
                **({"version": version.group(1)} if version else {})})
    assert_stored_is_live(member)  # a plan's dates changed
    write(reverse("admin:compliance_policy_add"), {
        "member": member.pk, "applies_to": "", "effective_from": "2016-01-01", "forum_cadence_months": 12,
        "update_cadence_months": 12, "deadline_rule": "after_plan_end_12m", "under_review_after_cycles": 1,
        "inactive_after_years_without_plan": 3, "removal_after_inactive_months": 12, "first_plan_months": 12,
        "grace_days": 0, "reason": "A member's own policy",
    })
    assert_stored_is_live(member)  # a policy edit
    write(reverse("admin:compliance_decision_add") + f"?member={member.pk}", {
        "member": member.pk, "kind": "css_under_review", "decided_on": "2025-03-01", "cycle": "",
        "document": "C&S Subcommittee", "summary": "Placed under review.", "due_on": "", "met_on": "",
    })
    assert_stored_is_live(member)  # an OGP decision
    write(reverse("admin:compliance_deadlineextension_add"), {
        "name": "Another", "due_from": "2031-01-01", "due_to": "2031-12-31", "until": "2032-06-30",
        "cohort_switch": "on", "reason": "A resolution",
    })
    assert_stored_is_live(member)  # a global extension
    write(reverse("admin:commitments_member_change", args=[member.pk]), {
        "name_en": "Member", "code": "XX", "kind": "national", "country_en": "Member", "joined_on": "2016-02-01",
    })
    assert_stored_is_live(member)  # the joining date


@pytest.mark.django_db
def test_stored_standing_equals_live_right_after_a_meeting_is_held_or_cancelled_or_a_report_published(kg, admin_user):
    """The domain services send the event, compliance recomputes on commit: no sweep run by hand, pinned dates."""
    from commitments import progress
    from forums import services as forums

    forum = kg.forums.get()
    person = ForumMembershipFactory(forum=forum)
    plan = ActionPlan.objects.get(member=kg)

    def stored():
        return MemberStanding.objects.filter(member=kg).values(*services.STANDING_FIELDS, "swept_at").first()

    with time_machine.travel(bishkek(2019, 7, 10), tick=False):
        now = timezone.now()
        services.sweep_member(kg.pk, now=now, notify="none")
        assert stored()["swept_at"] == now
    with time_machine.travel(bishkek(2019, 7, 11), tick=False):  # a meeting held, entered afterwards
        now = timezone.now()
        before = stored()
        meeting = forums.enter_held_meeting(forum, starts_at=bishkek(2019, 7, 9, 10), by=admin_user, now=now)
        forums.record_meeting(meeting, attendance={person.pk: ("present", "")}, by=admin_user, now=now)
        run_recomputes()
        after = stored()
        assert after["swept_at"] == now  # recomputed by the write itself
        assert after["open_findings"] != before["open_findings"]  # the held meeting counted: this write mattered
        assert_stored_is_live(kg)
    with time_machine.travel(bishkek(2019, 7, 12), tick=False):  # a meeting scheduled, then cancelled
        now = timezone.now()
        meeting = forums.schedule_meeting(forum, starts_at=bishkek(2019, 8, 1, 10), by=admin_user, now=now, invite=False)
        run_recomputes()
        assert stored()["swept_at"] == now
        assert_stored_is_live(kg)
    with time_machine.travel(bishkek(2019, 7, 13), tick=False):
        now = timezone.now()
        forums.cancel_meeting(meeting, reason="No quorum", by=admin_user, now=now)
        run_recomputes()
        assert stored()["swept_at"] == now
        assert_stored_is_live(kg)
    with time_machine.travel(bishkek(2019, 7, 14), tick=False):  # a status report published
        now = timezone.now()
        before = stored()
        report = progress.open_status_report(plan, engine.Period(D(2019, 1, 1), D(2019, 6, 30), "2019-H1"), by=admin_user)
        progress.publish_status_report(report, by=admin_user, version=report.version, now=now)
        run_recomputes()
        after = stored()
        assert after["swept_at"] == now
        assert after["open_findings"] != before["open_findings"]  # the 2019-H1 update is no longer missing
        assert_stored_is_live(kg)


@pytest.mark.django_db
def test_a_write_rolled_back_recomputes_nothing(kg, admin_user):
    from forums import services as forums

    forum = kg.forums.get()
    with time_machine.travel(bishkek(2019, 7, 11), tick=False):
        with transaction.atomic():
            forums.enter_held_meeting(forum, starts_at=bishkek(2019, 7, 9, 10), by=admin_user, now=timezone.now())
            transaction.set_rollback(True)
        run_recomputes()
    assert not MemberStanding.objects.filter(member=kg).exists()


# A random sequence of the administrator's writes: (what, day offset, length).
WRITES = st.lists(
    st.tuples(st.sampled_from(["plan", "decision", "policy", "finding", "joined"]),
              st.integers(min_value=0, max_value=3000), st.integers(min_value=1, max_value=4)),
    min_size=1, max_size=5,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(writes=WRITES)
def test_stored_standing_equals_live_after_any_sequence_of_admin_writes(admin, writes):
    sid = transaction.savepoint()
    try:
        member = Member.objects.filter(code="PP").first() or MemberFactory(code="PP", name="Prop", joined_on=D(2014, 1, 1))
        base = D(2014, 1, 1)
        for what, offset, length in writes:
            day = base + dt.timedelta(days=offset)
            if what == "plan":
                url, data = reverse("admin:commitments_actionplan_add"), {
                    "member": member.pk, "title_en": "P", "title": "P", "start_date": day.isoformat(),
                    "end_date": (day + dt.timedelta(days=365 * length)).isoformat(), "submitted_on": day.isoformat(),
                    "themes": "[]"}
            elif what == "decision":
                url, data = reverse("admin:compliance_decision_add") + f"?member={member.pk}", {
                    "member": member.pk, "kind": ["css_under_review", "irm_no_progress", "sc_inactive", "sc_reactivation"][length - 1],
                    "decided_on": day.isoformat(), "cycle": "", "document": "Doc", "summary": "Why", "due_on": "", "met_on": ""}
            elif what == "policy":
                url, data = reverse("admin:compliance_policy_add"), {
                    "member": member.pk, "applies_to": "", "effective_from": day.isoformat(),
                    "forum_cadence_months": 3, "update_cadence_months": 6,
                    "deadline_rule": ["calendar_2019", "after_plan_end_12m", "four_months_2014", "calendar_2015"][length - 1],
                    "under_review_after_cycles": length, "inactive_after_years_without_plan": 3,
                    "removal_after_inactive_months": 12, "first_plan_months": 12, "grace_days": 0, "reason": "r"}
            elif what == "finding":
                url, data = reverse("admin:compliance_finding_add") + f"?member={member.pk}", {
                    "member": member.pk, "kind": "contrary_to_process", "period": "", "effective_on": day.isoformat(),
                    "reason": "Why", "reference": "Ref"}
            else:
                url, data = reverse("admin:commitments_member_change", args=[member.pk]), {
                    "name_en": "Prop", "code": "PP", "kind": "national", "country_en": "Prop", "joined_on": day.isoformat()}
            page = admin.get(url).content.decode()
            response = admin.post(url, {**data, "csrfmiddlewaretoken": TOKEN.search(page).group(1)})
            assert response.status_code in (200, 302), (what, response.status_code)  # saved, or refused with a reason
            run_recomputes()
            if MemberStanding.objects.filter(member=member).exists():
                assert_stored_is_live(member)
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.django_db
def test_an_import_of_a_plan_dated_after_the_removal_is_refused_and_saves_nothing():
    from commitments.importer import read_file, run_import
    from tests.commitments.importing import kyrgyz_republic, seed_bytes

    kg = kyrgyz_republic()  # joined 2017-11-21; seed 001 is its 2018–2020 plan
    DecisionFactory(member=kg, kind="sc_inactive", decided_on=D(2017, 12, 20))
    DecisionFactory(member=kg, kind="sc_removal", decided_on=D(2018, 3, 1))
    outcome = run_import(kg, read_file("001.txt", seed_bytes(), kg), commit=True)
    assert not outcome.committed
    assert any("removed from OGP before this day" in error for error in outcome.errors)
    assert not ActionPlan.objects.filter(member=kg).exists()
