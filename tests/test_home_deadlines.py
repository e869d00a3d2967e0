"""The home page's five next deadlines: the same five, in the same order, as the plain query gives (issue #20).

On PostgreSQL ``ogp_portal.pages._next_deadlines`` reads the fifth soonest day's deadlines by walking the
members in name order when that day has at least a hundred (``_SOONEST_FIVE``), and joins and sorts them
otherwise; elsewhere it runs the plain query. Each case here compares it with the plain query (open
deadlines from today on, by day, then the member's stored name, then id, five), in the database's own
collation: few deadlines, a sparse fifth day, a crowded one (names tied, a member with two deadlines that
day, met and past ones mixed in), and the two sides of the hundred.
"""

import datetime as dt
import random

import pytest
from django.db import connection

from compliance.models import Deadline
from ogp_portal.pages import _next_deadlines
from tests.factories import AdminDeadlineFactory, MemberFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)
NAMES = ["Zeta", "alpha", "Alpha", "Beta", "Кыргызстан", "Mu", "Omega", "beta", "Éire", "Mu", "Armenia", "Zambia"]


def _plain(today):
    """The plain query: what the page showed before (the database orders the names)."""
    return list(
        Deadline.objects.filter(met_on__isnull=True, due_on__gte=today).order_by("due_on", "member__name", "pk").values_list("pk", flat=True)[:5]
    )


def _shown(today):
    return [deadline.pk for deadline in _next_deadlines(today)]


def _members(n, seed):
    rng = random.Random(seed)
    return [MemberFactory(code=f"M{seed}X{i}", name=f"{rng.choice(NAMES)}{rng.choice(['', ' City', ' 2'])}", country="C") for i in range(n)]


def _deadline(member, due_on, kind=Deadline.Kind.ACTION_PLAN, **fields):
    return AdminDeadlineFactory(member=member, due_on=due_on, kind=kind, cycle=f"C{Deadline.objects.count()}", **fields)


def test_no_open_deadline_and_fewer_than_five():
    assert _shown(TODAY) == [] == _plain(TODAY)
    members = _members(4, seed=1)
    _deadline(members[0], TODAY - dt.timedelta(days=1))  # past
    _deadline(members[1], TODAY + dt.timedelta(days=2), met_on=TODAY)  # met
    _deadline(members[2], TODAY + dt.timedelta(days=9))
    _deadline(members[3], TODAY)
    assert _shown(TODAY) == _plain(TODAY) and len(_plain(TODAY)) == 2


def test_a_sparse_fifth_day():
    members = _members(8, seed=2)
    for i, member in enumerate(members):
        _deadline(member, TODAY + dt.timedelta(days=i % 6))
    assert _shown(TODAY) == _plain(TODAY) and len(_plain(TODAY)) == 5


@pytest.mark.parametrize("crowd", [60, 99, 100, 140])
def test_a_crowded_fifth_day_on_either_side_of_a_hundred(crowd):
    members = _members(crowd, seed=crowd)
    rng = random.Random(crowd)
    day = TODAY + dt.timedelta(days=30)
    # Two deadlines before that day, the crowd on it (one member twice: two kinds), later ones, met and past ones.
    _deadline(members[0], TODAY + dt.timedelta(days=3))
    _deadline(members[1], TODAY + dt.timedelta(days=10))
    for member in members[2:]:
        _deadline(member, day)
    _deadline(members[5], day, kind=Deadline.Kind.SELF_ASSESSMENT)
    for member in rng.sample(members, 10):
        _deadline(member, day + dt.timedelta(days=1))
        _deadline(member, day, kind=Deadline.Kind.STATUS_UPDATE, met_on=TODAY)
        _deadline(member, TODAY - dt.timedelta(days=5), kind=Deadline.Kind.FORUM_MEETING)
    expected = _plain(TODAY)
    assert len(expected) == 5 and _shown(TODAY) == expected
    # The crowd alone (the day before it is past): five of it, by name.
    assert _shown(TODAY + dt.timedelta(days=11)) == _plain(TODAY + dt.timedelta(days=11))
    # Every member renamed so the crowd's order changes: still the plain query's five.
    for member in members:
        member.name = f"{rng.choice(NAMES)} {rng.randint(0, 9)}"
        member.save()
    assert _shown(TODAY + dt.timedelta(days=11)) == _plain(TODAY + dt.timedelta(days=11))


def test_a_crowded_day_is_walked_by_name_on_postgresql():
    """PostgreSQL: the crowded day's deadlines found by the members' name index and the open deadlines' index, no hash
    of every member; elsewhere the plain query (the SQL has no such walk)."""
    from ogp_portal import pages

    members = _members(120, seed=7)
    for member in members:
        _deadline(member, TODAY + dt.timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "SELECT 1")
    sql, params = pages._next_deadlines_query(TODAY.isoformat()).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + sql, params)
        plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        # Each member's deadline on the day by an index on the member: the open deadlines' (member, due) index, or
        # on a table of 120 rows with dead tuples from earlier tests the planner may take the foreign key's.
        per_member = ("deadline_open_member_due", "compliance_deadline_member_id")
        assert "member_stored_name" in plan and any(name in plan for name in per_member), plan
        walked = [line for line in plan.splitlines() if "member_stored_name" in line][0]
        assert "rows=3000" not in walked and "never executed" not in walked, plan  # walked, and stopped early
    else:
        assert "member_stored_name" not in plan and "LATERAL" not in sql
    assert _shown(TODAY) == _plain(TODAY)
