"""Time uncached renders of the public pages and API lists in-process: queries, SQL time, total time, size.

What a signed-in user gets, and the first anonymous visitor after any publication: the page
rendered from the database, with production-like settings (DEBUG off, the public page cache off,
persistent connection, manifest static files). No server, no network: Django's test client in this
process, against a PostgreSQL database on loopback that it only reads (every transaction is
``READ ONLY``, with a statement timeout), so it is safe on a shared benchmark database; the one
exception, before the read-only switch, is bench/actors.py's three ``bench-…`` accounts, their roles
and sessions (the people the pages are rendered for).

Three kinds of visit per page, side by side (``--as all``, the default; issue #20): ``anonymous``
(the page cache on: after the warm-up, a cache hit), ``signed-in`` (a coordinator's real session:
rendered, reusing the figures kept in the cache), ``first-visit`` (the page cache and the kept figures
off: the first visitor after a publication), ``after-publication`` (anonymous, the page cache on, and
before every render a publication in another member, as ``approve_progress`` announces one: the
whole pages and the pages across members are out of date, a member's own page reuses its shared
parts). Then the working pages, rendered as the person who uses
them: "My work" (coordinator, point of contact), the progress form, the review queue, the plan's
status reports, the secretariat's page and the forum as its secretariat sees it.

    BENCH_DATABASE_URL=postgres://ogp:ogp@127.0.0.1:5432/ogp_bench .venv/bin/python bench/render.py
    .venv/bin/python bench/render.py --database-url postgres://… --repeat 5 --only "plan|list" --json out.json
    .venv/bin/python bench/render.py … --profile "home"     # cProfile of that page's render (top 60 by cumulative, 20 by own time)
    .venv/bin/python bench/render.py … --explain "list"     # EXPLAIN ANALYZE of that page's 5 slowest queries
    .venv/bin/python bench/render.py … --repeat 10 --plans   # then the prepared statements PostgreSQL still plans on every run

Pages: the same as bench/pages.py (home, the member with most plans, its largest plan, that plan's
commitment with most milestones, its forum, compliance overview and member page, every list, feed,
export and API URL without parameters, the commitment list searched, on page 2 and sorted by last update), plus the home
page's other views (OGP Local members, page 2). Each URL is rendered once to warm the process
(templates, translations, content types), then ``--repeat`` times (default 3, max 10); the table
shows the median. Bounded: a URL whose warm-up takes more than ``--too-slow`` seconds (default 10)
is reported once and not repeated, and the whole run stops after ``--budget`` seconds (default 600).

As production runs: the garbage collector's start-up objects frozen (``gc.freeze()``, as ogp_portal/wsgi.py
does), and with ``--cache-url redis://127.0.0.1:6379/N`` the cache on Redis (that database emptied first), so
its round trips count; the default, locmem, leaves them out. Besides wall time ("total ms") each row gives
"CPU ms", this process's own time, which other processes' load changes far less: on a shared machine compare it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(database_url: str, mode: str, cache_url: str = "locmemcache://"):
    host = urlsplit(database_url).hostname or ""
    if not database_url.startswith("postgres") or host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"Give a PostgreSQL database on loopback (got {host or database_url!r}).")
    os.environ.pop("DEBUG", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            # first-visit: nothing cached (the first visitor after a publication: the public pages'
            # generation changed, so pages and the figures kept under it are computed again).
            # signed-in: the page cache on, but the request carries a session cookie, so the page is
            # rendered (as for every signed-in user) while shared figures kept in the cache are reused.
            "PUBLIC_PAGE_CACHE": "false" if mode == "first-visit" else "true",  # "all" switches it per render
            "CACHE_URL": cache_url,  # locmem by default; --cache-url redis://… as in production (round trips counted)
            "SESSION_ENGINE": "accounts.sessions",  # one process: sessions read through its cache, as on Redis
            "LOG_LEVEL": "WARNING",
            # The anonymous API throttle (60/minute) would answer 429 after a few repeats.
            "API_THROTTLE_ANON": "1000000/minute",
        }
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")  # required by the settings; nothing is enqueued
    os.environ.setdefault("CONN_MAX_AGE", "60")


def read_only(sender, connection, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
        cursor.execute("SET statement_timeout = '120s'")


def home_variants():
    """The home page's other shareable states (if this version of the portal has them)."""
    from django.urls import reverse

    home = reverse("commitments:home")
    return [("home, OGP Local members", f"{home}?view=local"), ("home, page 2", f"{home}?page=2")]


