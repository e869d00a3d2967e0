"""Thin Celery tasks: take IDs, read the clock once, call the service.

The services are idempotent, so a task redelivered after a lost worker
(``acks_late`` + ``reject_on_worker_lost``), a late beat, or two beats at once
write nothing twice.
"""

from celery import shared_task
from django.utils import timezone

from commitments.models import Member

from . import notifications, sweep

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def sweep_member_task(member_id: int) -> None:
    """Sweep one member as of now, and send its notices."""
    if Member.objects.filter(pk=member_id).exists():
        sweep.sweep_member(member_id, now=timezone.now(), notify="inline")


@shared_task(**RELIABLE, soft_time_limit=60, time_limit=90)
def sweep_all_task() -> int:
    """Fan the daily sweep out to one task per member; return how many were queued."""
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    for member_id in ids:
        sweep_member_task.delay(member_id)
    return len(ids)


@shared_task(**RELIABLE, soft_time_limit=10 * 60, time_limit=11 * 60)
def send_reminders_task() -> int:
    """Send the deadline reminders due today and any notice still pending."""
    return notifications.send_due_reminders(timezone.now())


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def send_notices_task(member_id: int) -> int:
    """Send the notices of a member's new findings and status changes."""
    if not Member.objects.filter(pk=member_id).exists():
        return 0
    return notifications.send_pending_notices(member_id, now=timezone.now())
