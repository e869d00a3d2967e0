"""Forum services: the one write path for meetings, invitations, attendance, minutes and action items.

Pure helpers (composition and parity, quorum, cadence periods, suggested dates)
take their data and ``today``/``now`` as arguments; the write functions are the
only places that change a meeting, and views, the admin and tasks call them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ogp import policy
from ogp.signals import record_changed
from ogp_portal.cache import public_pages_changed
from ogp_portal.text_limits import check_lengths
from ogp_portal.versioning import ANY_VERSION, claim
from outbox import services as outbox
from outbox.models import Message as OutboxMessage

from . import signals
from .models import (
    ActionItem,
    Attendance,
    Forum,
    ForumMembership,
    Invitation,
    Meeting,
    MeetingChange,
    MeetingDecision,
    MinutesApproval,
)

logger = logging.getLogger(__name__)

RSVP_SALT = "forums.rsvp"


def portal_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today(now: dt.datetime) -> dt.date:
    return policy.local_date(now, settings.TIME_ZONE)


# ---------------------------------------------------------------- membership and parity


@dataclass
class Composition:
    """Who sits on a forum on a given day: by sector, co-chairs, vacancies and parity."""

    sectors: list[tuple[str, str, list[ForumMembership]]]
    co_chairs: list[ForumMembership]
    former: list[ForumMembership]
    counts: dict[str, int]
    seats: int | None
    requires_parity: bool

    @property
    def voting(self) -> int:
        return sum(self.counts.values())

    @property
    def vacancies(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.voting, 0)

    @property
    def at_parity(self) -> bool:
        return self.counts[ForumMembership.Sector.GOVERNMENT] == self.counts[ForumMembership.Sector.CIVIL_SOCIETY]

    @property
    def parity_warning(self) -> bool:
        return self.requires_parity and not self.at_parity

    @property
    def government(self) -> int:
        return self.counts[ForumMembership.Sector.GOVERNMENT]

    @property
    def civil_society(self) -> int:
        return self.counts[ForumMembership.Sector.CIVIL_SOCIETY]


def composition(forum: Forum, memberships, today: dt.date) -> Composition:
    """Return the forum's membership on ``today``: current members by sector, co-chairs, former members.

    Observers sit on the forum without a seat: they are listed but not counted
    for parity, vacancies or quorum.
    """
    current = [m for m in memberships if m.is_current(today)]
    former = [m for m in memberships if not m.is_current(today) and m.term_end and m.term_end < today]
    sectors = [(value, label, [m for m in current if m.sector == value]) for value, label in ForumMembership.Sector.choices]
    counts = {
        value: sum(1 for m in current if m.sector == value and m.role != ForumMembership.Role.OBSERVER)
        for value, _label in ForumMembership.Sector.choices
    }
    return Composition(
        sectors=sectors,
        co_chairs=[m for m in current if m.role == ForumMembership.Role.CO_CHAIR],
        former=former,
        counts=counts,
        seats=forum.seats,
        requires_parity=forum.requires_parity,
    )


# ---------------------------------------------------------------- quorum


@dataclass(frozen=True)
class Quorum:
    seated: int
    attending: int
    required: int
    sectors_missing: tuple[str, ...]
    met: bool


def quorum(rule: str, records: list[tuple[str, str]]) -> Quorum:
    """Return whether a meeting had its quorum; ``records`` holds (sector, attendance status) per seated member.

    A member represented by a delegate counts as attending. The default rule
    needs a majority attending, with government and civil society both there.
    """
    seated = len(records)
    attending_sectors = [sector for sector, status in records if status != Attendance.Status.ABSENT]
    attending = len(attending_sectors)
    if rule == Forum.QuorumRule.TWO_THIRDS_BOTH_SECTORS:
        required = -(-2 * seated // 3)  # ceil(2n/3)
    else:
        required = seated // 2 + 1
    missing: tuple[str, ...] = ()
    if rule in (Forum.QuorumRule.MAJORITY_BOTH_SECTORS, Forum.QuorumRule.TWO_THIRDS_BOTH_SECTORS):
        missing = tuple(
            s for s in (ForumMembership.Sector.GOVERNMENT, ForumMembership.Sector.CIVIL_SOCIETY) if s not in attending_sectors
        )
    return Quorum(seated, attending, required, missing, seated > 0 and attending >= required and not missing)


def meeting_quorum(meeting: Meeting, attendances) -> Quorum:
    records = [
        (a.membership.sector, a.status) for a in attendances if a.membership.role != ForumMembership.Role.OBSERVER
    ]
    return quorum(meeting.forum.quorum_rule, records)


# ---------------------------------------------------------------- cadence


def member_policies(member) -> tuple[policy.PolicyVersion, ...]:
    """Return the compliance policy versions that apply to ``member`` (``ogp.policy.versions_for``, its kind's only)."""
    from ogp.policy_store import versions_of  # compliance registers the reader of the stored versions

    return versions_of(member)


class PeriodState:
    MET = "met"
    MISSED = "missed"
    AT_RISK = "at_risk"
    SCHEDULED = "scheduled"
    UPCOMING = "upcoming"

    LABELS = {
        MET: gettext_lazy("Met"),
        MISSED: gettext_lazy("Missed"),
        AT_RISK: gettext_lazy("At risk"),
        SCHEDULED: gettext_lazy("Scheduled"),
        UPCOMING: gettext_lazy("Not yet scheduled"),
    }


@dataclass
class CadencePeriod:
    period: policy.Period
    state: str
    days_left: int | None = None
    held: list[dt.date] = field(default_factory=list)
    planned: list[dt.date] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def state_label(self):
        return PeriodState.LABELS[self.state]


def cadence_months(policies, day: dt.date) -> int:
    return policy.policy_at(policies, day).forum_cadence_months


def cadence_periods(
    policies, held: list[dt.date], planned: list[dt.date], today: dt.date, anchor: dt.date | None, *, past: int = 4
) -> list[CadencePeriod]:
    """Return the last ``past`` periods up to today's, and the next one, each met, missed, at risk or scheduled.

    Periods follow the compliance policy in force on each day (quarters by
    default), as the compliance rules count them: a period is met by a meeting
    held in it; one that ended without is missed; today's period with nothing
    held or planned is at risk, with the days left until it ends.
    """
    current = policy.period_of(today, cadence_months(policies, today))
    periods = [current]
    while len(periods) < past:
        before = periods[0].start - dt.timedelta(days=1)
        if anchor is not None and before < anchor:
            break
        periods.insert(0, policy.period_of(before, cadence_months(policies, before)))
    after = current.end + dt.timedelta(days=1)
    periods.append(policy.period_of(after, cadence_months(policies, after)))
    result = []
    for p in periods:
        held_in = sorted(d for d in held if p.contains(d) and d <= today)
        planned_in = sorted(d for d in planned if p.contains(d) and d >= today)
        if held_in:
            state, days_left = PeriodState.MET, None
        elif p.end < today:
            state, days_left = PeriodState.MISSED, None
        elif planned_in:
            state, days_left = PeriodState.SCHEDULED, (p.end - today).days
        elif p.contains(today):
            state, days_left = PeriodState.AT_RISK, (p.end - today).days
        else:
            state, days_left = PeriodState.UPCOMING, (p.end - today).days
        result.append(CadencePeriod(p, state, days_left, held_in, planned_in))
    return result


def forum_cadence(forum: Forum, meetings, now: dt.datetime, policies=None, past: int = 4) -> list[CadencePeriod]:
    zone = portal_zone()
    today = local_today(now)
    held = [m.starts_at.astimezone(zone).date() for m in meetings if m.status == Meeting.Status.HELD]
    planned = [m.starts_at.astimezone(zone).date() for m in meetings if m.status == Meeting.Status.PLANNED]
    anchor = min(held + [forum.founded_on] if forum.founded_on else held, default=None)
    return cadence_periods(policies if policies is not None else member_policies(forum.member), held, planned, today, anchor, past=past)


# ---------------------------------------------------------------- suggested dates


def public_holidays(country: str, years):
    """Return the public holidays of ``country`` (ISO code) in ``years``; none for an unknown code."""
    import holidays

    try:
        return holidays.country_holidays(country, years=list(years))
    except NotImplementedError:
        return {}


def suggest_dates(start: dt.date, end: dt.date, country: str, *, count: int = 3) -> list[dt.date]:
    """Return up to ``count`` working days from ``start`` to ``end``: no weekends, no public holidays of ``country``."""
    if end < start:
        return []
    off = public_holidays(country, range(start.year, end.year + 1))
    days, day = [], start
    while day <= end and len(days) < count:
        if day.weekday() < 5 and day not in off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def next_period_to_schedule(periods: list[CadencePeriod]) -> CadencePeriod | None:
    """Return the first period from today on with nothing held or planned: the one to schedule next."""
    for p in periods:
        if p.state in (PeriodState.AT_RISK, PeriodState.UPCOMING):
            return p
    return None


def suggestions_for(forum: Forum, periods: list[CadencePeriod], today: dt.date, *, lead_days: int = 14) -> list[dt.date]:
    """Return suggested meeting days in the next period that needs a meeting, at least ``lead_days`` ahead if it can."""
    target = next_period_to_schedule(periods)
    if target is None:
        return []
    earliest = max(target.period.start, today + dt.timedelta(days=lead_days))
    if earliest > target.period.end:  # too late for the usual notice: any working day left
        earliest = max(target.period.start, today + dt.timedelta(days=1))
    return suggest_dates(earliest, target.period.end, forum.holiday_country)


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


def holiday_of(day: dt.date, country: str) -> str:
    """The name of the public holiday of ``country`` on ``day`` (in the active language where known), else ""."""
    import holidays

    try:
        supported = holidays.country_holidays(country, years=[]).supported_languages
    except NotImplementedError:
        return ""
    active = (translation.get_language() or "en").split("-")[0]
    language = next((code for code in supported if code.split("_")[0] == active), None)
    names = holidays.country_holidays(country, years=[day.year], language=language)
    return names.get(day, "") or ""


def date_warnings(forum: Forum, starts_at: dt.datetime) -> list[str]:
    """What the secretariat should know before choosing this day: a public holiday, a weekend."""
    day = starts_at.astimezone(portal_zone()).date()
    warnings = []
    name = holiday_of(day, forum.holiday_country)
    if name:
        warnings.append(
            _("%(date)s is a public holiday (%(name)s): many members will not come.") % {"date": day.isoformat(), "name": name}
        )
    elif day.weekday() >= 5:
        warnings.append(_("%(date)s is a weekend day.") % {"date": day.isoformat()})
    return warnings


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


# ---------------------------------------------------------------- invitations


def enqueue_invitations(meeting_id: int) -> None:
    """Queue the invitation task after the current transaction commits; a broker outage only logs."""
    from .tasks import send_invitations_task

    def send():
        try:
            send_invitations_task.delay(meeting_id)
        except Exception:  # kombu OperationalError, redis/OS errors: the secretariat can press "send" again
            logger.warning("Could not queue invitations for meeting %s.", meeting_id, exc_info=True)

    transaction.on_commit(send)


def rsvp_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "s": invitation.sequence}, salt=RSVP_SALT, compress=True)


