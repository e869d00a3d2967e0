"""Shared fragments of the commitment, member, forum and compliance member pages (issue #20).

Each page's shared part is rendered once per generation and language and then served to
anonymous and signed-in visitors alike (``ogp_portal.cache.fragment``): these tests check that
nothing of the signed-in visitor who rendered it (name, follow button, links only they may use,
CSRF token) reaches anybody else through it, that the next visitor reuses it instead of querying
again, and that a change made through a service shows on the next render.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement import services as engagement_services
from ogp_portal import cache as page_cache
from ogp_portal.versioning import current_version
from tests.engagement.conftest import people  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

PERSONAL = ("Sign out", "csrfmiddlewaretoken", "/follow/", "nonce")


def _key(name, language="en", member=None):
    """Where the shared part ``name`` is kept; a member's own page keeps its parts under that member's scope."""
    return page_cache.fragment_key(name, language, member=member)


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _reads(ctx, table):
    return [q for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]


def test_the_template_loader_is_cached():
    """Templates are parsed once per process (Django's cached loader, on when no loaders are configured)."""
    loaders = engines["django"].engine.template_loaders
    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]


# --- The commitment page -----------------------------------------------------------------------


def _commitment_key(people):
    return _key(f"commitment:slots2:{people.commitment.pk}:{timezone.localdate().isoformat()}", member=people.commitment.plan.member_id)


def test_the_commitment_pages_shared_part_holds_nothing_of_the_coordinator_who_rendered_it(people):
    url = reverse("commitments:commitment", args=[people.commitment.identifier])
    own = _client(people.users.coordinator).get(url).content.decode()  # the lead agency's coordinator
    assert "Sign out (chamber)" in own
    assert "Enter progress on" in own and "Review this update" in own
    assert "The Accounts Chamber published its audit reports" in own
    shared = cache.get(_commitment_key(people))
    assert shared and "The Accounts Chamber published its audit reports" in shared
    for personal in (*PERSONAL, "chamber", "Enter progress on", "Review this update", "Sign in to review"):
        assert personal not in shared, personal
    assert "<!--personal:enter:" in shared and "<!--personal:review:" in shared

    with CaptureQueriesContext(connection) as ctx:
        anonymous = _client().get(url).content.decode()
    assert _reads(ctx, "commitments_progressupdate") == []  # the shared part was reused
    assert "The Accounts Chamber published its audit reports" in anonymous
    assert "Sign in to review this update" in anonymous
    for personal in ("chamber", "Enter progress on", "Review this update", "<!--personal:"):
        assert personal not in anonymous, personal

    with CaptureQueriesContext(connection) as ctx:
        civil = _client(people.users.civil).get(url).content.decode()
    assert _reads(ctx, "commitments_progressupdate") == []
    assert "Review this update" in civil and "Sign out (citizen)" in civil
    assert "Enter progress on" not in civil and "Sign in to review" not in civil and "chamber" not in civil


def test_a_review_and_its_response_show_on_the_next_render_with_each_visitors_own_links(
    people, django_capture_on_commit_callbacks
):
    url = reverse("commitments:commitment", args=[people.commitment.identifier])
    _client(people.users.coordinator).get(url)  # the shared part is kept
    generation = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        row = engagement_services.review(
            people.published, by=people.users.civil, stance="dispute", comment="Not online at all.", now=timezone.now()
        )
    assert page_cache.generation() != generation
    coordinator = _client(people.users.coordinator).get(url).content.decode()
    assert "Not online at all." in coordinator
    assert reverse("engagement:respond", args=[row.pk]) in coordinator  # the lead agency answers
    author = _client(people.users.civil).get(url).content.decode()
    assert "Not online at all." in author and "Change your review" in author
    assert reverse("engagement:respond", args=[row.pk]) not in author
    other = _client(people.users.civil2).get(url).content.decode()
    assert "Review this update" in other and "Change your review" not in other
    anonymous = _client().get(url).content.decode()
    assert "Not online at all." in anonymous and reverse("engagement:respond", args=[row.pk]) not in anonymous
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.respond(row, by=people.users.coordinator, text="Online since June.", now=timezone.now())
    coordinator = _client(people.users.coordinator).get(url).content.decode()
    assert "Online since June." in coordinator and "Change the response" in coordinator


