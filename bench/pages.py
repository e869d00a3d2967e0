"""Load the portal's public pages with wrk under gunicorn, against two floors. Loopback only.

Usage (the database must hold data, e.g. from ``manage.py generate_scale_data``):

    BENCH_DATABASE_URL=postgres://ogp:ogp@127.0.0.1:5432/ogp_bench .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --database-url postgres://… --duration 10 --connections 16 --json out.json
    .venv/bin/python bench/pages.py --database-url postgres://… --generate 1      # load scale 1 first (flushes!)

What it does, bounded in time (about (3 × URLs + 4) × (duration + 2) seconds) and stopping by itself:

1. collects static files into .bench/static (the production manifest storage needs them);
2. serves ``bench/floor_wsgi.py`` (a bare WSGI app) with gunicorn, 3 sync workers, and loads it with
   wrk: the server's floor;
3. serves the portal the same way with production-like settings (DEBUG off, a generated SECRET_KEY,
   SECURE_SSL_REDIRECT off, ALLOWED_HOSTS=127.0.0.1, ``bench.settings``: the production settings plus
   /bench/one-row/, a view that reads one row through the full middleware) and loads the one-row view
   (the second floor), then each page: home, member, plan, commitment, forum, compliance overview and
   member, plus any list, API, feed or CSV export URL the portal has (found in its URL patterns);
   a URL that does not answer 200 to a single GET is skipped and listed;
   each loaded three times (issue #20): **anonymous** (served from the page cache after the first
   request), **signed in** (the Cookie header of a coordinator's stored session, made by
   bench/actors.py: never served a shared copy), and **cache off** (a second server with
   ``PUBLIC_PAGE_CACHE=false`` and its own one-row floor: every request is a first render, as for the
   first visitor after a publication); then the working pages, signed in as the person who uses them
   and cache off: "My work" (coordinator, point of contact), the progress form, the review queue, the
   plan's status reports, the secretariat's page and the forum as its secretariat sees it.
   ``--modes`` picks the kinds of visit; two more may be asked for: **publications** (anonymous, while
   this process announces ``--publications`` changes a second scoped to another member, as an approved
   update, a published report or a review does: the whole pages are out of date at each, a member's own
   pages reuse their shared parts) and **unscoped changes** (the same rate of changes that make
   everything out of date, as every publication did before session 9). The benchmark writes only its three ``bench-…`` accounts,
   their roles and sessions;
4. prints p50, p95, p99 latency, requests a second, errors (non-2xx/3xx answers and socket errors), and
   each page's throughput as a fraction of the one-row floor of its server, measured again after every
   ``--floor-every`` URLs (default 6: the floor falls during a run) and taken from just before the page. A page whose single request takes longer
   than --too-slow seconds (default 3) is not loaded: its single-request time is reported instead.

Environment passed to the servers: CONN_MAX_AGE (default 60, as in production) and CACHE_URL (default
Redis database 15 on loopback, emptied at the start, as production shares one Redis; ``locmemcache://``
gives each worker its own) may be set to compare, e.g. ``CONN_MAX_AGE=0``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
LUA = ROOT / "bench" / "wrk_report.lua"
# URL names or paths that look like lists, feeds, exports or API endpoints (found, not assumed).
DISCOVER = re.compile(r"(list|feed|atom|rss|csv|export|api|search)", re.I)


BENCH_CACHE_URL = "redis://127.0.0.1:6379/15"  # a stock redis-server has databases 0-15; CI and the tests use 0 and 1


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
    )
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")  # required by the settings; pages never enqueue
    env.setdefault("CONN_MAX_AGE", "60")
    # As in production, one cache shared by the workers (Redis): a page rendered by one worker is
    # served by all. A database of its own, emptied at the start of each run (see main).
    env.setdefault("CACHE_URL", BENCH_CACHE_URL)
    # The benchmark measures the API, not its throttle: 16 connections from one address would get 429s.
    env.setdefault("API_THROTTLE_ANON", "100000000/minute")
    env.setdefault("API_THROTTLE_USER", "100000000/minute")  # the signed-in visits (one coordinator's session)
    return env


def check_loopback(database_url: str):
    host = urlsplit(database_url).hostname or ""
    if database_url.startswith("postgres") and host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"Refusing a database that is not on loopback: {host}")


def check_ports_free(port: int):
    """The three servers bind PORT, PORT+1 and PORT+2: refuse to start (rather than measure another run's
    server) when one of them is taken."""
    import socket

    for p in (port, port + 1, port + 2):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                sys.exit(f"Port {p} is taken (this benchmark uses {port}, {port + 1} and {port + 2}): "
                         "give another --port, three apart from any other run.")


class Server:
    """gunicorn with 3 sync workers on 127.0.0.1, stopped (its own process group) on exit."""

    def __init__(self, app: str, port: int, env: dict[str, str], workers: int):
        self.port = port
        self.proc = subprocess.Popen(
            [GUNICORN, app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120",
             "--chdir", str(ROOT), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                status, _ = get(self.port, path, timeout=5)
                if status:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def get(port: int, path: str, timeout: float = 60.0, cookie: str = "") -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


def wrk(port: int, path: str, duration: int, connections: int, threads: int, cookie: str = "") -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", str(LUA), *headers,
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no report: {out.stdout}{out.stderr}")
    data = json.loads(line[6:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["errors"] = data["status_errors"] + data["socket_errors"]
    return data


# ------------------------------------------------------------------ which URLs


def typical_member():
    """The national member with most plans (ties: the first code): every page is measured on it."""
    from django.db.models import Count

    from commitments.models import Member

    national = (
        Member.objects.filter(kind=Member.Kind.NATIONAL).annotate(n=Count("plans")).order_by("-n", "code").first()
    )
    if national is None:
        sys.exit("The database holds no national member: load data first (--generate 1).")
    return national


def pick_actors() -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Sign the benchmark's coordinator, point of contact and secretariat in (bench/actors.py).

    Returns ({actor: Cookie header value}, [(label, path, actor)] of the working pages).
    """
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.actors import ensure_actors, working_pages

    member = typical_member()
    keys = ensure_actors(member)
    pages = working_pages(member)
    connection.close()
    return {actor: f"{settings.SESSION_COOKIE_NAME}={key}" for actor, key in keys.items()}, pages


