"""Compliance services: the façade over the compliance write path and its reads, one import for every caller.

The code lives in four modules, by job:

* ``compliance.selectors``: reads (members' snapshots for the rules, evaluations, cycles, minimum requirements);
* ``compliance.sweep``: the sweep (findings, status events, deadlines, cycles and standings written in batches);
* ``compliance.notifications``: reminders and the notices of findings and status changes (sent once, via the outbox);
* ``compliance.records``: what administrators record (OGP's letters, deadlines, decisions, findings' resolutions).

This module re-exports their public names, so ``from compliance import services`` keeps working for the
admin, the API, tasks, commands, other apps and tests; new code may import from the modules directly.
"""

from ogp_portal.languages import language_for

from . import engine
from .notifications import (
    NOTICE_WINDOW_DAYS,
    REMINDER_DAYS,
    already_sent,
    enqueue_on_commit,
    member_roles,
    recipients_for,
    recent_notice_members,
    reminder_members,
    reminder_threshold,
    send_due_reminders,
    send_member_reminders,
    send_once,
    send_pending_notices,
)
from .records import (
    decision_values,
    delete_deadline,
    delete_decision,
    record_decision,
    record_letter_deadline,
    record_letter_status,
    resolve_admin_finding,
    set_deadline,
    update_deadline,
    update_decision,
)
from .selectors import (
    build_snapshot,
    build_snapshots,
    check_cycle,
    evaluate_member,
    member_cycles,
    minimum_requirements,
    portal_zone,
    today_for,
)
from .sweep import (
    ACTION_PLAN_KIND,
    CYCLE_FIELDS,
    FINDING_KEY,
    INSERT_KEYS,
    RULE_SOURCE,
    STANDING_FIELDS,
    SWEEP_CHUNK,
    SWEEP_KINDS,
    WITHDRAWN,
    SweepResult,
    SweepWrites,
    chunk_size,
    in_every_language,
    member_chunks,
    plan_cycles,
    plan_deadlines,
    plan_events,
    plan_findings,
    plan_standing,
    recompute_member,
    standing_values,
    sweep_all,
    sweep_member,
    sweep_members,
    sweep_range,
    write_cycles,
    write_deadlines,
    write_events,
    write_findings,
    write_resolutions,
    write_sweep,
)

__all__ = [
    # selectors
    "portal_zone", "today_for", "build_snapshot", "build_snapshots", "evaluate_member", "member_cycles",
    "minimum_requirements", "check_cycle",
    # sweep
    "SWEEP_KINDS", "SweepResult", "in_every_language", "RULE_SOURCE", "ACTION_PLAN_KIND", "INSERT_KEYS", "SweepWrites",
    "WITHDRAWN", "plan_findings", "plan_events", "plan_deadlines", "CYCLE_FIELDS", "plan_cycles", "STANDING_FIELDS",
    "standing_values", "plan_standing", "write_sweep", "write_findings", "write_resolutions", "write_events",
    "write_deadlines", "write_cycles", "sweep_member", "SWEEP_CHUNK", "FINDING_KEY", "sweep_members", "recompute_member",
    "sweep_all", "chunk_size", "member_chunks", "sweep_range",
    # notifications
    "REMINDER_DAYS", "NOTICE_WINDOW_DAYS", "enqueue_on_commit", "recipients_for", "language_for", "send_once",
    "reminder_threshold", "send_member_reminders", "send_due_reminders", "send_pending_notices", "reminder_members",
    "recent_notice_members", "member_roles", "already_sent",
    # records
    "resolve_admin_finding", "record_letter_deadline", "record_letter_status", "set_deadline", "update_deadline",
    "delete_deadline", "decision_values", "record_decision", "update_decision", "delete_decision",
    # the rules, as before (``services.engine``)
    "engine",
]
