"""The plan and commitment pages' heads (issue #20, ``commitments.views.page_head``).

With the shared parts kept (production), a visit reads its page's object in one narrow query written once
per process: the title, the breadcrumb's names and whether the visitor follows it. The whole row (the
commitment's OGP template, the plan's co-creation) is read only when a shared part is rendered. Without them
(every part rendered), the whole row and its parents come in one statement compiled once (``page_whole``). These tests
show the page is byte for byte the page rendered from the database, in each language, for the visitor who
rendered the parts, the visitor who reuses them and an anonymous one; that the head reads no long text; that
the follow state is the visitor's own; and that an unknown plan or commitment is still a 404.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement import services as engagement_services
from tests.engagement.conftest import people  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

# What differs between two renders of one page for reasons of their own: the CSRF token and the CSP nonce.
_PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"')


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return _PER_RESPONSE.sub(r'\1"…"', response.content.decode())


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _urls(people):
    return {
        "plan": (reverse("commitments:plan", args=[people.plan.pk]), "commitments_actionplan"),
        "commitment": (reverse("commitments:commitment", args=[people.commitment.identifier]), "commitments_commitment"),
    }


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_pages_read_through_their_heads_are_the_pages_read_whole(people, settings, language):
    prefix = "" if language == "en" else f"/{language}"
    coordinator, other = _client(people.users.coordinator), _client(people.users.other_coordinator)
    for name, (url, table) in _urls(people).items():
        url = prefix + url
        first = _page(coordinator, url)  # renders the shared parts (the whole row read for them)
        with CaptureQueriesContext(connection) as ctx:
            again = _page(coordinator, url)  # reuses them: the head alone
        reads = [q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]
        # Both heads are kept in the process (commitments/heads.kept_page_object), the follow state beside the
        # shared parts (commitments/following.py): no read at all.
        assert len(reads) == 0, (name, reads)
        for long_text in ("description", "co_creation", "problem", "monitoring_body"):
            assert not [sql for sql in reads if f'"{long_text}' in sql], (name, long_text)
        anonymous = _page(_client(), url)
        someone_else = _page(other, url)
        settings.PUBLIC_PAGE_CACHE = False  # every part rendered from the database, the page's whole row read at once
        assert _page(coordinator, url) == first == again, name
        assert _page(_client(), url) == anonymous, name
        assert _page(other, url) == someone_else, name
        settings.PUBLIC_PAGE_CACHE = True


@pytest.mark.parametrize("kept", [True, False], ids=["parts kept", "every part rendered"])
def test_the_follow_state_read_with_the_page_is_the_visitors_own(people, settings, kept):
    settings.PUBLIC_PAGE_CACHE = kept
    engagement_services.follow(people.plan, by=people.users.coordinator)
    engagement_services.follow(people.commitment, by=people.users.coordinator)
    for name, (url, _table) in _urls(people).items():
        assert "Stop following" in _page(_client(people.users.coordinator), url), name
        assert "Stop following" not in _page(_client(people.users.poc), url), name
        assert "Sign in to follow by email" in _page(_client(), url), name


@pytest.mark.parametrize("kept", [True, False], ids=["parts kept", "every part rendered"])
def test_an_unknown_plan_or_commitment_is_not_found(people, settings, kept):
    settings.PUBLIC_PAGE_CACHE = kept
    client = _client(people.users.coordinator)
    assert client.get(reverse("commitments:plan", args=[999999])).status_code == 404
    assert client.get(reverse("commitments:commitment", args=["XX9999"])).status_code == 404
    assert _client().get(reverse("commitments:commitment", args=["XX9999"])).status_code == 404
