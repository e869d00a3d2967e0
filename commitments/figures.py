"""Stored figures per action plan (``PlanFigures``): what the home page sums instead of scanning every commitment.

:func:`refresh_plan_figures` stores a plan's commitments by roll-up, how many are contested and
how many of its milestones are overdue (with the days that count holds for). The services call it
for the plans they change, in the same transaction: ``progress.refresh_completion`` (approving an
update, the admin, an import, the seed loader, generated data), ``services.update_milestone`` (a
milestone's dates), ``engagement.services`` (a dispute raised, answered or hidden); the compliance
sweep stores again the plans whose overdue count no longer holds (:func:`lapsed_plans`).
:func:`portal_figures` reads the sums: two queries whatever the size of the portal. On PostgreSQL and
SQLite the database keeps those sums itself (``SUMS_TABLE``, triggers of migration 0022): read with
the few rows outside their first overdue window, not summed from every row (:func:`_kept_sums`).
"""

import datetime as dt
from collections import Counter

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, Count, F, Func, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from .filters import overdue_milestones_q
from .marks import contested_commitments_q
from .overdue_counts import store_overdue_counts
from .models import ActionPlan, Commitment, Completion, DatePrecision, Milestone, PlanFigures

CHUNK = 500
SUMS_LOCK = 2026_1207_0022  # pg_advisory_xact_lock's key: the writers of PlanFigures, one transaction at a time


