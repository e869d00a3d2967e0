"""R15 Load: 16 connections for 30 s on the main pages, signed in and signed out, and the API lists, under
gunicorn on loopback. Prints requests, errors (any answer other than 2xx/3xx, and socket errors), requests a
second and latency percentiles. A pure-Python client (no wrk needed); every loop is bounded in time.

Usage (the database must hold data, e.g. ``make run``'s SQLite file or a PostgreSQL copy):

    .venv/bin/python bench/load.py --database-url postgres://ogp:ogp@127.0.0.1:5432/ogp_bench --seconds 30 --connections 16
    .venv/bin/python bench/load.py --database-url sqlite:///$PWD/db.sqlite3

It starts gunicorn (3 sync workers, ``ogp_portal.settings_test``: DEBUG off, static files from the finders,
API throttles raised so that the load measures the portal, not the throttle) on a free loopback port,
signs an administrator in through a stored session (``load-admin``, created if missing), runs the load and
stops the server. tests/reliability/test_r15_load.py runs the same for a few seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/", "/commitments/", "/compliance/", "/data/", "/ru/", "/ky/commitments/"]
API_LISTS = ["/api/v1/commitments/", "/api/v1/milestones/", "/api/v1/plans/", "/api/v1/members/", "/api/v1/findings/",
             "/api/v1/progress-updates/", "/api/v1/forums/"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(database_url: str, *, workers: int = 3, settings: str = "ogp_portal.settings_test", log: Path | None = None):
    """Run gunicorn on a free loopback port for the block; yield its base URL."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": database_url, "DEBUG": "false",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false", "PYTHONUNBUFFERED": "1"}
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ogp_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "120", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start in 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


def targets(session_cookie: str | None, extra_pages=()):
    """(path, headers) pairs: every page signed out and signed in, every API list signed out."""
    pages = [*PAGES, *extra_pages]
    pairs = [(p, {}) for p in pages] + [(p, {}) for p in API_LISTS]
    if session_cookie:
        pairs += [(p, {"Cookie": f"sessionid={session_cookie}"}) for p in pages]
    return pairs


def load(base_url: str, pairs, *, seconds: float, connections: int = 16, timeout: float = 60) -> dict:
    """Hit ``pairs`` round-robin from ``connections`` keep-alive connections for ``seconds``; return figures."""
    host, port = base_url.removeprefix("http://").split(":")
    statuses, errors, latencies = Counter(), [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(number):
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        i = number
        mine = []
        while time.monotonic() < stop_at:
            path, headers = pairs[i % len(pairs)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
                with lock:
                    errors.append((path, type(error).__name__))
                continue
            mine.append(time.perf_counter() - started)
            with lock:
                statuses[status] += 1
                if status >= 400:
                    errors.append((path, status))
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "requests": sum(statuses.values()) + sum(1 for _p, e in errors if isinstance(e, str)),
        "errors": len(errors),
        "error_samples": errors[:10],
        "statuses": dict(statuses),
        "seconds": round(elapsed, 1),
        "connections": connections,
        "rps": round(sum(statuses.values()) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(pct(0.5), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
    }


def _session_for_admin() -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("load-admin", "load-admin@example.org", None)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}"))
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogp_portal.settings_test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from commitments.models import Commitment, Member

    cookie = _session_for_admin()
    extra = [m.get_absolute_url() for m in Member.objects.order_by("pk")[:2]]
    extra += [c.get_absolute_url() for c in Commitment.objects.order_by("pk")[:3]]
    with serve(args.database_url, workers=args.workers) as base:
        pairs = targets(cookie, extra)
        load(base, pairs, seconds=len(pairs) / 4, connections=4)  # warm up: each worker loads the site once
        figures = load(base, pairs, seconds=args.seconds, connections=args.connections)
    load_avg = os.getloadavg()
    print(f"R15 load: {figures['connections']} connections for {figures['seconds']} s: {figures['requests']} requests, "
          f"{figures['errors']} errors, {figures['rps']} req/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
          f"p99 {figures['p99_ms']} ms; statuses {figures['statuses']}; load average {load_avg[0]:.1f}")
    if figures["errors"]:
        print("errors:", figures["error_samples"])
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
