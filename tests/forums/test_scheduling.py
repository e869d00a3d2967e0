"""The secretariat schedules, reschedules and cancels meetings; reasons are kept and shown."""


import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from forums import services
from forums.models import Meeting, MeetingChange
from tests.forums.conftest import at
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 2, 9)


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def signed_in(client, secretariat):
    client.force_login(secretariat)
    return client


def test_schedule_meeting_creates_a_planned_meeting_and_queues_invitations(
    bishkek_forum, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("forums.tasks.send_invitations_task.delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.schedule_meeting(
            bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW, title="Q4 meeting", agenda="1. Progress"
        )
    assert meeting.status == Meeting.Status.PLANNED
    assert queued == [(meeting.pk,)]  # one task, with the meeting's id, after commit


def test_a_new_meeting_cannot_be_in_the_past_or_end_before_it_starts(bishkek_forum, secretariat):
    with pytest.raises(ValidationError):
        services.schedule_meeting(bishkek_forum, starts_at=at(2026, 10, 1), by=secretariat, now=NOW)
    with pytest.raises(ValidationError):
        services.schedule_meeting(
            bishkek_forum, starts_at=at(2026, 12, 10, 10), ends_at=at(2026, 12, 10, 9), by=secretariat, now=NOW
        )


def test_reschedule_keeps_the_reason_and_raises_the_revision(bishkek_forum, secretariat):
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), ends_at=at(2026, 12, 10, 12), by=secretariat, now=NOW)
    services.reschedule_meeting(meeting, starts_at=at(2026, 12, 17), reason="The Mayor's Office asked for a week more", by=secretariat, now=NOW)
    meeting.refresh_from_db()
    assert meeting.starts_at == at(2026, 12, 17)
    assert meeting.ends_at == at(2026, 12, 17, 12)  # keeps its length
    assert meeting.sequence == 1
    change = meeting.changes.get()
    assert (change.kind, change.previous_starts_at, change.reason) == (
        MeetingChange.Kind.RESCHEDULED, at(2026, 12, 10), "The Mayor's Office asked for a week more",
    )
    assert change.changed_by == secretariat


def test_reschedule_and_cancel_need_a_reason(bishkek_forum, secretariat):
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW)
    with pytest.raises(ValidationError):
        services.reschedule_meeting(meeting, starts_at=at(2026, 12, 17), reason="  ", by=secretariat, now=NOW)
    with pytest.raises(ValidationError):
        services.cancel_meeting(meeting, reason="", by=secretariat, now=NOW)


def test_cancel_keeps_the_reason_and_a_cancelled_meeting_cannot_be_moved(bishkek_forum, secretariat):
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW)
    services.cancel_meeting(meeting, reason="No quorum possible during the budget session", by=secretariat, now=NOW)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.reschedule_meeting(meeting, starts_at=at(2026, 12, 17), reason="try again", by=secretariat, now=NOW)


def test_schedule_form_suggests_working_days_and_creates_the_meeting(signed_in, bishkek_forum, pinned, monkeypatch):
    monkeypatch.setattr("forums.services.enqueue_invitations", lambda pk: None)
    url = reverse("forums:meeting_new", args=[bishkek_forum.pk])
    response = signed_in.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Suggested dates in 2026-Q4" in html
    assert 'href="?day=2026-11-16"' in html  # two weeks ahead, a Monday
    assert 'value="2026-11-16"' in html  # the first suggestion is the form's default
    assert_strict_page(response)
    response = signed_in.post(url, {"day": "2026-11-16", "starts": "10:00", "ends": "12:00", "title": "Q4 meeting",
                                    "place": "Bishkek City Hall", "agenda": "1. Commitments progress"})
    meeting = Meeting.objects.get(forum=bishkek_forum, title="Q4 meeting")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.starts_at == at(2026, 11, 16, 10) and meeting.ends_at == at(2026, 11, 16, 12)
    page = signed_in.get(bishkek_forum.get_absolute_url()).content.decode()
    assert '<span class="state state-scheduled">Scheduled</span>' in page
    assert 'id="cadence-warning"' not in page


def test_forum_page_warns_when_the_quarter_is_at_risk(client, bishkek_forum, pinned):
    html = client.get(bishkek_forum.get_absolute_url()).content.decode()
    assert 'id="cadence-warning"' in html
    assert "nothing is scheduled for 2026-Q4 and 59 days are left" in html


def test_bad_form_input_is_a_400_with_messages_and_nothing_saved(signed_in, bishkek_forum, pinned):
    url = reverse("forums:meeting_new", args=[bishkek_forum.pk])
    response = signed_in.post(url, {"day": "2026-02-30", "starts": "25:00"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    response = signed_in.post(url, {"day": "2026-10-01", "starts": "10:00"})
    assert response.status_code == 400
    assert "A new meeting must start in the future." in response.content.decode()
    assert not Meeting.objects.filter(forum=bishkek_forum, status="planned").exists()


def test_reschedule_and_cancel_pages_show_the_reason_on_the_meeting_page(signed_in, bishkek_forum, secretariat, pinned):
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW, invite=False)
    response = signed_in.post(
        reverse("forums:reschedule", args=[bishkek_forum.pk, meeting.pk]),
        {"day": "2026-12-17", "starts": "15:00", "reason": "Budget hearing on the 10th"},
    )
    assert response.status_code == 302
    response = signed_in.post(reverse("forums:reschedule", args=[bishkek_forum.pk, meeting.pk]), {"day": "2026-12-18", "starts": "15:00"})
    assert response.status_code == 400  # no reason: refused, the first change stays
    signed_in.post(reverse("forums:cancel", args=[bishkek_forum.pk, meeting.pk]), {"reason": "Mayor's Office reorganisation"})
    page = signed_in.get(meeting.get_absolute_url())
    html = page.content.decode()
    assert "Budget hearing on the 10th" in html and "Mayor&#x27;s Office reorganisation" in html
    assert "Cancelled" in html
    assert_strict_page(page)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.starts_at == at(2026, 12, 17, 15)
