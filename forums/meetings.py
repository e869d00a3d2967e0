"""The one write path for a forum's meetings: scheduling, moving and cancelling, the record of a held meeting
(attendance, minutes and their approval, decisions, action items), and the minutes due.

Views, the API, the admin and tasks call these (through ``forums.services``); each change is claimed with the
portal's optimistic lock and tells the other apps through ``forums.signals`` after commit.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ogp.signals import record_changed
from ogp_portal.cache import public_pages_changed
from ogp_portal.text_limits import check_lengths
from ogp_portal.versioning import ANY_VERSION, claim

from . import signals
from .dates import local_today, portal_zone
from .models import ActionItem, Attendance, Forum, ForumMembership, Meeting, MeetingChange, MeetingDecision, MinutesApproval

# ---------------------------------------------------------------- scheduling


FIRST_YEAR = 2011  # OGP was founded in 2011: no forum met before
MAX_AHEAD_YEARS = 2


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime | None, now: dt.datetime | None = None):
    if ends_at and ends_at < starts_at:
        raise ValidationError({"ends_at": _("The meeting cannot end before it starts.")})
    day = starts_at.astimezone(portal_zone()).date()
    if day.year < FIRST_YEAR:
        raise ValidationError(
            {"starts_at": _("A forum meeting cannot be before %(year)d, when OGP began. Check the year.") % {"year": FIRST_YEAR}}
        )
    if now is not None:
        today = local_today(now)
        limit = today.replace(year=today.year + MAX_AHEAD_YEARS) if not (today.month == 2 and today.day == 29) else today.replace(
            year=today.year + MAX_AHEAD_YEARS, day=28
        )
        if day > limit:
            raise ValidationError(
                {"starts_at": _("A meeting can be planned at most %(years)d years ahead (until %(limit)s). Check the year.")
                 % {"years": MAX_AHEAD_YEARS, "limit": limit.isoformat()}}
            )


def meeting_changes_since(meeting: Meeting, version) -> list[tuple[str, str, str]]:
    """What changed in ``meeting`` since ``version`` was read: [(field label, then, now)], for a 409 answer."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        return []
    then = meeting.history.filter(version__lte=version).order_by("-version", "-history_id").first()
    if then is None:
        return []
    zone = portal_zone()
    rows = []
    for name in ("starts_at", "ends_at", "status", "place", "online_link", "title", "agenda"):
        old, new = getattr(then, name), getattr(meeting, name)
        if old == new:
            continue
        field = Meeting._meta.get_field(name)
        if isinstance(old, dt.datetime) or isinstance(new, dt.datetime):
            show = lambda v: v.astimezone(zone).strftime("%Y-%m-%d %H:%M") if v else "—"  # noqa: E731
        elif field.choices:
            labels = dict(field.choices)
            show = lambda v, labels=labels: str(labels.get(v, v))  # noqa: E731
        else:
            show = lambda v: str(v or "—")  # noqa: E731
        rows.append((str(field.verbose_name), show(old), show(new)))
    return rows


def schedule_meeting(
    forum: Forum,
    *,
    starts_at: dt.datetime,
    by,
    now: dt.datetime,
    ends_at: dt.datetime | None = None,
    title: str = "",
    place: str = "",
    online_link: str = "",
    agenda: str = "",
    invite: bool = True,
) -> Meeting:
    """Create a planned meeting and, after commit, queue the invitations to every current member."""
    _check_times(starts_at, ends_at, now)
    if starts_at < now:
        raise ValidationError({"starts_at": _("A new meeting must start in the future.")})
    with transaction.atomic():
        meeting = Meeting(
            forum=forum, starts_at=starts_at, ends_at=ends_at, title=title, place=place, online_link=online_link, agenda=agenda
        )
        meeting.full_clean()
        meeting.save()
        public_pages_changed()
        signals.send_on_commit(signals.meeting_scheduled, Meeting, meeting=meeting, by=by, invite=invite)
        record_changed(Meeting, forum.member_id)
    return meeting


def enter_held_meeting(
    forum: Forum, *, starts_at: dt.datetime, by, now: dt.datetime, ends_at: dt.datetime | None = None, title: str = "",
    place: str = "", online_link: str = "", agenda: str = "",
) -> Meeting:
    """Enter a meeting that was held but never entered: it starts in the past, no one is invited, and its
    record (attendance, then minutes) follows with :func:`record_meeting`."""
    _check_times(starts_at, ends_at, now)
    if starts_at > now:
        raise ValidationError({"starts_at": _("A meeting already held must be in the past.")})
    with transaction.atomic():
        meeting = Meeting(
            forum=forum, starts_at=starts_at, ends_at=ends_at, title=title, place=place, online_link=online_link, agenda=agenda
        )
        meeting.full_clean()
        meeting._history_user = by if by and by.is_authenticated else None
        meeting.save()
        public_pages_changed()
        record_changed(Meeting, forum.member_id)
    return meeting


