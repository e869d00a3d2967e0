"""Forum services: the façade over the forums' write path and its helpers, one import for every caller.

The code lives in modules by job:

* ``forums.meetings``: the one write path for meetings (scheduling, moving, cancelling, the record of a held
  meeting: attendance, minutes and their approval, decisions, action items) and the minutes due;
* ``forums.invitations``: invitations (who is invited, sending via the outbox, RSVP links and answers);
* ``forums.memberships``: the one write path for a forum and its seats;
* ``forums.composition``: who sits on a forum (sectors, parity, vacancies) and a meeting's quorum (pure);
* ``forums.dates``: the portal's zone and today, public holidays, suggested working days, warnings on a day (pure).

The forum's cadence (the policy in force for its member, reporting periods met or missed, the next period to
schedule) stays here. This module re-exports the other modules' public names, so ``from forums import services``
keeps working for views, the admin, the API, tasks, other apps and tests; new code may import the modules directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from ogp import policy

from .composition import Composition, Quorum, composition, meeting_quorum, quorum
from .dates import date_warnings, holiday_of, local_today, portal_zone, public_holidays, suggest_dates
from .invitations import (
    RSVP_SALT,
    RsvpRefused,
    enqueue_invitations,
    invitation_from_token,
    invitation_plan,
    invitation_plan_for_forum,
    record_rsvp,
    rsvp_max_age,
    rsvp_token,
    send_meeting_invitations,
)
from .meetings import (
    FIRST_YEAR,
    MAX_AHEAD_YEARS,
    add_action_item,
    add_decision,
    approve_minutes,
    cancel_meeting,
    co_chairs_for,
    enter_held_meeting,
    meeting_changes_since,
    minutes_due,
    publish_minutes_without_co_chairs,
    record_meeting,
    reschedule_meeting,
    save_minutes,
    schedule_meeting,
    set_action_item_status,
)
from .memberships import (
    CONTACT_FIELDS,
    add_membership,
    create_forum,
    end_membership,
    update_contact,
    update_forum,
    update_membership,
)
from .models import Forum, Meeting

__all__ = [
    # composition and quorum
    "Composition", "composition", "Quorum", "quorum", "meeting_quorum",
    # dates
    "portal_zone", "local_today", "public_holidays", "suggest_dates", "holiday_of", "date_warnings",
    # cadence (here)
    "member_policies", "PeriodState", "CadencePeriod", "cadence_months", "cadence_periods", "forum_cadence",
    "next_period_to_schedule", "suggestions_for",
    # meetings
    "FIRST_YEAR", "MAX_AHEAD_YEARS", "meeting_changes_since", "schedule_meeting", "enter_held_meeting",
    "reschedule_meeting", "cancel_meeting", "record_meeting", "save_minutes", "co_chairs_for", "approve_minutes",
    "publish_minutes_without_co_chairs", "add_decision", "add_action_item", "set_action_item_status", "minutes_due",
    # invitations
    "RSVP_SALT", "enqueue_invitations", "rsvp_token", "rsvp_max_age", "RsvpRefused", "invitation_from_token",
    "record_rsvp", "invitation_plan_for_forum", "invitation_plan", "send_meeting_invitations",
    # forums and memberships
    "create_forum", "update_forum", "add_membership", "update_membership", "CONTACT_FIELDS", "update_contact",
    "end_membership",
]



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

