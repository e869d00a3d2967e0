"""Benchmark the compliance sweep and the what-if report over many members.

Usage (prints figures, asserts nothing):
    # sweep the data already there (generated scale data), twice; prints time, queries, peak memory
    # (--forget-sweep first deletes what earlier sweeps wrote, so that the first run writes again):
    DATABASE_URL=postgres://ogp:ogp@127.0.0.1:5432/ogp_bench .venv/bin/python bench/sweep.py --existing --as-of 2026-11-29
    DEBUG=true DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/sweep.py --members 200
    DEBUG=true DATABASE_URL=postgres://ogp:ogp@127.0.0.1:5432/ogp_bench .venv/bin/python bench/sweep.py

In-process: ``sweep_all`` is the same code the daily Celery job runs a chunk at a time
(``compliance.tasks.sweep_chunk_task``); ``bench/sweep_worker.py`` times that job through a real worker.

Each member gets a 2018–2020 plan with 5 commitments of 3 milestones, a forum with
a few held meetings and some published progress, so that the sweep writes real findings.
"""

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogp_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from commitments.models import ActionPlan, Commitment, Member, Milestone, ProgressUpdate  # noqa: E402
from compliance.models import Finding, StatusEvent  # noqa: E402
from compliance.services import sweep_all  # noqa: E402
from forums.models import Forum, Meeting  # noqa: E402


def build(n):
    members = Member.objects.bulk_create(
        Member(name=f"Bench member {i}", code=f"BX{i:04d}", country="Benchland", joined_on=dt.date(2017, 11, 21))
        for i in range(n)
    )
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(member=m, title=f"Plan {m.code}", start_date=dt.date(2018, 9, 1), end_date=dt.date(2020, 8, 31))
        for m in members
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(plan=p, identifier=f"{p.member.code}{j:04d}", title=f"Commitment {j}", number=j)
        for p in plans
        for j in range(1, 6)
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(commitment=c, number=f"1.{k}", deliverable="Deliverable") for c in commitments for k in range(1, 4)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            milestone=m,
            period_start=dt.date(2019, 1, 1),
            period_end=dt.date(2019, 6, 30),
            completion="limited",
            state="published",
            published_at=timezone.make_aware(dt.datetime(2019, 7, 15, 12)),
        )
        for m in milestones[::3]
    )
    forums = Forum.objects.bulk_create(Forum(member=m, name=f"Forum {m.code}") for m in members)
    Meeting.objects.bulk_create(
        Meeting(forum=f, starts_at=timezone.make_aware(dt.datetime(2018 + q // 4, 1 + 3 * (q % 4), 15, 12)), status="held")
        for f in forums
        for q in range(0, 8)
    )


def timed(label, fn):
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start, cpu = time.perf_counter(), time.process_time()
        value = fn()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU: this process's (not the database's); on a shared machine it varies less than wall time with the load.
    print(f"{label:<42} {elapsed:8.2f} s  {count[0]:7d} queries  {cpu:7.2f} s CPU  load {os.getloadavg()[0]:.1f}")
    return value, elapsed


def clean():
    ActionPlan.objects.filter(member__code__startswith="BX").delete()
    Member.objects.filter(code__startswith="BX").delete()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--as-of", default="2024-01-01")
    parser.add_argument("--existing", action="store_true", help="sweep the members already in the database (no build)")
    parser.add_argument(
        "--forget-sweep", action="store_true",
        help="with --existing: first delete what sweeps wrote (rule findings, status events, rule deadlines, cycles, "
        "standings and their history), so that the first run writes again. For a benchmark database only.",
    )
    args = parser.parse_args()
    if args.existing:
        return existing(args)
    call_command("migrate", verbosity=0)
    clean()
    now = timezone.make_aware(dt.datetime.fromisoformat(args.as_of + "T12:00"))
    print(f"database: {connection.vendor}; members: {args.members}; as of {args.as_of}")
    timed("build data", lambda: build(args.members))
    bench = Member.objects.filter(code__startswith="BX")
    _, first = timed("sweep, first run (writes findings)", lambda: sweep_all(now, notify="none"))
    findings = Finding.objects.filter(member__in=bench).count()
    events = StatusEvent.objects.filter(member__in=bench).count()
    print(f"  findings written: {findings}; status events: {events}; {first / args.members * 1000:.1f} ms a member")
    _, second = timed("sweep, second run (nothing to write)", lambda: sweep_all(now, notify="none"))
    print(f"  {second / args.members * 1000:.1f} ms a member")
    out = io.StringIO()
    timed("compliance_report --json (read-only)", lambda: call_command("compliance_report", "--as-of", args.as_of, "--json", stdout=out))
    clean()


def forget_sweep():
    """Delete every row a sweep writes (and its history), as before the first sweep of a new deployment."""
    from compliance.models import Cycle, Deadline, Letter, MemberStanding

    lettered = set(Letter.objects.exclude(status_event=None).values_list("status_event_id", flat=True))
    deleted = {
        "findings": Finding.objects.filter(source=Finding.Source.RULE)._raw_delete(Finding.objects.db),
        "finding history": Finding.history.filter(source=Finding.Source.RULE)._raw_delete(Finding.objects.db),
        "status events": StatusEvent.objects.exclude(pk__in=lettered)._raw_delete(StatusEvent.objects.db),
        "status event history": StatusEvent.history.exclude(id__in=lettered)._raw_delete(StatusEvent.objects.db),
        "deadlines": Deadline.objects.filter(kind=Deadline.Kind.ACTION_PLAN, source=Deadline.Source.RULE)._raw_delete(Deadline.objects.db),
        "deadline history": Deadline.history.filter(kind=Deadline.Kind.ACTION_PLAN, source=Deadline.Source.RULE)._raw_delete(Deadline.objects.db),
        "cycles": Cycle.objects.all()._raw_delete(Cycle.objects.db),
        "standings": MemberStanding.objects.all()._raw_delete(MemberStanding.objects.db),
    }
    print("forgot the sweep's rows: " + ", ".join(f"{n} {name}" for name, n in deleted.items()))


def existing(args):
    """Sweep every member already in the database twice (the first run may write, the second should not)."""
    import resource

    now = timezone.make_aware(dt.datetime.fromisoformat(args.as_of + "T12:00"))
    if args.forget_sweep:
        forget_sweep()
    members = Member.objects.count()
    print(f"database: {connection.vendor}; members: {members}; as of {args.as_of}")
    for label in ("sweep, first run", "sweep, second run"):
        before = Finding.objects.count(), StatusEvent.objects.count()
        results, elapsed = timed(label, lambda: sweep_all(now, notify="none"))
        changed = sum(1 for r in results if r.changed or r.standing_changed)
        after = Finding.objects.count(), StatusEvent.objects.count()
        print(f"  {changed} members changed; findings +{after[0] - before[0]}, status events +{after[1] - before[1]}; "
              f"{elapsed / members * 1000:.1f} ms a member")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
