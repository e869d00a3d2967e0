"""The public page cache (ogp_portal/cache.py): anonymous visitors only, per language, fresh after every change.

The cache is off in the test settings; each test here turns it on with an empty cache.
Service calls run their on-commit callbacks through ``django_capture_on_commit_callbacks``,
as a committed request would (pytest-django wraps each test in a transaction).
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from commitments import progress as commitment_progress
from commitments.models import Member
from compliance import services as compliance_services
from engagement import services as engagement_services
from ogp_portal import cache as page_cache
from tests.engagement.conftest import PASSWORD, people, submitted_update  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def commitment_url(people, language=""):
    prefix = f"/{language}" if language else ""
    with translation.override("en"):
        return prefix + reverse("commitments:commitment", args=[people.commitment.identifier])


def test_a_second_anonymous_visit_is_served_from_the_cache_without_queries(people, client):
    url = commitment_url(people)
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) == 0
    assert "Content-Security-Policy" in second  # the middleware above the cache still add their headers
    assert second["Content-Language"] == "en"


def test_each_language_has_its_own_copy(people, client):
    english = client.get(commitment_url(people))
    russian = client.get(commitment_url(people, "ru"))
    kyrgyz = client.get(commitment_url(people, "ky"))
    assert russian["X-Page-Cache"] == "miss" and kyrgyz["X-Page-Cache"] == "miss"
    assert client.get(commitment_url(people, "ru"))["X-Page-Cache"] == "hit"
    langs = {r["Content-Language"] for r in (english, russian, kyrgyz)}
    assert langs == {"en", "ru", "ky"}
    hit = client.get(commitment_url(people, "ru"))
    assert hit.content == russian.content.replace(_token(russian).encode(), _token(hit).encode())


def _token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_a_signed_in_user_neither_fills_nor_reads_the_shared_copy(people):
    url = commitment_url(people)
    signed_in = Client()
    signed_in.force_login(people.users.civil)
    page = signed_in.get(url)
    assert "Sign out (citizen)" in page.content.decode()
    assert "X-Page-Cache" not in page
    anonymous = Client()
    first = anonymous.get(url)
    assert first["X-Page-Cache"] == "miss"  # the signed-in visit stored nothing
    assert "citizen" not in first.content.decode() and "Sign in" in first.content.decode()
    assert anonymous.get(url)["X-Page-Cache"] == "hit"
    again = signed_in.get(url)  # now a copy exists: the signed-in user still gets their own page
    assert "X-Page-Cache" not in again and "Sign out (citizen)" in again.content.decode()


def test_a_cached_page_gives_each_visitor_a_working_csrf_token_of_their_own(people):
    url = commitment_url(people)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one = first.get(url)
    two = second.get(url)
    assert two["X-Page-Cache"] == "hit"
    assert _token(one) != _token(two)
    assert "csrftoken" in two.cookies  # the cached page set the visitor's own CSRF cookie
    switched = second.post(reverse("set_language"), {"language": "ru", "next": url, "csrfmiddlewaretoken": _token(two)})
    assert switched.status_code == 302


def test_a_cached_page_carries_a_fresh_csp_nonce_that_matches_its_header(settings, client, monkeypatch):
    settings.ROOT_URLCONF = "tests.page_cache_urls"
    monkeypatch.setattr(page_cache, "PUBLIC_PAGES", frozenset({"nonce_page"}))
    nonces = []
    for expected in ("miss", "hit", "hit"):
        response = client.get("/nonce-page/")
        assert response["X-Page-Cache"] == expected
        in_page = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        in_header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert in_page == in_header
        nonces.append(in_page)
    assert len(set(nonces)) == 3


def test_a_visitor_with_a_session_is_not_served_from_the_cache(people, client):
    url = commitment_url(people)
    client.get(url)
    client.cookies["sessionid"] = "anything"
    assert "X-Page-Cache" not in client.get(url)


def fresh(client, url, text):
    """Return True if the anonymous page at ``url`` (cached before the change) now shows ``text``."""
    return text in client.get(url).content.decode()


def test_a_review_a_response_and_hiding_show_at_once(people, client, django_capture_on_commit_callbacks):
    u, now = people.users, timezone.now()
    urls = [commitment_url(people), commitment_url(people, "ru"), reverse("commitments:plan", args=[people.plan.pk])]
    for url in urls:
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        row = engagement_services.review(people.published, by=u.civil, stance="dispute", comment="Not online at all.", now=now)
    assert fresh(client, urls[0], "Not online at all.")
    assert fresh(client, urls[1], "Not online at all.")
    client.get(urls[0])
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.respond(row, by=u.coordinator, text="Published at esep.kg since June.", now=now)
    assert fresh(client, urls[0], "Published at esep.kg since June.")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.hide(row, by=u.admin, reason="Personal data in the review.", now=now)
    assert not fresh(client, urls[0], "Not online at all.")


def test_a_change_rolled_back_or_not_yet_committed_invalidates_nothing(people, client):
    url = commitment_url(people)
    client.get(url)
    engagement_services.review(people.published, by=people.users.civil, stance="agree", comment="Confirmed.", now=timezone.now())
    # Inside the (uncommitted) test transaction: the copy is still served; the bump waits for the commit.
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_an_approved_progress_update_shows_at_once(people, client, django_capture_on_commit_callbacks):
    from commitments.models import Role

    u = people.users
    Role.objects.create(user=u.civil2, member=people.kg, kind=Role.Kind.POINT_OF_CONTACT)
    url = commitment_url(people)
    client.get(url)
    update, now = submitted_update(people)
    assert not fresh(client, url, "All audit reports are online.")  # submitted, not public
    with django_capture_on_commit_callbacks(execute=True):
        commitment_progress.approve_progress(update, by=u.poc, version=update.version, now=now)
    assert fresh(client, url, "All audit reports are online.")


def test_a_sweep_that_writes_shows_at_once_and_one_that_writes_nothing_keeps_the_copy(seed_data, client, django_capture_on_commit_callbacks):
    url = reverse("compliance:member", args=["KG"])
    now = timezone.make_aware(dt.datetime(2026, 11, 29, 12))
    with django_capture_on_commit_callbacks(execute=True):
        compliance_services.sweep_all(now, notify="none")
    client.get(url)
    before = cache.get(page_cache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        compliance_services.sweep_all(now, notify="none")  # nothing new: the copy stays
    assert cache.get(page_cache.GENERATION_KEY) == before
    assert client.get(url)["X-Page-Cache"] == "hit"
    later = timezone.make_aware(dt.datetime(2027, 12, 1, 12))
    with django_capture_on_commit_callbacks(execute=True):
        results = compliance_services.sweep_all(later, notify="none")
    assert any(r.changed for r in results)
    assert cache.get(page_cache.GENERATION_KEY) != before
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_a_forum_meeting_recorded_as_held_shows_at_once(seed_data, client, django_capture_on_commit_callbacks, django_user_model):
    from forums import services as forum_services
    from forums.models import Forum

    forum = Forum.objects.filter(member__code="KG").first()
    url = reverse("forums:forum", args=[forum.pk])
    now = timezone.now()
    meeting = forum_services.schedule_meeting(
        forum, starts_at=now + dt.timedelta(days=3), by=None, now=now, title="Quarterly review of the action plan", invite=False,
    )
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    membership = forum.memberships.first()
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.record_meeting(meeting, attendance={membership.pk: ("present", "")}, by=None, now=now + dt.timedelta(days=4))
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_a_change_in_the_admin_invalidates(seed_data, client, admin_client, django_capture_on_commit_callbacks):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    url = reverse("commitments:home")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    kg = Member.objects.get(code="KG")
    with django_capture_on_commit_callbacks(execute=True):
        LogEntry.objects.create(
            user_id=admin_client.session["_auth_user_id"], content_type=ContentType.objects.get_for_model(Member),
            object_id=str(kg.pk), object_repr=str(kg), action_flag=CHANGE,
        )
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_every_public_page_and_feed_is_cached_for_anonymous_visitors(people, client):
    forum = people.kg.forums.first()
    urls = [
        reverse("commitments:home"), reverse("commitments:member", args=["KG"]), reverse("commitments:plan", args=[people.plan.pk]),
        reverse("commitments:list"), reverse("commitments:list") + "?q=audit", commitment_url(people),
        reverse("compliance:overview"), reverse("compliance:member", args=["KG"]), reverse("forums:forum", args=[forum.pk]),
        reverse("commitments:plan_csv", args=[people.plan.pk]),
    ]
    from django.urls import NoReverseMatch

    for name, args in (("engagement:feed_commitment", [people.commitment.identifier]), ("commitments:commitment_feed", [people.commitment.identifier])):
        try:
            urls.append(reverse(name, args=args))
        except NoReverseMatch:  # one of the two feed modules is going (issue #8)
            pass
    for url in urls:
        assert client.get(url)["X-Page-Cache"] == "miss", url
        assert client.get(url)["X-Page-Cache"] == "hit", url


def test_pages_still_render_when_the_cache_server_is_down(people, client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(page_cache.cache, "get", down)
    monkeypatch.setattr(page_cache.cache, "set", down)
    response = client.get(commitment_url(people))
    assert response.status_code == 200 and "X-Page-Cache" not in response


def test_a_signed_in_users_home_page_reuses_the_headline_figures_until_a_publication(
    people, client, django_capture_on_commit_callbacks
):
    """Issue #12: the figures that scan whole tables are computed once per generation, not per signed-in render."""
    client.cookies["sessionid"] = "no-such-session"  # as a signed-in user: the page itself is never cached
    home = reverse("commitments:home")

    def overdue(response):
        return int(re.search(r"<strong>(\d+)</strong> milestones? overdue", response.content.decode()).group(1))

    def figure_queries(ctx):  # the roll-up tally: the sums of the plans' stored figures with the lapsed plans' overdue count (one statement)
        return [q for q in ctx.captured_queries if "GROUP BY" in q["sql"] or "SUM(" in q["sql"] or 'FROM "commitments_milestone"' in q["sql"]]

    with CaptureQueriesContext(connection) as first:
        before = overdue(client.get(home))
    assert before >= 1  # the seed plan ended in 2020
    assert len(figure_queries(first)) == 1
    with CaptureQueriesContext(connection) as second:
        response = client.get(home)
    assert "X-Page-Cache" not in response
    assert figure_queries(second) == []
    # A change without a service call is not seen until the generation changes (as for cached pages) ...
    people.published.completion = "complete"
    people.published.save()
    from commitments.progress import refresh_completion

    # The stored flag and the plan's stored figures (issue #20), as the admin's save stores them.
    refresh_completion([people.published.milestone.commitment_id])
    assert overdue(client.get(home)) == before
    # ... and a publication (a service calls public_pages_changed) makes the next render count again.
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed()
    with CaptureQueriesContext(connection) as third:
        assert overdue(client.get(home)) == before - 1
    assert len(figure_queries(third)) == 1


