"""What is due, overdue and missing: pure functions of unsaved objects and a pinned day."""

import datetime as dt

import pytest

from commitments import workload
from commitments.models import Milestone, ProgressUpdate
from commitments.progress import reporting_period
from compliance.engine import DEFAULT_POLICIES, PolicyVersion

TODAY = dt.date(2019, 8, 15)
PERIOD = reporting_period(TODAY, DEFAULT_POLICIES)
QUARTERLY = (PolicyVersion(effective_from=dt.date(2000, 1, 1), update_cadence_months=3, member_specific=True),)


def _milestone(start, end, precision="day"):
    return Milestone(number="1.1", deliverable="x", start_date=start, end_date=end, end_precision=precision)


def _update(start, end, completion="limited"):
    return ProgressUpdate(period_start=start, period_end=end, completion=completion)


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        (dt.date(2019, 1, 1), dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1"),
        (dt.date(2019, 6, 30), dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1"),
        (dt.date(2019, 7, 1), dt.date(2019, 7, 1), dt.date(2019, 12, 31), "2019-H2"),
        (dt.date(2020, 12, 31), dt.date(2020, 7, 1), dt.date(2020, 12, 31), "2020-H2"),
    ],
)
def test_the_reporting_period_is_the_calendar_half_year_by_default(day, start, end, label):
    period = reporting_period(day, DEFAULT_POLICIES)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_the_reporting_period_follows_the_policys_update_cadence():
    period = reporting_period(TODAY, QUARTERLY)
    assert (period.start, period.end, period.label) == (dt.date(2019, 7, 1), dt.date(2019, 9, 30), "2019-Q3")
    # An update for October–December covers the half-year, not the quarter.
    m = _milestone(dt.date(2019, 1, 1), dt.date(2020, 6, 1))
    q4 = [_update(dt.date(2019, 10, 1), dt.date(2019, 12, 31))]
    assert not workload.update_missing(m, q4, "upcoming", PERIOD)
    assert workload.update_missing(m, q4, "upcoming", period)


def test_a_milestone_past_its_end_is_overdue():
    assert workload.milestone_status(_milestone(dt.date(2019, 1, 1), dt.date(2019, 8, 14)), [], TODAY, PERIOD) == "overdue"


def test_a_month_precision_end_counts_until_the_months_last_day():
    august = _milestone(dt.date(2019, 1, 1), dt.date(2019, 8, 1), precision="month")
    assert workload.milestone_status(august, [], TODAY, PERIOD) == "due"


def test_a_milestone_ending_in_this_period_is_due_and_later_ones_upcoming():
    assert workload.milestone_status(_milestone(None, dt.date(2019, 12, 31)), [], TODAY, PERIOD) == "due"
    assert workload.milestone_status(_milestone(None, dt.date(2020, 1, 1)), [], TODAY, PERIOD) == "upcoming"
    assert workload.milestone_status(_milestone(None, None), [], TODAY, PERIOD) == "unscheduled"


def test_a_complete_or_withdrawn_milestone_is_done_even_after_its_end():
    old = _milestone(dt.date(2019, 1, 1), dt.date(2019, 3, 31))
    assert workload.milestone_status(old, [_update(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "complete")], TODAY, PERIOD) == "done"
    assert workload.milestone_status(old, [_update(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "withdrawn")], TODAY, PERIOD) == "done"


def test_the_latest_update_decides_not_an_earlier_one():
    m = _milestone(dt.date(2019, 1, 1), dt.date(2019, 3, 31))
    updates = [_update(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "complete"), _update(dt.date(2019, 7, 1), dt.date(2019, 12, 31), "limited")]
    assert workload.milestone_status(m, updates, TODAY, PERIOD) == "overdue"


def test_an_update_is_missing_until_one_covers_the_period():
    m = _milestone(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    last_half = [_update(dt.date(2019, 1, 1), dt.date(2019, 6, 30))]
    assert workload.update_missing(m, last_half, "due", PERIOD)
    this_half = last_half + [_update(dt.date(2019, 7, 1), dt.date(2019, 12, 31))]
    assert not workload.update_missing(m, this_half, "due", PERIOD)


def test_nothing_is_missing_for_a_done_milestone_or_one_not_yet_started():
    assert not workload.update_missing(_milestone(dt.date(2019, 1, 1), dt.date(2019, 3, 1)), [], "done", PERIOD)
    assert not workload.update_missing(_milestone(dt.date(2020, 2, 1), dt.date(2020, 6, 1)), [], "upcoming", PERIOD)
