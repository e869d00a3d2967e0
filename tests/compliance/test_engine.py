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
        assert [(f.period, f.resolved_on) for f in findings(ev, "contrary_to_process")] == [
            ("2021-2023", D(2023, 11, 30)),
            ("2022-2024", D(2023, 11, 30)),
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
        assert [(f.period, f.resolved_on) for f in findings(ev, "missed_forum_meeting")] == [("2024-Q2", D(2024, 8, 5))]

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
        assert (f.period, f.resolved_on) == ("2024-H2", D(2025, 1, 20))

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
