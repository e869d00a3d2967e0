"""The compliance rules as specs: pure functions, no database, no frozen clock."""

import datetime as dt
import time
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from compliance import engine as rules
from compliance.engine import (
    DecisionInfo,
    DeadlineOverride,
    ForumInfo,
    MemberSnapshot,
    PlanInfo,
    PolicyVersion,
    evaluate,
)

D = dt.date
BISHKEK = ZoneInfo("Asia/Bishkek")

# Seed 000: the Kyrgyz Republic, its 2018–2020 plan, and the deadlines stated in OGP's letters.
KG_PLAN = PlanInfo(start=D(2018, 9, 1), end=D(2020, 8, 31), submitted_on=D(2018, 8, 31), title="NAP 2018-2020")
KG_DEADLINES = (
    DeadlineOverride("2021-2023", D(2021, 12, 31), "OGP letter of 9 March 2022"),
    DeadlineOverride("2022-2024", D(2022, 12, 31), "OGP letter of 9 March 2022"),
    DeadlineOverride("2023-2025", D(2023, 12, 31), "OGP letter of 24 February 2023"),
)
KG = MemberSnapshot(code="KG", joined_on=D(2017, 11, 21), plans=(KG_PLAN,), deadline_overrides=KG_DEADLINES)


def at(day, hour=12):
    """Return an aware instant on ``day`` at ``hour`` o'clock in Bishkek."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BISHKEK)


def plan_deadline(ev):
    return next((d.due for d in ev.next_deadlines if d.kind == "action_plan"), None)


def findings(ev, kind):
    return [f for f in ev.findings if f.kind == kind]


class TestWorkedExampleOfSeed000:
    def test_it_is_active_on_the_deadline_day(self):
        ev = evaluate(KG, at(D(2021, 12, 31)))
        assert ev.status == "active"
        assert plan_deadline(ev) == D(2021, 12, 31)
        assert next(d for d in ev.next_deadlines if d.kind == "action_plan").days_left == 0

    def test_it_acts_contrary_to_process_the_day_after_the_missed_deadline(self):
        ev = evaluate(KG, at(D(2022, 1, 1), hour=0))
        assert ev.status == "contrary_to_process"
        assert ev.status_since == D(2022, 1, 1)
        assert plan_deadline(ev) == D(2022, 12, 31)
        [finding] = findings(ev, "contrary_to_process")
        assert (finding.period, finding.effective_on, finding.resolved_on) == ("2021-2023", D(2022, 1, 1), None)

    def test_it_is_under_review_after_two_consecutive_cycles(self):
        ev = evaluate(KG, at(D(2023, 1, 1)))
        assert ev.status == "under_review"
        assert plan_deadline(ev) == D(2023, 12, 31)
        assert [(c.status, c.effective_on, c.cycle) for c in ev.changes] == [
            ("contrary_to_process", D(2022, 1, 1), "2021-2023"),
            ("under_review", D(2023, 1, 1), "2022-2024"),
        ]
        assert ev.changes[1].next_deadline == D(2023, 12, 31)
        assert ev.changes[0].next_deadline == D(2022, 12, 31)

    def test_it_stays_under_review_on_the_last_day(self):
        assert evaluate(KG, at(D(2023, 12, 31), hour=23)).status == "under_review"

    def test_inactive_is_recommended_on_the_third_missed_year(self):
        ev = evaluate(KG, at(D(2024, 1, 1)))
        assert ev.status == "inactive_recommended"
        assert ev.status_since == D(2024, 1, 1)
        assert [f.period for f in findings(ev, "contrary_to_process")] == ["2021-2023", "2022-2024", "2023-2025"]

    def test_a_plan_delivered_by_the_next_deadline_resolves_the_review(self):
        late_plan = PlanInfo(start=D(2024, 1, 1), end=D(2025, 12, 31), submitted_on=D(2023, 11, 30))
        kg = replace(KG, plans=(KG_PLAN, late_plan))
        ev = evaluate(kg, at(D(2024, 1, 1)))
        assert ev.status == "active"
        assert ev.changes[-1].status == "active" and ev.changes[-1].effective_on == D(2023, 11, 30)
        # Issue 19: the missed cycles stay missed; the plan ended the run.
        assert [(f.period, f.resolved_on, f.met_again_on) for f in findings(ev, "contrary_to_process")] == [
            ("2021-2023", None, D(2023, 11, 30)),
            ("2022-2024", None, D(2023, 11, 30)),
        ]
        # The next plan is due 12 months after the end of this one (2022 rule).
        assert plan_deadline(ev) == D(2026, 12, 31)

    def test_the_rule_alone_gives_the_same_chain_after_the_first_deadline(self):
        # Only the first deadline (postponed by the administrator) is stored; the others follow by rule.
        kg = replace(KG, deadline_overrides=KG_DEADLINES[:1])
        ev = evaluate(kg, at(D(2024, 1, 1)))
        assert [(c.label, c.due, c.source) for c in ev.cycles] == [
            # The first plan is judged too: due 12 months after joining, met on 2018-08-31.
            ("2018-2020", D(2018, 11, 21), "rule"),
            ("2021-2023", D(2021, 12, 31), "administrator"),
            ("2022-2024", D(2022, 12, 31), "rule"),
            ("2023-2025", D(2023, 12, 31), "rule"),
            ("2024-2026", D(2024, 12, 31), "rule"),
        ]
        assert ev.status == "inactive_recommended"

    def test_an_administrator_deadline_wins_over_the_rule(self):
        kg = replace(
            KG, deadline_overrides=(DeadlineOverride("2020-2022", D(2021, 3, 31), "Extension granted by letter"),)
        )
        # By the 2019 calendar alone (without the 2020 COVID-19 extension), the plan after one
        # ending in 2020 was due on 2020-12-31.
        assert evaluate(replace(KG, deadline_overrides=(), extensions=()), at(D(2021, 1, 1))).status == "contrary_to_process"
        ev = evaluate(kg, at(D(2021, 1, 1)))
        assert ev.status == "active"
        assert ev.next_deadlines[0].due == D(2021, 3, 31)
        assert ev.next_deadlines[0].source == "administrator"
        assert ev.next_deadlines[0].reason == "Extension granted by letter"

    def test_the_evaluation_ignores_the_server_time_zone(self, monkeypatch):
        # 2022-12-31T19:00Z is already 2023-01-01 01:00 in Bishkek.
        now = dt.datetime(2022, 12, 31, 19, 0, tzinfo=dt.UTC)
        results = []
        for zone in ("America/Los_Angeles", "Pacific/Kiritimati", "UTC"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            results.append(evaluate(KG, now).status)
        monkeypatch.delenv("TZ")
        time.tzset()
        assert results == ["under_review"] * 3
        assert evaluate(KG, dt.datetime(2022, 12, 31, 17, 59, tzinfo=dt.UTC)).status == "contrary_to_process"

    def test_it_refuses_a_naive_now(self):
        with pytest.raises(ValueError):
            evaluate(KG, dt.datetime(2023, 1, 1))


class TestDecisionsInTheLadder:
    def test_an_irm_finding_counts_like_a_late_plan(self):
        # Plan delivered on time, then the IRM finds the minimum requirements unmet: contrary to process.
        plan2 = PlanInfo(D(2022, 1, 1), D(2023, 12, 31), D(2021, 12, 1))
        m = replace(
            KG,
            deadline_overrides=(),
            plans=(KG_PLAN, plan2),
            decisions=(DecisionInfo("irm_minimum_requirements", D(2022, 9, 1), "2022-2024", "IRM Action Plan Review"),),
        )
        ev = evaluate(m, at(D(2022, 10, 1)))
        assert ev.status == "contrary_to_process"
        [f] = findings(ev, "irm_minimum_requirements")
        assert (f.period, f.effective_on, f.reference) == ("2022-2024", D(2022, 9, 1), "IRM Action Plan Review")

    def test_a_further_irm_finding_while_under_review_recommends_inactive(self):
        m = replace(KG, decisions=(DecisionInfo("irm_no_progress", D(2023, 6, 1), "2023-2025"),))
        assert evaluate(m, at(D(2023, 5, 31))).status == "under_review"
        ev = evaluate(m, at(D(2023, 6, 1)))
        assert ev.status == "inactive_recommended"
        assert ev.status_since == D(2023, 6, 1)

    def test_the_steering_committee_makes_it_inactive_and_removal_is_recommended_after_12_months(self):
        m = replace(KG, decisions=(DecisionInfo("sc_inactive", D(2024, 3, 15), reference="SC resolution 2024-03"),))
        assert evaluate(m, at(D(2024, 3, 15))).status == "inactive"
        assert evaluate(m, at(D(2025, 3, 14))).status == "inactive"
        ev = evaluate(m, at(D(2025, 3, 15)))
        assert ev.status == "removal_recommended"
        assert ev.changes[-1].effective_on == D(2025, 3, 15)

    def test_a_new_plan_while_inactive_reengages_the_member(self):
        plan = PlanInfo(D(2024, 9, 1), D(2026, 8, 31), D(2024, 8, 20))
        m = replace(KG, plans=(KG_PLAN, plan), decisions=(DecisionInfo("sc_inactive", D(2024, 3, 15)),))
        ev = evaluate(m, at(D(2025, 6, 1)))
        assert ev.status == "active"
        assert [c.status for c in ev.changes][-2:] == ["inactive", "active"]

    def test_reactivation_and_removal_decisions(self):
        m = replace(
            KG,
            decisions=(DecisionInfo("sc_inactive", D(2024, 3, 15)), DecisionInfo("sc_reactivation", D(2024, 9, 1))),
        )
        assert evaluate(m, at(D(2024, 9, 1))).status == "active"
        m = replace(KG, decisions=(DecisionInfo("sc_removal", D(2024, 6, 1)),))
        ev = evaluate(m, at(D(2025, 1, 1)))
        assert ev.status == "removed"
        assert not [d for d in ev.next_deadlines if d.kind == "action_plan"]

    def test_the_thresholds_come_from_the_policy(self):
        strict = tuple(replace(p, under_review_after_cycles=1) for p in rules.DEFAULT_POLICIES)
        assert evaluate(replace(KG, policies=strict), at(D(2022, 1, 1))).status == "under_review"


FORUM = ForumInfo("forum:1", "National Forum", held_on=(D(2024, 2, 10),))


def forum_member(*held, policies=rules.DEFAULT_POLICIES):
    return MemberSnapshot(code="XX", forums=(replace(FORUM, held_on=tuple(held)),), policies=policies)


class TestMissedQuarter:
    def test_a_quarter_is_missed_only_once_it_has_ended(self):
        m = forum_member(D(2024, 2, 10))
        assert findings(evaluate(m, at(D(2024, 6, 30), hour=23)), "missed_forum_meeting") == []
        [f] = findings(evaluate(m, at(D(2024, 7, 1), hour=0)), "missed_forum_meeting")
        assert (f.subject, f.period, f.effective_on, f.resolved_on) == ("forum:1", "2024-Q2", D(2024, 7, 1), None)

    def test_the_quarter_boundary_is_in_bishkek_time(self):
        m = forum_member(D(2024, 2, 10))
        # 2024-06-30T18:30Z is 2024-07-01 00:30 in Bishkek: Q2 has ended there.
        assert findings(evaluate(m, dt.datetime(2024, 6, 30, 18, 30, tzinfo=dt.UTC)), "missed_forum_meeting")
        assert not findings(evaluate(m, dt.datetime(2024, 6, 30, 17, 30, tzinfo=dt.UTC)), "missed_forum_meeting")

    def test_a_meeting_on_29_february_counts_for_q1(self):
        m = forum_member(D(2023, 12, 1), D(2024, 2, 29))
        ev = evaluate(m, at(D(2024, 4, 1)))
        assert findings(ev, "missed_forum_meeting") == []
        assert ev.next_deadlines[0].due == D(2024, 6, 30)

    def test_a_late_meeting_resolves_the_missed_quarter_with_its_date(self):
        m = forum_member(D(2024, 2, 10), D(2024, 8, 5))
        ev = evaluate(m, at(D(2024, 10, 1)))
        assert [(f.period, f.resolved_on, f.met_again_on) for f in findings(ev, "missed_forum_meeting")] == [
            ("2024-Q2", None, D(2024, 8, 5))
        ]

    def test_every_quarter_without_a_meeting_is_a_finding(self):
        ev = evaluate(forum_member(D(2024, 2, 10)), at(D(2025, 1, 1)))
        assert [f.period for f in findings(ev, "missed_forum_meeting")] == ["2024-Q2", "2024-Q3", "2024-Q4"]

    def test_grace_days_delay_the_finding(self):
        graced = tuple(replace(p, grace_days=15) for p in rules.DEFAULT_POLICIES)
        m = forum_member(D(2024, 2, 10), policies=graced)
        assert not findings(evaluate(m, at(D(2024, 7, 15))), "missed_forum_meeting")
        [f] = findings(evaluate(m, at(D(2024, 7, 16))), "missed_forum_meeting")
        assert f.effective_on == D(2024, 7, 16)

    def test_the_six_month_cadence_of_the_2021_standards(self):
        semi = (
            PolicyVersion(D(2000, 1, 1), forum_cadence_months=6),
        )
        ev = evaluate(forum_member(D(2024, 2, 10), policies=semi), at(D(2024, 12, 31)))
        assert findings(ev, "missed_forum_meeting") == []
        [f] = findings(evaluate(forum_member(D(2024, 2, 10), policies=semi), at(D(2025, 1, 1))), "missed_forum_meeting")
        assert f.period == "2024-H2"

    def test_a_member_specific_policy_wins_over_the_default(self):
        policies = rules.DEFAULT_POLICIES + (PolicyVersion(D(2024, 1, 1), forum_cadence_months=6, member_specific=True),)
        assert not findings(evaluate(forum_member(D(2024, 2, 10), policies=policies), at(D(2024, 10, 1))), "missed_forum_meeting")


def update_member(*published, plan=PlanInfo(D(2023, 9, 1), D(2025, 8, 31), D(2023, 8, 15))):
    return MemberSnapshot(code="XX", plans=(plan,), update_published_on=tuple(published))


class TestMissedSixMonthUpdate:
    def test_the_half_year_is_missed_once_it_has_ended(self):
        m = update_member(D(2024, 2, 29))
        assert not findings(evaluate(m, at(D(2024, 12, 31), hour=23)), "missed_status_update")
        [f] = findings(evaluate(m, at(D(2025, 1, 1), hour=0)), "missed_status_update")
        assert (f.period, f.effective_on) == ("2024-H2", D(2025, 1, 1))

    def test_it_is_measured_from_the_plan_start_when_nothing_was_published(self):
        ev = evaluate(update_member(), at(D(2024, 7, 1)))
        assert [f.period for f in findings(ev, "missed_status_update")] == ["2024-H1"]

    def test_an_update_on_29_february_meets_the_first_half(self):
        ev = evaluate(update_member(D(2024, 2, 29)), at(D(2024, 7, 1)))
        assert findings(ev, "missed_status_update") == []
        assert [d.due for d in ev.next_deadlines if d.kind == "status_update"] == [D(2024, 12, 31)]

    def test_a_late_update_resolves_the_finding(self):
        ev = evaluate(update_member(D(2024, 2, 29), D(2025, 1, 20)), at(D(2025, 2, 1)))
        [f] = findings(ev, "missed_status_update")
        assert (f.period, f.resolved_on, f.met_again_on) == ("2024-H2", None, D(2025, 1, 20))

    def test_a_member_without_a_plan_in_implementation_is_not_flagged(self):
        m = MemberSnapshot(code="XX", update_published_on=())
        ev = evaluate(m, at(D(2025, 1, 1)))
        assert findings(ev, "missed_status_update") == [] and not ev.next_deadlines
        # After the plan ends, no further half-year is required.
        ev = evaluate(update_member(D(2024, 2, 1), D(2024, 8, 1), D(2025, 2, 1), D(2025, 8, 1)), at(D(2026, 6, 1)))
        assert findings(ev, "missed_status_update") == []
        assert not [d for d in ev.next_deadlines if d.kind == "status_update"]


class TestDateHelpers:
    def test_add_months_clamps_29_february(self):
        assert rules.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
        assert rules.add_months(D(2023, 2, 28), 12) == D(2024, 2, 28)
        assert rules.add_months(D(2021, 12, 31), 12) == D(2022, 12, 31)

    def test_a_plan_ending_on_29_february_is_due_a_year_later_on_28_february(self):
        plan = PlanInfo(D(2022, 3, 1), D(2024, 2, 29), D(2022, 2, 1))
        ev = evaluate(MemberSnapshot(code="XX", plans=(plan,)), at(D(2024, 3, 1)))
        assert plan_deadline(ev) == D(2025, 2, 28)
        assert evaluate(MemberSnapshot(code="XX", plans=(plan,)), at(D(2025, 3, 1))).status == "contrary_to_process"

    @pytest.mark.parametrize(
        "day,months,label",
        [(D(2024, 3, 31), 3, "2024-Q1"), (D(2024, 4, 1), 3, "2024-Q2"), (D(2024, 6, 30), 6, "2024-H1"), (D(2024, 7, 1), 6, "2024-H2")],
    )
    def test_period_labels(self, day, months, label):
        assert rules.period_of(day, months).label == label


# ---------------------------------------------------------------- issue #7: fidelity rules, each to the day

from compliance.engine import AdminFinding, Extension  # noqa: E402

NO_EXT = ()


class TestLatePlansAndTheRun:
    """A late plan meets the next cycle; a finding against that cycle extends the run (docs ogp-rules.md §4)."""

    # A member whose plan ends 2021-12-31: under the 2022 rule the next one is due 2022-12-31.
    FIRST = PlanInfo(D(2020, 1, 1), D(2021, 12, 31), D(2019, 12, 1))
    LATE = PlanInfo(D(2023, 4, 1), D(2025, 3, 31), D(2023, 3, 15))
    M = MemberSnapshot(code="XX", plans=(FIRST, LATE), extensions=NO_EXT)

    def test_a_late_plan_leaves_the_missed_cycle_contrary_and_meets_the_next(self):
        ev = evaluate(self.M, at(D(2023, 3, 15)))
        # Issue 19: the first plan on record (no joining date) meets a cycle of its own, labelled as the plan.
        assert (ev.cycles[0].label, ev.cycles[0].met_on) == ("2020-2022", D(2019, 12, 1))
        assert [(c.label, c.due, c.missed, c.met_on) for c in ev.cycles][1:3] == [
            ("2022-2024", D(2022, 12, 31), True, None),
            ("2023-2025", D(2023, 12, 31), False, D(2023, 3, 15)),
        ]
        assert ev.status == "active" and ev.status_since == D(2023, 3, 15)
        [f] = findings(ev, "contrary_to_process")
        assert (f.effective_on, f.resolved_on, f.met_again_on) == (D(2023, 1, 1), None, D(2023, 3, 15))

    def test_an_irm_finding_against_the_late_plans_cycle_is_the_second_consecutive_contrary_cycle(self):
        irm = DecisionInfo("irm_minimum_requirements", D(2023, 9, 1), "", "IRM Action Plan Review 2023-2025")
        m = replace(self.M, decisions=(irm,))
        assert evaluate(m, at(D(2023, 8, 31))).status == "active"
        ev = evaluate(m, at(D(2023, 9, 1)))
        assert ev.status == "under_review"
        assert ev.changes[-1].cycle == "2023-2025"  # the cycle the late plan met

    def test_a_cycle_met_on_time_without_a_finding_breaks_the_run(self):
        on_time = PlanInfo(D(2023, 1, 1), D(2024, 12, 31), D(2022, 12, 20))
        irm = DecisionInfo("irm_minimum_requirements", D(2023, 9, 1))
        m = MemberSnapshot(code="XX", plans=(self.FIRST, on_time), decisions=(irm,), extensions=NO_EXT)
        # The IRM finding is against the on-time plan's cycle, but no cycle before it was contrary.
        assert evaluate(m, at(D(2023, 9, 1))).status == "contrary_to_process"

    def test_same_day_a_plan_on_the_deadline_meets_it(self):
        on_deadline = PlanInfo(D(2023, 1, 1), D(2024, 12, 31), D(2022, 12, 31))
        m = MemberSnapshot(code="XX", plans=(self.FIRST, on_deadline), extensions=NO_EXT)
        ev = evaluate(m, at(D(2023, 1, 1)))
        assert ev.status == "active" and not findings(ev, "contrary_to_process")

    def test_same_day_a_failure_comes_before_ogps_decision(self):
        # The documented order (engine ORDER_*): a plan, an administrator's resolution, failures, OGP's decisions.
        m = MemberSnapshot(code="XX", plans=(self.FIRST,), extensions=NO_EXT)
        assert evaluate(m, at(D(2023, 1, 1))).status == "contrary_to_process"  # due 2022-12-31, nothing came
        reactivated = DecisionInfo("sc_reactivation", D(2023, 1, 1), "", "SC resolution", "Reactivated")
        ev = evaluate(replace(m, decisions=(reactivated,)), at(D(2023, 1, 1)))
        assert (ev.status, ev.status_since) == ("active", D(2023, 1, 1))
        css = DecisionInfo("css_under_review", D(2023, 1, 1), "", "C&S resolution", "Eligibility")
        assert evaluate(replace(m, decisions=(css,)), at(D(2023, 1, 1))).status == "under_review"


class TestOGPDecisions:
    def test_the_css_places_a_member_under_review_for_any_reason(self):
        css = DecisionInfo("css_under_review", D(2021, 6, 1), "", "C&S resolution", "Eligibility criteria not met")
        m = replace(KG, decisions=(css,))
        assert evaluate(m, at(D(2021, 5, 31))).status == "active"
        ev = evaluate(m, at(D(2021, 6, 1)))
        assert (ev.status, ev.status_since) == ("under_review", D(2021, 6, 1))
        assert ev.changes[-1].reason == "Eligibility criteria not met"

    def test_a_missed_remedial_deadline_recommends_inactive_the_next_day(self):
        remedial = DecisionInfo("sc_remedial_deadline", D(2021, 3, 1), reference="SC letter", due_on=D(2021, 9, 30))
        m = replace(KG, deadline_overrides=(), decisions=(remedial,))
        ev = evaluate(m, at(D(2021, 9, 30)))
        assert ev.status != "inactive_recommended"
        assert [d.due for d in ev.next_deadlines if d.kind == "remedial"] == [D(2021, 9, 30)]
        ev = evaluate(m, at(D(2021, 10, 1)))
        assert (ev.status, ev.status_since) == ("inactive_recommended", D(2021, 10, 1))

    def test_a_remedial_deadline_met_by_a_plan_or_by_the_administrator(self):
        remedial = DecisionInfo("sc_remedial_deadline", D(2021, 3, 1), due_on=D(2021, 9, 30), met_on=D(2021, 9, 1))
        m = replace(KG, deadline_overrides=(), decisions=(remedial,))
        assert evaluate(m, at(D(2021, 10, 1))).status != "inactive_recommended"
        plan = PlanInfo(D(2021, 10, 1), D(2023, 9, 30), D(2021, 9, 15))
        remedial = replace(remedial, met_on=None)
        m = replace(KG, deadline_overrides=(), plans=(KG_PLAN, plan), decisions=(remedial,))
        assert evaluate(m, at(D(2021, 10, 1))).status == "active"


class TestAdministratorsFindings:
    def test_it_counts_in_the_ladder_and_is_never_resolved_by_a_plan(self):
        plan2 = PlanInfo(D(2022, 1, 1), D(2023, 12, 31), D(2021, 12, 1))
        af = AdminFinding(1, D(2022, 6, 1), "2022-2024", "Forum did not meet for seven months")
        m = replace(KG, deadline_overrides=(), plans=(KG_PLAN, plan2), admin_findings=(af,))
        ev = evaluate(m, at(D(2024, 6, 1)))
        [f] = [f for f in ev.findings if f.source == "administrator"]
        assert f.resolved_on is None and f.effective_on == D(2022, 6, 1)
        assert ev.changes[0].status == "contrary_to_process" and ev.changes[0].effective_on == D(2022, 6, 1)

    def test_only_the_administrators_resolution_ends_it(self):
        plan2 = PlanInfo(D(2022, 1, 1), D(2023, 12, 31), D(2021, 12, 1))
        af = AdminFinding(1, D(2022, 6, 1), "2022-2024", "x", resolved_on=D(2022, 9, 1), resolution="Forum met")
        m = replace(KG, deadline_overrides=(), plans=(KG_PLAN, plan2), admin_findings=(af,))
        assert evaluate(m, at(D(2022, 8, 31))).status == "contrary_to_process"
        ev = evaluate(m, at(D(2022, 9, 1)))
        assert ev.status == "active"
        assert [f.resolved_on for f in ev.findings if f.source == "administrator"] == [D(2022, 9, 1)]


class TestPolicyEras:
    def test_2014_a_plan_up_to_four_months_late_is_not_contrary(self):
        plan = PlanInfo(D(2012, 7, 1), D(2014, 6, 30), D(2012, 4, 1))
        m = MemberSnapshot(code="XX", plans=(plan,), extensions=NO_EXT)
        # Due when the last plan ends (2014-06-30); more than four months late from 2014-10-30.
        assert evaluate(m, at(D(2014, 10, 29))).status == "active"
        ev = evaluate(m, at(D(2014, 10, 30)))
        assert (ev.status, ev.status_since) == ("contrary_to_process", D(2014, 10, 30))
        late = PlanInfo(D(2014, 11, 1), D(2016, 6, 30), D(2014, 10, 15))
        assert evaluate(replace(m, plans=(plan, late)), at(D(2014, 11, 1))).status == "active"

    def test_2015_calendar_keeps_or_shifts_the_cohort(self):
        first = PlanInfo(D(2013, 7, 1), D(2015, 6, 30), D(2013, 4, 1))
        policies = (PolicyVersion(D(2000, 1, 1), deadline_rule="calendar_2015"),)
        slightly_late = PlanInfo(D(2015, 9, 1), D(2017, 6, 30), D(2015, 9, 1))
        m = MemberSnapshot(code="XX", plans=(first, slightly_late), policies=policies, extensions=NO_EXT)
        # Due 2015-06-30 (the end of the plan), delivered within six months: the cohort keeps 2017-06-30.
        assert plan_deadline(evaluate(m, at(D(2016, 1, 1)))) == D(2017, 6, 30)
        very_late = PlanInfo(D(2016, 3, 1), D(2018, 6, 30), D(2016, 2, 1))
        m = replace(m, plans=(first, very_late))
        # More than six months late: the cohort shifts a year, due 2018-06-30.
        assert plan_deadline(evaluate(m, at(D(2016, 3, 1)))) == D(2018, 6, 30)

    def test_2015_calendar_more_than_four_months_late_is_contrary(self):
        # OGP news, "Letters Sent to Countries Encouraging Submission of Action Plans" (2015): "countries more
        # than four months late in submitting their NAP will be considered acting contrary to OGP process".
        first = PlanInfo(D(2013, 7, 1), D(2015, 6, 30), D(2013, 4, 1))
        policies = (PolicyVersion(D(2000, 1, 1), deadline_rule="calendar_2015"),)
        m = MemberSnapshot(code="XX", plans=(first,), policies=policies, extensions=NO_EXT)
        assert evaluate(m, at(D(2015, 10, 29))).status == "active"
        ev = evaluate(m, at(D(2015, 10, 30)))
        assert (ev.status, ev.status_since) == ("contrary_to_process", D(2015, 10, 30))
        # Late within the four months: the cycle is met, not contrary.
        late = PlanInfo(D(2015, 9, 1), D(2017, 6, 30), D(2015, 9, 1))
        assert evaluate(replace(m, plans=(first, late)), at(D(2016, 1, 1))).status == "active"

    def test_the_31_august_calendar_was_in_force_for_the_plans_due_in_2018(self):
        # OGP, "Let's Get Co-Creating: Participate in the 2018 Action Plan Process!": 2018 plans due 31 August 2018.
        plan = PlanInfo(D(2016, 7, 1), D(2018, 6, 30), D(2016, 6, 30))
        m = MemberSnapshot(code="XX", plans=(plan,), extensions=NO_EXT)
        assert plan_deadline(evaluate(m, at(D(2018, 9, 1)))) == D(2018, 12, 31)
        assert evaluate(m, at(D(2019, 1, 1))).status == "contrary_to_process"

    def test_2020_covid_extension_lets_a_member_switch_cohort_without_acting_contrary(self):
        plan = PlanInfo(D(2018, 9, 1), D(2020, 8, 31), D(2018, 8, 31))
        m = MemberSnapshot(code="XX", plans=(plan,))  # the default COVID-19 extension
        ev = evaluate(m, at(D(2021, 1, 1)))
        assert ev.status == "active" and plan_deadline(ev) == D(2021, 12, 31)
        assert evaluate(m, at(D(2022, 1, 1))).status == "contrary_to_process"
        no_switch = (Extension(D(2020, 1, 1), D(2020, 12, 31), D(2020, 12, 31), cohort_switch=False),)
        assert evaluate(replace(m, extensions=no_switch), at(D(2021, 1, 1))).status == "contrary_to_process"

    def test_a_first_plan_can_be_late(self):
        m = MemberSnapshot(code="XX", joined_on=D(2019, 3, 1), extensions=NO_EXT)
        assert evaluate(m, at(D(2020, 3, 1))).status == "active"
        ev = evaluate(m, at(D(2020, 3, 2)))
        assert (ev.status, ev.status_since) == ("contrary_to_process", D(2020, 3, 2))

    def test_ogp_local_members_are_judged_by_their_own_rules(self):
        local = MemberSnapshot(code="XXLOC", joined_on=D(2020, 12, 1), kind="local", extensions=NO_EXT)
        assert evaluate(local, at(D(2023, 1, 1))).status == "active"  # the first local plan is not judged
        strict = rules.DEFAULT_POLICIES + (PolicyVersion(D(2000, 1, 1), applies_to="local", first_plan_months=12, member_specific=True),)
        assert evaluate(replace(local, policies=strict), at(D(2022, 1, 1))).status == "contrary_to_process"
        # National rules do not reach a local member, and local rules do not reach a national one.
        national = replace(local, kind="national")
        assert evaluate(national, at(D(2021, 12, 2))).status == "contrary_to_process"