# --- The member page ---------------------------------------------------------------------------


def test_the_member_pages_shared_parts_hold_nothing_personal_and_show_a_forum_renamed_by_the_service(
    people, django_capture_on_commit_callbacks
):
    from forums import services as forum_services
    from forums.models import Forum

    url = reverse("commitments:member", args=[people.kg.code])
    own = _client(people.users.coordinator).get(url).content.decode()
    assert "Sign out (chamber)" in own
    shared = cache.get(_key(f"member:{people.kg.pk}:{timezone.localdate().isoformat()}", member=people.kg.pk))
    assert shared and people.plan.title in shared
    for personal in (*PERSONAL, "chamber"):
        assert personal not in shared, personal
    anonymous = _client().get(url).content.decode()
    assert "chamber" not in anonymous and "Sign out" not in anonymous
    assert shared in anonymous

    forum = Forum.objects.filter(member=people.kg).first()
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.update_forum(forum, by=people.users.admin, data={"name": "Renamed civic forum"}, version=current_version(forum))
    assert "Renamed civic forum" in _client(people.users.coordinator).get(url).content.decode()
    assert "Renamed civic forum" in _client().get(url).content.decode()


# --- The forum page ----------------------------------------------------------------------------


def test_the_forum_pages_shared_parts_leave_the_secretariats_links_out_and_show_a_new_meeting(
    people, django_capture_on_commit_callbacks
):
    from forums import services as forum_services
    from forums.models import Forum

    forum = Forum.objects.filter(member=people.kg).first()
    url = reverse("forums:forum", args=[forum.pk])
    schedule = reverse("forums:meeting_new", args=[forum.pk])
    admin = _client(people.users.admin).get(url).content.decode()  # may manage the forum
    assert schedule in admin and "Sign out (ogp-admin)" in admin
    today = timezone.localdate().isoformat()
    names = (f"forum-head:{forum.pk}:{today}", f"forum-body:{forum.pk}:{today}", f"forum-meetings:{forum.pk}")
    parts = [cache.get(_key(name, member=forum.member_id)) for name in names]
    assert all(parts)
    for part in parts:
        for personal in (*PERSONAL, "ogp-admin", schedule):
            assert personal not in part, personal
    with CaptureQueriesContext(connection) as ctx:
        anonymous = _client().get(url).content.decode()
    assert _reads(ctx, "forums_meeting") == [] and _reads(ctx, "forums_forummembership") == []  # computed only to render
    assert schedule not in anonymous and "ogp-admin" not in anonymous
    assert all(part in anonymous for part in parts)

    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.schedule_meeting(
            forum, starts_at=now + dt.timedelta(days=3), by=None, now=now, title="Quarterly review of the plan", invite=False,
        )
    assert "Quarterly review of the plan" in _client(people.users.admin).get(url).content.decode()
    assert "Quarterly review of the plan" in _client().get(url).content.decode()


# --- The compliance member page ----------------------------------------------------------------


