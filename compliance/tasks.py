"""Thin Celery tasks: take IDs, read the clock once, call the service.

The services are idempotent, so a task redelivered after a lost worker
(``acks_late`` + ``reject_on_worker_lost``), a late beat, or two beats at once
write nothing twice.
"""

import logging
import time
from contextlib import contextmanager

from celery import shared_task
from django.db import connection
from django.utils import timezone

from commitments.models import Member

from . import notifications, sweep

logger = logging.getLogger(__name__)

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@contextmanager
def counting_queries():
    """Count the SQL statements run inside (``[n]``, read after the block)."""
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield queries


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def sweep_member_task(member_id: int) -> None:
    """Sweep one member as of now, and send its notices (a change to its record, ``compliance.signals``)."""
    if Member.objects.filter(pk=member_id).exists():
        sweep.sweep_member(member_id, now=timezone.now(), notify="inline")


@shared_task(**RELIABLE, soft_time_limit=60, time_limit=90)
def sweep_all_task() -> int:
    """Split the daily sweep into chunks of members (by id) and queue one :func:`sweep_chunk_task` each; return how many.

    Twin: ``manage.py compliance_sweep``. A redelivered or duplicated job (two beats) queues the chunks
    again, and a chunk swept twice writes nothing twice.
    """
    with counting_queries() as queries:
        chunks = sweep.member_chunks()
    for first_pk, last_pk in chunks:
        sweep_chunk_task.delay(first_pk, last_pk)
    logger.info("compliance sweep: queued %d chunks of up to %d members, %d queries", len(chunks), sweep.chunk_size(), queries[0])
    return len(chunks)


@shared_task(**RELIABLE, soft_time_limit=10 * 60, time_limit=11 * 60)
def sweep_chunk_task(first_pk: int, last_pk: int) -> int:
    """Sweep the members with ids ``first_pk`` to ``last_pk`` as of now (set-based), and send their notices.

    Logs the members, the changes, the SQL queries and the time (``bench/sweep_worker.py`` reads the line).
    """
    start = time.perf_counter()
    with counting_queries() as queries:
        results = sweep.sweep_range(first_pk, last_pk, now=timezone.now(), notify="inline")
    logger.info(
        "compliance sweep chunk %d-%d: %d members, %d changed, %d queries, %.2f s",
        first_pk, last_pk, len(results), sum(1 for r in results if r.changed or r.standing_changed), queries[0],
        time.perf_counter() - start,
    )
    return len(results)


@shared_task(**RELIABLE, soft_time_limit=10 * 60, time_limit=11 * 60)
def send_reminders_task() -> int:
    """Send the deadline reminders due today and any notice still pending (logs the count, queries and time)."""
    start = time.perf_counter()
    with counting_queries() as queries:
        sent = notifications.send_due_reminders(timezone.now())
    logger.info("compliance reminders: %d sent, %d queries, %.2f s", sent, queries[0], time.perf_counter() - start)
    return sent


@shared_task(**RELIABLE, soft_time_limit=5 * 60, time_limit=6 * 60)
def send_notices_task(member_id: int) -> int:
    """Send the notices of a member's new findings and status changes."""
    if not Member.objects.filter(pk=member_id).exists():
        return 0
    return notifications.send_pending_notices(member_id, now=timezone.now())
