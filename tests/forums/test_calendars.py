"""iCal feeds parsed back with icalendar: valid, VTIMEZONE for Asia/Bishkek, alarms, linked from their pages."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from compliance.models import Deadline
from forums import services
from tests.forums.conftest import at

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 2, 9)


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.rstrip().endswith(b"END:VCALENDAR")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # RFC 5545 §3.1: folded at 75 octets
    cal = icalendar.Calendar.from_ical(body)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    return cal


def test_forum_feed_has_every_meeting_in_bishkek_time_with_alarms(client, bishkek_forum, secretariat):
    planned = services.schedule_meeting(
        bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW, title="Q4 meeting", invite=False
    )
    cancelled = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 1), by=secretariat, now=NOW, invite=False)
    services.cancel_meeting(cancelled, reason="Moved to the 10th", by=secretariat, now=NOW)
    cal = parse(client.get(reverse("forums:calendar", args=[bishkek_forum.pk])))
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Bishkek"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 4  # the two seed meetings, the planned and the cancelled one
    event = events[f"forum-meeting-{planned.pk}@127.0.0.1"]
    assert event.decoded("DTSTART") == at(2026, 12, 10)
    assert event["DTSTART"].params["TZID"] == "Asia/Bishkek"
    assert {str(a["ACTION"]) for a in event.walk("VALARM")} == {"DISPLAY"}
    assert sorted(a.decoded("TRIGGER") for a in event.walk("VALARM")) == [-dt.timedelta(days=1), -dt.timedelta(hours=1)]
    assert str(events[f"forum-meeting-{cancelled.pk}@127.0.0.1"]["STATUS"]) == "CANCELLED"
    for e in events.values():
        assert e["DTSTAMP"] and e["UID"] and e["DTSTART"]


def test_member_feed_carries_deadlines_meetings_and_milestones(client, seed_data):
    from commitments.models import Member, Milestone

    kg = Member.objects.get(code="KG")
    # The seed's OGP letters set the deadlines of 31 December 2021, 2022 and 2023.
    deadlines = list(Deadline.objects.filter(member=kg))
    assert dt.date(2023, 12, 31) in [d.due_on for d in deadlines]
    cal = parse(client.get(reverse("forums:member_calendar", args=["KG"])))
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    for d in deadlines:
        assert f"OGP deadline: {d.get_kind_display()} ({d.cycle})" in summaries
    assert any(s.startswith("Open Government National Forum: ") for s in summaries)
    milestones = Milestone.objects.filter(commitment__plan__member=kg, end_date__isnull=False).count()
    assert sum(s.startswith("Milestone ") for s in summaries) == milestones > 0
    deadline = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("OGP deadline"))
    assert deadline.decoded("DTSTART") in {d.due_on for d in deadlines}
    assert deadline.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(days=7)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Bishkek"]


def test_feeds_are_linked_from_the_forum_and_member_pages(client, bishkek_forum):
    forum_feed = reverse("forums:calendar", args=[bishkek_forum.pk])
    member_feed = reverse("forums:member_calendar", args=["KGBSK"])
    html = client.get(bishkek_forum.get_absolute_url()).content.decode()
    assert f'href="{forum_feed}"' in html and f'href="{member_feed}"' in html
    html = client.get(bishkek_forum.member.get_absolute_url()).content.decode()
    assert f'href="{member_feed}"' in html


def test_unknown_member_feed_is_404(client, db):
    assert client.get(reverse("forums:member_calendar", args=["NOPE"])).status_code == 404
