"""R18 Dates: property tests (hypothesis, fixed seed) of the compliance engine's deadline, period and cadence
arithmetic over 2012–2035, with 29 February and month ends drawn often.

* month arithmetic: clamped to the month's end, never past it, reversible when the day exists;
* periods of every cadence tile the years with no gap and no overlap;
* recurring obligations (forum meetings, status updates) against an oracle written from the rule: a period
  is flagged if and only if it ended, its grace passed by today, and nothing happened in it; never before;
* plan deadlines: a contrary-to-process finding only after its deadline (and the late tolerance);
* the same evaluation with the server's zone (TZ, TIME_ZONE) in UTC and in Asia/Bishkek.
"""

import calendar
import datetime as dt
import os
import time
from collections import Counter

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from compliance import engine
from compliance.engine import (
    FINDING_CONTRARY,
    MISSED_FORUM_MEETING,
    ForumInfo,
    MemberSnapshot,
    PlanInfo,
    PolicyVersion,
    add_months,
    evaluate,
    period_of,
)

FIRST, LAST = dt.date(2012, 1, 1), dt.date(2035, 12, 31)
CADENCES = (1, 2, 3, 4, 6, 12)
RUNS = Counter()
PROPERTY = hsettings(max_examples=300, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow])


# Days 2012–2035, with 29 February, month ends and period ends drawn often.
leap_days = st.sampled_from([dt.date(y, 2, 29) for y in range(2012, 2036) if calendar.isleap(y)])
month_ends = st.builds(
    lambda y, m: dt.date(y, m, calendar.monthrange(y, m)[1]), st.integers(2012, 2035), st.integers(1, 12)
)
days = st.one_of(st.dates(FIRST, LAST), leap_days, month_ends)


def _run(prop, name, record_property):
    """Run one property (hypothesis draws its cases) and record how many it checked."""
    RUNS[name] = 0
    prop()
    record_property("R18", f"{name}: {RUNS[name]} generated cases, 0 counterexamples (fixed seed)")
    assert RUNS[name] >= 100


@PROPERTY
@given(day=days, months=st.integers(-48, 48))
def _add_months_clamps_to_the_month_end(day, months):
    RUNS["add_months"] += 1
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])
    if day.day <= 28:
        assert add_months(moved, -months) == day


@PROPERTY
@given(day=days, months=st.sampled_from(CADENCES))
def _periods_of_every_cadence_tile_the_years(day, months):
    RUNS["period_of"] += 1
    period = period_of(day, months)
    assert period.contains(day)
    following = period_of(period.end + dt.timedelta(days=1), months)
    assert following.start == period.end + dt.timedelta(days=1)
    assert following.label != period.label
    assert period_of(period.start, months) == period == period_of(period.end, months)
    assert period.end == add_months(period.start, months) - dt.timedelta(days=1)


def _oracle(anchor, held, today, months, grace):
    """The rule in words: every period after the anchor's that ended, whose grace passed by today, with no meeting."""
    expected = {}
    period = period_of(anchor, months)
    while True:
        period = period_of(period.end + dt.timedelta(days=1), months)
        due = period.end + dt.timedelta(days=1 + grace)
        if due > today:
            break
        if not any(period.start <= d <= period.end for d in held):
            expected[period.label] = due
    return expected


@PROPERTY
@given(
    founded=st.dates(FIRST, dt.date(2030, 12, 31)),
    offsets=st.lists(st.integers(0, 6 * 365), max_size=12),
    span=st.integers(0, 6 * 365),
    months=st.sampled_from(CADENCES),
    grace=st.sampled_from([0, 1, 14, 30, 45]),
)
def _forum_meetings_are_flagged_after_grace_and_never_before(founded, offsets, span, months, grace):
    RUNS["forum cadence"] += 1
    today = min(founded + dt.timedelta(days=span), LAST)
    held = sorted({min(founded + dt.timedelta(days=o), LAST) for o in offsets})
    policy = PolicyVersion(effective_from=dt.date(2000, 1, 1), forum_cadence_months=months, grace_days=grace)
    forum = ForumInfo(subject="forum:1", name="Forum", held_on=tuple(held), founded_on=founded)
    findings, deadlines = engine.forum_findings(MemberSnapshot(code="ZZ", forums=(forum,), policies=(policy,)), today)
    seen = [d for d in held if d <= today]
    anchor = seen[0] if seen else founded
    flagged = {f.period: f.effective_on for f in findings if f.kind == MISSED_FORUM_MEETING}
    assert len(flagged) == len(findings), "one finding a period"
    assert flagged == _oracle(anchor, seen, today, months, grace)
    for f in findings:
        period = period_of(f.effective_on - dt.timedelta(days=1 + grace), months)
        assert f.effective_on > period.end, "flagged before the period was due"
        assert f.effective_on <= today
    assert [d.due >= today for d in deadlines] == [True]


