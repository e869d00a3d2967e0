"""Benchmark the daily compliance sweep as production runs it: the Celery job through a real worker.

Starts ``celery -A ogp_portal worker`` (a subprocess, prefork, ``--concurrency`` processes, a private
queue) on the database of ``DATABASE_URL`` (or of each ``--database``), queues ``sweep_all_task`` (which
queues one ``sweep_chunk_task`` per chunk of members), and waits for every chunk's "done" line in the
worker's log (each chunk logs its members, changes, SQL queries and time). Prints, for a first sweep
(with ``--forget-sweep``: after deleting what earlier sweeps wrote, so that it writes everything again)
and a second one (nothing to write): the time from queueing the job to the last chunk done, the SQL
queries (the job's and every chunk's), and the worker processes' peak resident memory (VmHWM).

Usage (prints figures, asserts nothing; for a benchmark database only with --forget-sweep):
    DATABASE_URL=postgres://ogp:ogp@127.0.0.1:5432/ogp_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/sweep_worker.py --forget-sweep
    # two scales in one run (one worker each, in turn), with a table comparing them at the end:
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/sweep_worker.py --forget-sweep \\
        --database postgres://ogp:ogp@127.0.0.1:5432/ogp_s1 --database postgres://ogp:ogp@127.0.0.1:5432/ogp_s10
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHUNK_LINE = re.compile(r"compliance sweep chunk (\d+)-(\d+): (\d+) members, (\d+) changed, (\d+) queries, ([\d.]+) s")
REMINDERS_LINE = re.compile(r"compliance reminders: (\d+) sent, (\d+) queries, ([\d.]+) s")
JOB_LINE = re.compile(r"compliance sweep: queued (\d+) chunks of up to (\d+) members, (\d+) queries")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", help="a DATABASE_URL to sweep (repeat for several scales)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork; default 2)")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo"], help="the worker's pool (solo: one process)")
    parser.add_argument("--chunk", type=int, help="members a chunk (default: the setting, 1,000)")
    parser.add_argument("--runs", type=int, default=2, help="sweeps in a row (default 2: first, nothing to write)")
    parser.add_argument("--forget-sweep", action="store_true", help="first delete what sweeps wrote (bench/sweep.py)")
    parser.add_argument(
        "--reminders", action="store_true",
        help="then run the reminders job twice (it writes and 'sends' the reminders due today: a benchmark database only)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for one sweep")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one database, figures as JSON (internal)
    return parser.parse_args(argv)


def main():
    args = parse_args()
    if not args.database or len(args.database) == 1:
        if args.database:
            os.environ["DATABASE_URL"] = args.database[0]
        figures = run(args)
        if args.json:
            print("FIGURES " + json.dumps(figures))
        return
    # Several databases: one child process each (Django is set up once per process), then a comparison.
    rows = []
    for url in args.database:
        print(f"=== {url.rsplit('/', 1)[-1]}", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, *strip_databases(sys.argv[1:]), "--json"], env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.PIPE, text=True, check=False,
        )
        for line in child.stdout.splitlines():
            if line.startswith("FIGURES "):
                rows.append((url.rsplit("/", 1)[-1], json.loads(line[8:])))
            else:
                print(line)
    print("\ndatabase          members  chunks  sweep   time (s)  queries (job + chunks)  per chunk  peak RSS (MB): process, all (PSS)")
    for name, f in rows:
        for i, run_ in enumerate(f["runs"]):
            print(f"{name:<17} {f['members']:7d}  {run_['chunks']:6d}  {i + 1:5d}  {run_['seconds']:8.2f}  "
                  f"{run_['queries']:22d}  {run_['queries_per_chunk']!s:>9}  {f['peak_rss_mb']:.0f}, {f['peak_rss_total_mb']:.0f}")
        for i, run_ in enumerate(f.get("reminders", [])):
            print(f"{name:<17} {f['members']:7d}  reminders {i + 1}: {run_['seconds']:.2f} s, {run_['sent']} emails, "
                  f"{run_['queries']} queries ({run_['members']} members evaluated)")


def strip_databases(argv):
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == "--database":
            skip = True
        elif not a.startswith("--database="):
            out.append(a)
    return out


def run(args):
    """Sweep the database of DATABASE_URL ``args.runs`` times through a fresh worker; print and return the figures."""
    queue = f"ogp-bench-sweep-{uuid.uuid4().hex[:8]}"
    os.environ["OGP_BENCH_QUEUE"] = queue
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.worker_settings"
    if args.chunk:
        os.environ["COMPLIANCE_SWEEP_CHUNK"] = str(args.chunk)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from commitments.models import Member
    from compliance.sweep import chunk_size, member_chunks
    from compliance.tasks import sweep_all_task

    if args.forget_sweep:
        from bench.sweep import forget_sweep

        forget_sweep()
    members, chunks = Member.objects.count(), len(member_chunks())
    connection.close()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; members: {members}; "
          f"chunks of {chunk_size()}: {chunks}; worker pool {args.pool}, concurrency {args.concurrency}; "
          f"load {os.getloadavg()[0]:.1f}")
    log_path = Path(tempfile.mkdtemp(prefix="ogp-bench-sweep-")) / "worker.log"
    worker = start_worker(queue, args.concurrency, log_path, args.pool)
    figures = {"members": members, "runs": []}
    try:
        wait_for(lambda: "ready." in log_path.read_text(errors="replace"), 120, "the worker to start", worker, log_path)
        for i in range(args.runs):
            if i:
                drained = drain(queue, worker, log_path, args.timeout)
                print(f"{'':<26} (the tasks the sweep queued, e.g. followers' notices, drained in {drained:.2f} s first)")
            offset = log_path.stat().st_size
            start = time.perf_counter()
            sweep_all_task.apply_async(queue=queue)
            lines = []

            def done(offset=offset, lines=lines):
                with open(log_path, errors="replace") as log:
                    log.seek(offset)
                    lines[:] = log.read().splitlines()
                return sum(1 for line in lines if CHUNK_LINE.search(line)) >= chunks

            wait_for(done, args.timeout, f"sweep {i + 1}", worker, log_path)
            elapsed = time.perf_counter() - start
            chunk_rows = [CHUNK_LINE.search(line).groups() for line in lines if CHUNK_LINE.search(line)]
            job = next((JOB_LINE.search(line).groups() for line in lines if JOB_LINE.search(line)), (0, 0, 0))
            chunk_queries = [int(r[4]) for r in chunk_rows]
            run_ = {
                "seconds": elapsed, "chunks": len(chunk_rows), "members": sum(int(r[2]) for r in chunk_rows),
                "changed": sum(int(r[3]) for r in chunk_rows), "queries": int(job[2]) + sum(chunk_queries),
                "queries_per_chunk": sorted(set(chunk_queries)), "chunk_seconds": [float(r[5]) for r in chunk_rows],
            }
            figures["runs"].append(run_)
            label = "first sweep" if i == 0 else "again (nothing to write)" if i == 1 else f"sweep {i + 1}"
            print(f"{label:<26} {elapsed:7.2f} s (queued → last chunk done)  {run_['members']} members, "
                  f"{run_['changed']} changed; queries {run_['queries']} (job {job[2]}, chunks {chunk_queries}); "
                  f"chunk times {run_['chunk_seconds']} s; load {os.getloadavg()[0]:.1f}", flush=True)
        if args.reminders:
            figures["reminders"] = reminders(args, queue, worker, log_path)
        peaks = peak_rss(worker.pid)
        figures["peak_rss_mb"] = max(peaks.values()) if peaks else 0
        figures["peak_rss_total_mb"] = PSS_PEAK[0] = max(PSS_PEAK[0], total_pss(worker.pid))
        print("worker peak RSS (VmHWM, MB): " + ", ".join(f"{name} {mb:.0f}" for name, mb in peaks.items())
              + f"; all processes together (PSS, shared pages once, largest seen while sweeping): {PSS_PEAK[0]:.0f} MB")
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        import redis
        from django.conf import settings

        redis.Redis.from_url(settings.REDIS_URL).delete(queue)
    print(f"worker log: {log_path}")
    return figures


def reminders(args, queue, worker, log_path):
    """Run the reminders job twice through the worker; print how many members it evaluated, its time and queries."""
    from django.db import connection
    from django.utils import timezone

    from commitments.models import Member
    from compliance.notifications import recent_notice_members, reminder_members
    from compliance.selectors import today_for
    from compliance.tasks import send_reminders_task

    today = today_for(timezone.now())
    due, notices = reminder_members(today).count(), len(recent_notice_members(today))
    print(f"reminders: {due} of {Member.objects.count()} members to evaluate (stored deadline within 30 days, or no "
          f"standing of today), {notices} with recent findings or status changes", flush=True)
    connection.close()
    runs = []
    for i in range(2):
        offset = log_path.stat().st_size
        start = time.perf_counter()
        send_reminders_task.apply_async(queue=queue)
        found = []

        def done(offset=offset, found=found):
            with open(log_path, errors="replace") as log:
                log.seek(offset)
                found[:] = [m.groups() for m in map(REMINDERS_LINE.search, log.read().splitlines()) if m]
            return bool(found)

        wait_for(done, args.timeout, "the reminders job", worker, log_path)
        elapsed = time.perf_counter() - start
        sent, queries, seconds = found[0]
        runs.append({"seconds": elapsed, "sent": int(sent), "queries": int(queries), "members": due})
        print(f"reminders job {i + 1}: {elapsed:7.2f} s (queued → done; {float(seconds):.2f} s in the task)  "
              f"{sent} emails, {queries} queries; load {os.getloadavg()[0]:.1f}", flush=True)
    return runs


def start_worker(queue, concurrency, log_path, pool="prefork"):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = open(log_path, "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ogp_portal", "worker", "-Q", queue, "-P", pool, "-c", str(concurrency),
         "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


PSS_PEAK = [0.0]  # the largest total proportional set size of the worker's processes seen while waiting (MB)


def drain(queue, worker, log_path, timeout):
    """Wait until the worker has finished every task it received and its queue is empty; return the seconds waited.

    A sweep queues follow-on tasks (followers' notices of status changes); the next sweep is timed from an idle
    worker, so that it measures the sweep and not the backlog before it.
    """
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.REDIS_URL)
    start = time.perf_counter()

    def idle():
        text = log_path.read_text(errors="replace")
        finished = text.count("] succeeded in ") + text.count("] raised ") + text.count("] retry: ")
        return broker.llen(queue) == 0 and finished >= text.count("] received")

    wait_for(idle, timeout, "the worker to finish the tasks the sweep queued", worker, log_path)
    return time.perf_counter() - start


def wait_for(predicate, timeout, what, worker, log_path):
    deadline, polls = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            break
        polls += 1
        if polls % 4 == 0:
            PSS_PEAK[0] = max(PSS_PEAK[0], total_pss(worker.pid))
        time.sleep(0.05)
    sys.exit(f"gave up waiting for {what}; worker log {log_path}:\n{log_path.read_text(errors='replace')[-3000:]}")


def worker_pids(pid):
    return [pid] + [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == pid]


def total_pss(pid):
    """Return the worker's processes' proportional set size in all (shared pages counted once), in MB."""
    kb = 0
    for p in worker_pids(pid):
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        kb += int(match.group(1)) if match else 0
    return kb / 1024


def peak_rss(pid):
    """Return {process: peak resident MB} for the worker's main process and its pool processes (from /proc)."""
    peaks = {}
    for n, p in enumerate(worker_pids(pid)):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        peaks["main" if n == 0 else f"pool {p}"] = kb / 1024
    return peaks


def _ppid(proc_dir):
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


if __name__ == "__main__":
    main()
