"""Run the periodic jobs of ``CELERY_BEAT_SCHEDULE`` on their schedule, in this process (the demo's beat).

Production runs one ``celery beat`` feeding the workers through Redis. The demo has neither (its
broker is in memory, ``DEMO=true`` runs tasks in-process), so ``make run`` starts this command
beside gunicorn: it waits for the next job that is due by the same schedule (crontabs in the
portal's time zone) and runs its task here; the tasks it queues run here too. Every job is
idempotent, so a run repeated by hand (``compliance_sweep``, ``send_reminders``) does no harm.
"""

import datetime as dt
import logging
import signal
import threading

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

logger = logging.getLogger(__name__)


def due_jobs(schedule, last_runs, now):
    """Return ``(names due now, seconds until the next one is due)`` for ``schedule`` given each job's last run."""
    due, wait = [], 24 * 60 * 60.0
    for name, entry in schedule.items():
        is_due, next_in = entry["schedule"].is_due(last_runs[name])
        if is_due:
            due.append(name)
        wait = min(wait, next_in)
    return due, max(wait, 1.0)


def run_job(entry):
    """Run one scheduled task in this process (its own queued tasks run eagerly where the demo says so)."""
    task = current_app.tasks[entry["task"]]
    return task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {})).get(propagate=False)


class Command(BaseCommand):
    help = "Run the scheduled jobs (CELERY_BEAT_SCHEDULE) on schedule in this process: the demo's stand-in for celery beat."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run every job once at start, then keep to the schedule.")

    def handle(self, *args, now=False, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        schedule = settings.CELERY_BEAT_SCHEDULE
        # As if each job had just run (``make run`` swept already): the next run is the next scheduled one.
        start = timezone.now() - (dt.timedelta(days=1) if now else dt.timedelta(0))
        last_runs = {name: start for name in schedule}
        self.stdout.write(f"Running {', '.join(schedule)} on schedule (time zone {settings.TIME_ZONE}).")
        while not stop.is_set():
            due, wait = due_jobs(schedule, last_runs, timezone.now())
            for name in due:
                last_runs[name] = timezone.now()
                try:
                    result = run_job(schedule[name])
                    self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M} {name}: {result}")
                except Exception:  # the next day's run tries again; the demo keeps serving
                    logger.exception("Scheduled job %s failed", name)
            if not due:
                stop.wait(wait)
