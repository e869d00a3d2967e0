"""Each commitment's stored overdue-milestones count (``Commitment.overdue_stored``), right for today (issue #20).

The list sorted by overdue milestones counted every matching commitment's overdue milestones on every
request (97 % of the commitments have some at scale 10: 1.1-4.3 s a first render). The count is stored on
the row with the days it holds for: ``overdue_from`` (the day it was counted for) up to, not including,
``overdue_until`` (the first later day one of its open milestones becomes overdue; NULL: never). A row
"holds" on a day inside that window; ``overdue_from`` NULL: never counted.

The rule is the list's (``filters.overdue_milestones_q``, ``figures.overdue_from``): a milestone not done
whose end has passed (a month-precision end lasts the whole month). Kept by :func:`store_overdue_counts`,
called by ``figures.refresh_plan_figures`` for the plans it stores (every write of milestones goes through
it: the services, the admin, imports, the sweep), and daily by the sweep (:func:`refresh_lapsed_counts`) for
the rows whose window has ended. One set-based ``UPDATE`` of the rows whose stored values differ.
Tests: tests/commitments/test_overdue_counts.py.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.utils import timezone

COMMITMENT = "commitments_commitment"
MILESTONE = "commitments_milestone"

# The first day a milestone not done is overdue (``figures.overdue_from``), per database; NULL: never.
_DUE = {
    "postgresql": (
        "CASE WHEN m.end_precision = 'day' THEN m.end_date + 1 "
        "WHEN m.end_precision = 'month' THEN (date_trunc('month', m.end_date) + interval '1 month')::date END"
    ),
    "sqlite": (
        "CASE WHEN m.end_precision = 'day' THEN date(m.end_date, '+1 day') "
        "WHEN m.end_precision = 'month' THEN date(m.end_date, 'start of month', '+1 month') END"
    ),
}
_DIFFERS = {"postgresql": "IS DISTINCT FROM", "sqlite": "IS NOT"}


def _update_sql(vendor: str, where: str) -> str:
    """One statement: the commitments matching ``where`` (over ``c2``) counted as of the day (``%(today)s``)."""
    due, differs = _DUE[vendor], _DIFFERS[vendor]
    return (
        f"UPDATE {COMMITMENT} AS c SET overdue_stored = s.n, overdue_from = %(today)s, overdue_until = s.until "
        f"FROM (SELECT c2.id, COUNT(d.due) FILTER (WHERE d.due <= %(today)s) AS n, "
        f"MIN(d.due) FILTER (WHERE d.due > %(today)s) AS until "
        f"FROM {COMMITMENT} AS c2 LEFT JOIN (SELECT m.commitment_id, {due} AS due FROM {MILESTONE} AS m "
        f"WHERE m.done = %(false)s AND m.end_date IS NOT NULL) AS d ON d.commitment_id = c2.id "
        f"WHERE {where} GROUP BY c2.id) AS s "
        f"WHERE c.id = s.id AND (c.overdue_from IS NULL OR c.overdue_from > %(today)s OR c.overdue_stored <> s.n "
        f"OR c.overdue_until {differs} s.until)"
    )


def _run(where: str, values: dict, today) -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in _DUE:
        return 0
    sql = _update_sql(connection.vendor, where)
    params = {"today": today, "false": False, **values}
    if connection.vendor == "sqlite":
        params["today"] = connection.ops.adapt_datefield_value(today)  # its text, as the dates are stored
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def store_overdue_counts(plan_ids, today=None) -> int:
    """Store the overdue counts of the commitments of ``plan_ids`` as of ``today``; return how many rows changed."""
    ids = sorted({int(pk) for pk in plan_ids if pk is not None})
    if not ids:
        return 0
    today = today or timezone.localdate()
    names = {f"p{i}": pk for i, pk in enumerate(ids)}
    where = "c2.plan_id IN (" + ", ".join(f"%({name})s" for name in names) + ")"
    return _run(where, names, today)


def refresh_lapsed_counts(today=None, plans=None) -> int:
    """Store again the counts that do not hold on ``today`` (never counted, or outside their window), of every
    commitment or of those of ``plans`` (a queryset of plans, in the same statement); return how many rows changed.
    The daily refresh (the sweep, by chunks of members)."""
    today = today or timezone.localdate()
    where = "(c2.overdue_from IS NULL OR c2.overdue_from > %(today)s OR c2.overdue_until <= %(today)s)"
    names = {}
    if plans is not None:
        sql, params = plans.order_by().values("pk").query.sql_with_params()
        parts = sql.split("%s")
        names = {f"q{i}": value for i, value in enumerate(params)}
        sql = "".join(part + (f"%({'q'}{i})s" if i < len(params) else "") for i, part in enumerate(parts))
        where += f" AND c2.plan_id IN ({sql})"
    return _run(where, names, today)


def counts_hold_q(today, prefix=""):
    """Q for the commitments whose stored overdue count is their count on ``today``."""
    return Q(**{f"{prefix}overdue_from__lte": today}) & (
        Q(**{f"{prefix}overdue_until__isnull": True}) | Q(**{f"{prefix}overdue_until__gt": today})
    )


def every_count_holds(today):
    """A condition (uncorrelated: PostgreSQL tests it once per statement, an index probe each) true when every
    commitment's stored count holds on ``today``: none never counted, counted for a later day, or past its window."""
    from django.db.models import Exists

    from .models import Commitment

    rows = Commitment.objects.order_by()
    return (
        ~Exists(rows.filter(overdue_from__isnull=True))
        & ~Exists(rows.filter(overdue_from__gt=today))
        & ~Exists(rows.filter(overdue_until__lte=today))
    )
