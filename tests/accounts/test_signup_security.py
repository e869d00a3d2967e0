"""Sign-up and password reset under attack (issue 17.6).

* One account per email address, case-insensitively, kept by the database: 8 concurrent sign-ups
  with one address open one account (real threads, a database connection each; run it on
  PostgreSQL with ``DATABASE_URL=postgres://…``).
* Sign-up does not tell whether a user name or an address has an account.
* Password-reset requests are limited per address and per client; over the limit nothing is
  sent and the answer is the same; a cache outage lets requests through.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from .conftest import _user

PASSWORD = "civic-voice-2026"


def _signup(client, username, email):
    return client.post(
        reverse("accounts:signup"), {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


@pytest.fixture
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# --------------------------------------------------------------------------- one account per address


@pytest.mark.django_db
def test_the_database_refuses_a_second_account_with_the_same_address_in_any_case():
    User = get_user_model()
    User.objects.create_user("aigul", "Aigul@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("aigul2", "aigul@example.ORG")
    # Accounts without an address (administrators may have none) are not affected.
    User.objects.create_user("admin1", "")
    User.objects.create_user("admin2", "")
    assert User.objects.filter(email="").count() == 2


class RealisticHasher(PBKDF2PasswordHasher):
    """PBKDF2 as in production, with fewer rounds: hashing takes a realistic share of a sign-up (tests use MD5)."""

    iterations = 100_000


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_sign_ups_with_one_address_open_one_account(settings):
    # Between "is the address taken?" and the insert, a sign-up hashes the password: the race window.
    settings.PASSWORD_HASHERS = [f"{__name__}.RealisticHasher"]
    attempts = 8
    barrier = threading.Barrier(attempts)
    answers = [None] * attempts

    def sign_up(i):
        try:
            client = Client()
            barrier.wait(timeout=30)
            answers[i] = _signup(client, f"racer{i}", "Racer@example.org" if i % 2 else "racer@EXAMPLE.org").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [302] * attempts  # every one answered "check your email", none a 500
    assert get_user_model().objects.filter(email__iexact="racer@example.org").count() == 1


@pytest.mark.django_db
def test_the_migration_keeps_the_address_on_the_used_account_and_then_indexes(django_db_blocker):
    """Duplicates from before the index: the address stays on the account that was used; the others lose only it."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("accounts.migrations.0002_unique_email_case_insensitive")
    User = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {migration.INDEX}")
    unused = User.objects.create_user("early", "dup@example.org", is_active=False)
    used = User.objects.create_user("used", "DUP@example.org")
    User.objects.filter(pk=used.pk).update(last_login=timezone.now())
    other = User.objects.create_user("other", "other@example.org")
    migration.resolve_duplicates(apps, connection.schema_editor())
    with connection.cursor() as cursor:
        cursor.execute(migration.Migration.operations[1].sql)
    assert User.objects.get(pk=used.pk).email == "DUP@example.org"
    assert User.objects.get(pk=unused.pk).email == ""
    assert User.objects.get(pk=other.pk).email == "other@example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("again", "dup@example.org")


# --------------------------------------------------------------------------- nothing revealed


@pytest.mark.django_db
@pytest.mark.parametrize("taken_name", ["chamber", "CHAMBER"])
def test_sign_up_with_a_taken_user_name_answers_as_for_a_new_account(client, taken_name):
    _user("chamber")
    accounts = get_user_model().objects.count()
    taken = _signup(client, taken_name, "newcomer@example.org")
    fresh = _signup(client, "aigul", "aigul@example.org")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("accounts:signup_done")
    assert "already exists" not in taken.content.decode()
    assert get_user_model().objects.count() == accounts + 1
    # The address that asked learns it by email (only its owner reads it): choose another name.
    [told] = [m for m in mail.outbox if m.to == ["newcomer@example.org"]]
    assert "already taken" in told.body and reverse("accounts:signup") in told.body


# --------------------------------------------------------------------------- password reset limits


def _reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


@pytest.mark.django_db
def test_password_reset_is_limited_per_address(client, empty_cache):
    _user("chamber")
    answers = [_reset(client, "chamber@example.org" if i % 2 else "CHAMBER@example.org") for i in range(15)]
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("accounts:password_reset_done")}
    assert len(mail.outbox) == 3  # the 4th and later requests in the hour send nothing
    done = client.get(reverse("accounts:password_reset_done")).content.decode()
    assert "If an account uses that address" in done  # the same neutral message either way


@pytest.mark.django_db
def test_password_reset_is_limited_per_client(empty_cache, settings):
    settings.PASSWORD_RESET_LIMITS = {"client": (5, 3600)}
    for name in ("u1", "u2", "u3", "u4", "u5", "u6", "u7"):
        _user(name)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for name in ("u1", "u2", "u3", "u4", "u5", "u6", "u7"):
        assert _reset(client, f"{name}@example.org").status_code == 302
    assert len(mail.outbox) == 5
    # Another client is counted on its own.
    assert _reset(Client(REMOTE_ADDR="203.0.113.8"), "u6@example.org").status_code == 302
    assert len(mail.outbox) == 6


@pytest.mark.django_db
def test_password_reset_fails_open_when_the_cache_is_down(client, settings, caplog):
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    _user("chamber")
    for _ in range(4):
        assert _reset(client, "chamber@example.org").status_code == 302
    assert len(mail.outbox) == 4
    assert any("throttle cache unavailable" in r.getMessage() for r in caplog.records)
