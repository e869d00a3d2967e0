"""Personal API tokens: created on the profile page and seen once, used, revoked, expired; throttling."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from apitokens.models import ApiToken, digest
from apitokens.services import create_token, revoke_token
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db


def _bearer(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_token_lifecycle_through_the_page(client, world):
    coordinator = world["users"]["coordinator"]
    client.force_login(coordinator)
    page = client.get("/api/tokens/")
    assert page.status_code == 200
    assert_strict_page(page)

    created = client.post("/api/tokens/", {"name": "open-data sync", "scope": "read_write", "days": "90"}, follow=True)
    assert created.status_code == 200
    assert_strict_page(created)
    secret = re.search(r'value="(ogp_[^"]+)"', created.content.decode()).group(1)
    token = ApiToken.objects.get(user=coordinator)
    # Stored hashed: the secret itself is nowhere in the database.
    assert token.key_digest == digest(secret) and secret not in (token.key_prefix, token.key_digest)
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=90)).date()
    # Seen once: reloading the page no longer shows it.
    assert secret not in client.get("/api/tokens/").content.decode()

    # Used: it reads and writes as its user, and its last use is recorded.
    api = _bearer(secret)
    url = f"/api/v1/commitments/{world['own'].pk}/"
    read = api.get(url)
    assert read.status_code == 200
    assert api.patch(url, {"contact_name": "Token"}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Revoked from the page: it stops working at once.
    revoked = client.post(f"/api/tokens/{token.pk}/revoke/", follow=True)
    assert revoked.status_code == 200
    assert "Revoked" in revoked.content.decode()
    response = api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_new_tokens_secret_is_kept_in_no_session_and_no_cookie(client, world):
    """Issue 17.7: the secret is shown in the answer to the create request; the server stores only its digest."""
    from django.contrib.sessions.models import Session

    client.force_login(world["users"]["coordinator"])
    created = client.post("/api/tokens/", {"name": "sync", "scope": "read", "days": "30"})
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"] or "no-cache" in created["Cache-Control"]
    secret = re.search(r'value="(ogp_[^"]+)"', created.content.decode()).group(1)
    for session in Session.objects.all():
        assert secret not in session.session_data and secret not in str(session.get_decoded())
    assert all(secret not in morsel.value for morsel in created.cookies.values())
    assert secret not in client.get("/api/tokens/").content.decode()


def test_a_token_expires(world):
    now = timezone.now()
    _token, secret = create_token(world["users"]["civil_society"], name="short", scope="read", days=1, now=now)
    assert _bearer(secret).get("/api/v1/members/").status_code == 200
    with time_machine.travel(now + dt.timedelta(days=1, seconds=1)):
        assert _bearer(secret).get("/api/v1/members/").status_code == 401


def test_an_unknown_or_malformed_token_is_refused(world):
    assert _bearer("ogp_not-a-real-token").get("/api/v1/members/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert client.get("/api/v1/members/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    assert client.get("/api/v1/members/").status_code == 401


def test_a_deactivated_users_token_stops_working(world):
    user = world["users"]["civil_society"]
    _token, secret = create_token(user, name="t", scope="read", days=30, now=timezone.now())
    user.is_active = False
    user.save()
    assert _bearer(secret).get("/api/v1/members/").status_code == 401


def test_the_page_needs_sign_in_and_revokes_only_your_own_tokens(client, world):
    assert client.get("/api/tokens/").status_code == 302
    other_token, _secret = create_token(world["users"]["admin"], name="x", scope="read", days=30, now=timezone.now())
    client.force_login(world["users"]["civil_society"])
    assert client.post(f"/api/tokens/{other_token.pk}/revoke/").status_code == 404
    other_token.refresh_from_db()
    assert other_token.revoked_at is None
    assert client.get(f"/api/tokens/{other_token.pk}/revoke/").status_code == 405


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "scope": "read", "days": "30"},
        {"name": "x", "scope": "admin", "days": "30"},
        {"name": "x", "scope": "read", "days": "100000"},
    ],
)
def test_bad_form_input_is_a_400_with_messages(client, world, data):
    client.force_login(world["users"]["civil_society"])
    response = client.post("/api/tokens/", data)
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


def test_revoking_twice_and_other_peoples_tokens(world):
    now = timezone.now()
    token, _secret = create_token(world["users"]["civil_society"], name="x", scope="read", days=30, now=now)
    revoke_token(token, by=world["users"]["civil_society"], now=now)
    revoke_token(token, by=world["users"]["civil_society"], now=now + dt.timedelta(hours=1))
    token.refresh_from_db()
    assert token.revoked_at == now
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        revoke_token(token, by=world["users"]["coordinator"], now=now)


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, pinned (so a minute's boundary never falls inside a test) and movable."""
    from ogp_portal.api import AnonThrottle, UserThrottle

    now = {"t": 1_800_000_010.0}  # 10 s into a minute
    for throttle in (AnonThrottle, UserThrottle):
        monkeypatch.setattr(throttle, "timer", lambda self: now["t"])
    return now