def test_the_compliance_member_page_is_shared_without_the_visitor_and_follows_a_sweep(
    people, django_capture_on_commit_callbacks
):
    from compliance import services as compliance_services

    url = reverse("compliance:member", args=[people.kg.code])
    own = _client(people.users.poc).get(url).content.decode()
    assert "Sign out (kg-poc)" in own
    shared = cache.get(_key(f"compliance-member:{people.kg.pk}:{timezone.localdate().isoformat()}", member=people.kg.pk))
    assert shared and shared in own
    for personal in (*PERSONAL, "kg-poc"):
        assert personal not in shared, personal
    with CaptureQueriesContext(connection) as ctx:
        anonymous = _client().get(url).content.decode()
    assert _reads(ctx, "compliance_finding") == [] and _reads(ctx, "compliance_statusevent") == []
    assert _reads(ctx, "forums_forum") == []  # the forums are the shared part's: not read when it is reused
    assert shared in anonymous and "kg-poc" not in anonymous

    generation = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        results = compliance_services.sweep_all(timezone.now(), notify="none")
    assert any(r.changed for r in results)  # the first sweep of the seed records findings and statuses
    assert page_cache.generation() != generation
    with CaptureQueriesContext(connection) as ctx:
        after = _client(people.users.poc).get(url).content.decode()
    assert _reads(ctx, "compliance_finding")  # rendered again from the new records
    assert after != own


# --- The compliance overview -------------------------------------------------------------------


def test_the_compliance_overview_is_shared_by_signed_in_visitors_and_follows_a_sweep(
    people, django_capture_on_commit_callbacks
):
    """Issue #20: a signed-in visitor's overview was rendered from the database on every request."""
    from compliance import services as compliance_services

    url = reverse("compliance:overview") + "?kind=national"
    own = _client(people.users.poc).get(url).content.decode()
    assert "Sign out (kg-poc)" in own and people.kg.name in own
    digest = __import__("hashlib").sha256(b"kind=national").hexdigest()[:32]
    shared = cache.get(_key(f"compliance-overview:{digest}:{timezone.localdate().isoformat()}"))
    assert shared and shared in own
    for personal in (*PERSONAL, "kg-poc"):
        assert personal not in shared, personal
    with CaptureQueriesContext(connection) as ctx:
        other = _client(people.users.coordinator).get(url).content.decode()
    assert _reads(ctx, "commitments_member") == []  # the members and their standing: from the shared part
    assert shared in other and "kg-poc" not in other and "Sign out (chamber)" in other

    with django_capture_on_commit_callbacks(execute=True):
        results = compliance_services.sweep_all(timezone.now(), notify="none")
    assert any(r.standing_changed for r in results)  # the first sweep of the seed stores the standings
    after = _client(people.users.poc).get(url).content.decode()
    assert after != own


def test_a_signed_in_visit_reads_no_review_even_when_the_shared_part_shows_one_hidden(
    people, django_capture_on_commit_callbacks
):
    """The slots carry the reviews' authors and answered marks (shared facts): filling them reads nothing."""
    url = reverse("commitments:commitment", args=[people.commitment.identifier])
    _client(people.users.coordinator).get(url)  # the shared part is kept, without any review
    with CaptureQueriesContext(connection) as ctx:
        page = _client(people.users.civil).get(url).content.decode()
    assert _reads(ctx, "engagement_review") == [] and "Review this update" in page
    with django_capture_on_commit_callbacks(execute=True):
        row = engagement_services.review(people.published, by=people.users.civil, stance="dispute", comment="Abuse.", now=timezone.now())
        engagement_services.hide(row, by=people.users.admin, reason="Insults", now=timezone.now())
    _client(people.users.coordinator).get(url)  # kept again, the hidden review in it
    with CaptureQueriesContext(connection) as ctx:
        author = _client(people.users.civil).get(url).content.decode()
    assert _reads(ctx, "engagement_review") == []
    assert "Change your review" in author and "Review this update" not in author
    other = _client(people.users.civil2).get(url).content.decode()
    assert "Review this update" in other and "Change your review" not in other and "<!--personal:" not in other
    # A part kept under the name of the slots' earlier form (a deploy sharing the cache) is never read.
    cache.set(
        _key(f"commitment:{people.commitment.pk}:{timezone.localdate().isoformat()}", member=people.commitment.plan.member_id),
        "<!--personal:review:1-->OLD",
    )
    assert "OLD" not in _client(people.users.civil2).get(url).content.decode()

