"""Thin Celery tasks of the outbox: the retry run and the daily digest (both in the beat schedule)."""

from celery import shared_task
from django.utils import timezone

from . import services

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(**RELIABLE, soft_time_limit=60, time_limit=90)
def deliver_task(message_id: int) -> bool:
    """Deliver one outbox row (a second run sends nothing)."""
    return services.deliver(message_id, now=timezone.now())


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def deliver_due_task() -> int:
    """Deliver every row due: new ones whose task was lost, and failed ones whose next attempt has come."""
    return services.deliver_due(timezone.now())


@shared_task(**RELIABLE, soft_time_limit=10 * 60, time_limit=11 * 60)
def send_digests_task() -> int:
    """Send the daily digests."""
    return services.send_digests(timezone.now())
