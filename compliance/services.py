"""Compliance services: the one write path for findings, status events and notifications.

The sweep reads a member's data into a :class:`~compliance.engine.MemberSnapshot`,
evaluates it with the pure rules, and applies the result idempotently: every
row is keyed by a database constraint, written in its own short transaction, and
a concurrent or repeated sweep finds the row already there. A sweep re-run
after a crash therefore ends with exactly the rows of an uninterrupted one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commitments.models import Member, Role, StatusReport
from engagement.services import notify_followers
from forums.models import Meeting

from . import engine
from .models import (
    Cycle,
    Deadline,
    DeadlineExtension,
    Decision,
    Finding,
    MemberStanding,
    Notification,
    Policy,
    StatusEvent,
)

logger = logging.getLogger(__name__)

# Findings the sweep owns (the others come from the administrator's decisions).
SWEEP_KINDS = (Finding.Kind.MISSED_STATUS_UPDATE, Finding.Kind.MISSED_FORUM_MEETING, Finding.Kind.CONTRARY_TO_PROCESS)
# Reminders go out this many days before a deadline; a late run sends the nearest one it missed.
REMINDER_DAYS = (30, 7, 1)
# Findings and status changes older than this when first recorded are history, not news: no notice.
NOTICE_WINDOW_DAYS = 31
# A claimed notification not sent after this long (its sender crashed) may be claimed again.
STALE_CLAIM = dt.timedelta(minutes=15)


def portal_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today_for(now: dt.datetime | dt.date) -> dt.date:
    """Return the portal-local day of ``now`` (a date is taken as already local)."""
    return engine.local_date(now, settings.TIME_ZONE)


# ---------------------------------------------------------------- reading


def build_snapshot(member: Member) -> engine.MemberSnapshot:
    """Return everything the rules need about ``member``, instants converted to Bishkek days."""
    zone = portal_zone()
    plans = tuple(
        engine.PlanInfo(p.start_date, p.end_date, p.submitted_on, p.title, p.pk) for p in member.plans.all()
    )
    overrides = tuple(
        engine.DeadlineOverride(d.cycle, d.due_on, d.reason, d.reference)
        for d in Deadline.objects.filter(
            member=member, kind=Deadline.Kind.ACTION_PLAN, source=Deadline.Source.ADMINISTRATOR
        )
    )
    # The six-month obligation is met by a published status report, not by single milestone updates.
    published = tuple(
        StatusReport.objects.filter(member=member, state=StatusReport.State.PUBLISHED)
        .annotate(day=TruncDate("published_at", tzinfo=zone))
        .values_list("day", flat=True)
        .order_by()  # without it, the default ordering's columns join the DISTINCT: one day per report
        .distinct()
    )
    held: dict[int, list[dt.date]] = {}
    for forum_id, starts_at in Meeting.objects.held().filter(forum__member=member).values_list("forum_id", "starts_at"):
        held.setdefault(forum_id, []).append(starts_at.astimezone(zone).date())
    forums = tuple(
        engine.ForumInfo(f"forum:{f.pk}", f.name, tuple(sorted(held.get(f.pk, ()))), f.founded_on)
        for f in member.forums.all()
    )
    decisions = tuple(d.as_rule() for d in Decision.objects.filter(member=member))
    admin_findings = tuple(
        engine.AdminFinding(f.pk, f.effective_on, f.period, f.reason, f.reference, f.resolved_on, f.resolution)
        for f in Finding.objects.filter(member=member, source=Finding.Source.ADMINISTRATOR)
    )
    extensions = tuple(e.as_rule() for e in DeadlineExtension.objects.all())
    stored = list(Policy.objects.filter(Q(member__isnull=True) | Q(member=member)))
    policies = tuple(p.as_rule() for p in stored)
    if not any(p.member_id is None for p in stored):
        policies += engine.DEFAULT_POLICIES
    return engine.MemberSnapshot(
        code=member.code,
        joined_on=member.joined_on,
        plans=plans,
        deadline_overrides=overrides,
        update_published_on=published,
        forums=forums,
        decisions=decisions,
        policies=policies,
        admin_findings=admin_findings,
        extensions=extensions,
        kind=member.kind,
    )


def evaluate_member(member: Member, now) -> engine.Evaluation:
    """Return the member's evaluation as of ``now`` without writing anything."""
    return engine.evaluate(build_snapshot(member), now, settings.TIME_ZONE)


# ---------------------------------------------------------------- writing