@PROPERTY
@given(
    start=st.one_of(st.dates(dt.date(2012, 1, 1), dt.date(2031, 12, 31)), leap_days.filter(lambda d: d.year <= 2031)),
    years=st.sampled_from([1, 2, 3]),
    lateness=st.integers(-200, 900),
    after=st.integers(0, 4 * 365),
)
def _a_plan_is_contrary_to_process_only_after_its_deadline(start, years, lateness, after):
    RUNS["plan deadlines"] += 1
    end = add_months(start, 12 * years) - dt.timedelta(days=1)
    first = PlanInfo(start=start, end=end, submitted_on=start)
    # The next plan is delivered ``lateness`` days after the deadline the rule gives for it.
    policies = engine.DEFAULT_POLICIES
    due = engine.computed_deadline(policies, first, None)
    delivered = due + dt.timedelta(days=lateness) if due else None
    today = min((delivered or end) + dt.timedelta(days=after), LAST)
    plans = [first]
    if delivered and delivered <= today:
        plans.append(PlanInfo(start=delivered, end=add_months(delivered, 24), submitted_on=delivered))
    snapshot = MemberSnapshot(code="ZZ", joined_on=start - dt.timedelta(days=100), plans=tuple(plans), policies=policies,
                              extensions=())
    result = evaluate(snapshot, today)
    cycles = {c.label: c for c in result.cycles}
    for f in result.findings:
        if f.kind != FINDING_CONTRARY:
            continue
        cycle = cycles[f.period]
        assert f.effective_on > cycle.due, "contrary before the deadline"
        assert f.effective_on > (cycle.late_until or cycle.due), "contrary within the late tolerance"
        assert f.effective_on <= today
    # A plan delivered by the deadline meets it: no contrary finding for that cycle.
    if due and delivered and lateness <= 0 and delivered <= today:
        assert not [f for f in result.findings if f.kind == FINDING_CONTRARY and cycles[f.period].due == due]


def _with_server_zone(zone, fn):
    from django.conf import settings
    from django.test.utils import override_settings

    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        with override_settings(TIME_ZONE=zone):
            assert settings.TIME_ZONE == zone
            return fn()
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def _summary(evaluation):
    return (
        evaluation.today, evaluation.status, evaluation.status_since,
        sorted((f.kind, f.subject, f.period, f.effective_on, f.resolved_on) for f in evaluation.findings),
        sorted((c.status, c.effective_on) for c in evaluation.changes),
        sorted((d.kind, d.due, d.period) for d in evaluation.next_deadlines),
    )


@PROPERTY
@given(
    instant=st.datetimes(dt.datetime(2012, 1, 1), dt.datetime(2035, 12, 31), timezones=st.just(dt.UTC)),
    start=st.dates(dt.date(2012, 1, 1), dt.date(2030, 1, 1)),
    meetings=st.lists(st.integers(0, 8 * 365), max_size=8),
)
def _the_same_result_with_the_server_in_utc_and_in_bishkek(instant, start, meetings):
    RUNS["server zone"] += 1
    # Midnight boundaries are the interesting instants: 18:00–23:59 UTC is already the next day in Bishkek.
    forum = ForumInfo("forum:1", "Forum", tuple(sorted(start + dt.timedelta(days=m) for m in meetings)), start)
    plan = PlanInfo(start=start, end=add_months(start, 24) - dt.timedelta(days=1), submitted_on=start)
    snapshot = MemberSnapshot(code="ZZ", joined_on=start, plans=(plan,), forums=(forum,),
                              update_published_on=tuple(start + dt.timedelta(days=m) for m in meetings[:3]))
    in_utc = _with_server_zone("UTC", lambda: _summary(evaluate(snapshot, instant)))
    in_bishkek = _with_server_zone("Asia/Bishkek", lambda: _summary(evaluate(snapshot, instant)))
    assert in_utc == in_bishkek
    assert in_utc[0] == (instant + dt.timedelta(hours=6)).date()  # the portal's day is Bishkek's (UTC+6)


def test_r18_add_months_clamps_to_the_month_end(record_property):
    _run(_add_months_clamps_to_the_month_end, "add_months", record_property)


def test_r18_periods_of_every_cadence_tile_the_years(record_property):
    _run(_periods_of_every_cadence_tile_the_years, "period_of", record_property)


def test_r18_forum_meetings_are_flagged_after_grace_and_never_before(record_property):
    _run(_forum_meetings_are_flagged_after_grace_and_never_before, "forum cadence", record_property)


def test_r18_a_plan_is_contrary_to_process_only_after_its_deadline(record_property):
    _run(_a_plan_is_contrary_to_process_only_after_its_deadline, "plan deadlines", record_property)


def test_r18_the_same_result_with_the_server_in_utc_and_in_bishkek(record_property):
    _run(_the_same_result_with_the_server_in_utc_and_in_bishkek, "server zone", record_property)
