"""The staff working pages (issue #20): the progress form, the review queue, the plan's status reports, the
secretariat's page and the forum page as its secretariat sees it.

* Their queries are compiled once per process (``ogp_portal.compiled``): the same number of queries at two data
  sizes, rendered as ``bench/render.py`` renders them (``bench/actors.py``'s people, on scale data), and the numbers
  pinned here.
* The policy versions their reporting periods and forum cadence read are kept in the process under the generation
  (``ogp_portal.cache.derived_in_process``): not read again while nothing changed, read again after a change.
* The forum page's open action items, compiled for a secretariat, are what ``visible_to`` gives through the ORM.
"""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Commitment, Role
from ogp_portal import cache as page_cache

pytestmark = pytest.mark.django_db

SMALL, LARGE = 0.004, 0.012

# The queries each page runs (the test settings: page cache off, so the policy versions are read).
QUERIES = {
    "progress form (coordinator)": 3,
    "review queue (point of contact)": 2,
    "status reports of the plan (point of contact)": 3,
    "secretariat's page": 3,
    "forum page (secretariat)": 5,
}


def _working_page_queries(client, scale):
    from bench.actors import ACCOUNTS, ensure_actors, working_pages
    from bench.pages import typical_member
    from bench.scale_data import generate
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        generate(scale, seed=42)
        member = typical_member()
        ensure_actors(member)
        counts = {}
        for label, path, actor in working_pages(member):
            if label not in QUERIES:
                continue  # ("My work": tests/accounts/test_my_work.py)
            client.force_login(get_user_model().objects.get(username=ACCOUNTS[actor]))
            client.get(path)  # per-process caches (content types, translations, the compiled queries)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            assert response.status_code == 200, label
            counts[label] = len(ctx.captured_queries)
            client.logout()  # the cached session (the cache is not rolled back) goes with its row
        transaction.set_rollback(True)
    return counts


@pytest.mark.slow
def test_the_staff_pages_run_the_same_queries_at_two_data_sizes_and_those_pinned(client):
    small = _working_page_queries(client, SMALL)
    large = _working_page_queries(client, LARGE)
    assert set(small) == set(QUERIES), small
    assert small == large, f"queries at {SMALL}: {small}; at {LARGE}: {large}"
    assert small == QUERIES, small  # (a count that drops: lower it here)


# --- the policy versions, kept in the process under the generation -------------------------------------------


def _policy_reads(queries):
    return [q["sql"] for q in queries if 'FROM "compliance_policy"' in q["sql"]]


@pytest.fixture
def kg17_people(seed_data, django_user_model):
    commitment = Commitment.objects.select_related("plan__member", "lead_agency").get(identifier="KG0017")
    coordinator = django_user_model.objects.create_user("ac-coordinator", "ac@example.org", "ac-pass-123")
    Role.objects.create(user=coordinator, member=commitment.plan.member, kind=Role.Kind.COORDINATOR, agency=commitment.lead_agency)
    poc = django_user_model.objects.create_user("kg-poc", "poc@example.org", "poc-pass-123")
    Role.objects.create(user=poc, member=commitment.plan.member, kind=Role.Kind.POINT_OF_CONTACT)
    return commitment, coordinator, poc


def test_a_policy_change_shows_on_the_progress_form_and_status_reports_at_the_next_request(client, page_cache_on, kg17_people):
    from compliance.models import Policy

    commitment, coordinator, poc = kg17_people
    milestone = commitment.milestones.order_by("id").first()
    progress_form = reverse("commitments:progress", args=[commitment.identifier, milestone.pk])
    reports = reverse("commitments:status_reports", args=[commitment.plan.pk])
    client.force_login(coordinator)
    first = client.get(progress_form)
    # No quarterly period label yet (a bare "-Q" could be part of the page's random CSP nonce or CSRF token).
    assert first.status_code == 200 and "2019-H1" in first.text and not re.search(r"\b\d{4}-Q[1-4]\b", first.text)
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(progress_form)
    assert again.status_code == 200 and "2019-H1" in again.text
    assert not _policy_reads(ctx.captured_queries)  # kept: nothing changed
    # A quarterly cadence for the member, as the admin saves it (every admin change replaces the generation).
    Policy.objects.create(member=commitment.plan.member, effective_from=dt.date(2000, 1, 1), update_cadence_months=3)
    page_cache._bump()
    with CaptureQueriesContext(connection) as ctx:
        changed = client.get(progress_form)
    assert len(_policy_reads(ctx.captured_queries)) == 1
    assert "2019-Q3" in changed.text and "2019-H1" not in changed.text
    client.force_login(poc)
    assert "2019-Q3" in client.get(reports).text


