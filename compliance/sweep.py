"""The compliance sweep: members' evaluations applied to the stored findings, status events, deadlines, cycles and standings.

The sweep reads members' data into :class:`~compliance.engine.MemberSnapshot` objects a chunk
at a time (``compliance.selectors``), evaluates them with the pure rules, and applies the result
idempotently, in batches (the bulk writer is ``ogp_portal.bulk``): every new row is inserted keyed
by a database constraint (a row a concurrent or earlier sweep inserted is skipped), every changed
row locked and re-checked, each step in one short transaction with its history. A sweep re-run
after a crash therefore ends with exactly the rows of an uninterrupted one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from commitments.figures import lapsed_plans, refresh_plan_figures
from commitments.overdue_counts import refresh_lapsed_counts
from commitments.models import ActionPlan, Member
from engagement.services import notify_followers_many
from ogp_portal.bulk import insert_rows, write_deleted_history, write_history
from ogp_portal.cache import public_pages_changed

from . import engine
from .models import Cycle, Deadline, Finding, MemberStanding, Notification, StatusEvent
from .notifications import NOTICE_WINDOW_DAYS, already_sent, enqueue_on_commit, member_roles, send_pending_notices
from .selectors import _by_member, _member_filter, build_snapshots, today_for


# Findings the sweep owns (the others come from the administrator's decisions).
SWEEP_KINDS = (
    Finding.Kind.MISSED_STATUS_UPDATE, Finding.Kind.MISSED_FORUM_MEETING, Finding.Kind.CONTRARY_TO_PROCESS,
    Finding.Kind.MISSED_SELF_ASSESSMENT,
)


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
        """Write each new row's reason in every language (one language switch per language, not per row).

        Equal texts are kept once (a first sweep's thousands of findings have a few hundred distinct
        reasons): the rows wait in memory until they are written, three languages each.
        """
        for code, _name in settings.LANGUAGES:
            texts: dict[str, str] = {}
            with translation.override(code):
                for row, text in self.reasons:
                    text = str(text)
                    row[f"reason_{code}"] = texts.setdefault(text, text)
        default = f"reason_{settings.LANGUAGE_CODE}"
        for row, _text in self.reasons:
            row["reason"] = row[default]  # the original column holds the default language (as modeltranslation keeps it)


# Stored in English (the API gives it as is); the pages translate it where they show it.
WITHDRAWN = gettext_noop("The corrected data no longer supports this finding (the rules no longer give it).")


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


STANDING_FIELDS = ("status", "status_since", "next_deadline", "next_deadline_kind", "plan_deadline", "open_findings", "upcoming")


def upcoming_deadlines(evaluation: engine.Evaluation) -> list[list]:
    """Return the evaluation's next deadlines as stored in ``MemberStanding.upcoming`` (JSON), soonest first.

    ``[kind, due (ISO), subject, period, source, reason]``: the reason of an administrator's deadline only
    (their own words, what the compliance page shows; a rule's is a translated sentence the page does not show).
    """
    return [
        [d.kind, d.due.isoformat(), d.subject, str(d.period), d.source, str(d.reason) if d.source == engine.ADMINISTRATOR else ""]
        for d in evaluation.next_deadlines
    ]


def stored_deadlines(upcoming: list, today: dt.date) -> list[engine.NextDeadline]:
    """Return the stored next deadlines (:func:`upcoming_deadlines`) as the evaluation gives them on ``today``."""
    deadlines = []
    for kind, due, subject, period, source, reason in upcoming:
        due = dt.date.fromisoformat(due)
        deadlines.append(engine.NextDeadline(kind, due, subject, period, source, reason, (due - today).days))
    return deadlines


def standing_values(evaluation: engine.Evaluation) -> dict:
    """Return the stored standing of an evaluation (without ``swept_at``)."""
    kinds = set(Deadline.Kind.values)
    upcoming = next((d for d in evaluation.next_deadlines if d.kind in kinds), None)
    return {
        "upcoming": upcoming_deadlines(evaluation),
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
    evaluated_on = today_for(writes.now)
    writes.translate_reasons()
    write_findings(writes)
    write_resolutions(writes)
    write_events(writes)
    write_deadlines(writes)
    write_cycles(writes)
    new = [s for s in writes.standings if s.pk is None]
    changed = [s for s in writes.standings if s.pk is not None]
    for row in writes.standings:
        row.swept_at, row.evaluated_on = swept_at, evaluated_on
    if changed:
        MemberStanding.objects.bulk_update(changed, [*STANDING_FIELDS, "swept_at", "evaluated_on"])
    if new:
        # A concurrent sweep that stored the same member first wins (the same values).
        insert_rows(
            MemberStanding,
            [
                {"member_id": s.member_id, "swept_at": swept_at, "evaluated_on": evaluated_on,
                 **{k: getattr(s, k) for k in STANDING_FIELDS}}
                for s in new
            ],
            ignore_conflicts=True,
        )
    if writes.unchanged:
        MemberStanding.objects.filter(member_id__in=writes.unchanged).update(swept_at=swept_at, evaluated_on=evaluated_on)


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
# The setting ``COMPLIANCE_SWEEP_CHUNK`` overrides it (the tests lower it to sweep in several chunks).
SWEEP_CHUNK = 1000


def chunk_size() -> int:
    """Return how many members a chunk of the sweep reads, evaluates and writes together."""
    return int(getattr(settings, "COMPLIANCE_SWEEP_CHUNK", 0) or SWEEP_CHUNK)


def member_chunks(size: int | None = None) -> list[tuple[int, int]]:
    """Return the (first, last) member ids of each chunk of ``size`` members, in id order (one query)."""
    size = size or chunk_size()
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


FINDING_KEY = ("pk", "kind", "subject", "period", "met_again_on", "withdrawn_on")


def sweep_members(members, *, now, notify: str = "inline") -> list[SweepResult]:
    """Sweep ``members`` (a queryset) as of ``now`` in set-based reads and writes; running it again changes nothing.

    Steps, for each chunk of ``chunk_size()`` members:
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
    last, size = 0, chunk_size()
    # Every member (no filter): a chunk's rows elsewhere are selected by the range of its ids, which
    # costs the database and Django less than a list of 1,000 ids.
    every = not members.query.where
    while True:  # keyset pagination by primary key: one query a chunk
        chunk = list(
            members.filter(pk__gt=last).order_by("pk").values_list("pk", "code", "joined_on", "kind", named=True)[:size]
        )
        if chunk:
            where = {"member_id__gte": chunk[0].pk, "member_id__lte": chunk[-1].pk} if every else None
            results.extend(_sweep_chunk(chunk, now=now, notify=notify, where=where, figures=every))
        if len(chunk) < size:
            break
        last = chunk[-1].pk
    if any(r.changed or r.standing_changed for r in results):
        public_pages_changed()
    return results


def sweep_range(first_pk: int, last_pk: int, *, now, notify: str = "inline") -> list[SweepResult]:
    """Sweep the members whose ids are ``first_pk`` to ``last_pk`` (one chunk of :func:`member_chunks`) as of ``now``.

    The daily job's unit of work (``compliance.tasks.sweep_chunk_task``): the rows of those members
    are selected by the range of ids, and every write is keyed by a unique constraint (claim, then
    act), so a redelivered or duplicated chunk writes nothing twice.
    """
    members = list(
        Member.objects.filter(pk__gte=first_pk, pk__lte=last_pk).order_by("pk")
        .values_list("pk", "code", "joined_on", "kind", named=True)
    )
    if not members:
        return []
    results = _sweep_chunk(members, now=now, notify=notify, where={"member_id__gte": first_pk, "member_id__lte": last_pk})
    if any(r.changed or r.standing_changed for r in results):
        public_pages_changed()
    return results


def _sweep_chunk(members: list, *, now, notify: str, where: dict | None = None, figures: bool = True) -> list[SweepResult]:
    """Sweep a chunk of members (rows with ``pk``, ``code``, ``joined_on`` and ``kind``); ``where`` selects their rows.

    ``figures``: store again the chunk's plans' figures that no longer hold today (the sweep of every
    member, daily; not the sweep of one member after a change to its record).
    """
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
    if figures:
        # The chunk's plans whose stored overdue count no longer holds today: stored again (commitments.figures).
        refresh_plan_figures(lapsed_plans(today_for(now), ActionPlan.objects.filter(**where)), today_for(now))
        # The chunk's commitments whose stored overdue count no longer holds today (commitments.overdue_counts).
        refresh_lapsed_counts(today_for(now), ActionPlan.objects.filter(**where))
    if notify == "inline":
        today = today_for(now)
        since = today - dt.timedelta(days=NOTICE_WINDOW_DAYS)
        recent = set(
            Finding.objects.filter(effective_on__gte=since, effective_on__lte=today, **where).order_by().values_list("member_id", flat=True)
        ) | set(
            StatusEvent.objects.filter(effective_on__gte=since, effective_on__lte=today, **where).order_by().values_list("member_id", flat=True)
        )
        # Notices already sent are skipped without a claim; the recipients' roles read once (three queries for the chunk).
        if recent:
            sent = already_sent(recent, [Notification.Kind.FINDING, Notification.Kind.STATUS], since=since - dt.timedelta(days=1))
            roles = member_roles(recent)
        for member in members:
            if member.pk in recent:
                send_pending_notices(member.pk, now=now, skip=sent, roles=roles[member.pk])
    elif notify == "enqueue":
        from .tasks import send_notices_task

        for member, result in zip(members, results):
            if result.changed:
                enqueue_on_commit(send_notices_task, member.pk)
    return results


def recompute_member(member_id: int) -> SweepResult:
    """Sweep one member as of now after an administrator changed its record (notices go by a task)."""
    return sweep_member(member_id, now=timezone.now(), notify="enqueue")


def sweep_all(now, *, notify: str = "inline") -> list[SweepResult]:
    """Sweep every member in set-based reads (each member's writes in their own short transactions)."""
    return sweep_members(Member.objects.all(), now=now, notify=notify)
