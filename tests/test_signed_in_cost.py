"""The fixed cost of a signed-in request (issue #20), and what it must keep: sessions, permissions, the cache.

* Sessions are read through the cache (accounts/sessions.py): no session query on a signed-in page,
  yet signing out, a password change and a cache outage behave as with sessions in the database.
* The public pages' generation is read from the cache once per request (ogp_portal/cache.py), not
  once per fragment, and a change the request makes is seen by the rest of it.
* The portal's rules answer their own permissions alone (accounts/backends.py): a denied one costs
  no model-permission queries; roles are read once per request, so a change shows at the next one.
* The API throttle counts a request in one Redis round trip (``ogp_portal.cache.count_in_window``).
* Every rendered page's language links (switcher, alternate links) resolve its path once, not four times.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def person():
    return get_user_model().objects.create_user("chamber", "chamber@example.org", PASSWORD)


def _signed_in(user):
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def _is_signed_in(client) -> bool:
    return client.get(reverse("work:my_work")).status_code == 200


# --- sessions --------------------------------------------------------------------------------------


def test_a_signed_in_page_reads_its_session_from_the_cache_not_the_database(person):
    client = _signed_in(person)
    response, queries = _queries(client, reverse("apitokens:docs"))
    assert response.wsgi_request.user == person
    assert not [q for q in queries if "django_session" in q], queries
    # The database keeps the record: the cache holds a copy only.
    assert Session.objects.count() == 1


def test_a_session_the_cache_lost_is_read_from_the_database(person):
    from django.core.cache import cache

    client = _signed_in(person)
    cache.clear()  # evicted, or Redis restarted empty
    response, queries = _queries(client, reverse("apitokens:docs"))
    assert response.wsgi_request.user == person
    assert [q for q in queries if "django_session" in q]
    assert not [q for q in _queries(client, reverse("apitokens:docs"))[1] if "django_session" in q]  # cached again


def test_signing_out_ends_a_cached_session(person):
    client = _signed_in(person)
    assert _is_signed_in(client)  # the session is now in the cache
    cookie = client.cookies["sessionid"].value
    assert client.post(reverse("accounts:logout")).status_code == 200
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert not _is_signed_in(replay)
    assert not Session.objects.filter(session_key=cookie).exists()


def test_a_password_change_signs_out_the_other_cached_sessions(person):
    laptop, phone = _signed_in(person), _signed_in(person)
    assert _is_signed_in(phone)  # cached
    changed = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"},
    )
    assert changed.status_code == 302
    assert _is_signed_in(laptop)  # the session that changed it stays signed in
    assert not _is_signed_in(phone)


def test_a_deactivated_account_is_signed_out_at_its_next_request(person):
    client = _signed_in(person)
    assert _is_signed_in(client)  # the user is now kept beside the session
    person.is_active = False
    person.save()  # as the admin does
    assert not _is_signed_in(client)


def test_a_deactivation_written_past_the_signals_takes_effect_once_it_says_so(person):
    """``QuerySet.update`` sends no signal: code that changes users that way calls ``accounts_changed()``."""
    from accounts.backends import accounts_changed

    client = _signed_in(person)
    assert _is_signed_in(client)
    get_user_model().objects.filter(pk=person.pk).update(is_active=False)
    accounts_changed()
    assert not _is_signed_in(client)


def test_a_cached_copy_of_a_deleted_session_is_served_for_at_most_session_cache_seconds(person, settings):
    """If Redis could not delete the copy at sign-out, the database decides once the copy expires."""
    settings.SESSION_CACHE_SECONDS = 300
    client = _signed_in(person)
    assert _is_signed_in(client)
    Session.objects.all().delete()  # the row is gone; the cached copy is not (as if the cache's delete failed)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301)):
        assert not _is_signed_in(client)



def test_saving_a_session_whose_row_was_deleted_meanwhile_drops_the_cached_copy(person):
    from django.contrib.sessions.backends.base import UpdateError

    from accounts.sessions import SessionStore

    client = _signed_in(person)
    assert _is_signed_in(client)  # cached
    key = client.cookies["sessionid"].value
    store = SessionStore(key)
    store["seen"] = True  # loaded from the cache
    Session.objects.filter(session_key=key).delete()  # signed out elsewhere meanwhile
    with pytest.raises(UpdateError):
        store.save()
    assert not _is_signed_in(client)  # no copy left to serve

@pytest.fixture
def redis_cache(settings):
    """A redis-server of this test's own as the default cache (tests/test_cache_outage.py's)."""
    import shutil

    from tests.conftest import require_service
    from tests.test_cache_outage import RedisServer

    require_service(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "ogp_portal.redis_cache.RedisCache",  # the production backend (settings)
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "KEY_PREFIX": "ogp",
        }
    }
    yield server
    server.close()


def test_sessions_survive_a_cache_outage_and_signing_out_during_it_holds(person, redis_cache, caplog):
    client = _signed_in(person)
    assert not [q for q in _queries(client, reverse("apitokens:docs"))[1] if "django_session" in q]  # in Redis

    redis_cache.stop()
    # Redis down: the session is read from the database, the person stays signed in (no 500).
    assert _is_signed_in(client)
    cookie = client.cookies["sessionid"].value
    assert client.post(reverse("accounts:logout")).status_code == 200
    assert any("Session cache unavailable" in record.getMessage() for record in caplog.records)

    # Redis back: the signed-out session stays signed out; a new sign-in is cached again.
    redis_cache.start()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert not _is_signed_in(replay)
    again = _signed_in(person)
    assert _is_signed_in(again)
    assert not [q for q in _queries(again, reverse("apitokens:docs"))[1] if "django_session" in q]


def test_the_redis_cache_makes_one_client_per_pool_and_survives_an_outage(redis_cache):
    """Django's backend made a ``redis.Redis`` (about 170 callbacks) for every call; ours keeps one per pool."""
    from django.core.cache import cache

    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client
    cache.set("kept", {"n": 1})
    assert cache.get("kept") == {"n": 1}
    assert cache._cache.get_client("c") is client
    redis_cache.stop()
    with pytest.raises(Exception):  # noqa: B017,PT011 - redis' ConnectionError: the callers' own fallbacks handle it
        cache.get("kept")
    redis_cache.start()  # an empty Redis again: the same client reconnects through its pool
    assert cache.get("kept") is None
    cache.set("kept", 2)
    assert cache.get("kept") == 2


