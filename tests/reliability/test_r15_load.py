"""R15 Load: 16 connections for 30 s (``R15_SECONDS``, 30 by default, as in issue 17; bench/load.py runs the same longer)
on the main pages signed in and signed out and the API lists, under gunicorn on loopback: 0 errors."""

import os

import pytest
from django.core.management import call_command
from django.test import Client

from bench import load as bench_load
from commitments.models import Commitment, Member
from tests.compliance.test_celery_worker import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SECONDS = float(os.environ.get("R15_SECONDS", "30"))


def test_r15_sixteen_connections_get_no_error(admin_user, tmp_path, record_property):
    call_command("load_seed_data", verbosity=0)
    browser = Client()
    browser.force_login(admin_user)
    extra = [m.get_absolute_url() for m in Member.objects.order_by("pk")[:2]]
    extra += [c.get_absolute_url() for c in Commitment.objects.order_by("pk")[:3]]
    with bench_load.serve(database_url(), workers=2, log=tmp_path / "gunicorn.log") as base:
        pairs = bench_load.targets(browser.cookies["sessionid"].value, extra)
        bench_load.load(base, pairs, seconds=len(pairs) / 4, connections=4)  # warm up: each worker loads the site once
        figures = bench_load.load(base, pairs, seconds=SECONDS, connections=16)
    figure = (f"16 connections for {figures['seconds']} s: {figures['requests']} requests, {figures['errors']} errors, "
              f"{figures['rps']} req/s, p95 {figures['p95_ms']} ms (loadavg {os.getloadavg()[0]:.1f})")
    record_property("R15", figure)
    print("\nR15", figure, figures["statuses"], figures["error_samples"])
    assert figures["requests"] > 16
    assert figures["errors"] == 0
    assert set(figures["statuses"]) <= {200, 301, 302}
