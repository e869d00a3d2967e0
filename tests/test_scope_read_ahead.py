"""A member's own page reads its scope's tokens and its shared parts in one cache round trip (issue #20).

``ogp_portal.cache.prefetch_fragments`` asks for the parts under the tokens this process last read, in
the same ``MGET`` as the tokens, and keeps them only if the tokens read are those: a change to the member
(here or in another process) between two visits is never hidden by a part kept under the old tokens.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from forums.models import Forum
from ogp_portal import cache as page_cache
from tests.factories import ForumFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def reads(monkeypatch):
    """Each ``get_many`` of the default cache: the keys asked for in one round trip."""
    from django.core.cache import caches

    backend = caches["default"]
    original = backend.get_many
    calls = []

    def get_many(keys, *args, **kwargs):
        calls.append(list(keys))
        return original(keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", get_many)
    return calls


def _visit(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_change_to_the_member_between_two_visits_shows_and_an_unchanged_page_reads_once(reads, signed_in):
    forum = ForumFactory(name="Old forum name")
    client = Client()
    if signed_in:
        client.force_login(get_user_model().objects.create_user("reader", "reader@example.org", "a-long-test-password-42"))
    path = reverse("commitments:member", args=[forum.member.code])
    assert "Old forum name" in _visit(client, path)
    Forum.objects.filter(pk=forum.pk).update(name="New forum name", name_en="New forum name")  # no service: nothing announced
    cache.set(page_cache.GENERATION_KEY, "a-publication-elsewhere", None)  # whole pages out of date, this member's parts not
    reads.clear()
    assert "Old forum name" in _visit(client, path)  # the kept part
    scoped = [keys for keys in reads if page_cache.BASE_KEY in keys]
    assert len(scoped) == 1 and any(key.startswith("fragment:") for key in scoped[0]), reads  # tokens and parts together
    # A change scoped to this member, as a publication announces it (from another process: only the cache knows).
    cache.set_many({page_cache.GENERATION_KEY: "another", page_cache.SCOPE_KEY % forum.member_id: "another-process"}, None)
    reads.clear()
    assert "New forum name" in _visit(client, path)
    assert len([keys for keys in reads if any(key.startswith("fragment:") for key in keys)]) == 2, reads  # the guess, then the parts


def test_a_lost_token_never_brings_an_old_part_back(reads):
    forum = ForumFactory(name="Old forum name")
    path = reverse("commitments:member", args=[forum.member.code])
    _visit(Client(), path)
    Forum.objects.filter(pk=forum.pk).update(name="New forum name", name_en="New forum name")
    cache.delete_many([page_cache.GENERATION_KEY, page_cache.SCOPE_KEY % forum.member_id])  # evicted
    assert "New forum name" in _visit(Client(), path)


@pytest.mark.parametrize("page", ["commitments:member", "compliance:member", "forums:forum"])
def test_a_signed_in_visit_of_a_members_page_makes_two_cache_round_trips(settings, reads, page):
    settings.SESSION_ENGINE = "accounts.sessions"  # production's: the session read through the cache
    forum = ForumFactory()
    client = Client()
    client.force_login(get_user_model().objects.create_user("reader", "reader@example.org", "a-long-test-password-42"))
    path = reverse(page, args=[forum.pk if page == "forums:forum" else forum.member.code])
    first = _visit(client, path)
    reads.clear()
    again = _visit(client, path)
    assert len(reads) == 2, reads  # the session with the generation; the scope's tokens with the page's parts
    assert any(key.startswith("fragment:") for key in reads[1]) and page_cache.BASE_KEY in reads[1], reads
    assert again.count("<section") == first.count("<section")
