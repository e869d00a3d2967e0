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