def pick_urls() -> list[tuple[str, str]]:
    """Return (label, path) pairs: named pages on typical rows, then discovered lists, feeds, exports, APIs."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.urls import NoReverseMatch, get_resolver, reverse

    from commitments.models import ActionPlan, Commitment
    from forums.models import Forum

    urls: list[tuple[str, str]] = []

    def add(label, name, *args):
        try:
            urls.append((label, reverse(name, args=args)))
        except NoReverseMatch:
            pass

    national = typical_member()
    plan = (
        ActionPlan.objects.filter(member=national).annotate(n=Count("commitments")).order_by("-n", "pk").first()
    )
    commitment = (
        Commitment.objects.filter(plan=plan).annotate(n=Count("milestones")).order_by("-n", "pk").first()
        if plan
        else None
    )
    forum = Forum.objects.filter(member=national).first()
    add("home", "commitments:home")
    add("member page", "commitments:member", national.code)
    if plan:
        add(f"plan page ({plan.n} commitments)", "commitments:plan", plan.pk)
    if commitment:
        add(f"commitment page ({commitment.n} milestones)", "commitments:commitment", commitment.identifier)
    if forum:
        add("forum page", "forums:forum", forum.pk)
    add("compliance overview", "compliance:overview")
    add("compliance member page", "compliance:member", national.code)
    # Atom feeds and exports on the same typical rows (they take parameters, so discovery misses them).
    add("Atom feed of the member", "commitments:member_feed", national.code)
    if plan:
        add("Atom feed of the plan", "commitments:plan_feed", plan.pk)
        add("CSV export of the plan", "commitments:plan_csv", plan.pk)
    if commitment:
        add("Atom feed of the commitment", "commitments:commitment_feed", commitment.identifier)
    try:
        from commitments import exports

        for slug in exports.DATASETS:
            urls.append((f"open data {slug}.csv (one member)", reverse("commitments:export", args=(slug, "csv")) + f"?member={national.code}"))
    except (ImportError, NoReverseMatch):
        pass

    # Lists, feeds, exports and API endpoints without parameters, as the portal declares them.
    seen = {path for _, path in urls}

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            route = str(p.pattern)
            if route.startswith("^"):  # a regular expression (DRF's router): keep it when it is a plain path
                route = route[1:].removesuffix("$")
            if hasattr(p, "url_patterns"):
                ns = p.namespace or ""
                if ns in {"admin"} or route.startswith("i18n"):
                    continue
                walk(p.url_patterns, prefix + route, ns or namespace)
                continue
            full = prefix + route
            if any(c in full for c in "<(^$\\[?*+") or "bench/" in full:
                continue
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            if DISCOVER.search(full) or DISCOVER.search(name):
                path = "/" + full.lstrip("/")
                if path not in seen:
                    seen.add(path)
                    urls.append((name or path, path))

    walk(get_resolver().url_patterns)
    # A filtered, searched and paginated list, when the portal has a commitment list.
    for index, (label, path) in enumerate(list(urls)):
        if path.startswith("/api/") and re.search(r"/deadlines/(cycles|minimum-requirements)/$", path):
            # The member's cycles and minimum requirements answer 400 without a member: ask for the typical one.
            urls[index] = (f"{label} (one member)", f"{path}?member={national.pk}")
            continue
        if path.startswith("/api/"):
            if path.rstrip("/").endswith("commitments"):
                urls.append((f"{label} (searched)", f"{path}?search=open+data"))
                urls.append((f"{label} (one member)", f"{path}?member_code={national.code}"))
            continue
        if re.search(r"commitment.*list|^/commitments/$", label + " " + path):
            urls.append((f"{label} (searched)", f"{path}?q=open+data"))
            urls.append((f"{label} (page 2)", f"{path}?page=2"))
            urls.append((f"{label} (by last update)", f"{path}?sort=-updated"))
            urls.append((f"{label} (by overdue milestones)", f"{path}?sort=-overdue"))
            urls.append((f"{label} (searched, by overdue)", f"{path}?q=open+data&sort=overdue"))
    connection.close()
    return urls


# ------------------------------------------------------------------ run


def row(label, r, floor_rps=None):
    fraction = f"{r['rps'] / floor_rps:6.1%}" if floor_rps else "      "
    return (
        f"{label[:44]:<44} {r['p50_us'] / 1000:8.1f} {r['p95_us'] / 1000:8.1f} {r['p99_us'] / 1000:8.1f} "
        f"{r['rps']:9.1f} {r['errors']:6d}  {fraction}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL (max 60)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765,
                        help="the portal's port; the floor server takes PORT+1 and the cache-off server PORT+2")
    parser.add_argument("--max-urls", type=int, default=80)
    parser.add_argument("--floor-every", type=int, default=6,
                        help="measure both one-row floors again after every N URLs; each page is compared with the "
                             "floor of its server measured last before it (0: only at the start)")
    parser.add_argument("--too-slow", type=float, default=3.0, help="seconds: a page slower than this alone is not loaded")
    parser.add_argument("--only", default="", help="regular expression: run only pages whose label or path it finds")
    parser.add_argument("--modes", default="anonymous,signed in,cache off",
                        help="comma-separated kinds of visit: anonymous, signed in, cache off, publications, unscoped changes")
    parser.add_argument("--publications", type=float, default=10.0,
                        help="changes a second announced during the 'publications' and 'unscoped changes' visits")
    parser.add_argument("--generate", type=float, help="flush the database and generate this scale first")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    # Stopped (e.g. by timeout): leave through the with-blocks, which stop the servers' process groups.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not args.database_url:
        sys.exit("Give --database-url or BENCH_DATABASE_URL (a PostgreSQL database on 127.0.0.1).")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk).")
    args.duration = max(1, min(args.duration, 60))
    args.modes = {m.strip() for m in args.modes.split(",") if m.strip()}
    check_loopback(args.database_url)
    check_ports_free(args.port)
    env = server_env(args.database_url)
    os.environ.update(env)
    if env["CACHE_URL"].startswith("redis://"):
        import redis

        redis.Redis.from_url(env["CACHE_URL"]).flushdb()  # nothing cached by an earlier run
    sys.path.insert(0, str(ROOT))

    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=600)
    if args.generate:
        subprocess.run(
            [*manage, "generate_scale_data", "--flush", "--scale", str(args.generate), "--seed", "42"],
            cwd=ROOT, env=env, check=True, timeout=3 * 3600,
        )
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=600)
    urls = pick_urls()
    if args.only:
        urls = [(label, path) for label, path in urls if re.search(args.only, f"{label} {path}")]
    urls = urls[: args.max_urls]
    cookies, work = pick_actors()
    if args.only:
        work = [(label, path, actor) for label, path, actor in work if re.search(args.only, f"{label} {path}")]

    results = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        "settings": {k: env[k] for k in ("CONN_MAX_AGE", "CACHE_URL")}
        | {"workers": args.workers, "connections": args.connections, "duration_s": args.duration},
        "floors": {},
        "pages": [],
        "skipped": [],
        "too_slow": [],
    }
    header = f"{'URL':<44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>9} {'errors':>6}  of floor"
    print(f"{results['date']}  {results['machine']}  {results['settings']}")
    print(header)

    with Server("bench.floor_wsgi:application", args.port + 1, env, args.workers) as bare:
        bare.wait_ready("/")
        wrk(bare.port, "/", 2, args.connections, args.threads)  # warm-up
        r = wrk(bare.port, "/", args.duration, args.connections, args.threads)
        results["floors"]["bare WSGI"] = r
        print(row("floor: bare WSGI app (same gunicorn)", r))

    # Three kinds of visit per URL (issue #20), each against the one-row floor of the same server:
    # anonymous (served from the page cache after the first request), signed in (a coordinator's session
    # cookie: never served a shared copy), and cache off (a second server with PUBLIC_PAGE_CACHE=false:
    # every request is a first render, as for the first visitor after a publication). The working
    # pages (My work, progress form, review queue, status reports, the secretariat's pages) have no
    # anonymous figure: they are measured signed in as the person who uses them, and cache off.
    plan = []  # (label, path, cookie-actor or "", modes)
    for label, path in urls:
        kinds = ("anonymous", "signed in", "cache off", "publications", "unscoped changes")
        plan.append((label, path, "", [m for m in kinds if m in args.modes]))
    for label, path, actor in work:
        plan.append((label, path, actor, [m for m in ("signed in", "cache off") if m in args.modes]))

    def announcing(mode):
        """While loaded, announce changes as the services do (``ogp_portal.cache._bump``): scoped or not."""
        import threading

        from commitments.models import Member
        from ogp_portal import cache as page_cache

        scope = None if mode == "unscoped changes" else [Member.objects.order_by("-pk").values_list("pk", flat=True).first()]
        stop = threading.Event()

        def run():
            while not stop.wait(1 / args.publications):
                page_cache._bump(scope)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return stop

    def measure(portal, label, path, actor, mode, floor_rps):
        who = actor or ("coordinator" if mode == "signed in" else "")
        cookie = cookies.get(who, "")
        started = time.perf_counter()
        status, size = get(portal.port, path, timeout=300, cookie=cookie)
        first = time.perf_counter() - started
        if status != 200:
            results["skipped"].append({"label": label, "path": path, "status": status, "mode": mode})
            return
        # Timed again: with the page cache on, the first anonymous request rendered and stored the page.
        started = time.perf_counter()
        get(portal.port, path, timeout=300, cookie=cookie)
        single = time.perf_counter() - started
        if single > args.too_slow:
            # Loading it would only queue requests behind each other for minutes: report the one request.
            results["too_slow"].append({"label": label, "path": path, "mode": mode, "single_request_s": single, "first_request_s": first})
            print(f"{label[:44]:<44} {mode}: one request took {single:.1f} s: not loaded (over --too-slow {args.too_slow} s)")
            return
        wrk(portal.port, path, 1, args.connections, args.threads, cookie)  # warm-up
        stop = announcing(mode) if mode in ("publications", "unscoped changes") else None
        try:
            r = wrk(portal.port, path, args.duration, args.connections, args.threads, cookie)
        finally:
            if stop is not None:
                stop.set()
        r.update({"label": label, "path": path, "mode": mode, "as": who or "anonymous", "bytes_per_page": size,
                  "of_floor": r["rps"] / floor_rps, "floor_rps": floor_rps, "first_request_s": first})
        results["pages"].append(r)
        name = f"{label} {path}" if len(label) < 30 else label
        print(row(f"[{mode}] {name}", r, floor_rps) + f"  first {first:.2f} s")
        get(portal.port, "/bench/one-row/", timeout=600)  # let requests still queued drain first

    def floor_of(server, name):
        server.wait_ready("/bench/one-row/")
        wrk(server.port, "/bench/one-row/", 2, args.connections, args.threads)  # warm-up
        r = wrk(server.port, "/bench/one-row/", args.duration, args.connections, args.threads)
        results["floors"][name] = r
        print(row(f"floor: {name}", r))
        return r["rps"]

    # Both servers run side by side (the cache-off one idle while the other is loaded), and each URL's
    # kinds of visit are measured one after the other, so that a change in the machine's load (it is
    # shared) moves the three figures of a URL together; each floor is measured again at the end.
    cold_env = env | {"PUBLIC_PAGE_CACHE": "false"}
    with Server("ogp_portal.wsgi:application", args.port, env, args.workers) as portal, \
            Server("ogp_portal.wsgi:application", args.port + 2, cold_env, args.workers) as cold:
        floor = floor_of(portal, "one row, full middleware")
        cold_floor = floor_of(cold, "one row, cache-off server")
        results["floor_series"] = [{"after_urls": 0, "portal": floor, "cache_off": cold_floor}]
        for done, (label, path, actor, modes) in enumerate(plan):
            if args.floor_every and done and done % args.floor_every == 0:
                # The floor falls during a run (by 10-40 % in session 10-11, most after signed-in loads): each
                # page is compared with its server's floor measured just before it, not with the first one.
                floor = floor_of(portal, f"one row, full middleware, after {done} URLs")
                cold_floor = floor_of(cold, f"one row, cache-off server, after {done} URLs")
                results["floor_series"].append({"after_urls": done, "portal": floor, "cache_off": cold_floor})
            for mode in modes:
                if mode == "cache off":
                    measure(cold, label, path, actor, mode, cold_floor)
                else:
                    measure(portal, label, path, actor, mode, floor)
        floor_of(portal, "one row, full middleware, at the end")
        floor_of(cold, "one row, cache-off server, at the end")
    for s in results["skipped"]:
        print(f"skipped (HTTP {s['status']}, {s['mode']}): {s['label']} {s['path']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