@dataclass
class SweepResult:
    member: str
    created_findings: list[int] = field(default_factory=list)
    resolved_findings: list[int] = field(default_factory=list)
    created_events: list[int] = field(default_factory=list)
    status: str = engine.ACTIVE

    @property
    def changed(self) -> bool:
        return bool(self.created_findings or self.resolved_findings or self.created_events)


def in_every_language(field: str, text) -> dict[str, str]:
    """Return ``{field_en: …, field_ru: …, field_ky: …}`` for a (lazily) translated text."""
    values = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values[f"{field}_{code}"] = str(text)
    return values


def record_finding(member: Member, result: engine.FindingResult) -> tuple[Finding, bool]:
    """Return the finding for (member, kind, subject, period), creating it once.

    ``get_or_create`` retries the read when a concurrent sweep wins the insert
    (the unique constraint ``finding_once_per_period`` turns the race into an
    IntegrityError it handles).
    """
    with transaction.atomic():
        return Finding.objects.get_or_create(
            member=member,
            kind=result.kind,
            subject=result.subject,
            period=result.period,
            defaults={"effective_on": result.effective_on, **in_every_language("reason", result.reason), "reference": result.reference},
        )


def resolve_finding(finding_id: int, resolved_on: dt.date) -> bool:
    """Mark an open finding resolved on ``resolved_on``; return False if it already was.

    The row is locked and re-checked, so two sweeps resolve it once, with history.
    """
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding_id)
        if finding.resolved_on is not None:
            return False
        finding.resolved_on = max(resolved_on, finding.effective_on)
        finding.save(update_fields=["resolved_on"])
        return True


def record_status_event(member: Member, change: engine.StatusChange) -> tuple[StatusEvent, bool]:
    """Return the status event for (member, status, effective_on), creating it once."""
    with transaction.atomic():
        return StatusEvent.objects.get_or_create(
            member=member,
            status=change.status,
            effective_on=change.effective_on,
            defaults={
                "previous_status": change.previous_status,
                "cycle": change.cycle,
                **in_every_language("reason", change.reason),
                "reference": change.reference,
            },
        )


FINDING_KEY = ("pk", "kind", "subject", "period", "resolved_on")


def record_plan_deadlines(member: Member, cycles: list[engine.Cycle]) -> None:
    """Keep one action-plan Deadline row per cycle, with the day it was met.

    Rule-computed rows follow the rules (and go when a cycle no longer exists);
    an administrator's row keeps its date, reason and reference, and only gets
    ``met_on``. Each row is locked and re-checked, so concurrent sweeps agree.
    """
    labels = set()
    rows = {d.cycle: d for d in Deadline.objects.filter(member=member, kind=Deadline.Kind.ACTION_PLAN)}
    for cycle in cycles:
        labels.add(cycle.label)
        row = rows.get(cycle.label)
        if row and row.met_on == cycle.met_on and (row.source != Deadline.Source.RULE or row.due_on == cycle.due):
            continue
        with transaction.atomic():
            row, created = Deadline.objects.select_for_update().get_or_create(
                member=member,
                kind=Deadline.Kind.ACTION_PLAN,
                cycle=cycle.label,
                defaults={"due_on": cycle.due, "met_on": cycle.met_on, "source": Deadline.Source.RULE, "reason": ""},
            )
            if created:
                continue
            changed = []
            if row.met_on != cycle.met_on:
                row.met_on = cycle.met_on
                changed.append("met_on")
            if row.source == Deadline.Source.RULE and row.due_on != cycle.due:
                row.due_on = cycle.due
                changed.append("due_on")
            if changed:
                row.save(update_fields=changed)
    for row in rows.values():
        if row.source == Deadline.Source.RULE and row.cycle not in labels:
            row.delete()