def api_lists():
    """The API's list endpoints (/api/v1/<resource>/): their router patterns are regular expressions,
    which bench/pages.py's discovery skips."""
    from ogp_portal.api_urls import router

    return [(f"API {prefix}", f"/api/v1/{prefix}/") for prefix, _viewset, _basename in router.registry]


def render(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sql = sum(float(q["time"]) for q in ctx.captured_queries)
    return response.status_code, len(body), len(ctx.captured_queries), sql, total, cpu, ctx.captured_queries


def explain(queries, top=5):
    from django.db import connection

    # A page may run an EXPLAIN itself (the search's estimate): "EXPLAIN … EXPLAIN …" is an error, so it is left out.
    queries = [q for q in queries if not q["sql"].lstrip().upper().startswith("EXPLAIN")]
    slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:top]
    with connection.cursor() as cursor:
        for q in slowest:
            print(f"\n-- {float(q['time']) * 1000:.1f} ms: {q['sql'][:300]}")
            # A statement run with its generic plan is "SET LOCAL plan_cache_mode = …; EXECUTE …" (commitments/list_compiled.py).
            setting, sql = q["sql"].split("; ", 1) if q["sql"].startswith("SET LOCAL ") else ("", q["sql"])
            cursor.execute((setting + "; " if setting else "") + "EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (line,) in cursor.fetchall():
                print("   ", line)


def custom_planned():
    """The statements prepared on this run's connection that PostgreSQL kept planning afresh (no generic plan after its
    five custom ones): candidates for ``generic_plan=True`` (ogp_portal/compiled.py "Generic plans") once their generic
    plan is measured no worse (EXPLAIN ANALYZE EXECUTE … under each ``plan_cache_mode``) for typical and extreme values."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans, custom_plans, statement FROM pg_prepared_statements ORDER BY custom_plans DESC")
        found = cursor.fetchall()
    stuck = [row for row in found if row[1] == 0 and row[2] > 5]
    print(f"\n{len(found)} statements prepared, {len(stuck)} planned afresh on every run:")
    for name, _generic, custom, text in stuck:
        print(f"  {name}: {custom} custom plans  {' '.join(text.split())[:200]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="regular expression on the label or path")
    parser.add_argument("--too-slow", type=float, default=10.0)
    parser.add_argument("--budget", type=float, default=600.0, help="seconds for the whole run")
    parser.add_argument("--language", default="", help="e.g. ru: render /ru/… pages")
    parser.add_argument("--profile", default="", help="regular expression: cProfile these pages")
    parser.add_argument("--explain", default="", help="regular expression: EXPLAIN ANALYZE these pages' slowest queries")
    parser.add_argument("--as", dest="mode", choices=["all", "first-visit", "signed-in", "anonymous", "after-publication"], default="all",
                        help="all (default): the four kinds of visit side by side")
    parser.add_argument("--cache-url", default="locmemcache://",
                        help="the cache: locmem (default) or a redis:// URL on loopback, as production has (its database is emptied first)")
    parser.add_argument("--plans", action="store_true",
                        help="at the end, the kept statements PostgreSQL planned afresh on every run (pg_prepared_statements)")
    parser.add_argument("--json")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("Give --database-url or BENCH_DATABASE_URL (a PostgreSQL database on 127.0.0.1).")
    args.repeat = max(1, min(args.repeat, 10))
    if args.cache_url.startswith("redis://"):
        host = urlsplit(args.cache_url).hostname or ""
        if host not in {"127.0.0.1", "localhost", "::1"}:
            sys.exit(f"Give a Redis on loopback for --cache-url (got {host!r}).")
        import redis

        redis.Redis.from_url(args.cache_url).flushdb()  # nothing kept by an earlier run
    configure(args.database_url, args.mode, args.cache_url)
    deadline = time.monotonic() + max(10.0, min(args.budget, 3600.0))

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.actors import ensure_actors, working_pages
    from bench.pages import pick_urls, typical_member
    from commitments.models import Member
    from ogp_portal import cache as page_cache

    # The only writes: the benchmark's three accounts, their roles and sessions (bench/actors.py).
    member = typical_member()
    cookies = ensure_actors(member)
    work = working_pages(member)
    connection.close()
    connection_created.connect(read_only)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # files only, into .bench/static
    setup_test_environment()  # lets the test client run with DEBUG off
    settings.DEBUG = False
    pending = MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
    if pending:
        print(f"NOTE: {len(pending)} migrations of this tree are not applied to the database "
              f"(e.g. {pending[0][0]}); indexes they add are missing from these figures.")
    urls = pick_urls()
    connection.connect()
    home = next((path for label, path in urls if label == "home"), None)
    if home:
        index = [label for label, _ in urls].index("home") + 1
        urls[index:index] = home_variants()
    urls += api_lists()
    if args.language:
        urls = [(label, f"/{args.language}{path}" if not path.startswith("/api/") else path) for label, path in urls]
    if args.only:
        urls = [(label, path) for label, path in urls if re.search(args.only, f"{label} {path}")]
    # The kinds of visit (issue #20): anonymous (the page cache on: after the warm-up a cache hit),
    # signed in (a coordinator's real session: the page is rendered, figures kept in the cache are
    # reused), first visit (the page cache and the kept figures off: what the first visitor after a
    # publication gets). The working pages are rendered as the person who uses them (bench/actors.py).
    modes = ["anonymous", "signed-in", "first-visit", "after-publication"] if args.mode == "all" else [args.mode]
    # after-publication: a publication in the member created last (not one the pages show), before each render.
    elsewhere = Member.objects.order_by("-pk").values_list("pk", flat=True).first()
    anonymous = Client(raise_request_exception=False)
    signed_in = {actor: Client(raise_request_exception=False) for actor in cookies}
    for actor, client in signed_in.items():
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[actor]
    plan = [(label, path, "") for label, path in urls] + [
        (label, path, actor) for label, path, actor in work if not args.only or re.search(args.only, f"{label} {path}")
    ]
    # As ogp_portal/wsgi.py does once the app is loaded: what start-up made is never collected again.
    gc.collect()
    gc.freeze()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}  load {os.getloadavg()[0]:.2f}  "
          f"{connection.settings_dict['NAME']}  as {', '.join(modes)}; repeat {args.repeat}, median; "
          f"cache {args.cache_url.split('://')[0]}")
    print(f"{'page':<46} {'mode':<17} {'status':>6} {'queries':>7} {'SQL ms':>8} {'total ms':>9} {'CPU ms':>7} {'KB':>7}")
    results = []
    for label, path, actor in plan:
        for mode in modes:
            if actor and mode in ("anonymous", "after-publication"):
                continue  # a working page: nobody uses it signed out
            if time.monotonic() > deadline:
                break
            settings.PUBLIC_PAGE_CACHE = mode != "first-visit"
            client = signed_in[actor or "coordinator"] if actor or mode == "signed-in" else anonymous
            publish = (lambda: page_cache._bump([elsewhere])) if mode == "after-publication" else (lambda: None)
            publish()
            status, size, count, sql, total, cpu, queries = render(client, path)  # warm-up
            runs = [(sql, total, cpu)]
            if status == 200 and total <= args.too_slow:
                runs = []
                for _ in range(args.repeat):
                    if time.monotonic() > deadline:
                        break
                    publish()
                    status, size, count, sql, total, cpu, queries = render(client, path)
                    runs.append((sql, total, cpu))
            sql_ms = statistics.median(r[0] for r in runs) * 1000
            total_ms = statistics.median(r[1] for r in runs) * 1000
            cpu_ms = statistics.median(r[2] for r in runs) * 1000
            note = "" if status == 200 and len(runs) > 1 or args.repeat == 1 else "  (once)"
            print(f"{label[:46]:<46} {mode:<17} {status:>6} {count:>7} {sql_ms:>8.1f} {total_ms:>9.1f} {cpu_ms:>7.1f} "
                  f"{size / 1024:>7.1f}{note}  {path}")
            results.append({"label": label, "path": path, "mode": mode, "as": actor or ("coordinator" if mode == "signed-in" else "anonymous"),
                            "status": status, "queries": count, "sql_ms": round(sql_ms, 1), "total_ms": round(total_ms, 1), "cpu_ms": round(cpu_ms, 1), "bytes": size})
            if args.explain and re.search(args.explain, f"{label} {path}") and mode != "anonymous":
                explain(queries)
            if args.profile and re.search(args.profile, f"{label} {path}") and mode != "anonymous":
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                render(client, path)  # a streamed answer's rows are written as it is read
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(60)
                stats.sort_stats("tottime").print_stats(20)
        if time.monotonic() > deadline:
            print(f"budget of {args.budget:.0f} s spent: stopped at {label}")
            break
    if args.plans:
        custom_planned()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
