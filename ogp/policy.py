"""The OGP policy in force for a member on a day, reporting periods, cycles and their labels.

The one pure module every app reads for these (``commitments`` for reporting periods, ``forums``
for the forum cadence, ``compliance`` for the rules): nothing here imports Django, a model or a
service, touches the database or reads the clock. The stored policy versions are read once, by
``compliance.models.Policy.objects.versions_for`` (a plain query), and passed in.

* :func:`versions_for`: the versions that apply to a member (its own, then its kind's, then every
  member's; OGP's defaults when none for every member is stored). The only definition of "the
  policies in force for a member".
* :func:`policies_for`: the version in force for a member on a day.
* :func:`cycle_label`: the only definition of a cycle's label ("2022-2024").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# The deadline rules of OGP's eras (the same values as ``compliance.choices.DeadlineRule``).
FOUR_MONTHS_2014 = "four_months_2014"
CALENDAR_2015 = "calendar_2015"
CALENDAR_2019 = "calendar_2019"
AFTER_PLAN_END_12M = "after_plan_end_12m"

NATIONAL = "national"
LOCAL = "local"


@dataclass(frozen=True)
class PolicyVersion:
    """The compliance policy in force from ``effective_from`` (for one member, one kind of member, or all).

    ``applies_to`` is "" (every member), "national" or "local" (OGP Local members
    are judged by their own rules when such a version exists).
    """

    effective_from: dt.date
    forum_cadence_months: int = 3
    update_cadence_months: int = 6
    deadline_rule: str = CALENDAR_2019
    under_review_after_cycles: int = 2
    inactive_after_years_without_plan: int = 3
    removal_after_inactive_months: int = 12
    grace_days: int = 0
    member_specific: bool = False
    applies_to: str = ""
    # The first plan is due this many months after joining (0: the first plan is not judged).
    first_plan_months: int = 12


# OGP's defaults when no policy is stored (docs ogp-rules.md §4), the same rows as
# compliance migrations 0003, 0005 and 0006 store: the 2014 four-months rule, the 2015 calendar, the
# 31 August calendar (named 2019, in force for the plans due from 2018), then "12 months after
# the end of the last plan". The eras' first days are settings an administrator corrects in
# the admin; README "Policy eras" gives each one's source, or says none was found.
# OGP Local members have their own version: the same deadline rule, first plan not judged.
DEFAULT_POLICIES = (
    PolicyVersion(effective_from=dt.date(2000, 1, 1), deadline_rule=FOUR_MONTHS_2014),
    PolicyVersion(effective_from=dt.date(2015, 1, 1), deadline_rule=CALENDAR_2015),
    PolicyVersion(effective_from=dt.date(2018, 1, 1), deadline_rule=CALENDAR_2019),  # README, "Policy eras"
    PolicyVersion(effective_from=dt.date(2022, 1, 1), deadline_rule=AFTER_PLAN_END_12M),
    PolicyVersion(effective_from=dt.date(2000, 1, 1), deadline_rule=AFTER_PLAN_END_12M, applies_to=LOCAL, first_plan_months=0),
)


# ---------------------------------------------------------------- the versions of a member


@functools.lru_cache(maxsize=4096)  # pure; equal inputs give the very same tuple (the rules memoise by it)
def applicable(policies: tuple[PolicyVersion, ...], kind: str) -> tuple[PolicyVersion, ...]:
    """Return the versions of ``policies`` that apply to a member of ``kind`` ("national" or "local").

    A version for OGP Local members does not apply to a national one (nor the reverse); with none
    left, OGP's defaults for the kind.
    """
    kept = tuple(p for p in policies if p.applies_to in ("", kind))
    if kept == policies:
        return policies
    return kept or tuple(p for p in DEFAULT_POLICIES if p.applies_to in ("", kind))


def versions_for(kind: str, shared: tuple[PolicyVersion, ...], own: tuple[PolicyVersion, ...] = ()) -> tuple[PolicyVersion, ...]:
    """Return the policy versions that apply to a member: the one definition.

    ``shared``: the stored versions for every member or a kind of member; ``own``: the member's own
    versions. OGP's defaults stand in when no shared version is stored; then only those for the
    member's ``kind`` are kept (:func:`applicable`).
    """
    policies = tuple(shared) + tuple(own)
    if not shared:
        policies += DEFAULT_POLICIES
    return applicable(policies, kind)


def policies_for(kind: str, day: dt.date, shared: tuple[PolicyVersion, ...], own: tuple[PolicyVersion, ...] = ()) -> PolicyVersion:
    """Return the policy in force on ``day`` for a member of ``kind`` with its ``own`` versions."""
    return policy_at(versions_for(kind, shared, own), day)


def policy_at(policies: tuple[PolicyVersion, ...], day: dt.date) -> PolicyVersion:
    """Return the policy in force on ``day``: the member's own version, else its kind's, else the default."""
    if not isinstance(policies, tuple):
        return _policy_at(policies, day)
    # Memoised per tuple (immutable; most members share one): hashing the versions would cost more than the rule.
    entry = _POLICY_MEMO.get(id(policies))
    if entry is None or entry[0] is not policies:
        if len(_POLICY_MEMO) >= 4096:
            _POLICY_MEMO.clear()
        entry = _POLICY_MEMO[id(policies)] = (policies, {})  # holding the tuple keeps its id from being reused
    found = entry[1].get(day)
    if found is None:
        found = entry[1][day] = _policy_at(policies, day)
    return found


_POLICY_MEMO: dict[int, tuple[tuple, dict]] = {}


def _policy_at(policies, day: dt.date) -> PolicyVersion:
    for rank in (2, 1, 0):
        candidates = [
            p for p in policies
            if (2 if p.member_specific else 1 if p.applies_to else 0) == rank and p.effective_from <= day
        ]
        if candidates:
            return max(candidates, key=lambda p: p.effective_from)
    if policies:
        return min(policies, key=lambda p: p.effective_from)
    return DEFAULT_POLICIES[0]


# ---------------------------------------------------------------- days and periods

DEFAULT_TIME_ZONE = "Asia/Bishkek"


def local_date(now: dt.datetime | dt.date, tz: str = DEFAULT_TIME_ZONE) -> dt.date:
    """Return the portal-local calendar day of ``now``.

    An aware datetime is converted to ``tz`` explicitly, never to the server's
    zone: 2022-12-31T19:00Z is already 2023-01-01 in Bishkek (UTC+6).
    """
    if isinstance(now, dt.datetime):
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return now.astimezone(ZoneInfo(tz)).date()
    return now



@functools.lru_cache(maxsize=65536)  # pure, and called thousands of times a sweep with the same days
def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by whole months, clamped to the month's end (29 Feb + 12 months = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@functools.lru_cache(maxsize=65536)  # pure; Period is immutable, so sharing it is safe
def period_of(day: dt.date, months: int) -> Period:
    """Return the calendar period of ``months`` months holding ``day``: 2024-Q1, 2024-H2, 2024."""
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"a cadence must divide the year, not {months} months")
    index = (day.month - 1) // months
    start = dt.date(day.year, index * months + 1, 1)
    end = add_months(start, months) - dt.timedelta(days=1)
    if months == 3:
        label = f"{day.year}-Q{index + 1}"
    elif months == 6:
        label = f"{day.year}-H{index + 1}"
    elif months == 12:
        label = f"{day.year}"
    else:
        label = f"{day.year}-P{index + 1}of{12 // months}"
    return Period(start, end, label)


def reporting_period(day: dt.date, policies: tuple[PolicyVersion, ...]) -> Period:
    """Return the status-update period holding ``day`` under the member's ``policies`` (2019-H2 by default)."""
    return period_of(day, policy_at(policies, day).update_cadence_months)


def forum_period(day: dt.date, policies: tuple[PolicyVersion, ...]) -> Period:
    """Return the forum-cadence period holding ``day`` under the member's ``policies`` (2019-Q3 by default)."""
    return period_of(day, policy_at(policies, day).forum_cadence_months)


# ---------------------------------------------------------------- cycles


def cycle_label(due: dt.date) -> str:
    """Return the plan cycle a deadline opens: a plan due in 2022 is the 2022–2024 plan. The one definition."""
    return f"{due.year}-{due.year + 2}"
