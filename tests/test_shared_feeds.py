"""The Atom feeds and a plan's CSV read nothing of the reader: a signed-in reader gets the anonymous copy.

``ogp_portal.cache.SHARED_WITH_SIGNED_IN`` (issue #20): what a signed-in reader of any role would be rendered
is, byte for byte, what an anonymous visitor gets (only published progress and status reports, whatever
drafts the reader may see), so the kept anonymous copy answers them; nothing is stored from a signed-in request.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.engagement.conftest import people, submitted_update  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def _urls(people):
    with translation.override("en"):
        paths = [
            reverse("commitments:member_feed", args=["KG"]),
            reverse("commitments:plan_feed", args=[people.plan.pk]),
            reverse("commitments:commitment_feed", args=[people.commitment.identifier]),
            reverse("commitments:plan_csv", args=[people.plan.pk]),
        ]
    return [prefix + path for path in paths for prefix in ("", "/ru", "/ky")]


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _readers(people):
    u = people.users
    # The coordinator wrote the draft (people.draft), the point of contact may review it, the administrator sees all.
    return {name: _signed_in(user) for name, user in
            (("citizen", u.civil), ("coordinator", u.coordinator), ("point of contact", u.poc), ("administrator", u.admin))}


def test_every_reader_is_rendered_the_same_bytes_as_an_anonymous_visitor(people):
    people.draft.narrative = "A draft only its writers may see."
    people.draft.save()
    readers = _readers(people)
    for url in _urls(people):
        rendered = {name: client.get(url) for name, client in readers.items()}  # no copy yet: each one rendered
        assert all("X-Page-Cache" not in response for response in rendered.values()), url
        anonymous = Client().get(url)
        assert anonymous["X-Page-Cache"] == "miss", url  # the signed-in renders stored nothing
        for name, response in rendered.items():
            assert response.status_code == 200
            assert response.content == anonymous.content, (url, name)
            assert response["Content-Type"] == anonymous["Content-Type"]
        assert b"A draft only its writers may see." not in anonymous.content
        assert (b"audit reports on its website" in anonymous.content) == ("feed" in url)  # the published update


def test_a_signed_in_reader_is_served_the_kept_copy_without_reading_the_feeds_rows(people):
    readers = _readers(people)
    for url in _urls(people):
        anonymous = Client().get(url)
        assert anonymous["X-Page-Cache"] == "miss"
        for name, client in readers.items():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.content == anonymous.content, (url, name)
            assert response["Content-Type"] == anonymous["Content-Type"]
            assert response.get("Content-Disposition") == anonymous.get("Content-Disposition")
            read = " ".join(q["sql"] for q in ctx.captured_queries)
            assert "commitments_progressupdate" not in read and "commitments_commitment" not in read, (url, name)


def test_a_publication_reaches_signed_in_readers_of_the_feed_at_once(people, django_capture_on_commit_callbacks):
    from commitments import progress as commitment_progress
    from commitments.models import Role

    u = people.users
    Role.objects.create(user=u.civil2, member=people.kg, kind=Role.Kind.POINT_OF_CONTACT)
    url = reverse("commitments:commitment_feed", args=[people.commitment.identifier])
    Client().get(url)
    coordinator = _signed_in(u.coordinator)
    update, now = submitted_update(people)
    assert b"All audit reports are online." not in coordinator.get(url).content  # submitted: not in the feed
    with django_capture_on_commit_callbacks(execute=True):
        commitment_progress.approve_progress(update, by=u.poc, version=update.version, now=now)
    assert b"All audit reports are online." in coordinator.get(url).content


def test_other_pages_are_still_rendered_for_a_signed_in_reader(people):
    url = reverse("commitments:plan", args=[people.plan.pk])
    Client().get(url)
    page = _signed_in(people.users.civil).get(url)
    assert "X-Page-Cache" not in page and "Sign out (citizen)" in page.content.decode()
