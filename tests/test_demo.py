"""The demo behaves like production: one cache for all its workers, and compliance status follows changes.

``make run`` serves two gunicorn workers with ``DEMO=true``. The first test starts exactly that (two
real worker processes on a loopback port, the demo's environment and its default cache) on the
test database, warms a public page in both workers, changes the commitment through one of them and
asserts that from then on both serve the change. The others check that in demo mode a change that
affects a member's status sweeps the member at once, and that the daily jobs run on schedule.
"""

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from commitments import progress
from commitments.models import ActionPlan, Commitment, Role
from compliance.engine import Period
from compliance.models import Finding
from compliance.services import sweep_member

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def demo_env(tmp_path, port):
    """The environment of ``make run`` (the Makefile's DEMO_ENV) on the test database, with no CACHE_URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE", "PUBLIC_PAGE_CACHE")}
    env.update(
        DJANGO_SETTINGS_MODULE="ogp_portal.settings",
        DEMO="true",
        DEBUG="false",
        DATABASE_URL=_database_url(),
        REDIS_URL="memory://",
        EMAIL_URL="consolemail://",
        SECRET_KEY="demo-test-key-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_PRELOAD="false",
        # Kept apart from a demo running in this checkout: the same default cache, in another folder.
        DEMO_CACHE_DIR=str(tmp_path / "demo-cache"),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    return env


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _pids_served(log, path, after=0):
    """Return the worker pids the access log shows serving ``path`` (lines from ``after`` on)."""
    lines = log.read_text().splitlines()[after:]
    return {m.group(1) for line in lines if (m := re.match(rf"<(\d+)> GET {re.escape(path)} ", line))}


@pytest.fixture
def demo_server(transactional_db, seed_data, tmp_path):
    """``make run``'s server: gunicorn with two workers and the demo's settings, on the test database."""
    port = _free_port()
    env = demo_env(tmp_path, port)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log = tmp_path / "access.log"
    log.touch()
    server = subprocess.Popen(
        [
            str(GUNICORN), "ogp_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--access-logfile", str(log), "--access-logformat", "%(p)s %(r)s %(s)s",
            # One control socket per user by default: test runs side by side (SQLite, PostgreSQL) need none.
            "--no-control-socket",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until it answers
            try:
                if _get(base + "/api/v1/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_both_demo_workers_serve_a_change_at_once(demo_server):
    base, log = demo_server
    kg17 = Commitment.objects.get(identifier="KG0017")
    path = kg17.get_absolute_url()
    # 1. Both workers have the anonymous page in the cache (each answered it at least twice).
    for _ in range(400):
        status, html = _get(base + path)
        assert status == 200 and kg17.title in html
        lines = log.read_text().splitlines()
        served = [m.group(1) for line in lines if (m := re.match(rf"<(\d+)> GET {re.escape(path)} ", line))]
        if len(set(served)) == 2 and all(served.count(pid) >= 2 for pid in set(served)):
            break
    else:
        pytest.fail("the two workers did not both serve the page")

    # 2. The commitment is changed through the API, so through one of the two workers.
    admin = get_user_model().objects.create_superuser("demo-root", "root@example.org", "pw-123456789")
    from apitokens.services import create_token

    _token, secret = create_token(admin, name="demo test", scope="read_write", days=1, now=timezone.now())
    detail = f"{base}/api/v1/commitments/{kg17.pk}/"
    request = urllib.request.Request(detail, headers={"Authorization": f"Bearer {secret}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        etag = response.headers["ETag"]
    new_title = "Audit with public participation (changed in the demo)"
    request = urllib.request.Request(
        detail,
        data=json.dumps({"title": new_title}).encode(),
        method="PATCH",
        headers={"Authorization": f"Bearer {secret}", "If-Match": etag, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 200
    changed_at = len(log.read_text().splitlines())

    # 3. From now on every answer, from either worker, shows the change: none is stale.
    for _ in range(400):
        status, html = _get(base + path)
        assert status == 200
        assert new_title in html, "a worker served the page from before the change"
        if len(_pids_served(log, path, after=changed_at)) == 2:
            break
    else:
        pytest.fail("the two workers did not both serve the page after the change")


@pytest.fixture
def demo_mode(settings):
    """What DEMO=true sets: tasks run in-process, and a change that affects status sweeps its member."""
    from ogp_portal.celery import app

    settings.COMPLIANCE_SWEEP_ON_CHANGE = True
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.mark.django_db
def test_in_the_demo_publishing_the_status_report_updates_compliance_at_once(
    seed_data, demo_mode, ran, django_capture_on_commit_callbacks, django_user_model
):
    kg17 = Commitment.objects.select_related("plan__member").get(identifier="KG0017")
    plan, member = kg17.plan, kg17.plan.member
    ActionPlan.objects.filter(pk=plan.pk).update(submitted_on=dt.date(2018, 8, 31))
    sweep_member(member.pk, now=_at(dt.date(2019, 7, 5)), notify="none")
    finding = Finding.objects.get(member=member, kind="missed_status_update", period="2019-H1")
    assert finding.resolved_on is None

    poc = django_user_model.objects.create_user("poc", "poc@example.org", "pw-123456789")
    Role.objects.create(user=poc, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    with time_machine.travel(_at(dt.date(2019, 7, 10)), tick=False):
        now = timezone.now()
        for commitment in plan.commitments.all():
            milestone = commitment.milestones.order_by("id").first()
            update = progress.save_progress(milestone, H1_2019, by=admin, data={"completion": "limited"}, version=0, now=now)
            update = progress.submit_progress(update, by=admin, version=update.version, now=now)
            progress.approve_progress(update, by=poc, version=update.version, now=now)
        report = progress.open_status_report(plan, H1_2019, by=poc)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            progress.publish_status_report(report, by=poc, version=report.version, now=now)
    # No one ran the sweep: publishing sent the domain event, compliance queued the sweep on commit, the demo ran it.
    assert len([c for c in callbacks if _is_recompute(c)]) == 1
    assert ran == ["compliance.tasks.sweep_member_task"]
    finding.refresh_from_db()
    # The missed half-year stays missed (findings are history); the late report ended the run that day.
    assert finding.met_again_on == dt.date(2019, 7, 10)


def _is_recompute(callback):
    from functools import partial

    from compliance.signals import _recompute

    return isinstance(callback, partial) and callback.func is _recompute


@pytest.fixture
def ran():
    """The names of the Celery tasks run (in-process, eager) during the test."""
    from celery.signals import task_postrun

    names = []

    def record(sender=None, **kwargs):
        names.append(sender.name)

    task_postrun.connect(record, weak=False)
    yield names
    task_postrun.disconnect(record)


def _admin(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")


@pytest.mark.django_db
def test_outside_the_demo_a_change_queues_no_sweep_and_recomputes_in_process(
    seed_data, settings, ran, django_capture_on_commit_callbacks, django_user_model
):
    from commitments import services as commitments
    from compliance.models import MemberStanding
    from ogp_portal.celery import app
    from ogp_portal.versioning import current_version

    settings.COMPLIANCE_SWEEP_ON_CHANGE = False
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True  # a task queued would run here, and be seen
    try:
        plan = ActionPlan.objects.get(member__code="KG")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            commitments.update_plan(plan, by=_admin(django_user_model), data={"title": plan.title + " "},
                                    version=current_version(plan))
    finally:
        app.conf.task_always_eager = eager
    assert len([c for c in callbacks if _is_recompute(c)]) == 1
    assert "compliance.tasks.sweep_member_task" not in ran  # no sweep queued outside the demo …
    assert MemberStanding.objects.filter(member=plan.member).exists()  # … the member was recomputed in-process


@pytest.mark.django_db
def test_many_changes_of_one_member_in_one_transaction_queue_one_sweep(
    seed_data, demo_mode, ran, django_capture_on_commit_callbacks, django_user_model
):
    from django.db import transaction

    from commitments import services as commitments
    from forums import services as forums
    from forums.models import Forum
    from ogp_portal.versioning import current_version

    admin = _admin(django_user_model)
    forum = Forum.objects.get(member__code="KG")
    plan = ActionPlan.objects.get(member__code="KG")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        plan = commitments.update_plan(plan, by=admin, data={"title": plan.title + " "}, version=current_version(plan))
        forums.update_forum(forum, by=admin, data={"name": forum.name + " "}, version=current_version(forum))
        commitments.update_plan(plan, by=admin, data={"title": plan.title + "."}, version=current_version(plan))
    assert len([c for c in callbacks if _is_recompute(c)]) == 1
    assert ran.count("compliance.tasks.sweep_member_task") == 1


def test_the_daily_jobs_are_due_by_the_beat_schedule():
    from compliance.management.commands.run_schedule import due_jobs

    # The compliance jobs; the outbox's retry run (every 5 minutes) and digest are checked below.
    schedule = {k: v for k, v in django_settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("compliance-")}
    bishkek = timezone.get_default_timezone()
    yesterday = {
        "compliance-daily-sweep": dt.datetime(2026, 12, 7, 0, 20, tzinfo=bishkek),
        "compliance-reminders": dt.datetime(2026, 12, 7, 9, 5, tzinfo=bishkek),
    }
    with time_machine.travel(dt.datetime(2026, 12, 8, 0, 16, tzinfo=bishkek), tick=False):
        due, wait = due_jobs(schedule, yesterday, timezone.now())
    assert due == ["compliance-daily-sweep"]
    with time_machine.travel(dt.datetime(2026, 12, 8, 8, 0, tzinfo=bishkek), tick=False):
        due, wait = due_jobs(schedule, {**yesterday, "compliance-daily-sweep": timezone.now()}, timezone.now())
    assert due == [] and 59 * 60 <= wait <= 61 * 60  # the reminders, at 09:00
    outbox = {k: django_settings.CELERY_BEAT_SCHEDULE[k] for k in ("outbox-retry", "outbox-daily-digest")}
    with time_machine.travel(dt.datetime(2026, 12, 8, 8, 0, tzinfo=bishkek), tick=False):
        last = {"outbox-retry": dt.datetime(2026, 12, 8, 7, 55, tzinfo=bishkek), "outbox-daily-digest": dt.datetime(2026, 12, 7, 8, 0, tzinfo=bishkek)}
        due, wait = due_jobs(outbox, last, timezone.now())
    assert sorted(due) == ["outbox-daily-digest", "outbox-retry"]


@pytest.mark.django_db
def test_the_scheduled_sweep_runs_in_process_in_the_demo(seed_data, demo_mode):
    from compliance.management.commands.run_schedule import run_job
    from compliance.models import MemberStanding

    assert not MemberStanding.objects.exists()
    with time_machine.travel(dt.datetime(2024, 1, 1, 0, 20, tzinfo=timezone.get_default_timezone()), tick=False):
        assert run_job(django_settings.CELERY_BEAT_SCHEDULE["compliance-daily-sweep"]) == 1  # one chunk (2 members) queued, and run
    assert set(MemberStanding.objects.values_list("member__code", flat=True)) == {"KG", "KGBSK"}
