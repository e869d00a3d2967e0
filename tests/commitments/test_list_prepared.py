"""Issue #20: the commitment list's compiled page statements run prepared on PostgreSQL where their generic plan is
no worse (commitments/list_compiled.py ``_prepared_shape``): the list without a search, a broad search's page and its
bounded count, which run with their generic plans always (PostgreSQL's own choice planned them afresh on every
request); never a narrow search's page nor its count. The same results either way (SQLite: nothing is prepared)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import list_compiled, list_views
from tests.factories import ActionPlanFactory, CommitmentFactory, MemberFactory, MilestoneFactory

pytestmark = pytest.mark.django_db(transaction=True)  # prepared only outside a transaction

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def fresh_compiled_lists(nothing_compiled):
    yield


@pytest.fixture
def commitments():
    plan = ActionPlanFactory(member=MemberFactory(code="KG", name="Kyrgyz Republic"))
    for n in range(30):
        CommitmentFactory(plan=plan, number=n + 1, identifier=f"KG{n:04d}", title=f"Open data portal {n}" if n % 2 else f"Water budget {n}")
    road = CommitmentFactory(plan=plan, number=99, identifier="KG0099", title="Roads")
    MilestoneFactory(commitment=road, deliverable="Publish the open data on roads")


def _results(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    section = re.search(r'<section aria-labelledby="results-heading">.*?</section>', html, re.S).group(0)
    return section, [query["sql"] for query in ctx.captured_queries]


@pytest.mark.parametrize("broad", [True, False])
def test_a_broad_searchs_page_and_count_run_prepared_a_narrow_ones_as_plain_sql(client, commitments, monkeypatch, broad):
    monkeypatch.setattr(list_views, "search_is_broad", lambda text: broad)
    urls = ["/commitments/?q=open+data", "/commitments/?q=water+budget", "/commitments/?q=data+portal", "/commitments/?q=open+data"]
    plain = {}
    monkeypatch.setattr(list_compiled._Statement, "prepare", lambda self, kinds, generic=False, text=None: None)
    for url in urls:
        plain[url] = _results(client, url)
    monkeypatch.undo()
    monkeypatch.setattr(list_views, "search_is_broad", lambda text: broad)
    list_compiled._KEPT.clear()
    for url in urls:
        section, queries = _results(client, url)
        assert section == plain[url][0]
        assert len(queries) == len(plain[url][1])  # the PREPARE is the connection's, not a query of the page
        executed = [sql for sql in queries if "EXECUTE ogp_kept_" in sql]
        assert len(executed) == (2 if POSTGRESQL and broad else 0), queries  # the bounded count and the page
        # With their generic plans, set for that statement only (SET LOCAL: the query string's own transaction).
        assert all(sql.startswith("SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE ogp_kept_") for sql in executed)
    assert "KG0099" in plain["/commitments/?q=open+data"][0]
    if POSTGRESQL and broad:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone()[0] == "auto"  # not left set for the connection's other statements
            cursor.execute("SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements WHERE statement LIKE '%%search_vector%%'")
            plans = cursor.fetchall()
        assert plans and all(generic >= 1 and custom == 0 for generic, custom, _text in plans), plans
        # Each tsquery computed once a run (an InitPlan), not on every row the generic plan walks.
        assert all("to_tsquery" in text and "to_tsquery" not in text.replace("(SELECT to_tsquery(", "") for *_plans, text in plans)


def test_the_list_without_a_search_runs_prepared(client, commitments):
    first, queries = _results(client, "/commitments/")
    second, queries = _results(client, "/commitments/")
    assert first == second and "31 commitments" in first
    assert any(sql.startswith("EXECUTE ogp_kept_") for sql in queries) == POSTGRESQL


@pytest.mark.parametrize("sort, generic", [("-updated", True), ("title", True), ("end", False), ("overdue", False), ("number", False)])
def test_a_broad_searchs_page_runs_with_its_generic_plan_in_the_orders_an_index_walks(client, commitments, monkeypatch, sort, generic):
    """The end date, the overdue milestones and the number: PostgreSQL's own choice of plan (its custom plans were faster)."""
    monkeypatch.setattr(list_views, "search_is_broad", lambda text: True)
    section, queries = _results(client, f"/commitments/?q=open+data&sort={sort}")
    assert "16 commitments" in section, section[:300]
    executed = [sql for sql in queries if "EXECUTE ogp_kept_" in sql]
    assert len(executed) == (2 if POSTGRESQL else 0), queries
    with_generic_plan = [sql for sql in executed if sql.startswith("SET LOCAL plan_cache_mode = force_generic_plan; ")]
    assert len(with_generic_plan) == (0 if not POSTGRESQL else 2 if generic else 1)  # the count's always


@pytest.mark.parametrize("limit", [5, 1000])
def test_a_broad_searchs_statements_with_their_generic_plans_give_the_orms_rows_and_count(client, commitments, monkeypatch, limit):
    """The page and the count run prepared with their generic plans and each tsquery computed once (``(SELECT
    to_tsquery(…))``): the same section as the ORM's queries, which the list runs when a shape cannot be compiled;
    with the count's limit below the matches (the own-text walk reaches it) and above (the whole search counted)."""
    monkeypatch.setattr(list_views, "search_is_broad", lambda text: True)
    monkeypatch.setattr(list_views, "COUNT_LIMIT", limit)
    urls = [
        "/commitments/?q=open+data",
        "/commitments/?q=data&sort=-updated",
        "/commitments/?q=water+budget&sort=title",
        "/commitments/?q=open&sort=end",
    ]
    compiled = {url: _results(client, url) for url in urls}
    monkeypatch.setattr(list_compiled, "shape_of", lambda filterset: None)
    for url in urls:
        section, queries = _results(client, url)
        assert not any("EXECUTE" in sql for sql in queries)
        assert compiled[url][0] == section, url
    assert ("16 commitments" if limit > 16 else "More than 5") in compiled["/commitments/?q=open+data"][0]
