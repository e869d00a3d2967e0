""""My work"'s totals (``commitments.workload.totals_query``) as a server-side prepared statement (PostgreSQL; issue #20).

Planning the totals' statement cost as much as running it on a point of contact's first render at scale 10
(0.5-0.9 ms), so on PostgreSQL it is prepared once per connection and scope (``ogp_portal.compiled``'s
mechanism) and run as ``EXECUTE`` with the day and the plans' periods: the same totals as the rules in
Python, including past the fifth run, when PostgreSQL may switch to its generic plan. Outside a transaction
only, as a web request runs; on SQLite (the suite's default) the plain SQL runs.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments import workload
from ogp_portal import compiled

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRESQL = connection.vendor == "postgresql"
# Before the plan, in its periods, on a period's last day, after it ended: eight first renders (past the fifth).
DAYS = ["2018-01-10", "2018-09-03", "2019-03-31", "2019-08-15", "2019-12-31", "2020-06-30", "2020-11-02", "2021-03-01"]


@pytest.mark.parametrize("who", ["own", "poc"])
def test_my_works_totals_run_prepared_and_count_what_the_rules_count(client, world, who):
    sign_in(client, getattr(world.users, who))
    for day in DAYS:
        with time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=dt.UTC), tick=False):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse("work:my_work"))
        assert response.status_code == 200
        expected = workload.totals(list(response.context["work"]))
        assert expected["milestones"] > 0
        assert response.context["totals"] == expected, day
        names = {entry.prepared.name for entry in compiled._RAW.values() if entry.prepared is not None}
        executed = [query["sql"] for query in ctx.captured_queries if query["sql"].startswith("EXECUTE ")]
        if POSTGRESQL:
            assert any(sql.split("(")[0].split()[1] in names for sql in executed), day
        else:
            assert not names and not executed



class _Plain(dict):
    """``ogp_portal.compiled._RAW`` as if nothing could be prepared: every statement's plain SQL."""

    def get(self, key, default=None):
        return compiled._RawStatement(None)


def test_homes_kept_sums_run_prepared_and_give_the_figures_of_the_plain_sql(seed_data, monkeypatch):
    """The home page's headline figures (``commitments.figures._kept_sums``) run through ``execute_kept`` too: on
    PostgreSQL as ``EXECUTE`` outside a transaction, with the figures the plain SQL gives, day after day."""
    from commitments.figures import _kept_sums

    fields = ["complete", "contested"]
    kept = compiled._RAW
    for day in ("2019-08-15", "2020-06-30", "2021-03-01", "2019-08-15"):
        today = dt.date.fromisoformat(day)
        with CaptureQueriesContext(connection) as ctx:
            prepared = _kept_sums(today, fields, checked=True)
        assert [query["sql"].startswith("EXECUTE ") for query in ctx.captured_queries] == [POSTGRESQL]
        monkeypatch.setattr(compiled, "_RAW", _Plain())
        with CaptureQueriesContext(connection) as ctx:
            plain = _kept_sums(today, fields, checked=True)
        monkeypatch.setattr(compiled, "_RAW", kept)
        assert [query["sql"].startswith("EXECUTE ") for query in ctx.captured_queries] == [False]
        assert prepared == plain
        assert prepared is not None and set(prepared) >= {"complete", "contested", "overdue", "unstored"}