# --- the public pages' generation, once per request ------------------------------------------------


@pytest.fixture
def cache_reads(monkeypatch):
    """The keys the default cache is asked for (get), in order."""
    from django.core.cache import caches

    backend = caches["default"]
    keys = []
    original = backend.get

    def get(key, *args, **kwargs):
        keys.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", get)
    return keys


@pytest.fixture
def round_trips(monkeypatch, cache_reads):
    """Call it to start recording: the keys of each ``get_many`` of the default cache (one MGET in Redis), in order.

    A backend without MGET (local memory) asks ``get`` per key: those reads are taken out of ``cache_reads``.
    """
    from django.core.cache import caches

    backend = caches["default"]
    many = []
    original = backend.get_many

    def get_many(keys, *args, **kwargs):
        many.append(list(keys))
        before = len(cache_reads)
        found = original(keys, *args, **kwargs)
        del cache_reads[before:]
        return found

    def start():
        monkeypatch.setattr(backend, "get_many", get_many)
        cache_reads.clear()
        return many

    return start


def test_a_page_of_several_fragments_reads_the_generation_once(settings, cache_reads):
    from django.core.cache import cache

    from ogp_portal.cache import GENERATION_KEY
    from tests.factories import ForumFactory

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    forum = ForumFactory()
    client = Client()
    client.force_login(get_user_model().objects.create_user("reader", "reader@example.org", PASSWORD))
    path = reverse("forums:forum", args=[forum.pk])
    client.get(path)  # renders and keeps the fragments
    cache_reads.clear()
    assert client.get(path).status_code == 200
    fragments = [key for key in cache_reads if key.startswith("fragment:")]
    assert len(fragments) >= 2, cache_reads  # the forum page is made of several shared parts
    assert cache_reads.count(GENERATION_KEY) == 1, cache_reads


