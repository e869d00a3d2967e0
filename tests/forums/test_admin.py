"""The admin changes meetings only through the forum services (issue 16, point 4)."""

import pytest
from django.urls import reverse

from forums import services
from forums.models import Meeting, MeetingChange
from tests.forums.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(bishkek_forum, secretariat):
    return services.schedule_meeting(
        bishkek_forum, starts_at=at(2027, 3, 10), by=secretariat, now=at(2026, 11, 2, 9), title="Q1 meeting", invite=False
    )


def test_the_admin_shows_a_meeting_but_cannot_edit_add_or_delete_it(admin_client, planned):
    change = reverse("admin:forums_meeting_change", args=[planned.pk])
    html = admin_client.get(change).content.decode()
    assert "Q1 meeting" in html
    assert 'name="status"' not in html and 'name="starts_at_0"' not in html
    response = admin_client.post(change, {"forum": planned.forum_id, "title": "Moved", "status": "held", "starts_at_0": "2027-01-01"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:forums_meeting_add")).status_code == 403
    assert admin_client.post(reverse("admin:forums_meeting_delete", args=[planned.pk]), {"post": "yes"}).status_code == 403
    planned.refresh_from_db()
    assert (planned.title, planned.status, planned.starts_at) == ("Q1 meeting", "planned", at(2027, 3, 10))
    for model in ("attendance", "meetingchange", "invitation", "minutesapproval", "meetingdecision", "actionitem"):
        assert admin_client.get(reverse(f"admin:forums_{model}_add")).status_code == 403, model


def test_the_admin_cancels_planned_meetings_through_the_service(admin_client, bishkek_forum, planned):
    held = bishkek_forum.meetings.filter(status=Meeting.Status.HELD).first()
    response = admin_client.post(
        reverse("admin:forums_meeting_changelist"), {"action": "cancel_selected", "_selected_action": [planned.pk, held.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 meeting cancelled." in response.content.decode()
    planned.refresh_from_db()
    held.refresh_from_db()
    assert planned.status == "cancelled" and planned.sequence == 1  # the service's bump: calendars update the event
    assert held.status == "held"
    change = MeetingChange.objects.get(meeting=planned)
    assert (change.kind, change.reason, change.changed_by.username) == ("cancelled", "Cancelled by an administrator.", "admin")


def test_the_admin_publishes_minutes_of_a_forum_without_co_chairs_through_the_service(admin_client, bishkek_forum, secretariat):
    held = bishkek_forum.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at").first()
    services.save_minutes(held, text="Agreed the plan.", by=secretariat, now=at(2026, 11, 2, 9))
    unminuted = bishkek_forum.meetings.filter(status=Meeting.Status.HELD).exclude(pk=held.pk).first()
    response = admin_client.post(
        reverse("admin:forums_meeting_changelist"),
        {"action": "publish_minutes_selected", "_selected_action": [held.pk, unminuted.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "The minutes of 1 meeting published." in html
    assert "There are no minutes to approve yet." in html  # the service's refusal, shown for the other one
    held.refresh_from_db()
    unminuted.refresh_from_db()
    assert held.minutes_published_at is not None
    assert unminuted.minutes_published_at is None
