"""Kept statements run with their generic plan always where declared so (``generic_plan=True``; ogp_portal/compiled.py
"Generic plans", issue #20).

PostgreSQL's own choice (``plan_cache_mode`` auto) kept planning the plan page's, the plan feed's, the plan CSV's and the
home page's member statements afresh on every run (0 generic plans after hundreds of runs), though their generic plans
ran as fast. Declared ``generic_plan=True``, such a statement runs as ``SET LOCAL plan_cache_mode = force_generic_plan;
EXECUTE …`` in one query string: generic from its first run, the setting gone after it, the same rows as the ORM's;
inside the caller's transaction a plain ``EXECUTE``. SQLite (the suite's default): nothing prepared, the same rows.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Milestone
from ogp_portal import compiled as compiled_module
from ogp_portal.compiled import GENERIC_PLAN, compiled, execute_kept
from ogp_portal.compiled import rows as compiled_rows
from tests.factories import ActionPlanFactory, CommitmentFactory, MemberFactory, MilestoneFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db(transaction=True)  # prepared only outside a transaction

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch):
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    monkeypatch.setattr(compiled_module, "_RAW", {})


@pytest.fixture
def plans():
    member = MemberFactory(code="KG", name="Kyrgyz Republic")
    large, small, empty = (ActionPlanFactory(member=member) for _ in range(3))
    for n in range(6):
        commitment = CommitmentFactory(plan=large, number=n + 1, identifier=f"KG{n:04d}")
        for m in range(3):
            milestone = MilestoneFactory(commitment=commitment, number=m + 1)
            if m == 0:
                ProgressUpdateFactory(milestone=milestone)
    MilestoneFactory(commitment=CommitmentFactory(plan=small, number=1, identifier="KG0100"))
    return large, small, empty


def _milestones(plan):
    return Milestone.objects.filter(commitment__plan=plan).order_by("commitment", "id").values_list("pk", "number", "commitment_id")


def _setting():
    if not POSTGRESQL:
        return "auto"  # (no such setting)
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def _plans_of(names):
    """(generic plans, custom plans) of each prepared statement named."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements")
        found = {name: (generic, custom) for name, generic, custom in cursor.fetchall()}
    return [found[name] for name in names]


def _executed(queries, generic):
    prefix = GENERIC_PLAN + "EXECUTE " if generic else "EXECUTE "
    return [re.match(r"(?:SET LOCAL [^;]*; )?EXECUTE (ogp_kept_\d+)", q["sql"]).group(1) for q in queries if q["sql"].startswith(prefix)]


def test_a_statement_declared_generic_runs_with_its_generic_plan_from_its_first_run_and_gives_the_orms_rows(plans):
    for plan in (*plans, plans[0], plans[1], plans[2], plans[0]):
        with CaptureQueriesContext(connection) as ctx:
            got = compiled_rows("test-generic-milestones", _milestones, plan=plan.pk, generic_plan=True)
        assert got == list(_milestones(plan.pk))
        assert len(ctx.captured_queries) == 1
        sql = ctx.captured_queries[0]["sql"]
        assert sql.startswith(GENERIC_PLAN + "EXECUTE ogp_kept_") == POSTGRESQL
        assert _setting() == "auto"  # the setting ended with the statement
    # Model instances (Django's iterable over the compiler) too.
    found = compiled("test-generic-milestone-objects", lambda plan: Milestone.objects.filter(commitment__plan=plan).order_by("pk"),
                     plan=plans[0].pk, generic_plan=True)
    assert [m.pk for m in found] == list(Milestone.objects.filter(commitment__plan=plans[0]).order_by("pk").values_list("pk", flat=True))
    if POSTGRESQL:
        name = next(entry.prepared.name for key, entry in compiled_module._COMPILED.items() if key[0] == "test-generic-milestones")
        generic, custom = _plans_of([name])[0]
        assert (generic, custom) == (7, 0)  # PostgreSQL's own choice: custom plans for the first five runs at least
        assert _setting() == "auto"


def test_a_statement_not_declared_generic_runs_as_before(plans):
    for plan in plans:
        expected = list(_milestones(plan.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert compiled_rows("test-auto-milestones", _milestones, plan=plan.pk) == expected
    assert not any(q["sql"].startswith("SET LOCAL") for q in ctx.captured_queries)
    if POSTGRESQL:
        assert all(q["sql"].startswith("EXECUTE ogp_kept_") for q in ctx.captured_queries)


def test_inside_the_callers_transaction_it_runs_a_plain_execute_and_the_setting_is_untouched(plans):
    large = plans[0]
    expected = list(_milestones(large.pk))
    assert compiled_rows("test-generic-in-transaction", _milestones, plan=large.pk, generic_plan=True) == expected  # prepared
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            assert compiled_rows("test-generic-in-transaction", _milestones, plan=large.pk, generic_plan=True) == expected
        assert not ctx.captured_queries[0]["sql"].startswith("SET LOCAL")
        assert ctx.captured_queries[0]["sql"].startswith("EXECUTE ogp_kept_") == POSTGRESQL
        assert _setting() == "auto"  # (a SET LOCAL here would have held until the transaction's end)
    assert _setting() == "auto"


def test_a_statement_written_as_sql_can_be_declared_generic(plans):
    sql = 'SELECT "id" FROM "commitments_milestone" WHERE "commitment_id" IN (SELECT "id" FROM "commitments_commitment" WHERE "plan_id" = %s) ORDER BY "id"'
    for plan in (*plans, *plans):
        with CaptureQueriesContext(connection) as ctx, connection.cursor() as cursor:
            execute_kept(cursor, sql, (plan.pk,), variable={0}, generic_plan=True)
            got = [pk for (pk,) in cursor.fetchall()]
        assert got == list(Milestone.objects.filter(commitment__plan=plan).order_by("id").values_list("pk", flat=True))
        assert ctx.captured_queries[0]["sql"].startswith(GENERIC_PLAN) == POSTGRESQL
        assert _setting() == "auto"


@pytest.mark.parametrize("page, generic", [("commitments:plan", 3), ("commitments:plan_feed", 1), ("commitments:plan_csv", 1)])
def test_the_plan_pages_measured_statements_run_with_their_generic_plans(client, plans, page, generic):
    """The plan page's commitments, milestones and levels, the plan feed's updates, the plan CSV's milestones."""
    large = plans[0]
    for plan in (large, plans[1], large):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(page, args=[plan.pk]))
            body = b"".join(response) if response.streaming else response.content
        assert response.status_code == 200 and body
        assert _setting() == "auto"
    if POSTGRESQL:
        names = _executed(ctx.captured_queries, generic=True)
        assert len(names) == generic
        assert all(custom == 0 and plans_run >= 1 for plans_run, custom in _plans_of(names))


def test_the_home_pages_members_run_with_their_generic_plan(client, plans):
    for path in ("/", "/?view=local", "/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        assert _setting() == "auto"
    if POSTGRESQL:
        names = _executed(ctx.captured_queries, generic=True)
        assert len(names) == 1
        assert _plans_of(names)[0][1] == 0
