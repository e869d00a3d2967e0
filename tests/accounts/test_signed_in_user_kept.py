"""The signed-in user kept beside the session (accounts/backends.py; issue #20: the fixed cost of a signed-in page).

A signed-in request reads its user and roles from the cache, in the round trip that reads its session,
instead of a query. What must still take effect at the next request, and does: signing out, a password
change (other sessions signed out), a deactivation, a deleted account, a role granted or removed, a
change to the account in the admin; a copy kept under another token, another session hash or another
SECRET_KEY is never served; the cache holds no password.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import ACCOUNTS_KEY, signed_in_key
from commitments.models import Role
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-42"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person():
    return get_user_model().objects.create_user("chamber", "chamber@example.org", PASSWORD, first_name="Aida")


def _signed_in(user):
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _user_reads(client, path=None):
    """(status, queries that read the user table) of one request."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path or reverse("work:my_work"))
    return response.status_code, [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]]


def test_the_requests_after_sign_in_read_the_user_from_the_cache_not_the_database(person):
    client = _signed_in(person)
    status, reads = _user_reads(client)
    assert status == 200 and reads == []  # kept at sign-in
    cache.delete(signed_in_key(client.cookies["sessionid"].value))  # evicted
    status, reads = _user_reads(client)
    assert status == 200 and len(reads) == 1  # read from the database, and kept again
    status, reads = _user_reads(client)
    assert status == 200 and reads == []
    response = client.get(reverse("work:my_work"))
    assert response.wsgi_request.user == person
    assert response.wsgi_request.user.first_name == "Aida"


def test_the_kept_user_holds_no_password_and_reads_it_from_the_database_if_asked(person):
    client = _signed_in(person)
    client.get(reverse("work:my_work"))
    kept = cache.get(signed_in_key(client.cookies["sessionid"].value))
    assert kept is not None
    assert "password" not in kept["fields"] and person.password not in map(str, kept["values"])
    user = client.get(reverse("work:my_work")).wsgi_request.user
    with CaptureQueriesContext(connection) as ctx:
        assert user.check_password(PASSWORD)
    assert len(ctx.captured_queries) == 1  # deferred: read when asked for


def test_a_page_shows_the_same_to_the_kept_user_as_to_the_user_read_from_the_database(person):
    MemberFactory()
    client = _signed_in(person)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    for path in (reverse("commitments:home"), reverse("work:my_work"), "/ru/", "/ky/"):
        cache.delete(signed_in_key(client.cookies["sessionid"].value))
        first = client.get(path)
        assert _user_reads(client, path)[1] == []  # kept now
        again = client.get(path)
        assert first.status_code == again.status_code == 200
        assert token.sub("", again.content.decode()) == token.sub("", first.content.decode())
        assert "Aida" in again.content.decode() or person.username in again.content.decode()


def test_signing_out_deletes_the_kept_user_and_the_session_stays_signed_out(person):
    client = _signed_in(person)
    assert _user_reads(client)[0] == 200
    cookie = client.cookies["sessionid"].value
    assert cache.get(signed_in_key(cookie)) is not None
    assert client.post(reverse("accounts:logout")).status_code == 200
    assert cache.get(signed_in_key(cookie)) is None
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get(reverse("work:my_work")).status_code == 302


def test_a_password_change_signs_out_the_other_sessions_at_their_next_request(person):
    laptop, phone = _signed_in(person), _signed_in(person)
    assert _user_reads(phone)[0] == 200 and _user_reads(phone) == (200, [])  # phone's user is kept
    changed = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"},
    )
    assert changed.status_code == 302
    assert phone.get(reverse("work:my_work")).status_code == 302  # to the sign-in page
    assert laptop.get(reverse("work:my_work")).status_code == 200


def test_a_deleted_account_is_signed_out_at_its_next_request(person):
    client = _signed_in(person)
    assert _user_reads(client)[0] == 200 and _user_reads(client) == (200, [])
    person.delete()
    assert client.get(reverse("work:my_work")).status_code == 302


def test_a_change_in_the_admin_shows_at_the_next_request(person):
    client = _signed_in(person)
    assert _user_reads(client)[0] == 200 and _user_reads(client) == (200, [])
    person.first_name = "Aigul"
    person.save()
    assert client.get(reverse("work:my_work")).wsgi_request.user.first_name == "Aigul"