def test_kept_policies_follow_the_page_cache_switch(settings, kg17_people):
    """With the page cache off (the test settings, a first render), nothing is kept: read every time."""
    settings.PUBLIC_PAGE_CACHE = False
    calls = []
    for _ in range(2):
        page_cache.derived_in_process(("test-policies",), lambda: calls.append(1))
    assert len(calls) == 2


def test_kept_values_expire_after_their_timeout(page_cache_on, monkeypatch):
    import time

    calls = []
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    value = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert page_cache.derived_in_process(("test-expiry",), value, timeout=60) == 1
    assert page_cache.derived_in_process(("test-expiry",), value, timeout=60) == 1
    now[0] += 61
    assert page_cache.derived_in_process(("test-expiry",), value, timeout=60) == 2


# --- the secretariat's pages ---------------------------------------------------------------------------------


@pytest.fixture
def forum_with_records(db):
    """Bishkek's forum with an open action item on a meeting whose minutes are unpublished and one on a published one."""
    from tests.forums.conftest import at, load_bishkek_forum
    from forums.models import ActionItem, Meeting

    forum = load_bishkek_forum()
    held = Meeting.objects.filter(forum=forum).order_by("starts_at")
    unpublished, published = held[0], held[1]
    Meeting.objects.filter(pk=published.pk).update(minutes_published_at=at(2025, 6, 1))
    ActionItem.objects.create(meeting=unpublished, title="Draft the budget note", owner="The secretariat")
    ActionItem.objects.create(meeting=published, title="Publish the agenda", owner="The co-chairs")
    return forum


def _secretariat_of(member, username):
    from tests.factories import UserFactory

    user = UserFactory(username=username)
    Role.objects.create(user=user, member=member, kind=Role.Kind.SECRETARIAT)
    return user


def test_a_secretariats_compiled_open_items_are_what_visible_to_gives(forum_with_records):
    from commitments.models import Member
    from forums.models import ActionItem
    from forums.rows import OPEN_ITEM_FIELDS, open_items
    from ogp_portal.permissions import visible_to
    from tests.factories import UserFactory

    forum = forum_with_records
    keeper = _secretariat_of(forum.member, "bishkek-secretariat")
    elsewhere = _secretariat_of(Member.objects.get(code="KG"), "kg-secretariat")
    nobody = UserFactory(username="reader")
    seen = {}
    for user in (keeper, elsewhere, nobody, keeper):  # (the keeper twice: the second from the compiled query)
        orm = visible_to(user, ActionItem.objects.open().filter(meeting__forum=forum)).select_related("meeting", "commitment").only(*OPEN_ITEM_FIELDS)
        ours = list(open_items(user, forum))
        assert sorted(item.pk for item in ours) == sorted(item.pk for item in orm), user.username
        seen[user.username] = sorted(item.title for item in ours)
    assert seen["bishkek-secretariat"] == ["Draft the budget note", "Publish the agenda"]
    assert seen["kg-secretariat"] == seen["reader"] == ["Publish the agenda"]


def test_the_secretariats_page_lists_each_kept_forums_warnings_and_counts(client, forum_with_records):
    forum = forum_with_records
    client.force_login(_secretariat_of(forum.member, "bishkek-secretariat"))
    response = client.get(reverse("forums:secretariat"))
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["forum"] == forum and row["open_items"] == 2
    # Held meetings with unpublished minutes are listed (the meetings read without their texts, each with its forum).
    assert {meeting.pk for meeting, _due, _overdue in row["minutes_due"]} <= set(forum.meetings.values_list("pk", flat=True))
    assert all(meeting.forum is row["forum"] for meeting, _due, _overdue in row["minutes_due"])
    assert "1 open action item" not in response.text and "2 open action items" in response.text