def _claim_meeting(meeting: Meeting, version: int | None) -> Meeting:
    """Claim the meeting for a change inside the caller's transaction and return it, locked and fresh.

    The portal's one optimistic lock (``ogp_portal.versioning.claim``: one conditional UPDATE raises
    ``version``); a stale ``version`` raises StaleVersion, nothing written. ``version`` None (the
    secretariat's pages, which re-read the meeting under the lock) claims whatever is stored.
    """
    return claim(
        Meeting, meeting.pk, ANY_VERSION if version is None else version,
        queryset=Meeting.objects.select_related("forum"),
    )


def _require_planned(meeting: Meeting):
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.POSTPONED):
        raise ValidationError(_("Only a planned meeting can be changed; this one is %(status)s.") % {"status": meeting.get_status_display()})


def reschedule_meeting(
    meeting: Meeting, *, starts_at: dt.datetime, reason: str, by, now: dt.datetime, ends_at=None, invite: bool = True,
    version: int | None = None,
) -> Meeting:
    """Move a planned meeting to a new time, keeping the reason; members get an updated invitation."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    _check_times(starts_at, ends_at, now)
    if starts_at < now:
        raise ValidationError({"starts_at": _("The new time must be in the future.")})
    check_lengths(MeetingChange, reason=reason.strip())
    with transaction.atomic():
        meeting = _claim_meeting(meeting, version)
        _require_planned(meeting)
        previous = meeting.starts_at
        duration = (meeting.ends_at - meeting.starts_at) if meeting.ends_at else None
        meeting.starts_at = starts_at
        meeting.ends_at = ends_at or (starts_at + duration if duration else None)
        meeting.status = Meeting.Status.PLANNED
        meeting.sequence += 1
        meeting.save()
        MeetingChange.objects.create(
            meeting=meeting, kind=MeetingChange.Kind.RESCHEDULED, previous_starts_at=previous, new_starts_at=starts_at,
            reason=reason.strip(), changed_by=by if by and by.is_authenticated else None, changed_at=now,
        )
        public_pages_changed()
        signals.send_on_commit(signals.meeting_moved, Meeting, meeting=meeting, by=by, invite=invite)
        record_changed(Meeting, meeting.forum.member_id)
    return meeting


def cancel_meeting(meeting: Meeting, *, reason: str, by, now: dt.datetime, version: int | None = None) -> Meeting:
    """Cancel a planned meeting, keeping the reason (shown on the meeting's page)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    check_lengths(MeetingChange, reason=reason.strip())
    with transaction.atomic():
        meeting = _claim_meeting(meeting, version)
        _require_planned(meeting)
        meeting.status = Meeting.Status.CANCELLED
        meeting.sequence += 1
        meeting.save()
        public_pages_changed()
        MeetingChange.objects.create(
            meeting=meeting, kind=MeetingChange.Kind.CANCELLED, previous_starts_at=meeting.starts_at,
            reason=reason.strip(), changed_by=by if by and by.is_authenticated else None, changed_at=now,
        )
        signals.send_on_commit(signals.meeting_cancelled, Meeting, meeting=meeting, by=by)
        record_changed(Meeting, meeting.forum.member_id)
    return meeting


# ---------------------------------------------------------------- the record of a meeting


def record_meeting(
    meeting: Meeting, *, attendance: dict[int, tuple[str, str]], by, now: dt.datetime, private_notes=None, version: int | None = None
) -> Meeting:
    """Record a meeting as held with the attendance of each member: {membership id: (status, representative)}.

    The meeting must have started; every listed membership must belong to its
    forum. A held meeting counts for the forum's cadence in the compliance sweep.
    """
    with transaction.atomic():
        meeting = _claim_meeting(meeting, version)
        if meeting.status == Meeting.Status.CANCELLED:
            raise ValidationError(_("A cancelled meeting cannot be recorded as held."))
        if meeting.starts_at > now:
            raise ValidationError(_("A meeting can be recorded as held only once it has started."))
        if not attendance:
            raise ValidationError(_("Record the attendance of the forum's members."))
        memberships = {m.pk: m for m in meeting.forum.memberships.filter(pk__in=list(attendance))}
        errors = []
        for membership_id, (status, representative) in attendance.items():
            if membership_id not in memberships:
                raise ValidationError(_("This person is not a member of the meeting's forum."))
            if status not in Attendance.Status.values:
                raise ValidationError(_("Choose present, absent or represented."))
            if status == Attendance.Status.REPRESENTED and not representative.strip():
                errors.append(
                    _("Name who represented %(person)s.") % {"person": memberships[membership_id].person}
                )
        if errors:
            raise ValidationError(errors)
        existing = {a.membership_id: a for a in meeting.attendances.all()}
        for membership_id, (status, representative) in attendance.items():
            representative = representative.strip() if status == Attendance.Status.REPRESENTED else ""
            row = existing.get(membership_id)
            if row is None:
                Attendance.objects.create(meeting=meeting, membership_id=membership_id, status=status, representative=representative)
            elif (row.status, row.representative) != (status, representative):
                row.status, row.representative = status, representative
                row.save()
        meeting.status = Meeting.Status.HELD
        if private_notes is not None:
            check_lengths(Meeting, private_notes=private_notes)
            meeting.private_notes = private_notes
        meeting.save()
        public_pages_changed()
        record_changed(Meeting, meeting.forum.member_id)  # a held meeting counts for the forum's cadence
    return meeting


def save_minutes(meeting: Meeting, *, text: str, file=None, by, now: dt.datetime) -> Meeting:
    """Save a held meeting's minutes (text, a file, or both). Changed minutes need the co-chairs' approval again."""
    with transaction.atomic():
        meeting = _claim_meeting(meeting, None)
        if meeting.status != Meeting.Status.HELD:
            raise ValidationError(_("Minutes can be added once the meeting is recorded as held."))
        if meeting.minutes_published_at:
            raise ValidationError(_("These minutes are published and can no longer be changed."))
        if not text.strip() and not file and not meeting.minutes_file:
            raise ValidationError({"minutes": _("Write the minutes or attach them as a file.")})
        check_lengths(Meeting, minutes=text)
        changed = text != meeting.minutes or bool(file)
        meeting.minutes = text
        if file:
            meeting.minutes_file = file
        meeting.save()
        if changed:
            meeting.approvals.all().delete()
    return meeting


def co_chairs_for(meeting: Meeting) -> list[ForumMembership]:
    """Return the co-chairs whose approval publishes the minutes: those in office on the meeting's day."""
    day = meeting.starts_at.astimezone(portal_zone()).date()
    return list(meeting.forum.memberships.current(day).filter(role=ForumMembership.Role.CO_CHAIR).order_by("person"))


def approve_minutes(meeting: Meeting, co_chair: ForumMembership, *, by, now: dt.datetime) -> bool:
    """Record one co-chair's approval; publish the minutes once every co-chair approved. Return True if published now."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != Meeting.Status.HELD or not meeting.has_minutes:
            raise ValidationError(_("There are no minutes to approve yet."))
        chairs = co_chairs_for(meeting)
        if co_chair.pk not in {c.pk for c in chairs}:
            raise ValidationError(_("Only the forum's co-chairs approve minutes."))
        MinutesApproval.objects.get_or_create(
            meeting=meeting, co_chair=co_chair,
            defaults={"approved_at": now, "recorded_by": by if by and by.is_authenticated else None},
        )
        return _publish_if_approved(meeting, chairs, now)


def _publish_if_approved(meeting: Meeting, chairs, now) -> bool:
    if meeting.minutes_published_at:
        return False
    approved = set(meeting.approvals.values_list("co_chair_id", flat=True))
    if chairs and not {c.pk for c in chairs} <= approved:
        return False
    meeting.minutes_published_at = now
    meeting.version += 1  # the caller holds the row lock
    meeting.save(update_fields=["minutes_published_at", "version"])
    public_pages_changed()
    return True


def publish_minutes_without_co_chairs(meeting: Meeting, *, by, now: dt.datetime) -> bool:
    """Publish the minutes of a forum that has no co-chair in office (nobody else can approve them)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != Meeting.Status.HELD or not meeting.has_minutes:
            raise ValidationError(_("There are no minutes to approve yet."))
        if co_chairs_for(meeting):
            raise ValidationError(_("The co-chairs approve these minutes."))
        return _publish_if_approved(meeting, [], now)


def add_decision(meeting: Meeting, *, text: str, commitment=None, by) -> MeetingDecision:
    if not text.strip():
        raise ValidationError({"text": _("Write the decision.")})
    _check_commitment(meeting, commitment)
    check_lengths(MeetingDecision, text=text.strip())
    public_pages_changed()
    return MeetingDecision.objects.create(meeting=meeting, text=text.strip(), commitment=commitment)


def _check_commitment(meeting, commitment):
    if commitment is not None and commitment.plan.member_id != meeting.forum.member_id:
        raise ValidationError({"commitment": _("The commitment belongs to another member.")})


def add_action_item(meeting: Meeting, *, title: str, owner: str, due_on=None, commitment=None, by) -> ActionItem:
    if not title.strip() or not owner.strip():
        raise ValidationError(_("An action item needs what is to be done and who owns it."))
    _check_commitment(meeting, commitment)
    public_pages_changed()
    return ActionItem.objects.create(
        meeting=meeting, title=title.strip(), owner=owner.strip(), due_on=due_on, commitment=commitment
    )


def set_action_item_status(item: ActionItem, *, status: str, by, now: dt.datetime) -> ActionItem:
    """Close (done, dropped) or reopen an action item; a closed item leaves the forum page."""
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    item.status = status
    item.closed_on = None if status == ActionItem.Status.OPEN else local_today(now)
    item.save(update_fields=["status", "closed_on"])
    public_pages_changed()
    return item


# ---------------------------------------------------------------- warnings


def minutes_due(meetings, forum: Forum, now: dt.datetime) -> list[tuple[Meeting, dt.date, bool]]:
    """Return (meeting, due day, overdue) for each held meeting whose minutes are not yet published."""
    zone, today = portal_zone(), local_today(now)
    result = []
    for m in meetings:
        if m.status == Meeting.Status.HELD and m.minutes_published_at is None:
            due = m.minutes_due_on(forum.minutes_due_days, zone)
            result.append((m, due, today > due))
    return sorted(result, key=lambda r: r[1])
