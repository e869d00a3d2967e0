"""Cadence periods (quarters by default, halves by policy) at their boundaries, and suggested dates."""

import datetime as dt

import pytest

from compliance.engine import DEFAULT_POLICIES, PolicyVersion
from forums.services import PeriodState, cadence_periods, suggest_dates, suggestions_for

D = dt.date
HALF_YEARLY = (PolicyVersion(effective_from=D(2000, 1, 1), forum_cadence_months=6),)


def states(periods):
    return [(p.label, p.state) for p in periods]


def test_quarter_met_missed_at_risk_and_next():
    periods = cadence_periods(DEFAULT_POLICIES, held=[D(2026, 2, 10), D(2026, 7, 1)], planned=[], today=D(2026, 11, 29), anchor=D(2023, 8, 8))
    assert states(periods) == [
        ("2026-Q1", "met"), ("2026-Q2", "missed"), ("2026-Q3", "met"), ("2026-Q4", "at_risk"), ("2027-Q1", "upcoming"),
    ]
    assert periods[3].days_left == 32  # 29 November → 31 December


def test_meeting_on_the_last_day_of_a_quarter_meets_that_quarter_not_the_next():
    periods = cadence_periods(DEFAULT_POLICIES, held=[D(2026, 3, 31)], planned=[], today=D(2026, 4, 1), anchor=D(2026, 1, 1))
    assert states(periods) == [("2026-Q1", "met"), ("2026-Q2", "at_risk"), ("2026-Q3", "upcoming")]
    assert periods[1].days_left == 90


def test_first_day_of_a_quarter_starts_a_new_period():
    periods = cadence_periods(DEFAULT_POLICIES, held=[D(2026, 4, 1)], planned=[], today=D(2026, 4, 1), anchor=D(2026, 1, 1))
    assert states(periods) == [("2026-Q1", "missed"), ("2026-Q2", "met"), ("2026-Q3", "upcoming")]


def test_a_planned_meeting_makes_the_period_scheduled_not_at_risk():
    periods = cadence_periods(DEFAULT_POLICIES, held=[], planned=[D(2026, 12, 15)], today=D(2026, 11, 29), anchor=D(2026, 10, 1))
    assert states(periods) == [("2026-Q4", "scheduled"), ("2027-Q1", "upcoming")]


def test_a_planned_meeting_left_unrecorded_does_not_meet_a_past_period():
    periods = cadence_periods(DEFAULT_POLICIES, held=[], planned=[D(2026, 9, 15)], today=D(2026, 10, 2), anchor=D(2026, 7, 1))
    assert states(periods)[0] == ("2026-Q3", "missed")


def test_half_year_policy_counts_halves_across_the_30_june_boundary():
    periods = cadence_periods(HALF_YEARLY, held=[D(2026, 6, 30)], planned=[], today=D(2026, 7, 1), anchor=D(2025, 1, 1))
    assert states(periods) == [
        ("2025-H1", "missed"), ("2025-H2", "missed"), ("2026-H1", "met"), ("2026-H2", "at_risk"), ("2027-H1", "upcoming"),
    ]
    assert periods[3].days_left == 183


def test_policy_change_from_quarters_to_halves_takes_effect_on_its_day():
    policies = (
        PolicyVersion(effective_from=D(2000, 1, 1), forum_cadence_months=3),
        PolicyVersion(effective_from=D(2026, 7, 1), forum_cadence_months=6),
    )
    periods = cadence_periods(policies, held=[D(2026, 5, 5)], planned=[], today=D(2026, 8, 1), anchor=D(2026, 1, 1))
    assert states(periods) == [("2026-Q1", "missed"), ("2026-Q2", "met"), ("2026-H2", "at_risk"), ("2027-H1", "upcoming")]


def test_suggested_dates_skip_weekends_and_kyrgyz_new_year_holidays():
    # 1–7 January 2027 are public holidays in Kyrgyzstan (New Year and Orthodox Christmas); 9–10 are a weekend.
    assert suggest_dates(D(2027, 1, 1), D(2027, 3, 31), "KG") == [D(2027, 1, 8), D(2027, 1, 11), D(2027, 1, 12)]


def test_suggested_dates_skip_nooruz_and_womens_day():
    days = suggest_dates(D(2027, 3, 8), D(2027, 3, 12), "KG", count=5)
    assert D(2027, 3, 8) not in days and D(2027, 3, 9) not in days  # Women's Day, Orozo Ait
    assert days == [D(2027, 3, 10), D(2027, 3, 11), D(2027, 3, 12)]


def test_holiday_country_is_configurable():
    # 8 March is a working day in Germany: a forum that follows German holidays may meet then.
    assert suggest_dates(D(2027, 3, 8), D(2027, 3, 8), "DE") == [D(2027, 3, 8)]
    assert suggest_dates(D(2027, 3, 8), D(2027, 3, 8), "KG") == []


def test_unknown_country_code_suggests_plain_working_days():
    assert suggest_dates(D(2027, 1, 1), D(2027, 1, 4), "XX") == [D(2027, 1, 1), D(2027, 1, 4)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # At risk this quarter with two weeks' notice possible: suggestions in this quarter.
        (D(2026, 11, 2), D(2026, 11, 16)),
        # Too late for two weeks' notice: the next working day still in the quarter.
        (D(2026, 12, 28), D(2026, 12, 29)),
    ],
)
def test_suggestions_target_the_period_that_needs_a_meeting(bishkek_forum, today, expected):
    periods = cadence_periods(DEFAULT_POLICIES, held=[], planned=[], today=today, anchor=D(2026, 10, 1))
    assert suggestions_for(bishkek_forum, periods, today)[0] == expected


def test_suggestions_move_to_next_quarter_once_this_one_is_scheduled(bishkek_forum):
    today = D(2026, 11, 29)
    periods = cadence_periods(DEFAULT_POLICIES, held=[], planned=[D(2026, 12, 10)], today=today, anchor=D(2026, 10, 1))
    assert suggestions_for(bishkek_forum, periods, today)[0] == D(2027, 1, 8)
    assert PeriodState.SCHEDULED == periods[0].state
