"""Only the forum's own secretariat (or an administrator) schedules and records its meetings."""

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from forums import services
from forums.models import ActionItem, Meeting
from ogp_portal.permissions import managed_forums
from forums.models import Forum
from tests.forums.conftest import at

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 2, 9)


@pytest.fixture
def planned(bishkek_forum, secretariat):
    with time_machine.travel(NOW, tick=False):
        return services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW, invite=False)


def management_requests(forum, meeting, item):
    """(method, url, data) for every page that changes a forum."""
    args = [forum.pk, meeting.pk]
    return [
        ("get", reverse("forums:meeting_new", args=[forum.pk]), None),
        ("post", reverse("forums:meeting_new", args=[forum.pk]), {"day": "2026-12-01", "starts": "10:00"}),
        ("get", reverse("forums:reschedule", args=args), None),
        ("post", reverse("forums:reschedule", args=args), {"day": "2026-12-11", "starts": "10:00", "reason": "x"}),
        ("post", reverse("forums:cancel", args=args), {"reason": "x"}),
        ("post", reverse("forums:invite", args=args), {}),
        ("get", reverse("forums:record", args=args), None),
        ("post", reverse("forums:record", args=args), {}),
        ("get", reverse("forums:minutes", args=args), None),
        ("post", reverse("forums:minutes", args=args), {"minutes": "x"}),
        ("post", reverse("forums:decision_add", args=args), {"text": "x"}),
        ("post", reverse("forums:action_add", args=args), {"title": "x", "owner": "y"}),
        ("post", reverse("forums:action_status", args=[forum.pk, item.pk]), {"status": "done"}),
        ("post", reverse("forums:publish", args=args), {}),
    ]


@pytest.fixture
def item(planned):
    return ActionItem.objects.create(meeting=planned, title="Publish the budget data", owner="Finance Department")


def _run(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


@pytest.mark.parametrize("who", ["other_secretariat", "coordinator", "outsider"])
def test_others_get_403_and_change_nothing(request, client, bishkek_forum, planned, item, who):
    client.force_login(request.getfixturevalue(who))
    for method, url, data in management_requests(bishkek_forum, planned, item):
        assert _run(client, method, url, data).status_code == 403, (method, url)
    planned.refresh_from_db()
    item.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED and planned.changes.count() == 0
    assert item.status == "open" and Meeting.objects.filter(forum=bishkek_forum).count() == 3


def test_anonymous_visitors_are_sent_to_sign_in(client, bishkek_forum, planned, item):
    for method, url, data in management_requests(bishkek_forum, planned, item):
        response = _run(client, method, url, data)
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL)), (method, url)


def test_own_secretariat_and_administrator_may_open_every_page(client, bishkek_forum, planned, item, secretariat, admin_user):
    for user in (secretariat, admin_user):
        client.force_login(user)
        for method, url, _data in management_requests(bishkek_forum, planned, item):
            if method == "get":
                assert client.get(url).status_code == 200, url


def test_secretariat_sees_manage_links_others_do_not(client, bishkek_forum, secretariat, coordinator):
    url = bishkek_forum.get_absolute_url()
    assert "Schedule a meeting" not in client.get(url).content.decode()
    client.force_login(coordinator)
    assert "Schedule a meeting" not in client.get(url).content.decode()
    client.force_login(secretariat)
    assert "Schedule a meeting" in client.get(url).content.decode()


def test_managed_forums_scope(bishkek_forum, national_forum, secretariat, other_secretariat, coordinator, admin_user):
    qs = Forum.objects.all()
    assert list(managed_forums(secretariat, qs)) == [bishkek_forum]
    assert list(managed_forums(other_secretariat, qs)) == [national_forum]
    assert list(managed_forums(coordinator, qs)) == []
    assert set(managed_forums(admin_user, qs)) == {bishkek_forum, national_forum}


def test_work_page_lists_only_the_users_forums(client, bishkek_forum, secretariat, coordinator):
    client.force_login(secretariat)
    response = client.get(reverse("forums:secretariat"))
    assert response.status_code == 200 and "Open Bishkek Committee" in response.content.decode()
    client.force_login(coordinator)
    assert client.get(reverse("forums:secretariat")).status_code == 403
    client.logout()
    assert client.get(reverse("forums:secretariat")).status_code == 302