# --- The REST API's public lists -------------------------------------------------------------

API_LISTS = ("/api/v1/members/", "/api/v1/commitments/", "/api/v1/milestones/", "/api/v1/progress-updates/", "/api/v1/forums/")


def test_every_api_list_is_cached_for_anonymous_clients_and_served_without_queries(people, client):
    for url in API_LISTS:
        miss = client.get(url)
        assert miss["X-Page-Cache"] == "miss", url
        with CaptureQueriesContext(connection) as ctx:
            hit = client.get(url)
        assert hit["X-Page-Cache"] == "hit" and len(ctx.captured_queries) == 0, url
        assert hit["Content-Type"] == "application/json" and hit.json() == miss.json() and hit.json()["results"]
    # A detail answer (one row, with its ETag for If-Match) is not cached.
    detail = client.get(f"/api/v1/members/{people.kg.pk}/")
    assert detail.status_code == 200 and "X-Page-Cache" not in detail


def test_a_token_clients_api_answer_is_never_shared(people, client):
    from apitokens.services import create_token
    from rest_framework.test import APIClient

    _token, secret = create_token(people.users.coordinator, name="t", scope="read", days=30, now=timezone.now())
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert "X-Page-Cache" not in with_token.get("/api/v1/progress-updates/")  # neither stored...
    assert client.get("/api/v1/progress-updates/")["X-Page-Cache"] == "miss"
    assert "X-Page-Cache" not in with_token.get("/api/v1/progress-updates/")  # ...nor served from the copy