def rsvp_max_age() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "FORUM_RSVP_MAX_AGE_DAYS", 60))


class RsvpRefused(Exception):
    """An RSVP link that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def invitation_from_token(token: str, *, now: dt.datetime) -> Invitation:
    """Return the invitation a signed RSVP link stands for, or raise :class:`RsvpRefused`."""
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=rsvp_max_age())
    except signing.SignatureExpired:
        raise RsvpRefused(_("This answer link has expired. Please contact the forum's secretariat."), 410) from None
    except signing.BadSignature:
        raise RsvpRefused(_("This answer link is not valid. Please use the link from your invitation email."), 400) from None
    invitation = (
        Invitation.objects.select_related("meeting__forum", "membership").filter(pk=data.get("i")).first()
        if isinstance(data, dict)
        else None
    )
    if invitation is None:
        raise RsvpRefused(_("This answer link is not valid. Please use the link from your invitation email."), 400)
    meeting = invitation.meeting
    if invitation.sequence != meeting.sequence or data.get("s") != invitation.sequence:
        raise RsvpRefused(_("The meeting has changed since this invitation; please use the latest invitation."), 410)
    if meeting.status != Meeting.Status.PLANNED:
        raise RsvpRefused(_("This meeting is no longer planned, so answers are closed."), 410)
    if meeting.starts_at <= now:
        raise RsvpRefused(_("This meeting has already started, so answers are closed."), 410)
    return invitation


def record_rsvp(invitation: Invitation, *, response: str, delegate: str = "", now: dt.datetime) -> Invitation:
    """Record a member's answer to an invitation (accept, decline, or send a named representative)."""
    if response not in (Invitation.Response.ACCEPTED, Invitation.Response.DECLINED, Invitation.Response.DELEGATED):
        raise ValidationError({"response": _("Choose an answer.")})
    if response == Invitation.Response.DELEGATED and not delegate.strip():
        raise ValidationError({"delegate": _("Name the representative who will attend in your place.")})
    invitation.response = response
    invitation.delegate = delegate.strip() if response == Invitation.Response.DELEGATED else ""
    invitation.responded_at = now
    invitation.save(update_fields=["response", "delegate", "responded_at"])
    return invitation


