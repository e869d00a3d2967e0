"""iCalendar (RFC 5545) output: invitation attachments, the forum feed and the member feed.

Times are written in the portal's zone with a VTIMEZONE block (Asia/Bishkek),
meetings carry two alarms (a day and an hour before), dated obligations one
(a week before). UIDs are stable, and SEQUENCE rises at each reschedule, so a
subscribed calendar moves or cancels the event instead of adding a new one.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress

from .models import Meeting
from .dates import portal_zone

PRODID = "-//OGP action-plan portal//Forums//EN"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _alarm(before: dt.timedelta, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    alarm.add("description", text)
    return alarm


def meeting_event(meeting: Meeting, *, stamp: dt.datetime) -> Event:
    zone = portal_zone()
    event = Event()
    event.add("uid", f"forum-meeting-{meeting.pk}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.sequence)
    starts = meeting.starts_at.astimezone(zone)
    event.add("dtstart", starts)
    event.add("dtend", (meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2)).astimezone(zone))
    event.add("summary", f"{meeting.forum.name}: {meeting.display_title()}")
    if meeting.place:
        event.add("location", meeting.place)
    description = meeting.agenda
    if meeting.web_link:
        description = f"{description}\n\n{meeting.web_link}".strip()
    if description:
        event.add("description", description)
    event.add("url", settings.SITE_URL + meeting.get_absolute_url())
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED" if meeting.status == Meeting.Status.HELD else "TENTATIVE")
        event.add_component(_alarm(dt.timedelta(days=1), _("Forum meeting tomorrow")))
        event.add_component(_alarm(dt.timedelta(hours=1), _("Forum meeting in one hour")))
    return event


def day_event(uid: str, day: dt.date, summary: str, *, stamp: dt.datetime, url: str = "", description: str = "") -> Event:
    """Return an all-day event with a reminder a week before."""
    event = Event()
    event.add("uid", f"{uid}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    if description:
        event.add("description", description)
    event.add_component(_alarm(dt.timedelta(days=7), summary))
    return event


def _finish(cal: Calendar, first: dt.date | None) -> bytes:
    # VTIMEZONE for the zone the events use, with the rules from the earliest event on.
    cal.add_missing_timezones(first_date=first or dt.date(2000, 1, 1))
    return cal.to_ical()


def invitation_ics(meeting: Meeting, attendee_email: str) -> bytes:
    """Return the .ics attached to an invitation email (METHOD:REQUEST, the member as attendee)."""
    cal = _calendar(meeting.forum.name, method="REQUEST")
    event = meeting_event(meeting, stamp=timezone.now())
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.rsplit('<', 1)[-1].rstrip('>')}")
    organizer.params["cn"] = meeting.forum.name
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["rsvp"] = "TRUE"
    event.add("attendee", attendee)
    cal.add_component(event)
    return _finish(cal, meeting.starts_at.date())


def forum_calendar(forum, meetings) -> bytes:
    """Return the subscription feed of one forum: every meeting, cancelled ones marked so."""
    cal = _calendar(forum.name)
    stamp = timezone.now()
    meetings = list(meetings)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, stamp=stamp))
    return _finish(cal, min((m.starts_at.date() for m in meetings), default=None))


def member_calendar(member, *, meetings, deadlines, milestones) -> bytes:
    """Return a member's feed: OGP deadlines, forum meetings and milestone due dates."""
    cal = _calendar(_("%(member)s: OGP deadlines, forum meetings and milestones") % {"member": member.name})
    stamp = timezone.now()
    meetings = list(meetings)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, stamp=stamp))
    compliance_url = settings.SITE_URL + f"/compliance/{member.code}/"
    for deadline in deadlines:
        summary = _("OGP deadline: %(kind)s") % {"kind": deadline.get_kind_display()}
        if deadline.cycle:
            summary = f"{summary} ({deadline.cycle})"
        cal.add_component(
            day_event(f"ogp-deadline-{deadline.pk}", deadline.due_on, summary, stamp=stamp, url=compliance_url,
                      description=deadline.reason)
        )
    for milestone in milestones:
        commitment = milestone.commitment
        summary = _("Milestone %(number)s due (%(commitment)s)") % {"number": milestone.number, "commitment": commitment.identifier}
        cal.add_component(
            day_event(
                f"milestone-{milestone.pk}", milestone.ends_on, summary, stamp=stamp,
                url=settings.SITE_URL + commitment.get_absolute_url(), description=milestone.deliverable,
            )
        )
    return _finish(cal, min((m.starts_at.date() for m in meetings), default=None))
