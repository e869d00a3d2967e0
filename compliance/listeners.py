"""Compliance follows changes at once: a change to what the sweep reads queues a sweep of that member.

The daily sweep (``CELERY_BEAT_SCHEDULE``) judges every member; between two runs a published status
report, a plan, a forum or a meeting held could leave a member's status a day behind. Where
``COMPLIANCE_SWEEP_ON_CHANGE`` is on (the demo's default, ``DEMO=true``), saving or deleting one of
those rows queues ``sweep_member_task`` for its member after the transaction commits, once per
member and transaction; the demo runs tasks in-process (``CELERY_TASK_ALWAYS_EAGER``), so the
status is current by the time the page that made the change is answered. The sweep is idempotent:
a queued sweep that finds nothing new writes nothing. Changes made in the admin to compliance rows
already call ``sweep.recompute_member``.

Connected in ``ComplianceConfig.ready()``; the lower apps (commitments, forums) know nothing of it.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

# model label → how to read the member's id from a row
WATCHED = {
    "commitments.ActionPlan": lambda row: row.member_id,
    "commitments.StatusReport": lambda row: row.member_id if row.state == "published" else None,
    "forums.Forum": lambda row: row.member_id,
    "forums.Meeting": lambda row: row.forum.member_id if row.forum_id else None,
}


def _queued(member_id):
    """Return True if a sweep of ``member_id`` is already queued for the current transaction's commit."""
    connection = transaction.get_connection()
    pending = getattr(connection, "_ogp_sweeps", {})
    callback = pending.get(member_id)
    # Django drops the callbacks of a transaction rolled back: a member queued there is queued again.
    return callback is not None and any(entry[1] is callback for entry in connection.run_on_commit)


def sweep_after_commit(member_id):
    """Queue a sweep of ``member_id`` once the current transaction commits (at once outside a transaction)."""
    from .notifications import enqueue_on_commit
    from .tasks import sweep_member_task

    if member_id is None or _queued(member_id):
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        before = len(connection.run_on_commit)
        enqueue_on_commit(sweep_member_task, member_id)
        if len(connection.run_on_commit) > before:
            connection.__dict__.setdefault("_ogp_sweeps", {})[member_id] = connection.run_on_commit[-1][1]
    else:
        enqueue_on_commit(sweep_member_task, member_id)


def _changed(sender, instance, **kwargs):
    if not getattr(settings, "COMPLIANCE_SWEEP_ON_CHANGE", False) or kwargs.get("raw"):
        return
    sweep_after_commit(WATCHED[sender._meta.label](instance))


def connect():
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"compliance-sweep-{label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"compliance-sweep-{label}-delete")
