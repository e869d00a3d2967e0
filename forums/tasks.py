"""Thin Celery tasks: take IDs, read the clock once, call the service.

Sending is idempotent (each invitation row is claimed before it is sent), so a
task redelivered after a lost worker, or queued twice, sends nothing twice.
"""

from celery import shared_task
from django.utils import timezone

from . import services

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def send_invitations_task(meeting_id: int) -> int:
    """Send the invitations of a meeting's current revision not sent yet; return how many went out."""
    return services.send_meeting_invitations(meeting_id, now=timezone.now())
