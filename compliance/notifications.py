"""Compliance emails: deadline reminders and the notices of new findings and status changes, each sent once.

Every email is claimed once by its key (a ``Notification`` row) and delivered through the outbox
(``outbox.services``, its one retry policy); :func:`enqueue_on_commit` queues a task after the
current transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from accounts.services import addressee
from commitments.models import Member, Role
from ogp_portal.languages import language_for  # the one rule, in the core
from outbox import services as outbox
from outbox.models import Message as OutboxMessage

from . import engine
from .models import Deadline, Finding, MemberStanding, Notification, StatusEvent
from .selectors import build_snapshots, evaluate_member, portal_zone, today_for

logger = logging.getLogger(__name__)

# Reminders go out this many days before a deadline; a late run sends the nearest one it missed.
REMINDER_DAYS = (30, 7, 1)
# Findings and status changes older than this when first recorded are history, not news: no notice.
NOTICE_WINDOW_DAYS = 31


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


def member_roles(member_ids) -> dict[int, tuple[list, set[int]]]:
    """Return {member id: (its roles with their users, the ids of its coordinators whose agency leads a commitment)}.

    Two queries for any number of members; :func:`recipients_for` picks from them.
    """
    ids = list(member_ids)
    found: dict[int, tuple[list, set[int]]] = {pk: ([], set()) for pk in ids}
    for role in Role.objects.filter(member_id__in=ids).select_related("user").order_by("user_id", "pk"):
        found[role.member_id][0].append(role)
    leading = (
        Role.objects.filter(
            member_id__in=ids, kind=Role.Kind.COORDINATOR, agency__led_commitments__plan__member_id=F("member_id")
        ).order_by().values_list("member_id", "pk").distinct()
    )
    for member_id, pk in leading:
        found[member_id][1].add(pk)
    return found


def recipients_for(member: Member, kind: str, roles: tuple[list, set[int]] | None = None):
    """Return the users to notify about an obligation of ``kind``: the point of contact and those concerned.

    Action plans and status updates concern the agency coordinators (for updates,
    those whose agency leads a commitment, else all); forum meetings concern the
    forum secretariat. ``roles``: the member's, from :func:`member_roles` (read here if not given).
    """
    member_roles_, leading = roles if roles is not None else member_roles([member.pk])[member.pk]
    kinds = {Role.Kind.POINT_OF_CONTACT}
    wanted_ids: set[int] = set()
    if kind in (engine.DEADLINE_FORUM_MEETING, engine.MISSED_FORUM_MEETING):
        kinds.add(Role.Kind.SECRETARIAT)
    elif kind in (engine.DEADLINE_STATUS_UPDATE, engine.MISSED_STATUS_UPDATE):
        if leading:
            wanted_ids = leading
        else:
            kinds.add(Role.Kind.COORDINATOR)
    else:
        kinds.add(Role.Kind.COORDINATOR)
    users = {}
    for role in member_roles_:  # by user id
        if (role.kind in kinds or role.pk in wanted_ids) and role.user.email and role.user.is_active:
            users[role.user_id] = role.user
    return list(users.values())


def send_once(*, key: str, kind: str, member: Member, user, template: str, context: dict, now) -> bool:
    """Post one email at most once per ``key`` to the outbox and deliver it; return True if this call sent it.

    The Notification row records what the member was told (the unique key makes a second claim
    fail); delivery and its retries are the outbox's (``outbox.services``): a later run retries a
    failed send once its next attempt is due.
    """
    claimed_at = now if isinstance(now, dt.datetime) else timezone.now()
    outbox_key = f"compliance:{key}"
    language = language_for(user)
    try:
        with transaction.atomic():
            Notification.objects.create(
                key=key, kind=kind, member=member, recipient=user, email=user.email, claimed_at=claimed_at,
                language=language,
            )
    except IntegrityError:
        message = OutboxMessage.objects.filter(key=outbox_key).first()
        if message is None or not outbox.deliver(message, now=claimed_at):
            return False
        Notification.objects.filter(key=key).update(sent_at=timezone.now())
        return True
    with translation.override(language):
        subject, body, html = outbox.render_email(
            template, {**context, "member": member, "user": user, "greeting": addressee(user, member), "site_url": settings.SITE_URL}
        )
    message = outbox.post(
        key=outbox_key, kind=f"compliance-{kind}", recipient=user, email=user.email, language=language, subject=subject,
        body=body, html=html or "", headers={"Content-Language": language}, now=claimed_at,
    )
    Notification.objects.filter(key=key).update(subject=subject[:300])
    if message is None or not outbox.deliver(message, now=claimed_at):
        return False
    Notification.objects.filter(key=key).update(sent_at=timezone.now())
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


def already_sent(member_ids, kinds, *, since: dt.date) -> set[str]:
    """Return the keys of the emails of ``kinds`` to these members claimed since ``since`` and sent (one query).

    :func:`send_once` would send none of them again (their outbox rows are sent), so the callers skip
    them without a claim; every other key still goes through :func:`send_once`.
    """
    after = dt.datetime.combine(since, dt.time.min, tzinfo=portal_zone())
    return set(
        Notification.objects.filter(member_id__in=list(member_ids), kind__in=kinds, claimed_at__gte=after, sent_at__isnull=False)
        .order_by().values_list("key", flat=True)
    )


def send_member_reminders(
    member: Member, *, now, evaluation: engine.Evaluation | None = None, skip=frozenset(), roles=None,
) -> int:
    """Send ``member``'s reminders due as of ``now`` (``evaluation``: the member's, if already made).

    ``skip``: keys already sent (:func:`already_sent`); ``roles``: the member's (:func:`member_roles`).
    """
    sent = 0
    evaluation = evaluation or evaluate_member(member, now)
    for deadline in evaluation.next_deadlines:
        threshold = reminder_threshold(deadline.days_left)
        if threshold is None:
            continue
        for user in recipients_for(member, deadline.kind, roles):
            key = f"reminder:{member.code}:{deadline.kind}:{deadline.subject}:{deadline.due.isoformat()}:{threshold}:{user.pk}"
            if key[:200] in skip:
                continue
            context = {"deadline": deadline, "threshold": threshold, "kind_label": Deadline.Kind(deadline.kind).label}
            sent += send_once(
                key=key[:200], kind=Notification.Kind.REMINDER, member=member, user=user,
                template="compliance-reminder", context=context, now=now,
            )
    return sent


def reminder_members(today: dt.date):
    """Return the members who may have a reminder due on ``today``, read from the stored standings.

    The sweep stores each member's nearest deadline (``MemberStanding.next_deadline``, the earliest of
    every kind a reminder is sent for) and the day it evaluated the rules for (``evaluated_on``). A
    member whose standing was evaluated for today and whose nearest deadline is more than
    ``max(REMINDER_DAYS)`` days away (or who has none) has no reminder due: skipped. Every other
    member (a nearest deadline in the window, or already past; no standing; a standing of another
    day, as when today's sweep did not run or the reminders run for another date) is evaluated.
    """
    window_end = today + dt.timedelta(days=max(REMINDER_DAYS))
    quiet = MemberStanding.objects.filter(evaluated_on=today).filter(Q(next_deadline=None) | Q(next_deadline__gt=window_end))
    return Member.objects.exclude(pk__in=quiet.values("member_id")).order_by("pk")


def recent_notice_members(today: dt.date, members=None) -> set[int]:
    """Return the ids of the members with a finding or status change in the notice window (those with notices to send)."""
    since = today - dt.timedelta(days=NOTICE_WINDOW_DAYS)
    where = {} if members is None else {"member_id__in": members}
    window = {"effective_on__gte": since, "effective_on__lte": today, **where}
    return set(Finding.objects.filter(**window).order_by().values_list("member_id", flat=True)) | set(
        StatusEvent.objects.filter(**window).order_by().values_list("member_id", flat=True)
    )


def send_due_reminders(now) -> int:
    """Send the 30-, 7- and 1-day reminders due as of ``now``, and any pending notice; return the count sent.

    Only the members :func:`reminder_members` selects are evaluated (in chunks, set-based reads), and
    only those with a recent finding or status change are checked for pending notices.
    """
    from .sweep import chunk_size  # the sweep imports this module

    today = today_for(now)
    due = list(reminder_members(today).values_list("pk", flat=True))
    notices = recent_notice_members(today)
    ids = sorted(set(due) | notices)
    due = set(due)
    sent = 0
    size = chunk_size()
    # A reminder is claimed at most max(REMINDER_DAYS) days before its deadline, which is today or later;
    # a notice after its finding or status change, in the notice window (a day's margin for the zone).
    reminded_since = today - dt.timedelta(days=max(REMINDER_DAYS) + 1)
    noticed_since = today - dt.timedelta(days=NOTICE_WINDOW_DAYS + 1)
    for start in range(0, len(ids), size):
        chunk = list(Member.objects.filter(pk__in=ids[start:start + size]).order_by("pk"))
        evaluated = [m for m in chunk if m.pk in due]
        snapshots = build_snapshots(evaluated) if evaluated else {}
        skip = already_sent(due.intersection(ids[start:start + size]), [Notification.Kind.REMINDER], since=reminded_since)
        skip |= already_sent(
            notices.intersection(ids[start:start + size]), [Notification.Kind.FINDING, Notification.Kind.STATUS],
            since=noticed_since,
        )
        roles = member_roles(m.pk for m in chunk)
        for member in chunk:
            if member.pk in due:
                evaluation = engine.evaluate(snapshots[member.pk], now, settings.TIME_ZONE)
                sent += send_member_reminders(member, now=now, evaluation=evaluation, skip=skip, roles=roles[member.pk])
            if member.pk in notices:
                sent += send_pending_notices(member.pk, now=now, member=member, skip=skip, roles=roles[member.pk])
    return sent


def send_pending_notices(member_id: int, *, now, member: Member | None = None, skip=frozenset(), roles=None) -> int:
    """Send the notice of each recent finding and status change not yet notified; return the count sent.

    Level-triggered: it reads the rows, not the sweep's memory, so a notice lost
    to a crash or a broker outage goes out on the next run. ``skip``: keys already sent
    (:func:`already_sent`); ``roles``: the member's (:func:`member_roles`).
    """
    member = member or Member.objects.get(pk=member_id)
    today = today_for(now)
    since = today - dt.timedelta(days=NOTICE_WINDOW_DAYS)
    sent = 0
    roles = roles if roles is not None else member_roles([member.pk])[member.pk]

    def recipients(kind):
        return recipients_for(member, kind, roles)

    findings = Finding.objects.filter(member=member, effective_on__gte=since, effective_on__lte=today)
    for finding in findings:
        for user in recipients(finding.kind):
            if f"finding:{finding.pk}:{user.pk}" in skip:
                continue
            sent += send_once(
                key=f"finding:{finding.pk}:{user.pk}", kind=Notification.Kind.FINDING, member=member, user=user,
                template="compliance-finding", context={"finding": finding}, now=now,
            )
    events = StatusEvent.objects.filter(member=member, effective_on__gte=since, effective_on__lte=today)
    for event in events:
        for user in recipients(engine.DEADLINE_ACTION_PLAN):
            if f"status:{event.pk}:{user.pk}" in skip:
                continue
            sent += send_once(
                key=f"status:{event.pk}:{user.pk}", kind=Notification.Kind.STATUS, member=member, user=user,
                template="compliance-status", context={"event": event}, now=now,
            )
    return sent
