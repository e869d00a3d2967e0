"""Compliance follows every change to its inputs at once: the one place that reacts to the domain's events.

Every write that changes an input of the rules recomputes the stored standing (issue 19, point 3).
The domain services send ``ogp.signals.member_record_changed`` inside their transaction (a plan, a
member's joining date or kind, a forum, a meeting held, scheduled, moved or cancelled, a status
report published, a plan import); the compliance admin calls :func:`schedule_recompute` for what it
edits outside the services (policies, global extensions, letters). Once the transaction commits, the
member is swept once (a policy or an extension for every member: every member):

* by default, at once in the process that made the change (``sweep.recompute_member``: the
  stored standing, cycles and findings written; the notices go by a task), so the stored standing
  equals the live evaluation as soon as the write returns;
* where ``COMPLIANCE_SWEEP_ON_CHANGE`` is on (the demo's default, ``DEMO=true``), by queuing
  ``sweep_member_task`` (the demo runs tasks in-process, ``CELERY_TASK_ALWAYS_EAGER``, so the status
  is current by the time the page that made the change is answered); if the broker cannot be
  reached, the member is recomputed in-process instead, so nothing waits for the daily sweep.

Rolled-back transactions drop their callbacks: nothing is swept for a write that did not happen.
Until the member is swept again, its stored standing is marked out of date (``evaluated_on`` emptied, in
the change's own transaction), so a page that reads the stored standing evaluates the rules live meanwhile.

``member_record_checking`` (sent by ``ActionPlan.clean``): a plan dated after the member's removal
would be ignored by the rules; it is refused with the reason instead (issue 19.3), as decisions are.
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

EVERY_MEMBER = 0


def _recompute(member_id: int) -> None:
    from django.utils import timezone

    from commitments.models import Member

    from . import sweep

    if member_id == EVERY_MEMBER:
        sweep.sweep_all(timezone.now(), notify="enqueue")
        return
    if not Member.objects.filter(pk=member_id).exists():
        return
    if getattr(settings, "COMPLIANCE_SWEEP_ON_CHANGE", False):
        from .tasks import sweep_member_task

        try:
            sweep_member_task.delay(member_id)
            return
        except Exception:  # kombu.exceptions.OperationalError, redis/OS errors
            logger.warning("Could not queue the sweep of member %s; recomputing it in-process.", member_id, exc_info=True)
    sweep.recompute_member(member_id)


def schedule_recompute(member_id: int | None) -> None:
    """Recompute ``member_id`` (``EVERY_MEMBER``: all) after the current transaction commits, once."""
    if member_id is None:
        return
    connection = transaction.get_connection()
    for _sids, func, _robust in getattr(connection, "run_on_commit", ()):
        if isinstance(func, partial) and func.func is _recompute and func.args in ((member_id,), (EVERY_MEMBER,)):
            return
    # The stored standing no longer says where the member stands (issue #20): until the member is swept again,
    # in the same transaction as the change, pages that read it evaluate the rules live (views.member_detail).
    from .models import MemberStanding

    standings = MemberStanding.objects.all() if member_id == EVERY_MEMBER else MemberStanding.objects.filter(member_id=member_id)
    standings.exclude(evaluated_on=None).update(evaluated_on=None)
    # robust: the write is committed by then; a failing recompute is logged (the daily sweep catches up), never a 500.
    transaction.on_commit(partial(_recompute, member_id), robust=True)


def _on_member_record_changed(sender, member_id=None, **kwargs):
    schedule_recompute(member_id)


def _on_member_record_checking(sender, member=None, day=None, field="__all__", **kwargs):
    """Refuse a record dated after the member's removal: the rules would ignore it."""
    from . import engine, selectors
    from .models import Decision

    if member is None or member.pk is None or day is None:
        return
    if not Decision.objects.filter(member=member, kind=engine.SC_REMOVAL, decided_on__lt=day).exists():
        return  # the usual case: no removal before that day, nothing to evaluate
    if selectors.evaluate_member(member, day - dt.timedelta(days=1)).status == engine.REMOVED:
        raise ValidationError({field: _(  # the decisions' own reason (services.decision_values)
            "The member was removed from OGP before this day: the rules take nothing after a removal into account."
        )})


def connect() -> None:
    from ogp.signals import member_record_changed, member_record_checking

    member_record_changed.connect(_on_member_record_changed, dispatch_uid="compliance-recompute")
    member_record_checking.connect(_on_member_record_checking, dispatch_uid="compliance-check-record")
