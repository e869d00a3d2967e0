"""A real Celery worker on a real Redis: the sweep, a worker SIGKILLed mid-sweep, and two beats at once.

These start ``celery worker`` and ``celery beat`` subprocesses on the test
database (a file SQLite database, or PostgreSQL's ``test_<name>``), so they need
committed data: ``django_db(transaction=True)``. Without Redis they skip
locally and fail under CI=true.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from commitments.models import Member, Role
from compliance import services, sweep
from compliance.models import Decision, Finding, StatusEvent
from compliance.tasks import sweep_all_task
from forums.models import Forum, Meeting
from outbox.models import Message as OutboxMessage
from tests.conftest import require_service
from tests.factories import AgencyFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


def redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2)


def redis_available():
    try:
        return bool(redis_client().ping())
    except Exception:
        return False


def database_url():
    """Return a DATABASE_URL for the database this test runs on (the test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    assert connection.vendor == "postgresql"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Celery:
    """Start and stop celery subprocesses on one private queue."""

    def __init__(self, tmp_path, **env):
        self.tmp = tmp_path
        self.queue = f"ogp-test-{uuid.uuid4().hex[:12]}"
        self.procs = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.compliance.celery_worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "OGP_TEST_QUEUE": self.queue,
            "PYTHONUNBUFFERED": "1",
            **{k: str(v) for k, v in env.items()},
        }

    def start(self, *args, name):
        log = open(self.tmp / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ogp_portal", *args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        proc.log_path = self.tmp / f"{name}.log"
        self.procs.append(proc)
        return proc

    def worker(self, name="worker", pool="solo", concurrency=1):
        return self.start(
            "worker", "-Q", self.queue, "-P", pool, "-c", str(concurrency), "-n", f"{name}-{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO", name=name,
        )

    def beat(self, name):
        return self.start(
            "beat", "-s", str(self.tmp / f"{name}-schedule"), "--pidfile", str(self.tmp / f"{name}.pid"), "-l", "INFO",
            name=name,
        )

    def send_sweep(self):
        sweep_all_task.apply_async(queue=self.queue)

    def stop(self, proc, sig=signal.SIGTERM, timeout=20):
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self):
        for proc in self.procs:
            self.stop(proc)
        client = redis_client()
        client.delete(self.queue)

    def logs(self):
        return "\n".join(f"--- {p.log_path.name}\n{p.log_path.read_text(errors='replace')[-4000:]}" for p in self.procs)


@pytest.fixture
def celery(tmp_path):
    require_service(redis_available(), f"Redis at {settings.REDIS_URL}")
    runner = Celery(tmp_path)
    yield runner
    runner.close()


def expected_keys(now):
    """Return the (member, kind, subject, period) of every finding the rules give as of ``now``."""
    keys = set()
    for member in Member.objects.all():
        for f in services.evaluate_member(member, now).findings:
            keys.add((member.code, f.kind, f.subject, f.period))
    return keys


def expected_events(now):
    """Return the (member, status, effective_on) of every status change the rules give as of ``now``."""
    return {
        (member.code, c.status, c.effective_on)
        for member in Member.objects.all()
        for c in services.evaluate_member(member, now).changes
    }


def finding_keys():
    return list(Finding.objects.values_list("member__code", "kind", "subject", "period"))


def wait_until(predicate, timeout, what, celery):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{celery.logs()}")


def many_members(count, *, since=dt.date(2014, 1, 10)):
    """Create ``count`` members whose forum last met on ``since``: about four findings a year each."""
    members = Member.objects.bulk_create(
        [Member(name=f"Member {i}", code=f"ZZ{i:03d}", country="Testland", joined_on=dt.date(2013, 1, 1)) for i in range(count)]
    )
    forums = Forum.objects.bulk_create([Forum(member=m, name=f"Forum {m.code}") for m in members])
    start = dt.datetime.combine(since, dt.time(10), tzinfo=dt.UTC)
    Meeting.objects.bulk_create([Meeting(forum=f, starts_at=start, status=Meeting.Status.HELD) for f in forums])
    return members


def test_the_sweep_run_by_a_real_worker_writes_the_expected_findings(kg, celery):
    expected = expected_keys(timezone.now())
    worker = celery.worker()
    celery.send_sweep()
    wait_until(lambda: Finding.objects.count() >= len(expected), 60, "the worker's sweep", celery)
    wait_until(lambda: StatusEvent.objects.count() == 3, 10, "the status events", celery)
    celery.stop(worker)
    assert sorted(finding_keys()) == sorted(expected)
    assert list(StatusEvent.objects.order_by("effective_on").values_list("status", "effective_on")) == [
        ("contrary_to_process", dt.date(2022, 1, 1)),
        ("under_review", dt.date(2023, 1, 1)),
        ("inactive_recommended", dt.date(2024, 1, 1)),
    ]