def test_the_session_and_the_generation_are_read_in_one_cache_round_trip(settings, cache_reads, round_trips):
    from django.core.cache import cache

    from ogp_portal.cache import BASE_KEY, GENERATION_KEY, SCOPE_KEY
    from tests.factories import ForumFactory

    settings.PUBLIC_PAGE_CACHE = True
    settings.SESSION_ENGINE = "accounts.sessions"  # production's: the session read through the cache
    cache.clear()
    forum = ForumFactory()
    reader = get_user_model().objects.create_user("reader", "reader@example.org", PASSWORD)
    client = _signed_in(reader)
    path = reverse("forums:forum", args=[forum.pk])
    client.get(path)
    many = round_trips()
    response = client.get(path)
    assert response.status_code == 200 and response.wsgi_request.user == reader
    session_key = "django.contrib.sessions.cached_db" + client.cookies["sessionid"].value
    # With them, the accounts' token and the user kept beside the session (accounts/backends.py).
    from accounts.backends import ACCOUNTS_KEY, signed_in_key

    assert many[0] == [session_key, ACCOUNTS_KEY, signed_in_key(client.cookies["sessionid"].value), GENERATION_KEY], many
    assert GENERATION_KEY not in cache_reads and session_key not in cache_reads, cache_reads
    # A member's own page: its parts are kept under the member's scope; the scope's tokens and the parts (under the
    # tokens this process read last, kept only if the tokens read with them are those) in one more round trip.
    assert many[1][:2] == [BASE_KEY, SCOPE_KEY % forum.member_id], many
    assert len(many) == 2 and all(key.startswith(f"fragment:m{forum.member_id}:") for key in many[1][2:]), many
    # A change to everything (a new base and generation) made between two requests is seen by the next one.
    cache.set_many({GENERATION_KEY: "changed", BASE_KEY: "changed"}, None)
    many.clear()
    client.get(path)
    assert all(key.startswith(f"fragment:m{forum.member_id}:changed.") for key in many[2]), many


def _second_visit(settings, round_trips, path_of):
    """A signed-in reader's two visits of a page with the shared parts on: (first HTML, second HTML, its fragment reads).

    ``path_of()`` makes the page's object (after the cache is emptied) and returns its path; the fragment keys
    of each of the second visit's ``get_many`` calls that asked for any are returned (a member's own page asks
    for them with its scope's tokens; the other call: the session and the generation).
    """
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    path = path_of()
    client = Client()
    client.force_login(get_user_model().objects.create_user("reader", "reader@example.org", PASSWORD))
    first = client.get(path).content.decode()  # renders and keeps the fragments
    many = round_trips()
    response = client.get(path)
    assert response.status_code == 200
    fragments = [[key for key in keys if key.startswith("fragment:")] for keys in many]
    return first, response.content.decode(), [keys for keys in fragments if keys]


def test_the_member_page_reads_its_shared_parts_in_one_cache_round_trip(settings, cache_reads, round_trips):
    from tests.factories import MemberFactory

    first, again, fragments = _second_visit(
        settings, round_trips, lambda: reverse("commitments:member", args=[MemberFactory().code])
    )
    assert len(fragments) == 1 and len(fragments[0]) == 2, fragments
    assert not [key for key in cache_reads if key.startswith("fragment:")], cache_reads
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", again) == token.sub("", first)


def test_the_forum_page_reads_its_shared_parts_in_one_cache_round_trip(settings, cache_reads, round_trips):
    from tests.factories import ForumFactory

    _first, _again, fragments = _second_visit(settings, round_trips, lambda: reverse("forums:forum", args=[ForumFactory().pk]))
    # Its three shared parts and the open action items kept for this kind of reader (forums/page_parts.py).
    assert len(fragments) == 1 and len(fragments[0]) == 4, fragments
    assert not [key for key in cache_reads if key.startswith("fragment:")], cache_reads  # none asked one by one


