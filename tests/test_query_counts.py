"""Public pages run the same number of queries whatever the amount of data.

Each page is requested on synthetic data (``bench.scale_data``) at two sizes,
the larger with twice the members, plans and commitments; the query counts must be
equal. The commitment list is counted unfiltered and with filters (contested, overdue,
sorted by last update). The compliance overview reads the standings the sweep stored (its own test:
tests/compliance/test_presentation.py); the sweep itself is checked below: with nothing
to write it runs the same queries for 2 members and for more.
"""

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import ActionPlan, Commitment, Member
from bench.scale_data import generate
from forums.models import Forum

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # scale data, twice per test

SMALL, LARGE = 0.004, 0.012


def page_urls():
    """The pages of the largest national member, its largest plan and that plan's largest commitment."""
    member = Member.objects.filter(code__startswith="XN").annotate(n=Count("plans")).order_by("-n", "code").first()
    plan = ActionPlan.objects.filter(member=member).annotate(n=Count("commitments")).order_by("-n", "pk").first()
    commitment = Commitment.objects.filter(plan=plan).annotate(n=Count("milestones")).order_by("-n", "pk").first()
    return {
        "member list": reverse("commitments:home"),
        "member page": reverse("commitments:member", args=[member.code]),
        "plan page": reverse("commitments:plan", args=[plan.pk]),
        "commitment list": reverse("commitments:list"),
        "commitment list, filtered": reverse("commitments:list") + f"?member={member.code}&contested=false&overdue=true&sort=-updated",
        "commitment page": reverse("commitments:commitment", args=[commitment.identifier]),
        "forum page": reverse("forums:forum", args=[Forum.objects.filter(member=member).first().pk]),
        "compliance overview": reverse("compliance:overview"),
        "compliance member page": reverse("compliance:member", args=[member.code]),
    }, {"members": Member.objects.count(), "plan commitments": plan.n, "milestones": commitment.n}


def query_counts(client, scale):
    with transaction.atomic():
        generate(scale, seed=42)
        urls, sizes = page_urls()
        counts = {}
        for name, url in urls.items():
            client.get(url)  # warm per-process caches (content types, translations)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, name
            counts[name] = len(ctx.captured_queries)
        transaction.set_rollback(True)
    return counts, sizes


def test_public_pages_run_the_same_number_of_queries_at_two_data_sizes(client):
    small, small_sizes = query_counts(client, SMALL)
    large, large_sizes = query_counts(client, LARGE)
    assert large_sizes["members"] > small_sizes["members"]
    assert small == large, f"queries at {SMALL}: {small}; at {LARGE}: {large}"


def signed_in_api_meeting_queries(client, scale, user):
    from forums.models import Meeting

    with transaction.atomic():
        generate(scale, seed=42)
        unpublished = Meeting.objects.filter(minutes_published_at__isnull=True).count()
        client.force_login(user)
        client.get("/api/v1/meetings/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/meetings/")
        assert response.status_code == 200
        client.logout()  # the cached session (the cache is not rolled back) goes with its row
        transaction.set_rollback(True)
    return len(ctx.captured_queries), unpublished


def test_the_api_meetings_for_a_signed_in_user_run_the_same_queries_at_two_data_sizes(client, django_user_model):
    """Issue #20: the unpublished-minutes rule is asked once per request, not once per meeting."""
    user = django_user_model.objects.create_user("reader", password="x-unused-1")
    small, small_unpublished = signed_in_api_meeting_queries(client, SMALL, user)
    large, large_unpublished = signed_in_api_meeting_queries(client, LARGE, user)
    assert large_unpublished > small_unpublished > 0
    assert small == large


def sweep_queries(now, notify):
    from compliance.services import sweep_all

    sweep_all(now, notify=notify)  # the first run writes the findings, events, cycles and standings
    with CaptureQueriesContext(connection) as ctx:
        results = sweep_all(now, notify=notify)
    assert not any(r.changed for r in results)
    return len(ctx.captured_queries), len(results)


@pytest.mark.parametrize("notify", ["none", "inline"])
def test_a_sweep_with_nothing_new_runs_the_same_queries_for_2_and_for_more_members(seed_data, notify):
    """The compliance sweep reads every member's data in a fixed number of set-based queries (issue #12 point 4)."""
    import datetime as dt

    from django.utils import timezone

    # A day with no finding or status change in the notice window: ``inline`` reads nobody again.
    now = timezone.make_aware(dt.datetime(2026, 11, 29, 12))
    with transaction.atomic():
        two, members = sweep_queries(now, notify)
        assert members == 2  # the real Kyrgyz Republic and Bishkek
        generate(LARGE, seed=42)
        more, more_members = sweep_queries(now, notify)
        transaction.set_rollback(True)
    assert more_members > members
    assert two == more, f"{two} queries for {members} members, {more} for {more_members}"


def writing_sweep(scale, now):
    """Return (queries, members, rows written) of a first sweep over generated data at ``scale``."""
    from compliance.models import Cycle, Deadline, Finding, MemberStanding, StatusEvent
    from compliance.services import sweep_all

    models = (Finding, Finding.history.model, StatusEvent, StatusEvent.history.model, Deadline, Cycle, MemberStanding)
    with transaction.atomic():
        generate(scale, seed=42)
        before = [m.objects.count() for m in models]
        with CaptureQueriesContext(connection) as ctx:
            results = sweep_all(now, notify="none")
        written = [m.objects.count() - b for m, b in zip(models, before)]
        transaction.set_rollback(True)
    return len(ctx.captured_queries), len(results), written


def test_a_sweep_that_writes_runs_the_same_queries_for_few_and_for_more_members():
    """The first sweep writes findings, status events, deadlines, cycles and standings (with history) in
    batches: a fixed number of statements per chunk of members, not a few per row (issue #12 point 5)."""
    import datetime as dt

    from django.utils import timezone

    now = timezone.make_aware(dt.datetime(2026, 11, 29, 12))
    few, few_members, few_written = writing_sweep(SMALL, now)
    more, more_members, more_written = writing_sweep(LARGE, now)
    assert more_members > few_members
    # Every kind of row (findings and status events with their history, deadlines, cycles, standings)
    # is written at both sizes, more in all at the larger one.
    assert all(n > 0 for n in few_written) and all(n > 0 for n in more_written), (few_written, more_written)
    assert sum(more_written) > sum(few_written)
    assert few == more, f"{few} queries for {few_members} members ({few_written}), {more} for {more_members} ({more_written})"
