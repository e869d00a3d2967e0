"""The home page's and the minimum requirements' reads compiled once with their values as parameters (issue #20).

``ogp_portal.compiled``: a page's bounds, a list of ids and a day given as one parameter each, so the
query is compiled once per process and run with each request's values. Each gives the rows the ORM's
own query (``pk__in=`` a page's slice, ``member__in=[…]``) gives, page after page, on SQLite and PostgreSQL.
"""

import pytest
from django.core.paginator import Paginator
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.utils import timezone, translation

from commitments.models import Member
from ogp_portal import pages
from tests.factories import ActionPlanFactory, LocalMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    nationals = [MemberFactory(name_en=f"Country {i:02d}") for i in range(30)]
    for i, national in enumerate(nationals[:12]):
        LocalMemberFactory(parent=national, name_en=f"Town {i:02d}")
        ActionPlanFactory(member=national)
    for i in range(3):
        LocalMemberFactory(name_en=f"Lone town {i}")  # no national member on the portal
    return nationals


@pytest.mark.parametrize("view", pages.HOME_VIEWS)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_each_page_of_members_is_the_orms_slice(members, view, language):
    today = timezone.localdate()
    with translation.override(language):
        ids, rows = pages._home_members(view, today)
        paginator = Paginator(ids, 10)
        seen = []
        for number in paginator.page_range:
            page = paginator.page(number)
            compiled = list(pages._page_members(view, today, ids, rows, page))
            assert compiled == list(rows.filter(pk__in=page.object_list))
            seen += [row["pk"] for row in compiled]
    assert len(seen) == len(set(seen)) == ids.count()  # every member once, no page repeated


def test_the_current_plans_and_local_members_of_a_list_of_ids_are_the_orms(members):
    ids = [member.pk for member in members[:15]]
    for stored in (False, True):
        plans = pages._current_plans(stored)
        assert sorted(pages._plans_of(ids, stored), key=lambda r: r["pk"]) == sorted(
            plans.filter(member__in=ids), key=lambda r: r["pk"]
        )
    with CaptureQueriesContext(connection) as queries:
        assert pages._plans_of([], True) == []
    assert not queries.captured_queries  # none to read: no query


def test_the_member_counts_are_counted(members):
    def counted():
        return {
            "all": Member.objects.count(),
            "local": Member.objects.filter(kind=Member.Kind.LOCAL).count(),
            "top": Member.objects.filter(parent__isnull=True).count(),
        }

    assert pages._member_counts(timezone.localdate()) == counted()
    MemberFactory()
    assert pages._member_counts(timezone.localdate()) == counted()  # the statement kept, run again


def test_each_members_current_plan_is_its_latest_by_start_then_submission_then_id(members):
    """The window that numbers each member's plans picks what the ORM's sub-select per plan picks (ties included)."""
    import datetime as dt

    day = dt.date
    cases = {
        members[20]: [(day(2018, 9, 1), day(2018, 12, 1)), (day(2020, 9, 1), day(2020, 12, 1)), (day(2016, 1, 1), day(2016, 2, 1))],
        members[21]: [(day(2020, 9, 1), day(2020, 12, 1)), (day(2020, 9, 1), day(2021, 1, 5))],  # same start: later submission
        members[22]: [(day(2020, 9, 1), day(2020, 12, 1)), (day(2020, 9, 1), day(2020, 12, 1))],  # a tie: the higher id
        members[23]: [(None, day(2020, 12, 1)), (day(2019, 9, 1), day(2019, 12, 1))],  # no start (where NULLs sort as the database sorts them)
        members[24]: [(day(2022, 1, 1), None), (day(2022, 1, 1), day(2021, 12, 1))],  # not submitted yet
    }
    for member, dates in cases.items():
        for start, submitted in dates:
            ActionPlanFactory(member=member, start_date=start, submitted_on=submitted, end_date=None)
    ids = [member.pk for member in members]
    for stored in (False, True):
        expected = sorted(pages._current_plans(stored).filter(member__in=ids), key=lambda r: r["pk"])
        assert sorted(pages._plans_of(ids, stored), key=lambda r: r["pk"]) == expected
        assert {row["member_id"] for row in expected} >= {member.pk for member in cases}