def test_throttling_answers_429_with_retry_after(settings, world, clock):
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "5/minute"}
    anonymous = APIClient()
    assert [anonymous.get("/api/v1/members/").status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = anonymous.get("/api/v1/members/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 50  # the rest of the minute
    _token, secret = create_token(world["users"]["civil_society"], name="t", scope="read", days=30, now=timezone.now())
    signed = _bearer(secret)
    assert [signed.get("/api/v1/members/").status_code for _ in range(6)] == [200] * 5 + [429]


def test_the_throttle_keeps_one_counter_per_window_whatever_the_rate(settings, world, clock):
    """A counter per client and window, not a list of every request's time: the same cost at any rate."""
    from django.core.cache import cache

    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "5/minute"}
    anonymous = APIClient()
    assert [anonymous.get("/api/v1/members/").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    window = int(clock["t"] // 60)
    counter = cache.get(f"throttle_anon_127.0.0.1:{window}")
    assert counter == 5  # an integer: refused requests count too
    clock["t"] += 50  # the next minute: a new window, a fresh allowance
    assert anonymous.get("/api/v1/members/").status_code == 200
    assert cache.get(f"throttle_anon_127.0.0.1:{window + 1}") == 1


def test_anonymous_clients_get_the_anonymous_rate_and_signed_in_clients_the_signed_in_rate(settings, world, clock):
    """Each client is counted once, under its own rate (DRF's user throttle would also count the anonymous)."""
    settings.API_THROTTLE_RATES = {"anon": "5/minute", "user": "2/minute"}
    anonymous = APIClient()
    assert [anonymous.get("/api/v1/members/").status_code for _ in range(5)] == [200] * 5
    _token, secret = create_token(world["users"]["civil_society"], name="t", scope="read", days=30, now=timezone.now())
    assert [_bearer(secret).get("/api/v1/members/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_blank_form_kept_per_language_is_the_form_rendered_in_that_language(client, world, settings, language):
    """Issue #20: the unbound token form's HTML is rendered once per process and language (apitokens/views.py);
    it is what the form renders in that language, and a form sent back with errors is rendered with them."""
    from django.utils import translation

    from apitokens.forms import TokenForm
    from apitokens.views import _BLANK_FORM_HTML

    _BLANK_FORM_HTML.clear()
    client.force_login(world["users"]["civil_society"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        fresh = str(TokenForm().as_div())
    for _ in range(2):  # rendered, then kept
        page = client.get("/api/tokens/").content.decode()
        assert fresh in page
    assert set(_BLANK_FORM_HTML) == {language}
    sent = client.post("/api/tokens/", {"name": "", "scope": "admin", "days": "30"})
    assert sent.status_code == 400
    with translation.override(language):
        bound = str(TokenForm({"name": "", "scope": "admin", "days": "30"}).as_div())
    assert bound != fresh and bound in sent.content.decode()