def finished(task, *procs):
    """Return how many ``task`` runs the workers' logs say finished."""
    lines = [line for proc in procs for line in proc.log_path.read_text(errors="replace").splitlines()]
    return sum(1 for line in lines if f"{task}[" in line and " succeeded in " in line)


def test_a_worker_killed_mid_sweep_and_restarted_leaves_no_duplicate_and_no_missing_finding(tmp_path, celery, record_property):
    celery.env["OGP_TEST_VISIBILITY_TIMEOUT"] = "4"
    many_members(60)
    expected = expected_keys(timezone.now())
    assert len(expected) > 2000

    first = celery.worker("first")
    celery.send_sweep()
    wait_until(lambda: Finding.objects.count() >= len(expected) * 2 // 5, 90, "40 % of the sweep", celery)
    os.killpg(first.pid, signal.SIGKILL)  # the worker and anything it started, without warning
    first.wait()
    at_kill = Finding.objects.count()
    assert 0 < at_kill < len(expected), "the kill must land in the middle of the sweep"
    per_member = len(expected) // 60
    partial = [
        code for code, n in Counter(code for code, *_ in finding_keys()).items() if n < per_member
    ]

    second = celery.worker("second")
    chunks = len(sweep.member_chunks(int(celery.env.get("OGP_TEST_SWEEP_CHUNK", 5))))  # as the worker splits them
    assert chunks >= 10
    wait_until(
        lambda: finished("sweep_chunk_task", first, second) >= chunks, 180, "the restarted worker to finish the sweep", celery
    )
    keys = finding_keys()
    assert len(keys) == len(set(keys)), "duplicate findings"
    assert set(keys) == expected, "missing or unexpected findings"
    # Three more sweeps change nothing: the same findings and status events, field by field.
    before = (sorted(Finding.objects.values_list()), sorted(StatusEvent.objects.values_list()))
    for _ in range(3):
        celery.send_sweep()
    done = finished("sweep_chunk_task", second)
    wait_until(lambda: finished("sweep_chunk_task", second) >= done + 3 * chunks, 300, "three more sweeps", celery)
    after = (sorted(Finding.objects.values_list()), sorted(StatusEvent.objects.values_list()))
    figure = (
        f"SIGKILL at {at_kill} of {len(expected)} findings ({100 * at_kill // len(expected)} %); after restart {len(keys)} findings, "
        f"{len(keys) - len(set(keys))} duplicates, {len(expected - set(keys))} missing; 3 more sweeps changed "
        f"{0 if after == before else 'something'}"
    )
    record_property("R3", figure)
    print("\n" + figure, f"(members mid-sweep at the kill: {partial or 'none'})")
    assert after == before


def test_two_beats_at_once_for_a_minute_produce_no_duplicate_finding(kg, celery, record_property):
    seconds = float(os.environ.get("OGP_BEAT_TEST_DURATION", "60"))
    many_members(5, since=dt.date(2020, 2, 1))
    expected = expected_keys(timezone.now())
    worker = celery.worker("worker", pool="prefork", concurrency=2)
    beats = [celery.beat("beat-a"), celery.beat("beat-b")]
    time.sleep(seconds)
    for beat in beats:
        celery.stop(beat)
    time.sleep(3)  # let the last queued sweeps finish (stale ones expire)
    celery.stop(worker)
    keys = finding_keys()
    assert len(keys) == len(set(keys)), "duplicate findings"
    assert set(keys) == expected
    events = list(StatusEvent.objects.values_list("member__code", "status", "effective_on"))
    assert len(events) == len(set(events)), "duplicate status events"
    assert set(events) == expected_events(timezone.now())
    log = worker.log_path.read_text(errors="replace")
    runs = log.count("sweep_all_task")
    per_beat = [p.log_path.read_text(errors="replace").count("Sending due task") for p in beats]
    sent = sum(per_beat)
    # Each beat sends a sweep every 2 s once started; on a loaded machine start-up eats into the minute,
    # so ask for a third of the schedule from each (the point is that both ran at once, not their pace).
    assert min(per_beat) >= (seconds // 2) / 3, f"both beats should have sent sweeps ({per_beat})\n{celery.logs()}"
    print(f"\n{sent} sweeps sent by two beats in {seconds:.0f} s; worker log mentions sweep_all_task {runs} times")
    record_property("R4", f"two beats for {seconds:.0f} s sent {sent} sweeps ({per_beat}): 0 duplicate findings of {len(keys)}, 0 duplicate status events of {len(events)}")


def expected_reminders(now):
    """Return the reminder keys (as send_member_reminders builds them) due as of ``now``."""
    keys = set()
    for member in Member.objects.all():
        for deadline in services.evaluate_member(member, now).next_deadlines:
            threshold = services.reminder_threshold(deadline.days_left)
            if threshold is None:
                continue
            for user in services.recipients_for(member, deadline.kind):
                key = f"reminder:{member.code}:{deadline.kind}:{deadline.subject}:{deadline.due.isoformat()}:{threshold}:{user.pk}"
                keys.add(f"compliance:{key[:200]}")
    return keys


def test_two_beats_sending_the_reminders_at_once_send_each_email_once(tmp_path, record_property):
    """R4, emails: two beats queue the reminders job (with reminders and notices due) every 2 s for
    ``OGP_BEAT_TEST_DURATION`` s (20 by default), two worker processes run them at once: every outbox row is
    sent exactly once, and no email is handed to the mail backend twice."""
    require_service(redis_available(), f"Redis at {settings.REDIS_URL}")
    seconds = float(os.environ.get("OGP_BEAT_TEST_DURATION", "20"))
    now = timezone.now()
    today = services.today_for(now)
    members = many_members(4, since=dt.date(2020, 2, 1))
    for member in members:
        # A remedial deadline five days away (the 7-day reminder is due whatever today is), and people to tell.
        Decision.objects.create(
            member=member, kind=Decision.Kind.SC_REMEDIAL_DEADLINE, decided_on=today - dt.timedelta(days=10),
            due_on=today + dt.timedelta(days=5), document="Steering Committee letter",
        )
        agency = AgencyFactory(member=member, name=f"Ministry {member.code}")
        for kind in (Role.Kind.POINT_OF_CONTACT, Role.Kind.COORDINATOR, Role.Kind.SECRETARIAT):
            RoleFactory(
                member=member, kind=kind, user=UserFactory(username=f"{kind}-{member.code}".lower()),
                agency=agency if kind == Role.Kind.COORDINATOR else None,
            )
    # Findings whose notices are pending (the sweep below only records them; the reminders job sends them).
    services.sweep_all(now, notify="none")
    reminders = expected_reminders(now)
    assert len(reminders) >= 8, "the data should have reminders due"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    runner = Celery(tmp_path, OGP_TEST_BEAT_TASK="reminders", OGP_TEST_MAIL_DIR=mail_dir)
    try:
        worker = runner.worker("worker", pool="prefork", concurrency=2)
        beats = [runner.beat("beat-a"), runner.beat("beat-b")]
        time.sleep(seconds)
        for beat in beats:
            runner.stop(beat)
        time.sleep(3)  # let the last queued runs finish (stale ones expire)
        runner.stop(worker)
        per_beat = [p.log_path.read_text(errors="replace").count("Sending due task") for p in beats]
        assert min(per_beat) >= (seconds // 2) / 3, f"both beats should have sent the job ({per_beat})\n{runner.logs()}"
        logs = runner.logs()
    finally:
        runner.close()
    rows = list(OutboxMessage.objects.values_list("key", "email", "subject", "sent_at", "attempts"))
    keys = Counter(key for key, *_ in rows)
    assert not [k for k, n in keys.items() if n > 1], "duplicate outbox rows"
    assert reminders <= set(keys), f"reminders missing from the outbox: {sorted(reminders - set(keys))[:5]}\n{logs}"
    assert all(sent_at is not None and attempts == 1 for *_, sent_at, attempts in rows), f"unsent or resent rows\n{logs}"
    sent = Counter(
        (address, line["subject"])
        for path in mail_dir.glob("sent-*.jsonl")
        for line in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        for address in line["to"]
    )
    duplicates = sum(n - 1 for n in sent.values() if n > 1)
    assert sent == Counter((email, subject) for _, email, subject, *_ in rows), "emails sent ≠ outbox rows, once each"
    assert duplicates == 0
    notices = sum(1 for key in keys if not key.startswith("compliance:reminder:"))
    figure = (
        f"two beats for {seconds:.0f} s sent the reminders job {sum(per_beat)} times ({per_beat}): {len(rows)} outbox rows "
        f"({len(reminders)} reminders, {notices} notices), {sum(sent.values())} emails sent: 0 duplicate rows, "
        f"{duplicates} duplicate emails"
    )
    record_property("R4", "emails: " + figure)
    print("\n" + figure)
