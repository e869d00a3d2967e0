"""Print the number of queries each public page runs at several data sizes (synthetic data).

Usage (a throwaway database: everything it writes is rolled back):
    DATABASE_URL=sqlite:////tmp/qc.sqlite3 .venv/bin/python bench/query_counts.py --scales 0.004 0.012 0.04
    DATABASE_URL=postgres://ogp:ogp@127.0.0.1:5432/ogp_scratch .venv/bin/python bench/query_counts.py

Unlike tests/test_query_counts.py it includes the compliance overview, whose count grows with members.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogp_portal.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from commitments.models import Member  # noqa: E402
from bench.scale_data import generate  # noqa: E402
from tests.test_query_counts import page_urls  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=float, nargs="+", default=[0.004, 0.012, 0.04])
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client()
    table = {}
    for scale in args.scales:
        with transaction.atomic():
            generate(scale, seed=42)
            urls, _sizes = page_urls()
            urls["compliance overview"] = reverse("compliance:overview")
            members = Member.objects.count()
            for name, url in urls.items():
                client.get(url)
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    client.get(url)
                    elapsed = time.perf_counter() - started
                table.setdefault(name, {})[scale] = (len(ctx.captured_queries), elapsed, members)
            transaction.set_rollback(True)
    print(f"{'page':<26}" + "".join(f"  scale {s} ({table['member list'][s][2]} members)" for s in args.scales))
    for name, row in table.items():
        print(f"{name:<26}" + "".join(f"  {row[s][0]:>5} queries {row[s][1] * 1000:>7.0f} ms    " for s in args.scales))


if __name__ == "__main__":
    main()
