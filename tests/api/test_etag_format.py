"""One ETag format on every API resource: the object's version in quotes (``ogp_portal.versioning.etag``).

A row with a ``version`` column says ``"7"``; any other row a digest of its stored values, ``"h…"``
(24 hex digits). Every resource that answers a GET of one object with an ETag uses it, and If-Match
takes back exactly that value.
"""

import re

import pytest
from django.urls import resolve, reverse

from ogp_portal.api_urls import router
from ogp_portal.versioning import current_version, etag
from tests.api.conftest import client_for
from tests.factories import (
    ActivityFactory,
    AdminDeadlineFactory,
    DecisionFactory,
    ForumMembershipFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db

ONE_FORMAT = re.compile(r'"(\d+|h[0-9a-f]{24})"')


def test_every_resource_gives_the_same_etag_format(world, django_user_model):
    kg = world["kg"]
    ActivityFactory(commitment=world["own"])
    membership = ForumMembershipFactory(forum__member=kg)
    MeetingFactory(forum=membership.forum)
    AdminDeadlineFactory(member=kg)
    DecisionFactory(member=kg)
    admin = django_user_model.objects.create_superuser("etag-root", "etag-root@example.org", "pw")
    client = client_for(admin)

    tagged, formats = set(), set()
    for prefix, _viewset, basename in router.registry:
        listed = client.get(f"/api/v1/{prefix}/")
        assert listed.status_code == 200, prefix
        body = listed.json()
        rows = body["results"] if isinstance(body, dict) else body
        if not rows:
            continue
        view = resolve(f"/api/v1/{prefix}/").func.cls
        lookup = view.lookup_field
        key = rows[0].get(lookup, rows[0].get("id"))
        response = client.get(reverse(f"api:{basename}-detail", args=[key]))
        assert response.status_code == 200, prefix
        if "ETag" not in response:
            continue
        obj = view.queryset.model._default_manager.get(**{lookup: key})
        assert ONE_FORMAT.fullmatch(response["ETag"]), (prefix, response["ETag"])
        assert response["ETag"] == etag(obj) == f'"{current_version(obj)}"', prefix
        tagged.add(prefix)
        formats.add("integer" if response["ETag"].strip('"').isdigit() else "digest")

    # Every writable resource is among them, with both kinds of version.
    assert {"members", "agencies", "plans", "commitments", "activities", "milestones", "progress-updates",
            "forums", "forum-memberships", "meetings", "deadlines", "decisions"} <= tagged, sorted(tagged)
    assert formats == {"integer", "digest"}
