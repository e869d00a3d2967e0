"""What a coordinator or point of contact has to do: pure functions of (milestones, updates, today).

Nothing here reads the clock, and only ``totals_query`` (the same rules counted by the database over
every milestone, for the totals of "My work") queries: the view computes ``now`` once and passes the
day down, so tests pin any date with unsaved objects.

Rules (documented once, used by the page and its tests):

* The reporting period is the one the progress form opens on: ``progress.current_period`` of the
  commitment's plan (the period holding today while the plan runs, its last one once it has ended;
  the update cadence of the member's compliance policy, six months by default). The caller passes
  each commitment's period in.
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


def overlaps(period, start: dt.date, end: dt.date) -> bool:
    """Return True if the days ``start``–``end`` overlap ``period`` (a ``compliance.engine.Period``)."""
    return start <= period.end and end >= period.start


def latest_update(updates):
    """Return the update with the latest period (then the latest change), or None."""
    return max(updates, key=lambda u: (u.period_end, u.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC)), default=None)


def milestone_status(milestone, updates, today: dt.date, period) -> str:
    """Return done / overdue / due / upcoming / unscheduled for one milestone on ``today``."""
    return _status(milestone, latest_update(updates), today, period)


def _status(milestone, latest, today: dt.date, period) -> str:
    """:func:`milestone_status` given the latest update (:func:`latest_update`), found once by :func:`workload`."""
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


def update_missing(milestone, updates, status: str, period) -> bool:
    """Return True if the milestone still needs an update for ``period``."""
    if status == DONE:
        return False
    if milestone.start_date and milestone.start_date > period.end:
        return False
    return not any(overlaps(period, u.period_start, u.period_end) for u in updates)


@dataclass
class MilestoneWork:
    milestone: object
    status: str
    missing: bool
    latest: object | None


@dataclass
class CommitmentWork:
    commitment: object
    period: object = None  # the commitment's current reporting period
    reportable: bool = True  # its plan has a period to report on (it has started)
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

    @property
    def needs_update(self) -> bool:
        """Return True if something is due or an update is missing this period: "My work" shows it open."""
        return bool(self.due or self.missing)


def workload(commitments, updates_of, today: dt.date, period_of, milestones_of=None) -> list[CommitmentWork]:
    """Return each commitment with the status of each of its milestones.

    ``commitments`` yields commitments whose ``milestones.all()`` is prefetched (or ``milestones_of(c)``
    returns the milestones of commitment ``c``, read by the caller); ``updates_of(m)`` returns the
    updates of milestone ``m`` the user may see; ``period_of(c)`` the current reporting period of
    commitment ``c`` (``progress.reporting_period`` under its member's policy).
    """
    result = []
    for commitment in commitments:
        period = period_of(commitment)
        work = CommitmentWork(commitment, period)
        for milestone in (milestones_of(commitment) if milestones_of else commitment.milestones.all()):
            updates = updates_of(milestone)
            latest = latest_update(updates)
            status = _status(milestone, latest, today, period)
            work.milestones.append(MilestoneWork(milestone, status, update_missing(milestone, updates, status, period), latest))
        result.append(work)
    return result


# "My work" pages whole commitments: at most PAGE_COMMITMENTS a page, and fewer where the person's commitments
# hold many milestones, about PAGE_MILESTONES rows a page (issue #20: a point of contact's page of 20 commitments
# wrote ~100 milestone rows), never fewer than PAGE_COMMITMENTS_AT_LEAST.
PAGE_COMMITMENTS = 20
PAGE_MILESTONES = 50
PAGE_COMMITMENTS_AT_LEAST = 5


def page_size(commitments: int, milestones: int) -> int:
    """Return how many commitments a page of "My work" shows: about ``PAGE_MILESTONES`` milestones at the person's
    average number of milestones a commitment (``commitments`` and ``milestones``: the counts of all, from the
    totals), between ``PAGE_COMMITMENTS_AT_LEAST`` and ``PAGE_COMMITMENTS``. The same for every page of one
    person's work, so the pages are the paginator's (each commitment on one page)."""
    if milestones <= 0:
        return PAGE_COMMITMENTS
    return max(PAGE_COMMITMENTS_AT_LEAST, min(PAGE_COMMITMENTS, PAGE_MILESTONES * commitments // milestones))


def totals(work: list[CommitmentWork]) -> dict[str, int]:
    """Return the counts shown at the top of the page."""
    return {
        "overdue": sum(c.overdue for c in work),
        "due": sum(c.due for c in work),
        "missing": sum(c.missing for c in work),
        "milestones": sum(len(c.milestones) for c in work),
    }


def _month_cut(end: dt.date) -> dt.date:
    """The first day a month-precision end date may not reach to end by ``end`` (a month ending after it)."""
    first = end.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    return next_month if end == next_month - dt.timedelta(days=1) else first


def totals_query(commitments, periods: dict, today: dt.date, *, scope=None) -> dict[str, int]:
    """Return :func:`totals` of the workload of the milestones of ``commitments`` (a queryset), counted by the database.

    The same rules as :func:`milestone_status` and :func:`update_missing`, evaluated by the database
    over every milestone instead of built in Python for each (issue #20: a point of contact's page
    shows 20 commitments, its totals count the whole member). One query: the milestones grouped by
    their latest update's completion and by whether they are overdue, due, started and reported for
    their plan's period (at most a few dozen groups, each condition evaluated once a milestone), added
    up here, with the number of commitments (their milestones or not: the pages of "My work") in the
    same statement. ``periods``: ``{plan pk: period}``, the current reporting period of the plan of every
    commitment (the caller's ``period_of``), joined as a list of values; ``today`` as for :func:`workload`;
    ``scope``: ``(sql, params)`` selecting the ids of the commitments instead of ``commitments`` (the caller
    compiles it once per person's scope). Written as SQL (PostgreSQL and SQLite alike) because the ORM spent longer building it than the
    database running it. The one function here that queries. On PostgreSQL it runs as a server-side prepared
    statement (``ogp_portal.compiled.execute_kept``: prepared once per connection, scope and number of plans;
    planning it was 0.5-0.9 ms of a point of contact's first render at scale 10, as much as running it).
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    from commitments.models import Commitment, DatePrecision, Milestone, ProgressUpdate
    from ogp_portal.compiled import execute_kept

    result = {"overdue": 0, "due": 0, "missing": 0, "milestones": 0, "commitments": 0}
    if not periods:
        return result
    alias = commitments.db if commitments is not None else DEFAULT_DB_ALIAS
    connection = connections[alias]
    scope, scope_params = scope or commitments.order_by().values("pk").query.sql_with_params()
    # (typed on PostgreSQL: a prepared statement's parameters in a VALUES list would otherwise be text)
    typed = connection.vendor == "postgresql"
    row = "(CAST(%s AS bigint), CAST(%s AS date), CAST(%s AS date), CAST(%s AS date))" if typed else "(%s, %s, %s, %s)"
    plans = ", ".join([row] * len(periods))
    plan_params = [value for pk, p in periods.items() for value in (pk, p.start, p.end, _month_cut(p.end))]
    milestone, update, commitment = Milestone._meta.db_table, ProgressUpdate._meta.db_table, Commitment._meta.db_table
    day, this_month = DatePrecision.DAY, today.replace(day=1)
    # p.column1: the plan, column2 and column3: its period's first and last days, column4: the month cut.
    sql = f"""
        SELECT 'commitments', NULL, NULL, NULL, NULL, NULL, COUNT(*) FROM {commitment} WHERE id IN ({scope})
        UNION ALL
        SELECT 'milestones',
               (SELECT u.completion FROM {update} u WHERE u.milestone_id = m.id
                ORDER BY u.period_end DESC, u.updated_at DESC LIMIT 1),
               (m.end_precision = %s AND m.end_date < %s) OR (m.end_precision <> %s AND m.end_date < %s),
               (m.end_precision = %s AND m.end_date >= %s AND m.end_date <= p.column3)
                 OR (m.end_precision <> %s AND m.end_date >= %s AND m.end_date < p.column4),
               m.start_date IS NULL OR m.start_date <= p.column3,
               EXISTS (SELECT 1 FROM {update} r WHERE r.milestone_id = m.id
                       AND r.period_start <= p.column3 AND r.period_end >= p.column2),
               COUNT(*)
        FROM {milestone} m
        JOIN {commitment} c ON c.id = m.commitment_id
        JOIN (VALUES {plans}) p ON p.column1 = c.plan_id
        WHERE m.commitment_id IN ({scope})
        GROUP BY 2, 3, 4, 5, 6
    """
    params = [*scope_params, day, today, day, this_month, day, today, day, this_month, *plan_params, *scope_params]
    # The request's values (the days, the plans' periods) are the statement's parameters; the scope's ids and the
    # precision are written in (the statement is kept per scope: its plan can use them like the plain SQL's).
    first = len(scope_params)
    variable = {first + 1, first + 3, first + 5, first + 7, *range(first + 8, first + 8 + len(plan_params))}
    with connection.cursor() as cursor:
        execute_kept(cursor, sql, params, variable)
        groups = cursor.fetchall()
    for kind, completion, overdue, due, started, reported, n in groups:
        result["milestones" if kind == "milestones" else "commitments"] += n
        if kind != "milestones":
            continue
        if completion in DONE_COMPLETIONS:
            continue
        if overdue:
            result["overdue"] += n
        elif due:
            result["due"] += n
        if started and not reported:
            result["missing"] += n
    return result

