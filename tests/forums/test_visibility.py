"""Unpublished minutes, decisions and action items: one rule on every page, file and API list (issue 17.1).

A held meeting's minutes are unpublished until the co-chairs approve them. Until then its
minutes, decisions and action items are read by administrators, the secretariat of the
forum's member, and the forum's co-chairs (who must approve them), and by nobody else: not on
the meeting page, not on the forum page, not in the API.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from commitments.models import ActionPlan, Role, StatusReport
from forums import services
from forums.models import ActionItem, ForumMembership, Meeting, MeetingDecision
from ogp_portal.permissions import can_read_minutes, visible_to
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DECISION = "Adopt the secret budget line"
ACTION = "Draft the confidential memo"
MINUTES = "Draft minutes, not yet approved"


@pytest.fixture
def held(bishkek_forum, secretariat, tmp_path, settings):
    settings.FORUM_MINUTES_ROOT = str(tmp_path)
    meeting = bishkek_forum.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()
    assert meeting.minutes_published_at is None
    meeting.minutes = MINUTES
    meeting.minutes_file.save("minutes.txt", ContentFile(b"draft minutes"), save=False)
    meeting.save()
    services.add_decision(meeting, text=DECISION, by=secretariat)
    services.add_action_item(meeting, title=ACTION, owner="Secretariat", due_on=dt.date(2099, 1, 1), by=secretariat)
    return meeting


@pytest.fixture
def co_chair(bishkek_forum):
    user = UserFactory(username="co-chair")
    seat = bishkek_forum.memberships.first()
    seat.role, seat.user = ForumMembership.Role.CO_CHAIR, user
    seat.save()
    return user


@pytest.fixture
def plain_member(bishkek_forum):
    """A forum member with an account who is not a co-chair."""
    user = UserFactory(username="forum-member")
    seat = bishkek_forum.memberships.exclude(role=ForumMembership.Role.CO_CHAIR).last()
    seat.user = user
    seat.save()
    return user


def _pages(client, meeting):
    forum = meeting.forum
    meeting_page = client.get(f"/forums/{forum.pk}/meetings/{meeting.pk}/").content.decode()
    forum_page = client.get(f"/forums/{forum.pk}/").content.decode()
    return meeting_page, forum_page


def _api(user, meeting):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    decisions = api.get("/api/v1/meeting-decisions/", {"meeting": meeting.pk}).json()["results"]
    items = api.get("/api/v1/action-items/", {"meeting": meeting.pk}).json()["results"]
    detail = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    return [d["text"] for d in decisions], [i["title"] for i in items], detail["minutes"]


def _sees(client, user, meeting):
    if user is not None:
        client.force_login(user)
    meeting_page, forum_page = _pages(client, meeting)
    decisions, items, minutes = _api(user, meeting)
    file_status = client.get(f"/forums/{meeting.forum_id}/meetings/{meeting.pk}/minutes/file/").status_code
    return {
        "meeting page": DECISION in meeting_page and ACTION in meeting_page and MINUTES in meeting_page,
        "forum page": ACTION in forum_page,
        "api": decisions == [DECISION] and items == [ACTION] and minutes == MINUTES,
        "file": file_status == 200,
        "leaks anywhere": any(t in meeting_page + forum_page for t in (DECISION, ACTION, MINUTES)) or bool(decisions or items or minutes),
    }


@pytest.mark.parametrize("who", ["anonymous", "coordinator", "other_secretariat", "plain_member"])
def test_nobody_else_reads_an_unpublished_record_anywhere(client, request, held, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    seen = _sees(client, user, held)
    assert not seen["leaks anywhere"], seen
    assert not seen["file"]


@pytest.mark.parametrize("who", ["secretariat", "co_chair"])
def test_the_secretariat_and_the_co_chairs_read_the_unpublished_record_everywhere(client, request, held, who):
    user = request.getfixturevalue(who)
    seen = _sees(client, user, held)
    assert seen["meeting page"] and seen["forum page"] and seen["api"] and seen["file"], seen
    assert user.has_perm("forums.read_unpublished_minutes", held)


def test_once_published_everyone_reads_the_record(client, held, secretariat):
    Meeting.objects.filter(pk=held.pk).update(minutes_published_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    held.refresh_from_db()
    seen = _sees(client, None, held)
    assert seen["meeting page"] and seen["forum page"] and seen["api"] and seen["file"], seen
    assert can_read_minutes(AnonymousUser(), held)


def test_one_scope_for_decisions_and_action_items(held, co_chair, coordinator):
    for model in (MeetingDecision, ActionItem):
        assert visible_to(AnonymousUser(), model.objects.all()).count() == 0
        assert visible_to(coordinator, model.objects.all()).count() == 0
        assert visible_to(co_chair, model.objects.all()).count() == 1


def test_status_reports_in_preparation_are_not_visible_to_everyone(bishkek_forum, coordinator):
    member = bishkek_forum.member
    plan = ActionPlan.objects.create(member=member, title="Plan", start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))
    draft = StatusReport.objects.create(
        member=member, plan=plan, period_label="2025-H1", period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 6, 30)
    )
    poc = UserFactory(username="bishkek-poc")
    Role.objects.create(user=poc, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    other_poc = UserFactory(username="kg-poc")
    Role.objects.create(user=other_poc, member=member.parent, kind=Role.Kind.POINT_OF_CONTACT)
    everyone = StatusReport.objects.all()
    assert list(visible_to(AnonymousUser(), everyone)) == []
    assert list(visible_to(coordinator, everyone)) == []
    assert list(visible_to(other_poc, everyone)) == []
    assert list(visible_to(poc, everyone)) == [draft]
    assert list(visible_to(poc, draft.lines.model.objects.all())) == list(draft.lines.all())
    api = APIClient()
    assert api.get("/api/v1/status-reports/").json()["results"] == []
    assert APIClient().get(f"/status-reports/{draft.pk}/").status_code == 404
