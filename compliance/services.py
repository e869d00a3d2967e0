"""Compliance services: the one write path for findings, status events and notifications.

The sweep reads members' data into :class:`~compliance.engine.MemberSnapshot` objects a chunk
at a time, evaluates them with the pure rules, and applies the result idempotently, in batches:
every new row is inserted keyed by a database constraint (a row a concurrent or earlier sweep
inserted is skipped), every changed row locked and re-checked, each step in one short transaction
with its history. A sweep re-run after a crash therefore ends with exactly the rows of an
uninterrupted one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.services import addressee
from commitments.models import ActionPlan, Member, Role, StatusReport
from engagement.services import notify_followers_many
from forums.models import Forum, Meeting
from ogp import policy
from ogp_portal.bulk import insert_rows, write_deleted_history, write_history
from ogp_portal.cache import public_pages_changed
from ogp_portal.versioning import StaleVersion
from outbox import services as outbox
from outbox.models import Message as OutboxMessage

from . import engine
from .models import (
    Cycle,
    Deadline,
    DeadlineExtension,
    Decision,
    Finding,
    Letter,
    MemberStanding,
    Notification,
    PlanExtension,
    Policy,
    StatusEvent,
)

logger = logging.getLogger(__name__)

# Findings the sweep owns (the others come from the administrator's decisions).
SWEEP_KINDS = (
    Finding.Kind.MISSED_STATUS_UPDATE, Finding.Kind.MISSED_FORUM_MEETING, Finding.Kind.CONTRARY_TO_PROCESS,
    Finding.Kind.MISSED_SELF_ASSESSMENT,
)
# Reminders go out this many days before a deadline; a late run sends the nearest one it missed.
REMINDER_DAYS = (30, 7, 1)
# Findings and status changes older than this when first recorded are history, not news: no notice.
NOTICE_WINDOW_DAYS = 31


def portal_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today_for(now: dt.datetime | dt.date) -> dt.date:
    """Return the portal-local day of ``now`` (a date is taken as already local)."""
    return engine.local_date(now, settings.TIME_ZONE)


# ---------------------------------------------------------------- reading


def build_snapshot(member: Member) -> engine.MemberSnapshot:
    """Return everything the rules need about ``member``, instants converted to Bishkek days."""
    return build_snapshots([member])[member.pk]


def _member_filter(members, field: str = "member") -> dict:
    """Return the filter selecting rows of ``members`` (a list of Member rows, or a queryset as a subquery)."""
    if isinstance(members, (list, tuple)):
        return {f"{field}_id__in": [m.pk for m in members]}
    return {f"{field}__in": members.values("pk")}


def _by_member(rows, key=lambda row: row.member_id) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def build_snapshots(members, where: dict | None = None) -> dict[int, engine.MemberSnapshot]:
    """Return {member id: snapshot} for ``members`` in a fixed number of queries (nine), whatever their number.

    ``members`` is a list of Member rows (or rows with their ``pk``, ``code``, ``joined_on`` and
    ``kind``) or a Member queryset. ``where`` selects the members' rows in the other tables
    (default: their ids); the sweep passes a range of ids when it reads every member. Every query
    selects the rows of all the members at once, as tuples (translated names read in the active
    language with its fallbacks, as the model's attribute gives them), and orders by member id
    without joins; the rows are then grouped per member in the order each member's own query used
    to give them. Meeting days are computed by the database (in the portal's zone) and read once a day.
    """
    members = list(members) if not isinstance(members, (list, tuple)) else members
    if not members:
        return {}
    where = where or _member_filter(list(members))
    zone = portal_zone()
    plans = _by_member(
        ActionPlan.objects.filter(**where).order_by("member_id", "-start_date", "pk")
        .values_list("member_id", "start_date", "end_date", "submitted_on", "title", "pk"),
        key=lambda row: row[0],
    )
    # One query for the administrator's plan deadlines and the self-assessment deadlines (issue 19.4).
    overrides: dict[int, list] = {}
    self_assessments: dict[int, list] = {}
    for row in (
        Deadline.objects.filter(
            Q(kind=Deadline.Kind.ACTION_PLAN, source=Deadline.Source.ADMINISTRATOR) | Q(kind=Deadline.Kind.SELF_ASSESSMENT),
            **where,
        ).order_by("member_id", "due_on", "pk")
        .values_list("member_id", "kind", "cycle", "due_on", "reason", "reference", "on_time_until", "delivered_on")
    ):
        member_id, kind, cycle, due_on, reason, reference, on_time_until, delivered_on = row
        if kind == Deadline.Kind.SELF_ASSESSMENT:
            self_assessments.setdefault(member_id, []).append((member_id, cycle, due_on, delivered_on, reference))
        else:
            overrides.setdefault(member_id, []).append((member_id, cycle, due_on, reason, reference, on_time_until))
    # The six-month obligation is met by a published status report, not by single milestone updates.
    # ``order_by()`` first: the default ordering would join the plan and member tables into the DISTINCT.
    published = _by_member(
        StatusReport.objects.filter(state=StatusReport.State.PUBLISHED, **where)
        .annotate(day=TruncDate("published_at", tzinfo=zone))
        .order_by()
        .values_list("member_id", "day")
        .distinct(),
        key=lambda row: row[0],
    )
    forums = _by_member(
        Forum.objects.filter(**where).order_by("member_id", "name", "pk").values_list("member_id", "pk", "name", "founded_on"),
        key=lambda row: row[0],
    )
    held: dict[int, list[dt.date]] = {}
    for forum_id, day in (
        Meeting.objects.held().filter(**{f"forum__{key}": value for key, value in where.items()})
        .annotate(day=TruncDate("starts_at", tzinfo=zone)).order_by().values_list("forum_id", "day").distinct()
    ):
        held.setdefault(forum_id, []).append(day)
    decisions = _by_member(
        Decision.objects.filter(**where).order_by("member_id", "decided_on", "pk")
        .values_list("member_id", "kind", "decided_on", "cycle", "document", "summary", "due_on", "met_on"),
        key=lambda row: row[0],
    )
    admin_findings = _by_member(
        Finding.objects.filter(source=Finding.Source.ADMINISTRATOR, **where).order_by("member_id", "-effective_on", "pk")
        .values_list("member_id", "pk", "effective_on", "period", "reason", "reference", "resolved_on", "resolution"),
        key=lambda row: row[0],
    )
    extensions = tuple(e.as_rule() for e in DeadlineExtension.objects.all())
    plan_extensions = tuple(e.as_rule() for e in PlanExtension.objects.all())
    stored_policies = list(
        Policy.objects.filter(Q(member__isnull=True) | Q(**where)).order_by("member_id", "effective_from", "pk")
    )
    shared_rules = tuple(p.as_rule() for p in stored_policies if p.member_id is None)
    own = _by_member(p for p in stored_policies if p.member_id is not None)
    snapshots = {}
    for member in members:
        # ``ogp.policy.versions_for``: the one definition (the same tuple for members of a kind without their own).
        policies = policy.versions_for(member.kind, shared_rules, tuple(p.as_rule() for p in own.get(member.pk, ())))
        snapshots[member.pk] = engine.MemberSnapshot(
            code=member.code,
            joined_on=member.joined_on,
            plans=tuple(engine.PlanInfo(*p[1:]) for p in plans.get(member.pk, ())),
            deadline_overrides=tuple(
                engine.DeadlineOverride(*d[1:]) for d in overrides.get(member.pk, ())
            ),
            update_published_on=tuple(sorted(day for _pk, day in published.get(member.pk, ()))),
            forums=tuple(
                engine.ForumInfo(f"forum:{pk}", name, tuple(sorted(held.get(pk, ()))), founded_on)
                for _member_id, pk, name, founded_on in forums.get(member.pk, ())
            ),
            decisions=tuple(engine.DecisionInfo(*d[1:]) for d in decisions.get(member.pk, ())),
            policies=policies,
            admin_findings=tuple(engine.AdminFinding(*f[1:]) for f in admin_findings.get(member.pk, ())),
            extensions=extensions,
            plan_extensions=plan_extensions,
            self_assessments=tuple(engine.SelfAssessment(*s[1:]) for s in self_assessments.get(member.pk, ())),
            kind=member.kind,
        )
    return snapshots


def evaluate_member(member: Member, now) -> engine.Evaluation:
    """Return the member's evaluation as of ``now`` without writing anything."""
    return engine.evaluate(build_snapshot(member), now, settings.TIME_ZONE)


def member_cycles(member: Member, now=None) -> list[str]:
    """Return the labels of ``member``'s cycles: the one source the admin, the API and the pages offer.

    The rules' cycles as of ``now`` (``engine.cycle_labels``: every plan has one, the first included),
    then any the sweep stored for a later day and those the member's action-plan deadlines open.
    """
    snapshot = build_snapshot(member)
    evaluation = engine.evaluate(snapshot, now or timezone.now(), settings.TIME_ZONE)
    labels = engine.cycle_labels(snapshot, evaluation.cycles)
    stored = list(Cycle.objects.filter(member=member).order_by("starts_on").values_list("label", flat=True))
    stored += Deadline.objects.filter(member=member, kind=Deadline.Kind.ACTION_PLAN).exclude(cycle="").order_by(
        "due_on").values_list("cycle", flat=True)
    for label in stored:
        if label not in labels:
            labels.append(label)
    return labels


def minimum_requirements(member: Member, now=None, evaluation: engine.Evaluation | None = None) -> list:
    """Return OGP's minimum requirements checked per cycle of ``member`` (``compliance.requirements``) as of ``now``.

    Read from the recorded data: held forum meetings and which sectors attended, the forums' founding
    acts, and the dates of the member's published documents (plans, status reports, meeting minutes,
    evidence of published updates, OGP letters).
    """
    from django.urls import reverse

    from commitments.models import Evidence
    from forums.models import Attendance

    from . import requirements

    now = now or timezone.now()
    today = today_for(now)
    zone = portal_zone()
    evaluation = evaluation or evaluate_member(member, now)
    meetings = list(Meeting.objects.held().filter(forum__member=member).select_related("forum").order_by("starts_at"))
    sectors: dict[int, set] = {}
    for meeting_id, sector in Attendance.objects.filter(
        meeting__in=[m.pk for m in meetings], status__in=[Attendance.Status.PRESENT, Attendance.Status.REPRESENTED]
    ).values_list("meeting_id", "membership__sector"):
        sectors.setdefault(meeting_id, set()).add(sector)
    plans = [(p.submitted_on or p.start_date, p.title) for p in ActionPlan.objects.filter(member=member)
             if (p.submitted_on or p.start_date)]
    reports = [(r.published_at.astimezone(zone).date(), str(r.plan)) for r in StatusReport.objects.filter(
        member=member, state=StatusReport.State.PUBLISHED).select_related("plan")]
    minutes = [(m.minutes_published_at.astimezone(zone).date(), _("Minutes: %(forum)s, %(day)s") % {
        "forum": m.forum.name, "day": m.starts_at.astimezone(zone).date().isoformat()})
        for m in meetings if m.minutes_published_at]
    evidence = [(e.update.published_at.astimezone(zone).date(), e.original_name or e.url) for e in Evidence.objects.filter(
        update__milestone__commitment__plan__member=member, update__state="published", update__published_at__isnull=False,
    ).select_related("update")]
    letters = [(day, document) for day, document in Letter.objects.filter(member=member).values_list("dated", "document")]
    records = requirements.Records(
        member_page=reverse("commitments:member", args=[member.code]),
        forum_rules=tuple((f.name, f.founding_act) for f in Forum.objects.filter(member=member)),
        meetings=tuple(requirements.MeetingRecord(m.starts_at.astimezone(zone).date(), m.forum.name,
                                                  frozenset(sectors.get(m.pk, ()))) for m in meetings),
        documents=tuple(plans + reports + minutes + evidence + letters),
        plans=tuple(plans), status_reports=tuple(reports),
    )
    return requirements.check(records, evaluation.cycles, today)


def check_cycle(member: Member, cycle: str, *, field: str = "cycle", day: dt.date | None = None,
                due_on: dt.date | None = None, required: bool = False, keep: str = "") -> str:
    """Return the cycle an administrator's record names, or raise ValidationError saying which cycles there are.

    ``cycle`` must be one of :func:`member_cycles` (``keep``: a value the row already holds stays
    acceptable). Empty: a deadline's own cycle (``due_on``: the cycle it opens); a finding
    (``required``) is filed under the cycle the rules give for ``day``, and refused when there is none.
    """
    cycle = (cycle or "").strip()
    if not cycle:
        if due_on is not None:
            return policy.cycle_label(due_on)
        if not required:
            return ""
        snapshot = build_snapshot(member)
        found = engine.cycle_on(engine.evaluate(snapshot, timezone.now(), settings.TIME_ZONE).cycles, day) if day else ""
        if found:
            return found
        raise ValidationError({field: _(
            "Name the cycle this finding is about: the rules know no cycle of the member on that day "
            "(enter its joining date or its first plan first)."
        )})
    allowed = member_cycles(member)
    if cycle in allowed or cycle == keep or (due_on is not None and cycle == policy.cycle_label(due_on)):
        return cycle
    raise ValidationError({field: _("Choose one of the member's cycles: %(cycles)s.") % {
        "cycles": ", ".join(allowed) or _("none yet")
    }})


# ---------------------------------------------------------------- writing


@dataclass
class SweepResult:
    member: str
    created_findings: list[int] = field(default_factory=list)
    resolved_findings: list[int] = field(default_factory=list)
    created_events: list[int] = field(default_factory=list)
    status: str = engine.ACTIVE
    standing_changed: bool = False

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


# Every write of the sweep is a batch per chunk of members, keyed by a unique constraint:
# ``INSERT … ON CONFLICT DO NOTHING RETURNING`` for new rows (a row another sweep inserted first
# is skipped by the database, and RETURNING says which rows this sweep inserted, so their history
# and notices are written once), and ``SELECT … FOR UPDATE`` then one UPDATE for changed rows
# (re-checked under the lock, so two sweeps change a row once). Each step is one short
# transaction with its history rows: a sweep killed between steps leaves whole steps done, and
# the next sweep (which only writes what differs) completes the rest.


RULE_SOURCE = str(Finding.Source.RULE)  # the same value for findings and deadlines ("rule")
ACTION_PLAN_KIND = str(Deadline.Kind.ACTION_PLAN)

# The unique key each sweep-written model is inserted by (the columns of its unique constraint).
INSERT_KEYS = {
    Finding: ("member", "kind", "subject", "period"),  # finding_once_per_period (rule findings)
    StatusEvent: ("member", "status", "effective_on"),  # status_event_once
    Deadline: ("member", "kind", "cycle"),  # deadline_one_per_cycle
}


@dataclass
class SweepWrites:
    """What one chunk's evaluations differ from the stored rows by, written in :func:`write_sweep`."""

    now: object
    results: dict[int, SweepResult] = field(default_factory=dict)  # by member id
    # New rows are dicts by field attname (inserted by :func:`insert_rows`), not model instances.
    findings: list[dict] = field(default_factory=list)
    # finding pk -> (met again on, withdrawn on, why withdrawn)
    resolutions: dict[int, tuple] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    deadline_changes: dict[int, engine.Cycle] = field(default_factory=dict)  # deadline pk -> the rules' cycle
    deadlines_gone: list[int] = field(default_factory=list)
    cycles: list[dict] = field(default_factory=list)
    cycles_changed: list[Cycle] = field(default_factory=list)
    cycles_gone: list[int] = field(default_factory=list)
    standings: list[MemberStanding] = field(default_factory=list)  # new or changed (pk set when stored)
    unchanged: list[int] = field(default_factory=list)  # member ids whose standing only gets swept_at
    reasons: list[tuple] = field(default_factory=list)  # (new finding or event, its lazily translated reason)

    def translate_reasons(self) -> None:
        """Write each new row's reason in every language (one language switch per language, not per row)."""
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for row, text in self.reasons:
                    row[f"reason_{code}"] = str(text)
        default = f"reason_{settings.LANGUAGE_CODE}"
        for row, _text in self.reasons:
            row["reason"] = row[default]  # the original column holds the default language (as modeltranslation keeps it)


WITHDRAWN = "The corrected data no longer supports this finding (the rules no longer give it)."


def plan_findings(writes: SweepWrites, member: Member, evaluation: engine.Evaluation, known_rows) -> None:
    """New findings, the day each missed obligation was next met, and withdrawals (issue 19: findings are history).

    A missed obligation stays missed: a later meeting, report or plan only records ``met_again_on``
    (the run ended). A stored finding the corrected data no longer gives is withdrawn with the reason,
    not resolved; one the rules give again is reinstated.
    """
    known = {(f.kind, f.subject, f.period): f for f in known_rows}
    seen = set()
    for f in evaluation.findings:
        if f.source != engine.RULE:
            continue  # an administrator's finding: a stored row the sweep neither writes nor resolves
        row = known.get((f.kind, f.subject, f.period))
        met_again = max(f.met_again_on, f.effective_on) if f.met_again_on else None
        if row is None:
            writes.findings.append(dict(
                member_id=member.pk, kind=f.kind, subject=f.subject, period=f.period, effective_on=f.effective_on,
                met_again_on=met_again, reference=f.reference, source=RULE_SOURCE,
            ))
            writes.reasons.append((writes.findings[-1], f.reason))
            continue
        seen.add(row.pk)
        if row.met_again_on != met_again or row.withdrawn_on is not None:
            writes.resolutions[row.pk] = (met_again, None, "")
    sweep_kinds = set(SWEEP_KINDS)
    for row in known_rows:
        if row.kind in sweep_kinds and row.withdrawn_on is None and row.pk not in seen:
            writes.resolutions[row.pk] = (row.met_again_on, evaluation.today, WITHDRAWN)


def plan_events(writes: SweepWrites, member: Member, evaluation: engine.Evaluation, known_events: set) -> None:
    keys = set(known_events)
    for change in evaluation.changes:
        if (change.status, change.effective_on) in keys:
            continue
        keys.add((change.status, change.effective_on))
        writes.events.append(dict(
            member_id=member.pk, status=change.status, effective_on=change.effective_on,
            previous_status=change.previous_status, cycle=change.cycle, reference=change.reference,
        ))
        writes.reasons.append((writes.events[-1], change.reason))


def plan_deadlines(writes: SweepWrites, member: Member, cycles: list[engine.Cycle], rows: dict) -> None:
    """One action-plan Deadline per cycle, with the day it was met.

    Rule-computed rows follow the rules (and go when a cycle no longer exists); an administrator's
    row keeps its date, reason and reference, and only gets ``met_on``.
    """
    labels = set()
    for cycle in cycles:
        labels.add(cycle.label)
        row = rows.get(cycle.label)
        if row is None:
            writes.deadlines.append(dict(
                member_id=member.pk, kind=ACTION_PLAN_KIND, cycle=cycle.label, due_on=cycle.due,
                met_on=cycle.met_on, source=RULE_SOURCE, reason="",
            ))
        elif row.met_on != cycle.met_on or (row.source == Deadline.Source.RULE and row.due_on != cycle.due):
            writes.deadline_changes[row.pk] = cycle
    writes.deadlines_gone.extend(
        row.pk for row in rows.values() if row.source == Deadline.Source.RULE and row.cycle not in labels
    )


CYCLE_FIELDS = ("starts_on", "due_on", "late_until", "source", "plan_id", "met_on", "missed")


def plan_cycles(writes: SweepWrites, member: Member, cycles: list[engine.Cycle], rows: dict) -> None:
    """Keep the member's Cycle rows equal to the rules' cycles (the sweep owns them; no history)."""
    rows = dict(rows)
    for c in cycles:
        values = {
            "starts_on": c.starts_on, "due_on": c.due, "late_until": c.late_until, "source": c.source,
            "plan_id": c.plan_key, "met_on": c.met_on, "missed": c.missed,
        }
        row = rows.pop(c.label, None)
        if row is None:
            writes.cycles.append(dict(member_id=member.pk, label=c.label, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            writes.cycles_changed.append(Cycle(pk=row.pk, member_id=member.pk, label=c.label, **values))
    writes.cycles_gone.extend(r.pk for r in rows.values())


STANDING_FIELDS = ("status", "status_since", "next_deadline", "next_deadline_kind", "plan_deadline", "open_findings")


def standing_values(evaluation: engine.Evaluation) -> dict:
    """Return the stored standing of an evaluation (without ``swept_at``)."""
    kinds = set(Deadline.Kind.values)
    upcoming = next((d for d in evaluation.next_deadlines if d.kind in kinds), None)
    return {
        "status": evaluation.status,
        "status_since": evaluation.status_since,
        "next_deadline": upcoming.due if upcoming else None,
        "next_deadline_kind": upcoming.kind if upcoming else "",
        "plan_deadline": next(
            (d.due for d in evaluation.next_deadlines if d.kind == engine.DEADLINE_ACTION_PLAN), None
        ),
        "open_findings": len(evaluation.open_findings),
    }


def plan_standing(writes: SweepWrites, member: Member, evaluation: engine.Evaluation, stored) -> bool:
    """Queue the member's standing if it changed (return True); an unchanged one only gets ``swept_at``.

    ``stored``: the stored standing's values (a row with ``pk`` and the standing fields), or None.
    """
    values = standing_values(evaluation)
    if stored is not None and all(getattr(stored, k) == v for k, v in values.items()):
        writes.unchanged.append(member.pk)
        return False
    writes.standings.append(MemberStanding(pk=stored.pk if stored else None, member_id=member.pk, **values))
    return True


def write_sweep(writes: SweepWrites) -> None:
    """Write a chunk's differences: a fixed number of statements per kind of change, whatever the members."""
    swept_at = writes.now if isinstance(writes.now, dt.datetime) else timezone.now()
    writes.translate_reasons()
    write_findings(writes)
    write_resolutions(writes)
    write_events(writes)
    write_deadlines(writes)
    write_cycles(writes)
    new = [s for s in writes.standings if s.pk is None]
    changed = [s for s in writes.standings if s.pk is not None]
    for row in writes.standings:
        row.swept_at = swept_at
    if changed:
        MemberStanding.objects.bulk_update(changed, [*STANDING_FIELDS, "swept_at"])
    if new:
        # A concurrent sweep that stored the same member first wins (the same values).
        insert_rows(
            MemberStanding,
            [{"member_id": s.member_id, "swept_at": swept_at, **{k: getattr(s, k) for k in STANDING_FIELDS}} for s in new],
            ignore_conflicts=True,
        )
    if writes.unchanged:
        MemberStanding.objects.filter(member_id__in=writes.unchanged).update(swept_at=swept_at)


def write_findings(writes: SweepWrites) -> None:
    """Insert the new findings once (with their history, in the same transaction)."""
    if not writes.findings:
        return
    writes.findings.sort(key=lambda f: (f["member_id"], f["kind"], f["subject"], f["period"]))  # one lock order for every sweep
    with transaction.atomic():
        inserted = insert_rows(Finding, writes.findings, key=INSERT_KEYS[Finding])
        write_history(Finding, inserted, "+")
    for finding in inserted:
        writes.results[finding["member_id"]].created_findings.append(finding["id"])


def write_resolutions(writes: SweepWrites) -> None:
    """Record the day each stored finding was met again, and withdrawals: locked, one UPDATE and their history."""
    if not writes.resolutions:
        return
    with transaction.atomic():
        rows = list(Finding.objects.select_for_update().filter(pk__in=sorted(writes.resolutions)).order_by("pk"))
        for row in rows:
            row.met_again_on, row.withdrawn_on, row.withdrawal_reason = writes.resolutions[row.pk]
        if rows:
            Finding.objects.bulk_update(rows, ["met_again_on", "withdrawn_on", "withdrawal_reason"])
            Finding.history.bulk_history_create(rows, update=True)
    for row in rows:
        writes.results[row.member_id].resolved_findings.append(row.pk)


def write_events(writes: SweepWrites) -> None:
    """Insert the new status events once, with their history; queue their notices to followers."""
    if not writes.events:
        return
    writes.events.sort(key=lambda e: (e["member_id"], e["status"], e["effective_on"]))
    with transaction.atomic():
        inserted = insert_rows(StatusEvent, writes.events, key=INSERT_KEYS[StatusEvent])
        write_history(StatusEvent, inserted, "+")
        notify_followers_many("status_event", [SimpleNamespace(pk=e["id"], member_id=e["member_id"]) for e in inserted])
    for event in inserted:
        writes.results[event["member_id"]].created_events.append(event["id"])


def write_deadlines(writes: SweepWrites) -> None:
    if writes.deadlines:
        writes.deadlines.sort(key=lambda d: (d["member_id"], d["kind"], d["cycle"]))
        with transaction.atomic():
            inserted = insert_rows(Deadline, writes.deadlines, key=INSERT_KEYS[Deadline])
            write_history(Deadline, inserted, "+")
    if writes.deadline_changes:
        with transaction.atomic():
            rows = list(Deadline.objects.select_for_update().filter(pk__in=sorted(writes.deadline_changes)).order_by("pk"))
            changed = []
            for row in rows:
                cycle = writes.deadline_changes[row.pk]
                wanted = (cycle.met_on, cycle.due if row.source == Deadline.Source.RULE else row.due_on)
                if (row.met_on, row.due_on) != wanted:
                    row.met_on, row.due_on = wanted
                    changed.append(row)
            if changed:
                Deadline.objects.bulk_update(changed, ["met_on", "due_on"])
                Deadline.history.bulk_history_create(changed, update=True)
    if writes.deadlines_gone:
        # Rule deadlines of cycles the data no longer gives: locked, their "-" history written, one DELETE.
        with transaction.atomic():
            rows = list(
                Deadline.objects.select_for_update().filter(pk__in=sorted(writes.deadlines_gone), source=Deadline.Source.RULE)
                .order_by("pk")
            )
            if rows:
                write_deleted_history(Deadline, rows)
                # Nothing refers to a deadline; the history is written above, so no per-row delete signal is needed.
                Deadline.objects.filter(pk__in=[r.pk for r in rows])._raw_delete(Deadline.objects.db)


def write_cycles(writes: SweepWrites) -> None:
    if writes.cycles:
        # One INSERT; a concurrent sweep that inserted the same labels first wins (same values).
        writes.cycles.sort(key=lambda c: (c["member_id"], c["label"]))
        insert_rows(Cycle, writes.cycles, ignore_conflicts=True)
    if writes.cycles_changed:
        Cycle.objects.bulk_update(writes.cycles_changed, list(CYCLE_FIELDS))
    if writes.cycles_gone:
        Cycle.objects.filter(pk__in=writes.cycles_gone).delete()


def sweep_member(member_id: int, *, now, notify: str = "inline") -> SweepResult:
    """Apply the member's evaluation as of ``now``; running it again changes nothing (see :func:`sweep_members`)."""
    results = sweep_members(Member.objects.filter(pk=member_id), now=now, notify=notify)
    if not results:
        raise Member.DoesNotExist(f"No member with id {member_id}.")
    return results[0]


# Members read and evaluated together; the queries of a sweep grow by one set per this many members.
SWEEP_CHUNK = 1000

FINDING_KEY = ("pk", "kind", "subject", "period", "met_again_on", "withdrawn_on")


def sweep_members(members, *, now, notify: str = "inline") -> list[SweepResult]:
    """Sweep ``members`` (a queryset) as of ``now`` in set-based reads and writes; running it again changes nothing.

    Steps, for each chunk of ``SWEEP_CHUNK`` members:
    1. read every member's data (:func:`build_snapshots`) and what the sweep recorded before
       (findings, status events, plan deadlines, cycles, standings): 14 queries, whatever the
       number of members;
    2. evaluate each member with the pure rules, and collect what differs from the stored rows;
    3. write it in batches (:func:`write_sweep`): new findings (already resolved when their
       obligation was met later), resolutions of stored findings (met later, or no longer given by
       the corrected data), new status events, plan deadlines, cycles and standings; new rows are
       inserted keyed by their unique constraints (a row another sweep inserted first is skipped),
       changed rows locked and re-checked; history rows in the same transaction as their rows;
       the ``swept_at`` of every unchanged standing stamped in one UPDATE;
    4. send the notices for what is new: ``inline`` (commands, tasks; only members with a finding
       or status change in the notice window are read again), ``enqueue`` (a task after commit,
       for web requests), or ``none``.
    When anything was written, public pages are marked out of date (``public_pages_changed``).
    """
    results: list[SweepResult] = []
    last = 0
    # Every member (no filter): a chunk's rows elsewhere are selected by the range of its ids, which
    # costs the database and Django less than a list of 1,000 ids.
    every = not members.query.where
    while True:  # keyset pagination by primary key: one query a chunk
        chunk = list(
            members.filter(pk__gt=last).order_by("pk").values_list("pk", "code", "joined_on", "kind", named=True)[:SWEEP_CHUNK]
        )
        if chunk:
            where = {"member_id__gte": chunk[0].pk, "member_id__lte": chunk[-1].pk} if every else None
            results.extend(_sweep_chunk(chunk, now=now, notify=notify, where=where))
        if len(chunk) < SWEEP_CHUNK:
            break
        last = chunk[-1].pk
    if any(r.changed or r.standing_changed for r in results):
        public_pages_changed()
    return results


def _sweep_chunk(members: list, *, now, notify: str, where: dict | None = None) -> list[SweepResult]:
    """Sweep a chunk of members (rows with ``pk``, ``code``, ``joined_on`` and ``kind``); ``where`` selects their rows."""
    where = where or _member_filter(members)
    snapshots = build_snapshots(members, where)
    # Rows read as named tuples, not model instances (a few thousand a chunk: instances cost more than the rules).
    known_findings = _by_member(
        Finding.objects.filter(source=Finding.Source.RULE, **where).order_by()
        .values_list(*FINDING_KEY, "member_id", "effective_on", named=True)
    )
    known_events: dict[int, set] = {}
    for member_id, status, effective_on in StatusEvent.objects.filter(**where).order_by().values_list("member_id", "status", "effective_on"):
        known_events.setdefault(member_id, set()).add((status, effective_on))
    deadlines = _by_member(
        Deadline.objects.filter(kind=Deadline.Kind.ACTION_PLAN, **where).order_by()
        .values_list("pk", "member_id", "cycle", "due_on", "met_on", "source", named=True)
    )
    cycles = _by_member(Cycle.objects.filter(**where).order_by().values_list("pk", "member_id", "label", *CYCLE_FIELDS, named=True))
    standings = {
        s.member_id: s
        for s in MemberStanding.objects.filter(**where).order_by().values_list("pk", "member_id", *STANDING_FIELDS, named=True)
    }
    writes = SweepWrites(now=now)
    results = []
    for member in members:
        evaluation = engine.evaluate(snapshots[member.pk], now, settings.TIME_ZONE)
        result = writes.results[member.pk] = SweepResult(member.code, status=evaluation.status)
        plan_findings(writes, member, evaluation, known_findings.get(member.pk, []))
        plan_events(writes, member, evaluation, known_events.get(member.pk, set()))
        plan_deadlines(writes, member, evaluation.cycles, {d.cycle: d for d in deadlines.get(member.pk, ())})
        plan_cycles(writes, member, evaluation.cycles, {c.label: c for c in cycles.get(member.pk, ())})
        result.standing_changed = plan_standing(writes, member, evaluation, standings.get(member.pk))
        results.append(result)
    write_sweep(writes)
    if notify == "inline":
        today = today_for(now)
        since = today - dt.timedelta(days=NOTICE_WINDOW_DAYS)
        recent = set(
            Finding.objects.filter(effective_on__gte=since, effective_on__lte=today, **where).order_by().values_list("member_id", flat=True)
        ) | set(
            StatusEvent.objects.filter(effective_on__gte=since, effective_on__lte=today, **where).order_by().values_list("member_id", flat=True)
        )
        for member in members:
            if member.pk in recent:
                send_pending_notices(member.pk, now=now)
    elif notify == "enqueue":
        from .tasks import send_notices_task

        for member, result in zip(members, results):
            if result.changed:
                enqueue_on_commit(send_notices_task, member.pk)
    return results


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
        public_pages_changed()
    recompute_member(finding.member_id)
    return finding


def sweep_all(now, *, notify: str = "inline") -> list[SweepResult]:
    """Sweep every member in set-based reads (each member's writes in their own short transactions)."""
    return sweep_members(Member.objects.all(), now=now, notify=notify)


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


from ogp_portal.languages import language_for  # noqa: E402 (the one rule, in the core)


def _render(name: str, context: dict) -> tuple[str, str, str | None]:
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    try:
        html = render_to_string(f"emails/{name}-body.html", context)
    except TemplateDoesNotExist:
        html = None
    return subject, body, html


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
        subject, body, html = _render(
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
    given = {(c.status, c.effective_on) for c in evaluate_member(member, effective_on).changes}
    if (status, effective_on) not in given:
        # Stored, it would be a status the rules never give (no effect, and the sweep would not keep it): refused.
        raise ValidationError(_("The rules do not give the status %(status)s on %(day)s for this member: record the "
                                "deadlines, decisions or findings behind the letter first.") % {
            "status": status, "day": effective_on.isoformat()})
    with transaction.atomic():
        event, created = StatusEvent.objects.select_for_update().get_or_create(
            member=member, status=status, effective_on=effective_on, defaults=values
        )
        if not created and any(getattr(event, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(event, key, value)
            event.save()
    return event


# ---------------------------------------------------------------------------
# What only OGP sets (h11): deadlines set by an administrator and OGP decisions. One service per
# write, called by the API and the admin; each recomputes the member afterwards, so its cycles
# and status follow at once. Status events stay the sweep's (no write path here).
# ---------------------------------------------------------------------------


def _require_admin(by):
    from django.core.exceptions import PermissionDenied

    if not (by and by.has_perm("compliance.record_decision")):
        raise PermissionDenied


def _after_admin_write(member_id: int) -> None:
    public_pages_changed()


def _deadline_values(data: dict, row: Deadline | None) -> dict:
    from .choices import JUDGED_DEADLINE_KINDS

    values = dict(data)
    kind = values.get("kind", row.kind if row else None)
    if kind not in JUDGED_DEADLINE_KINDS:
        raise ValidationError({"kind": _("Only the deadlines the rules judge can be set by hand.")})
    if "reason" in values:
        values["reason"] = (values["reason"] or "").strip()
    due_on = values.get("due_on", row.due_on if row else None)
    member = values.get("member", row.member if row else None)
    if member is not None and ("cycle" in values or row is None):
        values["cycle"] = check_cycle(
            member, values.get("cycle", ""), due_on=due_on, keep=row.cycle if row else ""
        )
    values["source"] = Deadline.Source.ADMINISTRATOR  # whatever an administrator enters is the administrator's
    if member is not None and due_on is not None and kind == Deadline.Kind.ACTION_PLAN and (row is None or "due_on" in values):
        # The era's reading of the date, stored with it (issue 19.3): a later policy edit does not change what was entered.
        values["on_time_until"] = engine.on_time_until(build_snapshot(member).policies, due_on)
    return values


def set_deadline(*, by, data) -> Deadline:
    """Set a member's deadline for a cycle: a new row, or the cycle's rule-computed row taken over."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    values = _deadline_values(data, None)
    with transaction.atomic():
        row = Deadline.objects.select_for_update().filter(
            member=values.get("member"), kind=values.get("kind"), cycle=values.get("cycle", ""), source=Deadline.Source.RULE
        ).first()
        if row is not None:
            from ogp_portal.versioning import current_version

            row = save_checked(row, values, by=by, version=current_version(row))
        else:
            row = save_checked(Deadline(), values, by=by, version=None)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    return row


def update_deadline(deadline: Deadline, *, by, data, version) -> Deadline:
    """Change an administrator's deadline as of ``version``; the sweep's rows are taken over with :func:`set_deadline`."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    if deadline.source != Deadline.Source.ADMINISTRATOR:
        raise ValidationError(_("The rules compute this deadline: set the cycle's deadline instead (it takes the row over)."))
    before = deadline.member_id
    with transaction.atomic():
        row = save_checked(deadline, _deadline_values(data, deadline), by=by, version=version)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    if before != row.member_id:
        recompute_member(before)  # moved: the member it left is judged again too
    return row


def delete_deadline(deadline: Deadline, *, by, version) -> None:
    """Remove an administrator's deadline (the rules compute the cycle's deadline again)."""
    from ogp_portal.versioning import current_version

    _require_admin(by)
    with transaction.atomic():
        row = Deadline.objects.select_for_update().filter(pk=deadline.pk).first()
        if row is None or current_version(row) != str(version):
            raise StaleVersion
        if row.source != Deadline.Source.ADMINISTRATOR:
            raise ValidationError(_("The rules compute this deadline; only an administrator's deadline is removed."))
        row._history_user = by
        row.delete()
        _after_admin_write(deadline.member_id)
    recompute_member(deadline.member_id)


def decision_values(data: dict, row: Decision | None) -> dict:
    """An IRM finding names its cycle (filled in from its day when left empty, refused when there is none)."""
    values = dict(data)
    member = values.get("member", row.member if row else None)
    kind = values.get("kind", row.kind if row else "")
    if member is not None and ("cycle" in values or row is None or "kind" in values):
        values["cycle"] = check_cycle(
            member, values.get("cycle", row.cycle if row else ""), day=values.get("decided_on", row.decided_on if row else None),
            required=kind in engine.IRM_KINDS, keep=row.cycle if row else "",
        )
    decided_on = values.get("decided_on", row.decided_on if row else None)
    if member is not None and decided_on is not None and (row is None or {"kind", "decided_on", "member"} & set(values)):
        # Taken into account or refused, never ignored (issue 19.3): the rules ignore anything after a removal,
        # and a reactivation only applies to an inactive member.
        before = evaluate_member(member, decided_on - dt.timedelta(days=1)).status
        if before == engine.REMOVED:
            raise ValidationError({"decided_on": _(
                "The member was removed from OGP before this day: the rules take nothing after a removal into account."
            )})
        if kind == engine.SC_REACTIVATION and before not in (engine.INACTIVE, engine.REMOVAL_RECOMMENDED):
            raise ValidationError({"kind": _(
                "A reactivation applies to an inactive member; on this day the member's status is %(status)s."
            ) % {"status": engine.MemberStatus(before).label}})
    return values


def record_decision(*, by, data) -> Decision:
    """Record an IRM finding or a Steering Committee decision about a member: administrators."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    values = decision_values(data, None)
    if by is not None and by.is_authenticated:
        values.setdefault("recorded_by", by)
    with transaction.atomic():
        row = save_checked(Decision(), values, by=by, version=None)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    return row


def update_decision(decision: Decision, *, by, data, version) -> Decision:
    """Change a recorded OGP decision as of ``version`` (a stale one raises StaleVersion)."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    before = decision.member_id
    data = decision_values(data, decision)
    with transaction.atomic():
        row = save_checked(decision, data, by=by, version=version)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    if before != row.member_id:
        recompute_member(before)  # moved: the member it left is judged again too
    return row


def delete_decision(decision: Decision, *, by, version) -> None:
    """Remove a decision recorded by mistake (its history keeps it)."""
    from ogp_portal.versioning import current_version

    _require_admin(by)
    with transaction.atomic():
        row = Decision.objects.select_for_update().filter(pk=decision.pk).first()
        if row is None or current_version(row) != str(version):
            raise StaleVersion
        row._history_user = by
        row.delete()
        _after_admin_write(decision.member_id)
    recompute_member(decision.member_id)