def overdue_from(end_date, precision):
    """The first day a milestone not done is overdue (``filters.overdue_milestones_q``); ``None``: never."""
    if end_date is None:
        return None
    if precision == DatePrecision.DAY:
        return end_date + dt.timedelta(days=1)
    if precision == DatePrecision.MONTH:
        return (end_date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return None


OVERDUE_FIELDS = (
    "overdue", "overdue_from", "overdue_until", "overdue_next", "overdue_next_until", "overdue_later", "overdue_later_until"
)


def overdue_counts(days, today) -> dict:
    """A plan's stored overdue counts (``PlanFigures``) from ``days``, the days its open milestones become overdue.

    The count on ``today`` with the days it holds for (from the latest day one of them became
    overdue, until the first day another does), and the counts from each of the next two such days,
    so the row stays right for days without the sweep (issue #20: ~4 % of the plans a day lapsed
    with one window, and the home page counted their milestones, ~30 ms at scale 10).
    """
    past = [day for day in days if day <= today]
    coming = sorted({day for day in days if day > today})
    ending = Counter(days)  # how many become overdue on each day
    nth = lambda n: coming[n] if len(coming) > n else None  # noqa: E731 - the n-th next such day
    overdue = len(past)
    overdue_next = overdue + (ending[nth(0)] if nth(0) else 0)
    overdue_later = overdue_next + (ending[nth(1)] if nth(1) else 0)
    return {
        "overdue": overdue,
        "overdue_from": max(past, default=None),
        "overdue_until": nth(0),
        "overdue_next": overdue_next,
        "overdue_next_until": nth(1),
        "overdue_later": overdue_later,
        "overdue_later_until": nth(2),
    }


def overdue_on_q(today, prefix=""):
    """The stored overdue count of a ``PlanFigures`` row on ``today`` (where it holds: :func:`_holds_q`), as an expression."""
    return Case(
        When(Q(**{f"{prefix}overdue_until__isnull": True}) | Q(**{f"{prefix}overdue_until__gt": today}), then=F(f"{prefix}overdue")),
        When(
            Q(**{f"{prefix}overdue_next_until__isnull": True}) | Q(**{f"{prefix}overdue_next_until__gt": today}),
            then=F(f"{prefix}overdue_next"),
        ),
        default=F(f"{prefix}overdue_later"),
        output_field=IntegerField(),
    )


def refresh_plan_figures(plans, today=None) -> int:
    """Store the figures of ``plans`` (plans or their ids, e.g. a flat ``values_list``) as of ``today``; return how many rows were written.

    Set-based, by chunks of plans: three queries a chunk (the commitments by roll-up with the
    contested ones, the open milestones' ends, one upsert).
    """
    today = today or timezone.localdate()
    ids = sorted({getattr(plan, "pk", plan) for plan in plans} - {None})  # plans, or their ids (a flat values_list)
    written = 0
    connection = connections[DEFAULT_DB_ALIAS]
    if ids and connection.vendor == "postgresql":
        # The kept sums' row (``SUMS_TABLE``) is updated by every statement writing rows and stays locked until the
        # transaction ends: writers take this lock first, so one whose transaction writes rows twice (chunks, an
        # import) never waits for the sums while holding a row another writer waits for (a deadlock).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMS_LOCK])
    for start in range(0, len(ids), CHUNK):
        chunk = list(ActionPlan.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", flat=True))
        rows = {pk: PlanFigures(plan_id=pk) for pk in chunk}
        counts = (
            Commitment.objects.filter(plan_id__in=chunk)
            .order_by()
            .values_list("plan_id", "completion")
            .annotate(n=Count("pk"), contested=Count("pk", filter=contested_commitments_q()))
        )
        for plan_id, completion, n, contested in counts:
            row = rows[plan_id]
            field = PlanFigures.COMPLETION_FIELDS.get(completion or "", "no_update")
            setattr(row, field, getattr(row, field) + n)
            row.contested += contested
        dues: dict[int, list] = {}
        for plan_id, end_date, precision in (
            Milestone.objects.filter(commitment__plan_id__in=chunk, done=False, end_date__isnull=False)
            .order_by()
            .values_list("commitment__plan_id", "end_date", "end_precision")
        ):
            due = overdue_from(end_date, precision)
            if due is not None:
                dues.setdefault(plan_id, []).append(due)
        for plan_id, days in dues.items():
            for field, value in overdue_counts(days, today).items():
                setattr(rows[plan_id], field, value)
        fields = [*PlanFigures.COMPLETION_FIELDS.values(), "contested", *OVERDUE_FIELDS]
        PlanFigures.objects.bulk_create(rows.values(), update_conflicts=True, unique_fields=["plan"], update_fields=fields)
        store_overdue_counts(chunk, today)  # the commitments' own counts, by the same rule (commitments.overdue_counts)
        written += len(rows)
    return written


def _holds_q(today, prefix=""):
    return (Q(**{f"{prefix}overdue_from__isnull": True}) | Q(**{f"{prefix}overdue_from__lte": today})) & (
        Q(**{f"{prefix}overdue_later_until__isnull": True}) | Q(**{f"{prefix}overdue_later_until__gt": today})
    )


def lapsed_plans(today, plans=None, *, unstored=True):
    """Plans (a queryset of ids) whose stored overdue count does not hold on ``today``, or without stored figures.

    A ``UNION ALL`` of the stored rows whose window excludes ``today`` (the indexes on
    ``overdue_from`` and ``overdue_later_until``) and the plans without a row (an anti-join).
    ``unstored=False``: the stored rows' part alone (every plan known to have its row).
    """
    plans = ActionPlan.objects.all() if plans is None else plans
    stored = PlanFigures.objects.filter(plan__in=plans) if plans.query.where else PlanFigures.objects.all()
    lapsed = stored.filter(Q(overdue_from__gt=today) | Q(overdue_later_until__lte=today)).order_by().values_list("plan_id", flat=True)
    if not unstored:
        return lapsed
    # Plans without a row: none when there are as many rows as plans (one row per plan, its primary key), the
    # usual case; PostgreSQL checks the two counts once and then skips the anti-join (issue #20).
    some_unstored = GreaterThan(_count(ActionPlan.objects.order_by()), _count(PlanFigures.objects.order_by()))
    unstored = plans.filter(some_unstored, figures__isnull=True).order_by().values_list("pk", flat=True)
    return lapsed.union(unstored, all=True)


def _count(qs):
    return Subquery(qs.annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")[:1])


def _plans_count():
    """How many plans there are: the count the database keeps (``ogp_portal_table_rows``, migration ogp_portal 0001),
    else counted (a database without it). Counting 10,000 plans was ~40 % of the figures' statement (issue #20)."""
    kept = RawSQL('SELECT "rows" FROM ogp_portal_table_rows WHERE "table" = %s', ("commitments_actionplan",), output_field=IntegerField())
    return Coalesce(kept, _count(ActionPlan.objects.order_by()), output_field=IntegerField())


def plan_totals(*names, stored=False):
    """Annotations of plans: ``commitment_total``, ``complete_total`` and ``contested_total``, as stored or counted.

    ``names``: only these (all three when none is given); the member page counts commitments only,
    and the contested expression is the costly one to build.

    Read from the plan's stored row in the plans' own query (a join); ``COALESCE`` evaluates the
    correlated count only for a plan without a row (rows written other than through the services,
    e.g. by a test's factories): stored rows cost nothing more. Three expressions, not one per
    figure: the query is compiled and planned on every home page (issue #20). ``stored=True``: the
    stored row alone, for when every plan is known to have one (``checked_portal_figures``).
    """
    names = names or ("commitment_total", "complete_total", "contested_total")
    if stored:  # every plan known to have its row: the stored figures alone (no fallback to compile and plan)
        stored_totals = {
            "commitment_total": lambda: sum((F(f"figures__{field}") for field in PlanFigures.COMPLETION_FIELDS.values()), Value(0)),
            "complete_total": lambda: F("figures__complete"),
            "contested_total": lambda: F("figures__contested"),
        }
        return {name: Coalesce(stored_totals[name](), Value(0), output_field=IntegerField()) for name in names}
    mine = Commitment.objects.filter(plan=OuterRef("pk")).order_by()
    make = {
        "commitment_total": lambda: Coalesce(
            sum((F(f"figures__{field}") for field in PlanFigures.COMPLETION_FIELDS.values()), Value(0)),
            _count(mine), Value(0), output_field=IntegerField(),
        ),
        "complete_total": lambda: Coalesce(
            F("figures__complete"), _count(mine.filter(completion=Completion.COMPLETE)), Value(0), output_field=IntegerField()
        ),
        "contested_total": lambda: Coalesce(
            F("figures__contested"), _count(mine.filter(contested_commitments_q())), Value(0), output_field=IntegerField()
        ),
    }
    return {name: make[name]() for name in names}


_STATEMENTS: dict = {}  # (database, vendor, name, day) -> (sql, params): aggregates compiled once a day


def _aggregate(name: str, today, make_queryset, aggregates: dict) -> dict:
    """``make_queryset().aggregate(**aggregates)``, compiled by the ORM once per ``today`` and then run as that SQL.

    The portal's figures are fixed-shape statements whose only variable is the day: building and
    compiling them (Q objects, subqueries, filtered counts) cost three times their SQL on every
    first render of the home page (issue #20). The first call of the day runs the ORM and keeps the
    statement it executed; later calls run that statement. Integers, as the ORM gives them.
    ``aggregates``: a dict, or a function making it (built only when the statement is compiled).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    key = (DEFAULT_DB_ALIAS, connection.vendor, connection.settings_dict["NAME"], name, today)
    statement = _STATEMENTS.get(key)
    if statement is None:
        captured = []

        def keep(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        aggregates = aggregates() if callable(aggregates) else aggregates
        with connection.execute_wrapper(keep):
            result = make_queryset().aggregate(**aggregates)
        if len(captured) == 1:
            if len(_STATEMENTS) > 16:  # yesterday's and other databases': a bounded memory
                _STATEMENTS.clear()
            _STATEMENTS[key] = (*captured[0], tuple(aggregates))
        return result
    sql, params, names = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {field: None if value is None else int(value) for field, value in zip(names, row)}


compiled_aggregate = _aggregate  # for other fixed-shape aggregates (the home page's member counts)

SUMS_TABLE = "commitments_planfigures_sums"  # migration commitments 0022: the sums kept by triggers


def _held_on_sql(alias: str) -> str:
    """A ``PlanFigures`` row's overdue count on the day (four ``%s``): :func:`overdue_on_q` where :func:`_holds_q`, else 0."""
    f = alias
    return (
        f'CASE WHEN ({f}."overdue_from" IS NULL OR {f}."overdue_from" <= %s) AND ({f}."overdue_later_until" IS NULL OR '
        f'{f}."overdue_later_until" > %s) THEN (CASE WHEN {f}."overdue_until" IS NULL OR {f}."overdue_until" > %s THEN {f}."overdue" '
        f'WHEN {f}."overdue_next_until" IS NULL OR {f}."overdue_next_until" > %s THEN {f}."overdue_next" ELSE {f}."overdue_later" END) '
        "ELSE 0 END"
    )


def _kept_sums(today, fields, *, checked: bool) -> dict | None:
    """The sums of every plan's stored figures as the database keeps them (``SUMS_TABLE``), in one statement; ``None``: not kept.

    The same figures as the sums of the rows (:func:`checked_portal_figures`' statement), without reading
    them all (~2-3 ms at scale 10, issue #20): the kept sum of each figure, and of ``overdue`` (each row's
    count in its first window) less, for the few rows outside that window on ``today`` (found by the
    indexes on its ends), what their count on ``today`` falls short of it; beside them the lapsed plans'
    overdue milestones and (``checked``) whether some plan has no row, as before. Compiled once per day.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in ("postgresql", "sqlite"):
        return None
    key = (DEFAULT_DB_ALIAS, connection.vendor, connection.settings_dict["NAME"], f"kept-sums-{checked}", today)
    statement = _STATEMENTS.get(key)
    if statement is None:
        day = today if connection.vendor == "postgresql" else today.isoformat()
        lapsed = Milestone.objects.filter(overdue_milestones_q(today), commitment__plan_id__in=lapsed_plans(today, unstored=False))
        lapsed_sql, lapsed_params = lapsed.order_by().values("pk").query.sql_with_params()
        outside = 'f."overdue_until" <= %s OR f."overdue_from" > %s OR f."overdue_later_until" <= %s'
        sql = (
            "SELECT " + ", ".join(f's."{field}"' for field in fields) + ', s."overdue" - COALESCE((SELECT SUM(f."overdue" - '
            f'{_held_on_sql("f")}) FROM "{PlanFigures._meta.db_table}" f WHERE {outside}), 0), '
            f"(SELECT COUNT(*) FROM ({lapsed_sql}) AS lapsed)"
        )
        params = (*(day,) * 7, *lapsed_params)
        if checked:  # the plans' kept count (ogp_portal_table_rows) less the stored rows: plans without a row
            sql += (
                ', COALESCE((SELECT "rows" FROM ogp_portal_table_rows WHERE "table" = %s), '
                f'(SELECT COUNT(*) FROM "{ActionPlan._meta.db_table}")) - s."rows"'
            )
            params += (ActionPlan._meta.db_table,)
        sql += f' FROM {SUMS_TABLE} s WHERE s."id" = 1'
        if len(_STATEMENTS) > 16:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = (sql, params, (*fields, "overdue", "lapsed_overdue", "unstored"))  # zip: "unstored" if checked
    sql, params, names = statement
    with connection.cursor() as cursor:
        # Prepared on PostgreSQL once per connection and day (planning it was ~0.4 ms of home's first render, running it
        # ~0.06 ms; issue #20): ``ogp_portal.compiled.execute_kept``, the day's values written in.
        from ogp_portal.compiled import execute_kept

        execute_kept(cursor, sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return {name: None if value is None else int(value) for name, value in zip(names, row)}


def portal_figures(today) -> dict:
    """The portal's commitments by roll-up, contested commitments and overdue milestones (:func:`checked_portal_figures`)."""
    return checked_portal_figures(today)[0]


def checked_portal_figures(today) -> tuple[dict, bool]:
    """The portal's commitments by roll-up (``{completion or "": n}``), contested commitments and overdue milestones.

    One query whatever the size of the portal when every plan has its stored row: the sums of the stored
    rows (one table, no join: about 1.5 ms at scale 10, issue #20) with, in the same statement, the
    overdue milestones of the plans whose stored row does not hold on ``today`` (:func:`lapsed_plans`:
    few, the sweep stores them again daily). Whether some plan has no row is asked beside the sums (the
    plans' kept count) and kept across publications; when some plan has none, a second query counts the
    lapsed and unstored plans from their commitments and milestones (every figure of a plan without a
    row). Returns the figures and whether every plan had its row.
    """
    from ogp_portal.cache import derived_across_publications

    fields = [*PlanFigures.COMPLETION_FIELDS.values(), "contested"]

    def aggregates():  # built only when the day's statement is compiled (``_aggregate``)
        # The overdue milestones of the plans whose stored count lapsed (few: the rows hold for three windows and
        # the sweep stores them again), counted in the sums' own statement (a sub-select run once): what to add
        # when every plan has its row, without a statement of its own (issue #20).
        lapsed_overdue = Milestone.objects.filter(
            overdue_milestones_q(today), commitment__plan_id__in=lapsed_plans(today, unstored=False)
        ).order_by()
        return {
            **{field: Sum(field) for field in fields},
            "overdue": Sum(overdue_on_q(today), filter=_holds_q(today)),
            "lapsed_overdue": Max(_count(lapsed_overdue)),
        }

    sums = None

    def every_plan_stored():
        # The sums' own scan counts the stored rows; the plans are counted beside it (one statement).
        nonlocal sums
        checked = lambda: {**aggregates(), "unstored": _plans_count() - Count("pk")}  # noqa: E731
        sums = _kept_sums(today, fields, checked=True) or _aggregate("sums-checked", today, lambda: PlanFigures.objects.order_by(), checked)
        return (sums["unstored"] or 0) <= 0

    # Whether every plan has its stored row: kept across publications (issue #20). Only a change not scoped to
    # members adds a plan (the services, an import, the admin: each replaces the base generation); a
    # publication, a report or a review stores rows, never removes one, so a kept "yes" stays right until then.
    all_stored = derived_across_publications("every-plan-stored", every_plan_stored)
    if sums is None:
        sums = _kept_sums(today, fields, checked=False) or _aggregate("sums", today, lambda: PlanFigures.objects.order_by(), aggregates)
    if all_stored:
        # Every plan has its row: only the overdue milestones of the plans whose stored count lapsed, counted beside the sums.
        counted = {"overdue": sums["lapsed_overdue"]}
    else:

        def counted_aggregates():
            unstored = Q(plan__figures__isnull=True)
            overdue_here = Milestone.objects.filter(overdue_milestones_q(today), commitment=OuterRef("pk")).order_by()
            return {
                **{field: Count("pk", filter=unstored & Q(completion=value)) for value, field in PlanFigures.COMPLETION_FIELDS.items()},
                "contested": Count("pk", filter=unstored & Q(contested_commitments_q())),
                "overdue": Sum(_count(overdue_here)),
            }

        counted = _aggregate(
            "counted", today, lambda: Commitment.objects.filter(plan_id__in=lapsed_plans(today)).order_by(), counted_aggregates
        )
    total = {name: (sums[name] or 0) + (counted.get(name) or 0) for name in [*fields, "overdue"]}
    figures = {
        "completions": {value: total[field] for value, field in PlanFigures.COMPLETION_FIELDS.items()},
        "contested": total["contested"],
        "overdue": total["overdue"],
    }
    return figures, all_stored
