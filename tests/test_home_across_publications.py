"""The home page after a publication elsewhere: its members and deadlines are kept, its plans and figures renewed (issue #20).

A publication (an approval, a published status report, a review) changes only the records of its member,
but the home page lists members across the portal, so its next visitor rendered it whole. The parts no such
change can alter (the members, their names and stored standing, the open deadlines: the sweep's and the
administrators') are now kept under the generation that only a change not scoped to members replaces
(``ogp_portal.cache.derived_across_publications``); the current plans and the portal's figures, which a
publication does change, are read again. The page is the one a fresh render gives, before and after.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments import progress
from commitments.models import Member
from compliance.models import Deadline
from ogp_portal import cache as page_cache
from tests.engagement.conftest import people  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

NOW = dt.datetime(2020, 1, 20, 9, 0, tzinfo=dt.timezone.utc)
HOME_PATHS = ["/", "/?view=local", "/ru/", "/ky/?view=local"]


def _page(path):
    response = Client().get(path)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _fresh(settings, path):
    """The page rendered from the database alone (nothing kept)."""
    settings.PUBLIC_PAGE_CACHE = False
    try:
        return _page(path)
    finally:
        settings.PUBLIC_PAGE_CACHE = True


def _tables(path):
    with CaptureQueriesContext(connection) as ctx:
        _page(path)
    return " ".join(query["sql"] for query in ctx.captured_queries)


def test_base_generation_follows_unscoped_changes_only(people, django_capture_on_commit_callbacks):
    base, generation = page_cache.base_generation(), page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed(members=[people.kg.pk])  # a publication
    assert page_cache.generation() != generation and page_cache.base_generation() == base
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed()  # an import, the admin, a sweep …
    assert page_cache.base_generation() != base
    cache.delete(page_cache.BASE_KEY)  # evicted: a new token, so nothing kept before comes back
    assert page_cache.base_generation() not in (base, "")


def test_after_a_publication_the_home_page_reads_its_members_from_the_cache_and_shows_the_new_figures(
    people, settings, django_capture_on_commit_callbacks
):
    for path in HOME_PATHS:
        _page(path)
    update = progress.submit_progress(people.draft, by=people.users.coordinator, version=people.draft.version, now=NOW)
    before = {path: _fresh(settings, path) for path in HOME_PATHS}
    with django_capture_on_commit_callbacks(execute=True):
        progress.approve_progress(update, by=people.users.poc, version=update.version, now=NOW)
    fresh = {path: _fresh(settings, path) for path in HOME_PATHS}
    assert fresh != before  # the approval shows on the home page (its figures)
    for path in HOME_PATHS:
        sql = _tables(path)
        assert "commitments_actionplan" in sql  # the current plans and their figures: read again
        assert "compliance_deadline" not in sql and "compliance_memberstanding" not in sql  # kept
        assert _page(path) == fresh[path]


@pytest.mark.parametrize("path", HOME_PATHS)
def test_a_change_to_a_member_or_a_deadline_shows_on_the_home_page_at_once(
    people, settings, path, django_capture_on_commit_callbacks
):
    bishkek = Member.objects.get(code="KGBSK")  # an OGP Local member: on both views, nested under its national member
    _page(path)
    with django_capture_on_commit_callbacks(execute=True):
        Member.objects.filter(pk=bishkek.pk).update(**{f"name_{code}": "Renamed City" for code in ("en", "ru", "ky")})
        page_cache.public_pages_changed()  # as the services, an import and the admin do
    assert "Renamed City" in _page(path)
    assert _page(path) == _fresh(settings, path)
    assert "2099-2101" not in _page(path)
    with django_capture_on_commit_callbacks(execute=True):
        Deadline.objects.create(member=bishkek, kind=Deadline.Kind.ACTION_PLAN, cycle="2099-2101", due_on=dt.date(2099, 8, 31))
        page_cache.public_pages_changed()  # as the sweep and the administrators' services do
    page = _page(path)
    assert "(2099-2101)" in page and page == _fresh(settings, path)


@pytest.mark.parametrize("path", HOME_PATHS)
def test_with_every_plan_stored_the_current_plans_read_their_rows_alone_and_show_the_same(people, settings, path):
    from commitments.figures import refresh_plan_figures
    from commitments.models import ActionPlan, PlanFigures

    refresh_plan_figures(ActionPlan.objects.values_list("pk", flat=True))
    settings.PUBLIC_PAGE_CACHE = False
    with CaptureQueriesContext(connection) as ctx:
        stored = _page(path)
    plans = [q["sql"] for q in ctx.captured_queries if "AS \"commitment_total\"" in q["sql"]]
    assert len(plans) == 1 and "engagement_review" not in plans[0]  # no fallback count of the contested commitments
    PlanFigures.objects.all().delete()  # every plan counted from its commitments instead
    with CaptureQueriesContext(connection) as ctx:
        counted = _page(path)
    plans = [q["sql"] for q in ctx.captured_queries if "AS \"commitment_total\"" in q["sql"]]
    assert len(plans) == 1 and "engagement_review" in plans[0]  # the stored rows or the counts: the same page
    assert counted == stored and 'class="plan-standing"' in stored