def test_a_change_made_in_the_request_is_seen_by_the_rest_of_it_and_another_process_change_by_the_next():
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started

    from ogp_portal import cache as page_cache

    request_started.send(sender=None)
    try:
        first = page_cache.generation()
        cache.set(page_cache.GENERATION_KEY, "another-process", None)
        assert page_cache.generation() == first  # one request reads one generation
        page_cache._bump()  # this request changed something (public_pages_changed, on commit)
        bumped = page_cache.generation()
        assert bumped not in (first, "another-process")
        assert cache.get(page_cache.GENERATION_KEY) == bumped
    finally:
        request_finished.send(sender=None)
    # Outside a request (a task, a command) the generation is read every time.
    cache.set(page_cache.GENERATION_KEY, "later", None)
    assert page_cache.generation() == "later"
    cache.set(page_cache.GENERATION_KEY, "later still", None)
    assert page_cache.generation() == "later still"


# --- permissions: the rules decide alone, roles read once per request --------------------------------


def _permission_reads(queries):
    return [q for q in queries if "auth_permission" in q or "auth_group" in q]


def test_a_permission_the_rules_deny_costs_no_model_permission_queries():
    from tests.factories import MemberFactory, UserFactory

    member = MemberFactory()
    user = UserFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert not user.has_perm("forums.manage_forum", member)
        assert not user.has_perm("commitments.review_progress", None)
    assert not _permission_reads([q["sql"] for q in ctx.captured_queries]), ctx.captured_queries


def test_model_permissions_outside_the_rules_are_still_granted_by_django():
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory()
    assert not user.has_perm("commitments.view_commitment")
    user.user_permissions.add(Permission.objects.get(codename="view_commitment", content_type__app_label="commitments"))
    user = get_user_model().objects.get(pk=user.pk)
    assert user.has_perm("commitments.view_commitment")
    staff = UserFactory(is_staff=True)
    assert staff.has_perm("forums.manage_forum", None) and staff.has_perm("ogp.use_admin")