def invitation_plan_for_forum(forum: Forum, day: dt.date) -> tuple[list, list]:
    """Who an invitation to a meeting of ``forum`` on ``day`` reaches: (members with an address, members without one)."""
    reached, missed = [], []
    for membership in forum.memberships.current(day).select_related("user").order_by("person"):
        (reached if membership.contact_email else missed).append(membership)
    return reached, missed


def invitation_plan(meeting: Meeting, day: dt.date | None = None) -> tuple[list, list]:
    """Who an invitation to ``meeting`` reaches: (memberships with an address, memberships without one)."""
    return invitation_plan_for_forum(meeting.forum, day or meeting.starts_at.astimezone(portal_zone()).date())


def send_meeting_invitations(meeting_id: int, *, now: dt.datetime) -> int:
    """Send the invitation for the meeting's current revision to every current member once; return the count sent.

    Steps: 1. create one Invitation row per current member with an email (the unique key makes a
    second run find them); 2. for each unsent row, post the rendered invitation to the outbox (one
    key per invitation and revision) and deliver it; the outbox's claim and retry policy make each
    invitation go out once, and a failed send goes out on a later run or the outbox's retry run.
    """
    meeting = Meeting.objects.select_related("forum__member").filter(pk=meeting_id).first()
    if meeting is None or meeting.status != Meeting.Status.PLANNED or meeting.starts_at <= now:
        return 0
    reached, _missed = invitation_plan(meeting)
    for membership in reached:
        try:
            with transaction.atomic():
                Invitation.objects.get_or_create(
                    meeting=meeting, membership=membership, sequence=meeting.sequence, defaults={"email": membership.contact_email}
                )
        except IntegrityError:  # a concurrent run created it
            pass
    sent = 0
    unsent = Invitation.objects.filter(meeting=meeting, sequence=meeting.sequence, sent_at__isnull=True)
    for invitation in unsent.select_related("membership__user"):
        key = f"invitation:{invitation.pk}:{invitation.sequence}"
        message = OutboxMessage.objects.filter(key=key).first() or _post_invitation(meeting, invitation, key, now)
        if message is None:
            continue
        if outbox.deliver(message, now=now):
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now(), claimed_at=now)
            sent += 1
    return sent