def test_a_role_granted_or_removed_takes_effect_at_the_next_request(person):
    member = MemberFactory()
    client = _signed_in(person)
    queue = reverse("commitments:review")
    assert client.get(queue).status_code == 404
    assert client.get(queue).status_code == 404  # kept without the role
    role = Role.objects.create(user=person, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    assert client.get(queue).status_code == 200
    assert _user_reads(client, queue) == (200, [])  # kept with the role
    role.kind = Role.Kind.SECRETARIAT
    role.save()
    assert client.get(queue).status_code == 404
    role.kind = Role.Kind.POINT_OF_CONTACT
    role.save()
    assert client.get(queue).status_code == 200
    role.delete()
    assert client.get(queue).status_code == 404


def test_signing_in_again_replaces_nothing_for_the_others(person):
    """The sign-in time is not in the copies: a sign-in does not send every signed-in person to the database."""
    other = get_user_model().objects.create_user("other", "other@example.org", PASSWORD)
    client = _signed_in(other)
    assert _user_reads(client)[0] == 200 and _user_reads(client) == (200, [])
    _signed_in(person)
    assert _user_reads(client) == (200, [])


def test_a_copy_kept_under_an_older_token_is_not_served(person):
    """A change written past the signals, then the token lost (evicted, Redis restarted): the database decides."""
    member = MemberFactory()
    role = Role.objects.create(user=person, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    client = _signed_in(person)
    queue = reverse("commitments:review")
    assert client.get(queue).status_code == 200 and _user_reads(client, queue) == (200, [])
    Role.objects.filter(pk=role.pk).update(kind=Role.Kind.SECRETARIAT)  # no signal
    cache.delete(ACCOUNTS_KEY)
    status, reads = _user_reads(client, queue)
    assert status == 404 and len(reads) == 1


def test_a_copy_kept_under_another_secret_key_or_session_hash_is_not_served(person, settings):
    client = _signed_in(person)
    assert _user_reads(client)[0] == 200 and _user_reads(client) == (200, [])
    settings.SECRET_KEY = "another-test-only-key-not-a-secret-at-all"
    settings.SECRET_KEY_FALLBACKS = ["test-only-key-not-a-secret"]
    status, reads = _user_reads(client)
    assert status == 200 and len(reads) == 1  # read again; the session is moved to the new key by Django
    key = signed_in_key(client.cookies["sessionid"].value)
    kept = cache.get(key)
    assert kept is not None
    kept["hash"] = "0" * len(kept["hash"])
    cache.set(key, kept)
    status, reads = _user_reads(client)
    assert status == 200 and len(reads) == 1


def test_a_change_committed_after_a_request_read_the_old_rows_is_seen_at_the_next_request(
    person, django_capture_on_commit_callbacks
):
    """The token is replaced at the change and again at its commit: a request that read the rows in between kept them under the first."""
    from accounts.backends import remember_user

    member = MemberFactory()
    client = _signed_in(person)
    queue = reverse("commitments:review")
    assert client.get(queue).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Role.objects.create(user=person, member=member, kind=Role.Kind.POINT_OF_CONTACT)
            # Another request, meanwhile, read the token just replaced and the rows before this commit.
            session = client.session
            session.load()
            stale = get_user_model().objects.get(pk=person.pk)
            stale._ogp_roles_cache = []
            remember_user(session, (cache.get(ACCOUNTS_KEY), None), stale)
            assert cache.get(signed_in_key(session.session_key))["roles"] == []
    assert client.get(queue).status_code == 200


def test_a_password_saved_alone_signs_out_the_sessions_kept_with_the_old_one(person):
    """``save(update_fields=["password"])`` (a hash upgrade, a reset): the kept copies go with the old hash."""
    client = _signed_in(person)
    assert _user_reads(client) == (200, [])  # kept
    person.set_password("another-long-pass-99")
    person.save(update_fields=["password"])
    assert client.get(reverse("work:my_work")).status_code == 302


def test_the_sign_in_time_alone_replaces_no_copy(person):
    client = _signed_in(person)
    assert _user_reads(client) == (200, [])
    token = cache.get(ACCOUNTS_KEY)
    from django.contrib.auth.models import update_last_login

    update_last_login(None, person)
    assert cache.get(ACCOUNTS_KEY) == token
    assert _user_reads(client) == (200, [])