def record_cycles(member: Member, cycles: list[engine.Cycle]) -> None:
    """Keep the member's Cycle rows equal to the rules' cycles (the sweep owns them)."""
    rows = {c.label: c for c in Cycle.objects.filter(member=member)}
    new = []
    for c in cycles:
        values = {
            "starts_on": c.starts_on, "due_on": c.due, "late_until": c.late_until, "source": c.source,
            "plan_id": c.plan_key, "met_on": c.met_on, "missed": c.missed,
        }
        row = rows.pop(c.label, None)
        if row is None:
            new.append(Cycle(member=member, label=c.label, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
    if new:
        # One INSERT; a concurrent sweep that inserted the same labels first wins (same values).
        Cycle.objects.bulk_create(new, ignore_conflicts=True)
    if rows:
        Cycle.objects.filter(pk__in=[r.pk for r in rows.values()]).delete()


def record_standing(member: Member, evaluation: engine.Evaluation, now) -> None:
    """Store the member's current status, its date and the next deadline in indexed columns."""
    kinds = set(Deadline.Kind.values)
    upcoming = next((d for d in evaluation.next_deadlines if d.kind in kinds), None)
    values = {
        "status": evaluation.status,
        "status_since": evaluation.status_since,
        "next_deadline": upcoming.due if upcoming else None,
        "next_deadline_kind": upcoming.kind if upcoming else "",
        "plan_deadline": next(
            (d.due for d in evaluation.next_deadlines if d.kind == engine.DEADLINE_ACTION_PLAN), None
        ),
        "open_findings": len(evaluation.open_findings),
        "swept_at": now if isinstance(now, dt.datetime) else timezone.now(),
    }
    # One UPDATE when the row exists (every sweep but the first); swept_at changes each time.
    if not MemberStanding.objects.filter(member=member).update(**values):
        with transaction.atomic():
            MemberStanding.objects.update_or_create(member=member, defaults=values)


def sweep_member(member_id: int, *, now, notify: str = "inline") -> SweepResult:
    """Apply the member's evaluation as of ``now``; running it again changes nothing.

    Steps:
    1. evaluate the member's data with the pure rules;
    2. record each finding once, and resolve it once its obligation was met later;
    3. resolve open sweep findings the rules no longer produce (data corrected since);
    4. record each status change once;
    5. keep the action-plan deadlines of every cycle, with the day each was met;
    6. send the notices for what is new: ``inline`` (commands, tasks), ``enqueue``
       (a task after commit, for web requests), or ``none``.
    """
    member = Member.objects.get(pk=member_id)
    evaluation = evaluate_member(member, now)
    result = SweepResult(member.code, status=evaluation.status)
    # Rows already recorded are read once; only what is missing or changed is written (and claimed).
    known = {
        (f.kind, f.subject, f.period): f
        for f in Finding.objects.filter(member=member, source=Finding.Source.RULE).only(*FINDING_KEY)
    }
    known_events = set(StatusEvent.objects.filter(member=member).values_list("status", "effective_on"))
    seen = set()
    for f in evaluation.findings:
        if f.source != engine.RULE:
            continue  # an administrator's finding: a stored row the sweep neither writes nor resolves
        finding, created = known.get((f.kind, f.subject, f.period)), False
        if finding is None:
            finding, created = record_finding(member, f)
        seen.add(finding.pk)
        if created:
            result.created_findings.append(finding.pk)
        if f.resolved_on and finding.resolved_on is None and resolve_finding(finding.pk, f.resolved_on):
            result.resolved_findings.append(finding.pk)
    stale = Finding.objects.filter(
        member=member, kind__in=SWEEP_KINDS, source=Finding.Source.RULE, resolved_on__isnull=True,
        effective_on__lte=evaluation.today,
    ).exclude(pk__in=seen)
    for pk in stale.values_list("pk", flat=True):
        if resolve_finding(pk, evaluation.today):
            result.resolved_findings.append(pk)
    for change in evaluation.changes:
        if (change.status, change.effective_on) in known_events:
            continue
        event, created = record_status_event(member, change)
        if created:
            result.created_events.append(event.pk)
            notify_followers("status_event", event)
    record_plan_deadlines(member, evaluation.cycles)
    record_cycles(member, evaluation.cycles)
    record_standing(member, evaluation, now)
    if notify == "inline":
        send_pending_notices(member.pk, now=now)
    elif notify == "enqueue" and result.changed:
        from .tasks import send_notices_task

        enqueue_on_commit(send_notices_task, member.pk)
    return result


def recompute_member(member_id: int) -> SweepResult:
    """Sweep one member as of now after an administrator changed its record (notices go by a task)."""
    return sweep_member(member_id, now=timezone.now(), notify="enqueue")


def resolve_admin_finding(finding_id: int, *, resolved_on: dt.date, reason: str, user=None) -> Finding:
    """Resolve an administrator's "contrary to process" finding, with a reason; the sweep never does.

    Raises ValidationError for a rule-computed finding, one already resolved, a
    missing reason, or a date before the finding takes effect.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding_id)
        if finding.source != Finding.Source.ADMINISTRATOR:
            raise ValidationError(_("Only a finding an administrator recorded is resolved by hand; the sweep resolves the others."))
        if finding.resolved_on is not None:
            raise ValidationError(_("This finding is already resolved."))
        if not reason:
            raise ValidationError(_("Give the reason the finding is resolved."))
        if resolved_on < finding.effective_on:
            raise ValidationError(_("A finding cannot be resolved before it takes effect."))
        finding.resolved_on, finding.resolution, finding.resolved_by = resolved_on, reason, user
        finding.save(update_fields=["resolved_on", "resolution", "resolved_by"])
    recompute_member(finding.member_id)
    return finding


def sweep_all(now, *, notify: str = "inline") -> list[SweepResult]:
    """Sweep every member, one at a time (each member's rows in their own transactions)."""
    return [sweep_member(pk, now=now, notify=notify) for pk in Member.objects.order_by("pk").values_list("pk", flat=True)]


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task`` after the current transaction commits; a broker outage only logs.

    The periodic jobs recompute everything from the database, so a lost message
    costs a delay, never data.
    """

    def send():
        try:
            task.delay(*args)
        except Exception:  # kombu.exceptions.OperationalError, redis/OS errors
            logger.warning("Could not queue %s%r; the next scheduled run will catch up.", task.name, args, exc_info=True)

    transaction.on_commit(send)


# ---------------------------------------------------------------- notifications


def recipients_for(member: Member, kind: str):
    """Return the users to notify about an obligation of ``kind``: the point of contact and those concerned.

    Action plans and status updates concern the agency coordinators (for updates,
    those whose agency leads a commitment, else all); forum meetings concern the
    forum secretariat.
    """
    roles = Role.objects.filter(member=member).select_related("user")
    wanted = Q(kind=Role.Kind.POINT_OF_CONTACT)
    if kind in (engine.DEADLINE_FORUM_MEETING, engine.MISSED_FORUM_MEETING):
        wanted |= Q(kind=Role.Kind.SECRETARIAT)
    elif kind in (engine.DEADLINE_STATUS_UPDATE, engine.MISSED_STATUS_UPDATE):
        leading = roles.filter(kind=Role.Kind.COORDINATOR, agency__led_commitments__plan__member=member)
        wanted |= Q(pk__in=leading.values("pk")) if leading.exists() else Q(kind=Role.Kind.COORDINATOR)
    else:
        wanted |= Q(kind=Role.Kind.COORDINATOR)
    users = {}
    for role in roles.filter(wanted).order_by("user_id"):
        if role.user.email and role.user.is_active:
            users[role.user_id] = role.user
    return list(users.values())


def language_for(user) -> str:
    """Return the language to write to ``user`` in: their own if known, else the active one."""
    return getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE


def _render(name: str, context: dict) -> tuple[str, str, str | None]:
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    try:
        html = render_to_string(f"emails/{name}-body.html", context)
    except TemplateDoesNotExist:
        html = None
    return subject, body, html


def send_once(*, key: str, kind: str, member: Member, user, template: str, context: dict, now) -> bool:
    """Send one email at most once per ``key``; return True if this call sent it.

    Steps: claim the key by inserting the row (the unique key makes a second
    claim fail); render in the recipient's language and send; mark it sent. A
    claim whose sender died before marking it may be taken again after
    ``STALE_CLAIM``.
    """
    claimed_at = now if isinstance(now, dt.datetime) else timezone.now()
    try:
        with transaction.atomic():
            Notification.objects.create(
                key=key, kind=kind, member=member, recipient=user, email=user.email, claimed_at=claimed_at
            )
    except IntegrityError:
        taken = Notification.objects.filter(
            key=key, sent_at__isnull=True, claimed_at__lt=claimed_at - STALE_CLAIM
        ).update(claimed_at=claimed_at)
        if not taken:
            return False
    language = language_for(user)
    with translation.override(language):
        subject, body, html = _render(template, {**context, "member": member, "user": user, "site_url": settings.SITE_URL})
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        if html:
            message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception:  # SMTP down, a bad address: the claim stays unsent and is retried once stale
            logger.exception("Could not send notification %s to %s", key, user.email)
            return False
    Notification.objects.filter(key=key).update(sent_at=timezone.now(), subject=subject[:300], language=language)
    return True


def reminder_threshold(days_left: int) -> int | None:
    """Return the reminder (30, 7 or 1 days) due with ``days_left`` days to go, or None.

    The nearest threshold at or above ``days_left``: a run that missed day 30 sends
    that reminder on day 29, and nothing is sent after the deadline.
    """
    if days_left < 0:
        return None
    fitting = [t for t in REMINDER_DAYS if days_left <= t]
    return min(fitting) if fitting else None


def send_member_reminders(member: Member, *, now) -> int:
    sent = 0
    evaluation = evaluate_member(member, now)
    for deadline in evaluation.next_deadlines:
        threshold = reminder_threshold(deadline.days_left)
        if threshold is None:
            continue
        for user in recipients_for(member, deadline.kind):
            key = f"reminder:{member.code}:{deadline.kind}:{deadline.subject}:{deadline.due.isoformat()}:{threshold}:{user.pk}"
            context = {"deadline": deadline, "threshold": threshold, "kind_label": Deadline.Kind(deadline.kind).label}
            sent += send_once(
                key=key[:200], kind=Notification.Kind.REMINDER, member=member, user=user,
                template="compliance-reminder", context=context, now=now,
            )
    return sent


def send_due_reminders(now) -> int:
    """Send the 30-, 7- and 1-day reminders due as of ``now``, and any pending notice; return the count sent."""
    sent = 0
    for member in Member.objects.order_by("pk"):
        sent += send_member_reminders(member, now=now)
        sent += send_pending_notices(member.pk, now=now)
    return sent


def send_pending_notices(member_id: int, *, now) -> int:
    """Send the notice of each recent finding and status change not yet notified; return the count sent.

    Level-triggered: it reads the rows, not the sweep's memory, so a notice lost
    to a crash or a broker outage goes out on the next run.
    """
    member = Member.objects.get(pk=member_id)
    today = today_for(now)
    since = today - dt.timedelta(days=NOTICE_WINDOW_DAYS)
    sent = 0
    findings = Finding.objects.filter(member=member, effective_on__gte=since, effective_on__lte=today)
    for finding in findings:
        for user in recipients_for(member, finding.kind):
            sent += send_once(
                key=f"finding:{finding.pk}:{user.pk}", kind=Notification.Kind.FINDING, member=member, user=user,
                template="compliance-finding", context={"finding": finding}, now=now,
            )
    events = StatusEvent.objects.filter(member=member, effective_on__gte=since, effective_on__lte=today)
    for event in events:
        for user in recipients_for(member, engine.DEADLINE_ACTION_PLAN):
            sent += send_once(
                key=f"status:{event.pk}:{user.pk}", kind=Notification.Kind.STATUS, member=member, user=user,
                template="compliance-status", context={"event": event}, now=now,
            )
    return sent


# =============================================================================
# OGP's letters: the deadlines and statuses a letter states (the seed's letters of 2022 and 2023)
# =============================================================================
#
# A letter from OGP is an administrator's source: the deadline it sets is kept as the administrator's
# (the rule's row for that cycle is taken over, as in the admin's deadline form), and the status it
# gives is a status event with the letter as its reference. The letter's words stay in the language
# they were written in (English): the other languages fall back to them, marked as such on pages.
# Both functions save nothing when the row already says the same, so loading the letters twice
# writes no history.


def _source_language_field(field: str) -> str:
    return f"{field}_{settings.LANGUAGE_CODE}"


def record_letter_deadline(member: Member, *, kind: str, cycle: str, due_on: dt.date, reason: str, reference: str) -> Deadline:
    """Set the deadline an OGP letter states for (member, kind, cycle), as the administrator's, with the letter's reason."""
    values = {"due_on": due_on, "source": Deadline.Source.ADMINISTRATOR, "reason": reason, "reference": reference}
    with transaction.atomic():
        row = Deadline.objects.select_for_update().filter(member=member, kind=kind, cycle=cycle).first()
        if row is not None and all(getattr(row, key) == value for key, value in values.items()):
            return row
        row = row or Deadline(member=member, kind=kind, cycle=cycle)
        for key, value in values.items():
            setattr(row, key, value)
        row.full_clean()
        row.save()
    return row


def record_letter_status(
    member: Member, *, status: str, previous_status: str, effective_on: dt.date, cycle: str, reason: str, reference: str
) -> StatusEvent:
    """Record the status an OGP letter gives the member from ``effective_on``, once (the sweep finds it and keeps it)."""
    # The letter's words in its own language; the other columns empty, so pages fall back to them (marked lang=en).
    reasons = {f"reason_{code}": "" for code, _name in settings.LANGUAGES} | {_source_language_field("reason"): reason}
    values = {"previous_status": previous_status, "cycle": cycle, **reasons, "reference": reference}
    with transaction.atomic():
        event, created = StatusEvent.objects.select_for_update().get_or_create(
            member=member, status=status, effective_on=effective_on, defaults=values
        )
        if not created and any(getattr(event, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(event, key, value)
            event.save()
    return event