def _post_invitation(meeting: Meeting, invitation: Invitation, key: str, now):
    """Render the invitation (subject, body, .ics) in the member's language and post it to the outbox."""
    from . import calendars

    token = rsvp_token(invitation)
    language = invitation.membership.contact_language
    with translation.override(language):
        context = {
            "meeting": meeting,
            "forum": meeting.forum,
            "membership": invitation.membership,
            "rsvp_url": settings.SITE_URL + reverse("forums:rsvp", args=[token]),
            "meeting_url": settings.SITE_URL + meeting.get_absolute_url(),
            "updated": invitation.sequence > 0,
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(render_to_string("emails/forum-invitation-subject.txt", context).split())
        body = render_to_string("emails/forum-invitation-body.txt", context)
        ics = calendars.invitation_ics(meeting, invitation.email)
    return outbox.post(
        key=key, kind="forum-invitation", recipient=invitation.membership.user, email=invitation.email, language=language,
        subject=subject, body=body, now=now, headers={"Content-Language": language},
        attachments=[("meeting.ics", ics, "text/calendar; method=REQUEST")],
    )


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


# ---------------------------------------------------------------- forums and memberships (h11)
#
# The one write path for a forum and its seats (the API and the admin call these). The forum's
# secretariat and administrators keep them (``forums.manage_forum``). Parity is not a refusal:
# a forum below parity shows the warning of :func:`composition`, and the answer carries it.


def _require_manage(by, obj):
    from django.core.exceptions import PermissionDenied

    if not (by and by.has_perm("forums.manage_forum", obj)):
        raise PermissionDenied


def create_forum(*, by, data) -> Forum:
    """Add a forum to a member: its secretariat, or an administrator."""
    from ogp_portal.versioning import save_checked

    member = data.get("member")
    if member is None:
        raise ValidationError({"member": _("This field is required.")})
    _require_manage(by, member)
    forum = save_checked(Forum(), data, by=by, version=None)
    public_pages_changed()
    record_changed(Forum, forum.member_id)
    return forum


def update_forum(forum: Forum, *, by, data, version) -> Forum:
    """Change a forum as of ``version`` (a stale one raises StaleVersion, nothing written)."""
    from ogp_portal.versioning import save_checked

    _require_manage(by, forum)
    if "member" in data and data["member"] != forum.member:
        _require_manage(by, data["member"])  # moving needs the right on both members
    before = forum.member_id
    forum = save_checked(forum, data, by=by, version=version)
    public_pages_changed()
    record_changed(Forum, forum.member_id, before)  # moved: the member it left is judged again too
    return forum


def add_membership(*, by, data) -> ForumMembership:
    """Give someone a seat on a forum: the forum's secretariat, or an administrator."""
    from ogp_portal.versioning import save_checked

    forum = data.get("forum")
    if forum is None:
        raise ValidationError({"forum": _("This field is required.")})
    _require_manage(by, forum)
    row = save_checked(ForumMembership(), data, by=by, version=None)
    public_pages_changed()
    return row


def update_membership(membership: ForumMembership, *, by, data, version) -> ForumMembership:
    """Change a seat (role, sector, term, contact) as of ``version``."""
    from ogp_portal.versioning import save_checked

    _require_manage(by, membership)
    if "forum" in data and data["forum"] != membership.forum:
        _require_manage(by, data["forum"])  # moving needs the right on both forums
    row = save_checked(membership, data, by=by, version=version)
    public_pages_changed()
    return row


CONTACT_FIELDS = ("email", "language", "alternate", "alternate_email")


def update_contact(membership: ForumMembership, *, by, data, version) -> ForumMembership:
    """The secretariat keeps a member's contact (email, language, alternate) as of ``version``; kept in history."""
    return update_membership(membership, by=by, data={k: (data.get(k) or "").strip() for k in CONTACT_FIELDS}, version=version)


def end_membership(membership: ForumMembership, *, by, version, today: dt.date | None = None) -> ForumMembership:
    """End a seat's term today (kept on record: past meetings' attendance refers to it)."""
    today = today or timezone.localdate()
    end = today if membership.term_end is None or membership.term_end > today else membership.term_end
    if membership.term_start and membership.term_start > end:
        end = membership.term_start
    return update_membership(membership, by=by, data={"term_end": end}, version=version)