def test_a_role_granted_or_removed_takes_effect_at_the_next_request():
    from commitments.models import Role
    from tests.factories import MemberFactory, UserFactory

    member = MemberFactory()
    user = UserFactory()
    client = Client()
    client.force_login(user)
    queue = reverse("commitments:review")
    assert client.get(queue).status_code == 404
    role = Role.objects.create(user=user, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(queue).status_code == 200
    roles = [q["sql"] for q in ctx.captured_queries if 'FROM "commitments_role"' in q["sql"]]
    assert len(roles) == 1, roles  # read once for the request, whatever the page asks
    role.delete()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(queue).status_code == 404
    assert not _permission_reads([q["sql"] for q in ctx.captured_queries])


# --- the API throttle: one Redis round trip --------------------------------------------------------


@pytest.fixture
def redis_round_trips(monkeypatch):
    """How many times a Redis client sent something to the server (a pipeline sends once)."""
    from redis.connection import Connection

    sent = []
    original = Connection.send_packed_command

    def send(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", send)
    return sent


def test_the_api_throttle_counts_a_request_in_one_redis_round_trip(
    person, redis_cache, settings, redis_round_trips, monkeypatch
):
    from rest_framework.test import APIClient

    from ogp_portal.api import UserThrottle
    from ogp_portal.cache import count_in_window

    monkeypatch.setattr(UserThrottle, "timer", lambda self: 1_800_000_010.0)  # 10 s into a minute

    settings.API_THROTTLE_RATES = {"anon": "60/minute", "user": "3/minute"}
    api = APIClient()
    api.force_login(person)  # the session, written now, is cached before the requests counted below
    redis_round_trips.clear()
    statuses = [api.get("/api/v1/members/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Per request: the session (one MGET, with the user kept beside it at sign-in) and the throttle (one pipeline).
    assert len(redis_round_trips) == 4 * 2, redis_round_trips
    # The counter is an integer with an expiry, readable through the cache API.
    from django.core.cache import cache, caches

    redis_round_trips.clear()
    assert count_in_window(cache, "test-window", 30) == 1
    assert count_in_window(cache, "test-window", 30) == 2
    assert len(redis_round_trips) == 2
    assert cache.get("test-window") == 2
    backend = caches["default"]
    ttl = backend._cache.get_client(None).ttl(backend.make_key("test-window"))
    assert 0 < ttl <= 30


def test_count_in_window_on_another_cache_adds_then_increments():
    from django.core.cache import cache

    from ogp_portal.cache import count_in_window

    assert [count_in_window(cache, "window-x", 30) for _ in range(3)] == [1, 2, 3]


# --- the page in every language, once per request ---------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/commitments/KG0017/?tab=x&q=%C3%A9", "/ru/commitments/KG0017/", "/ky/members/KG/", "/no/such/page/?a=1", "/"],
)
def test_the_page_in_every_language_is_what_translate_url_gives(rf, path, monkeypatch):
    from django.conf import settings
    from django.urls import translate_url
    from django.utils import translation

    from commitments.templatetags import portal

    portal._translated_paths.clear()  # kept per process: this test counts the first request's resolution
    request = rf.get(path)
    with translation.override(translation.get_language_from_path(request.path_info) or "en"):
        expected = {code: translate_url(request.get_full_path(), code) for code, _name in settings.LANGUAGES}
        resolves = []
        original = portal.resolve
        monkeypatch.setattr(portal, "resolve", lambda *a, **k: resolves.append(a) or original(*a, **k))
        assert portal.page_in_languages(request) == expected
        assert portal.page_in_languages(request) == expected
        assert portal.default_language_path({"request": request}) == expected["en"]
    assert len(resolves) == 1  # once per request


def test_the_page_in_every_language_is_kept_per_path_and_each_request_keeps_its_own_query(rf, monkeypatch):
    """The reversals are done once per path and process (issue #20); the query is each request's own."""
    from django.conf import settings
    from django.urls import translate_url
    from django.utils import translation

    from commitments.templatetags import portal

    portal._translated_paths.clear()
    calls = []
    original = portal.reverse
    monkeypatch.setattr(portal, "reverse", lambda *a, **k: calls.append(a) or original(*a, **k))
    with translation.override("ru"):
        for query in ("tab=x", "q=%C3%A9&page=2", ""):
            request = rf.get(f"/ru/commitments/KG0017/?{query}" if query else "/ru/commitments/KG0017/")
            expected = {code: translate_url(request.get_full_path(), code) for code, _name in settings.LANGUAGES}
            assert portal.page_in_languages(request) == expected
            if query:
                assert all(path.endswith(f"?{query}") for path in expected.values())
    assert len(calls) == len(settings.LANGUAGES)  # the first request's reversals only
    with translation.override("ky"):
        request = rf.get("/ky/members/KG/")
        assert portal.page_in_languages(request)["en"] == "/members/KG/"


def test_a_rendered_page_takes_its_language_links_from_the_handlers_resolution(client, monkeypatch):
    from django.urls import translate_url

    from commitments.templatetags import portal

    resolves = []
    original = portal.resolve
    monkeypatch.setattr(portal, "resolve", lambda *a, **k: resolves.append(a) or original(*a, **k))
    path = reverse("apitokens:docs") + "?a=%C3%A9"
    response = client.get(path)
    assert response.status_code == 200 and resolves == []  # the request's own resolver_match
    assert portal.page_in_languages(response.wsgi_request) == {
        code: translate_url(path, code) for code in ("en", "ru", "ky")
    }
    assert f'hreflang="ru" href="http://testserver{translate_url(path, "ru")}"' in response.content.decode()


def test_sessions_go_through_the_cache_only_when_every_process_shares_it():
    """A local-memory cache outside DEBUG is each worker's own: sessions then stay in the database."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    def engine(**env):
        base = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DEBUG", "DEMO", "SESSION_ENGINE"}}
        base.update(DJANGO_SETTINGS_MODULE="ogp_portal.settings", SECRET_KEY="x", DATABASE_URL="sqlite:////tmp/unused")
        base.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
        code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
        result = subprocess.run([sys.executable, "-c", code], env={**base, **env}, cwd=settings.BASE_DIR,
                                capture_output=True, text=True, timeout=60, check=True)
        return result.stdout.strip().splitlines()[-1]

    assert engine(CACHE_URL="redis://127.0.0.1:6379/0") == "accounts.sessions"
    assert engine(CACHE_URL="locmemcache://") == "django.contrib.sessions.backends.db"
    assert engine(CACHE_URL="locmemcache://", DEBUG="true") == "accounts.sessions"  # runserver: one process
    assert engine(DEMO="true", REDIS_URL="memory://") == "accounts.sessions"  # the demo's shared file cache


def test_the_user_and_their_roles_are_read_in_one_query():
    from commitments.models import Role
    from tests.factories import MemberFactory, UserFactory

    member = MemberFactory()
    user = UserFactory()
    Role.objects.create(user=user, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    client = Client()
    client.force_login(user)
    from django.core.cache import cache

    from accounts.backends import signed_in_key

    cache.delete(signed_in_key(client.cookies["sessionid"].value))  # not kept beside the session: the database's
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("commitments:review")).status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"] or 'FROM "commitments_role"' in q["sql"]]
    user_reads = [q for q in reads if 'FROM "auth_user"' in q and 'WHERE "auth_user"."id" =' in q]
    assert len(user_reads) == 1 and 'FROM "commitments_role"' in user_reads[0], reads
    assert not [q for q in reads if q.lstrip().startswith('SELECT "commitments_role"')], reads
    # Kept now (accounts/backends.py): the next request reads neither.
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("commitments:review")).status_code == 200
    assert not [q for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"] or 'FROM "commitments_role"' in q["sql"]]


def test_a_session_signed_in_through_djangos_model_backend_stays_signed_in(person):
    """Sessions recorded before accounts.backends.PortalModelBackend replaced ModelBackend are carried over once."""
    from django.contrib.auth import BACKEND_SESSION_KEY

    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    assert _is_signed_in(client)
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).get_decoded()[BACKEND_SESSION_KEY] == "accounts.backends.PortalModelBackend"
    assert _is_signed_in(client)


def test_the_sites_frame_is_rendered_once_per_language_and_nothing_personal_is_kept_in_it():
    """templates/base.html's head, navigation, search, language buttons and footer: {% same_everywhere %}."""
    from ogp_portal.templatetags import site
    from tests.factories import UserFactory

    site._rendered.clear()
    first, second = UserFactory(username="first-reader"), UserFactory(username="second-reader")
    pages = {}
    for user in (first, second):
        client = Client()
        client.force_login(user)
        for path in ("/", "/ru/"):
            pages[user.username, path] = client.get(path).content.decode()
    assert "first-reader" in pages["first-reader", "/"] and "first-reader" not in pages["second-reader", "/"]
    assert "second-reader" in pages["second-reader", "/ru/"] and "first-reader" not in pages["second-reader", "/ru/"]
    for user in ("first-reader", "second-reader"):
        assert 'value="en" lang="en"\n                class="current"' in pages[user, "/"]
        assert 'value="ru" lang="ru"\n                class="current"' in pages[user, "/ru/"]
        assert 'value="ru" lang="ru"\n                class="outline"' in pages[user, "/"]
        assert 'href="/ru/commitments/"' in pages[user, "/ru/"] and 'href="/commitments/"' in pages[user, "/"]
        assert '<html lang="ru" dir="ltr">' in pages[user, "/ru/"] and '<html lang="en" dir="ltr">' in pages[user, "/"]
        assert "· Портал планов действий OGP</title>" in pages[user, "/ru/"]
        assert 'hreflang="ru" href="http://testserver/ru/"' in pages[user, "/"]  # per page, outside the kept parts
    assert {key[0] for key in site._rendered} == {"head-start", "head", "frame-top", "site-footer"}  # one between two blocks
    kept = "".join(text for texts in site._rendered.values() for text in texts)
    assert "reader" not in kept and "csrfmiddlewaretoken" not in kept and "hreflang" not in kept
    assert {key[1] for key in site._rendered} == {"en", "ru"}