def test_a_cached_api_list_still_counts_against_the_anonymous_throttle(people, client, settings, monkeypatch):
    from ogp_portal.api import AnonThrottle

    monkeypatch.setattr(AnonThrottle, "timer", lambda self: 1_800_000_010.0)  # no minute boundary inside the test
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "600/minute"}
    answers = [client.get("/api/v1/members/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.get("X-Page-Cache") for a in answers[:3]] == ["miss", "hit", "hit"]
    assert int(answers[3]["Retry-After"]) == 50


def test_an_approved_progress_update_shows_at_once_in_the_api(people, client, django_capture_on_commit_callbacks):
    from commitments.models import Role

    u = people.users
    Role.objects.create(user=u.civil2, member=people.kg, kind=Role.Kind.POINT_OF_CONTACT)
    url = "/api/v1/progress-updates/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    update, now = submitted_update(people)
    assert not fresh(client, url, "All audit reports are online.")
    with django_capture_on_commit_callbacks(execute=True):
        commitment_progress.approve_progress(update, by=u.poc, version=update.version, now=now)
    assert fresh(client, url, "All audit reports are online.")


def test_the_api_schema_is_cached_per_format(people, client):
    yaml = client.get("/api/schema/")
    assert yaml["X-Page-Cache"] == "miss" and "openapi" in yaml.content.decode()
    as_json = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert as_json["X-Page-Cache"] == "miss" and as_json.content.decode().lstrip().startswith("{")
    again = client.get("/api/schema/")
    assert again["X-Page-Cache"] == "hit" and again.content == yaml.content
    assert client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content == as_json.content


def test_a_signed_in_reader_gets_the_schema_generated_once_per_language(people):
    """A signed-in reader is never served the page cache's copy: the schema's data is kept per process instead."""
    from ogp_portal.api_urls import SchemaView

    SchemaView._kept.clear()
    SchemaView._rendered.clear()
    reader = Client()
    reader.force_login(people.users.poc)
    first = reader.get("/api/schema/")
    assert first.status_code == 200 and "X-Page-Cache" not in first
    kept = dict(SchemaView._kept)
    assert [key[0] for key in kept] == ["en"]
    again = reader.get("/api/schema/")
    assert again.content == first.content and SchemaView._kept == kept  # the same data, not generated again
    as_json = reader.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert as_json.content.decode().lstrip().startswith("{") and len(SchemaView._kept) == 1  # rendered from it
    assert len(SchemaView._rendered) == 2  # each format rendered once
    assert reader.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content == as_json.content
    anonymous = Client().get("/api/schema/")
    assert anonymous.content == first.content  # what an anonymous reader gets
    for header in ("Content-Type", "Content-Disposition", "Vary"):
        assert again[header] == first[header] == anonymous[header], header
    reader.get("/api/schema/?lang=xx-made-up")
    assert len(SchemaView._kept) == 1  # a made-up language is not kept


# --- Fragments shared by anonymous and signed-in visitors (issue #20) ---------------------------


def _plan_state_key(plan, language="en"):
    return page_cache.fragment_key(f"plan-state:{plan.pk}:{timezone.localdate().isoformat()}", language, member=plan.member_id)


def _commitment_rows_read(ctx):
    return [q for q in ctx.captured_queries if 'FROM "commitments_commitment"' in q["sql"] and "contested" in q["sql"]]


def test_the_plan_pages_shared_part_holds_nothing_of_the_signed_in_user_who_rendered_it(people, django_capture_on_commit_callbacks):
    url = reverse("commitments:plan", args=[people.plan.pk])
    poc = Client()
    poc.force_login(people.users.poc)  # may publish status reports: a link only they see
    own = poc.get(url).content.decode()
    assert "Sign out (kg-poc)" in own
    assert reverse("commitments:status_reports", args=[people.plan.pk]) in own
    shared = cache.get(_plan_state_key(people.plan))
    assert shared and people.commitment.identifier in shared  # stored by the signed-in render
    for personal in ("kg-poc", "Sign out", "status-reports", "csrfmiddlewaretoken", "nonce", "engagement/follow"):
        assert personal not in shared
    coordinator = Client()
    coordinator.force_login(people.users.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        theirs = coordinator.get(url).content.decode()
    assert _commitment_rows_read(ctx) == []  # the shared part was reused, not rendered again
    assert shared in theirs and "Sign out (chamber)" in theirs and "kg-poc" not in theirs
    assert reverse("commitments:status_reports", args=[people.plan.pk]) not in theirs
    anonymous = Client().get(url).content.decode()
    assert shared in anonymous and "Sign out" not in anonymous
    assert reverse("commitments:status_reports", args=[people.plan.pk]) not in anonymous
    # A publication replaces the generation: the next visitor renders the shared part again.
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed()
    with CaptureQueriesContext(connection) as ctx:
        coordinator.get(url)
    assert len(_commitment_rows_read(ctx)) == 1


def test_each_language_has_its_own_shared_plan_part(people):
    coordinator = Client()
    coordinator.force_login(people.users.coordinator)
    coordinator.get(reverse("commitments:plan", args=[people.plan.pk]))
    with translation.override("ru"):
        russian_url = reverse("commitments:plan", args=[people.plan.pk])
    coordinator.get(russian_url)
    english, russian = cache.get(_plan_state_key(people.plan)), cache.get(_plan_state_key(people.plan, "ru"))
    assert english and russian and english != russian
    assert "Where the plan stands" in english and "Where the plan stands" not in russian


def test_the_home_pages_content_is_shared_without_the_user_who_rendered_it(people):
    coordinator = Client()
    coordinator.force_login(people.users.coordinator)
    own = coordinator.get(reverse("commitments:home")).content.decode()
    assert "Sign out (chamber)" in own
    with CaptureQueriesContext(connection) as ctx:
        anonymous = Client().get(reverse("commitments:home"))
    assert anonymous["X-Page-Cache"] == "miss"  # the page itself was not shared ...
    assert not [q for q in ctx.captured_queries if 'FROM "commitments_member"' in q["sql"]]  # ... its content was
    body = anonymous.content.decode()
    assert "chamber" not in body and "Sign out" not in body
    assert people.kg.code in body or str(people.kg.name) in body
