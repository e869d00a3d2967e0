"""Thin Celery tasks: take IDs, read the clock once, call the service (which sends each email once)."""

from celery import shared_task
from django.utils import timezone

from . import services

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def notify_followers_task(kind: str, pk: int) -> int:
    """Email the followers of one event (kind, object id); a second run sends nothing."""
    return services.send_notices(kind, pk, now=timezone.now())


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def workflow_notice_task(event: str, pk: int) -> int:
    """Tell everyone who must act after one event (see ``engagement.notices``); a second run sends nothing."""
    from . import notices

    return notices.send_workflow_notice(event, pk, now=timezone.now())
