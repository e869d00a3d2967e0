"""Every write that changes an input of the rules recomputes the stored standing (issue 19, point 3).

The domain services send ``ogp.signals.member_record_changed`` (a plan, a member's joining date or
kind); the compliance admin calls :func:`schedule_recompute` for what it edits outside the services
(policies, global extensions, letters). The member's stored standing is recomputed through
``sweep.recompute_member`` once the transaction commits, once per member (a policy or an
extension for every member: every member).
"""

from functools import partial

from django.db import transaction

EVERY_MEMBER = 0


def _recompute(member_id: int) -> None:
    from django.utils import timezone

    from commitments.models import Member

    from . import sweep

    if member_id == EVERY_MEMBER:
        sweep.sweep_all(timezone.now(), notify="enqueue")
    elif Member.objects.filter(pk=member_id).exists():
        sweep.recompute_member(member_id)


def schedule_recompute(member_id: int | None) -> None:
    """Recompute ``member_id`` (``EVERY_MEMBER``: all) after the current transaction commits, once."""
    if member_id is None:
        return
    connection = transaction.get_connection()
    for _sids, func, _robust in getattr(connection, "run_on_commit", ()):
        if isinstance(func, partial) and func.func is _recompute and func.args in ((member_id,), (EVERY_MEMBER,)):
            return
    transaction.on_commit(partial(_recompute, member_id))


def _on_member_record_changed(sender, member_id=None, **kwargs):
    schedule_recompute(member_id)


def connect() -> None:
    from ogp.signals import member_record_changed

    member_record_changed.connect(_on_member_record_changed, dispatch_uid="compliance-recompute")
