"""What a coordinator or point of contact has to do: pure functions of (milestones, updates, today).

Nothing here queries the database or reads the clock: the "My work" view computes ``now`` once
and passes the day down, so tests pin any date with unsaved objects.

Rules (documented once, used by the page and its tests):

* The reporting period is the calendar half-year holding the day (1 January–30 June,
  1 July–31 December): the six-month cadence of OGP's status updates.
* A milestone is *done* when its latest update (any state) says complete or withdrawn.
* Otherwise it is *overdue* when the last day its end date stands for has passed, *due* when it
  ends within the current reporting period, *upcoming* when it ends later, and *unscheduled*
  without an end date.
* An update is *missing* for the period when a milestone that is not done and has started by the
  end of the period has no update (in any state) whose period overlaps the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DONE_COMPLETIONS = frozenset({"complete", "withdrawn"})

DONE = "done"
OVERDUE = "overdue"
DUE = "due"
UPCOMING = "upcoming"
UNSCHEDULED = "unscheduled"


@dataclass(frozen=True)
class ReportingPeriod:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return start <= self.end and end >= self.start


def current_reporting_period(today: dt.date) -> ReportingPeriod:
    """Return the calendar half-year holding ``today``."""
    if today.month <= 6:
        return ReportingPeriod(dt.date(today.year, 1, 1), dt.date(today.year, 6, 30))
    return ReportingPeriod(dt.date(today.year, 7, 1), dt.date(today.year, 12, 31))


def latest_update(updates):
    """Return the update with the latest period (then the latest change), or None."""
    return max(updates, key=lambda u: (u.period_end, u.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC)), default=None)


def milestone_status(milestone, updates, today: dt.date, period: ReportingPeriod) -> str:
    """Return done / overdue / due / upcoming / unscheduled for one milestone on ``today``."""
    latest = latest_update(updates)
    if latest is not None and latest.completion in DONE_COMPLETIONS:
        return DONE
    ends = milestone.ends_on
    if ends is None:
        return UNSCHEDULED
    if ends < today:
        return OVERDUE
    if ends <= period.end:
        return DUE
    return UPCOMING


def update_missing(milestone, updates, status: str, period: ReportingPeriod) -> bool:
    """Return True if the milestone still needs an update for ``period``."""
    if status == DONE:
        return False
    if milestone.start_date and milestone.start_date > period.end:
        return False
    return not any(period.overlaps(u.period_start, u.period_end) for u in updates)


@dataclass
class MilestoneWork:
    milestone: object
    status: str
    missing: bool
    latest: object | None


@dataclass
class CommitmentWork:
    commitment: object
    milestones: list[MilestoneWork] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for m in self.milestones if m.status == status)

    @property
    def overdue(self) -> int:
        return self.count(OVERDUE)

    @property
    def due(self) -> int:
        return self.count(DUE)

    @property
    def missing(self) -> int:
        return sum(1 for m in self.milestones if m.missing)


def workload(commitments, updates_of, today: dt.date, period: ReportingPeriod) -> list[CommitmentWork]:
    """Return each commitment with the status of each of its milestones.

    ``commitments`` yields commitments whose ``milestones.all()`` is prefetched; ``updates_of(m)``
    returns the updates of milestone ``m`` the user may see.
    """
    result = []
    for commitment in commitments:
        work = CommitmentWork(commitment)
        for milestone in commitment.milestones.all():
            updates = updates_of(milestone)
            status = milestone_status(milestone, updates, today, period)
            work.milestones.append(
                MilestoneWork(milestone, status, update_missing(milestone, updates, status, period), latest_update(updates))
            )
        result.append(work)
    return result


def totals(work: list[CommitmentWork]) -> dict[str, int]:
    """Return the counts shown at the top of the page."""
    return {
        "overdue": sum(c.overdue for c in work),
        "due": sum(c.due for c in work),
        "missing": sum(c.missing for c in work),
        "milestones": sum(len(c.milestones) for c in work),
    }
