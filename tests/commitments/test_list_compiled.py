"""Issue #20: the commitment list's page and count statements compiled once per shape (commitments/list_compiled.py).

The same rows, order, count, note and pages as the ORM's queries, for every search (ASCII or Cyrillic,
one word or several, punctuation, an identifier), sort and page, on the first request of a shape and on
the next ones (whose words differ); a search the placeholders cannot stand for goes through the ORM.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from commitments import list_compiled
from tests.factories import ActionPlanFactory, AgencyFactory, CommitmentFactory, MemberFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_outside_requests():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_compiled_lists(nothing_compiled):
    yield


@pytest.fixture
def commitments():
    kg = MemberFactory(code="KG", name="Kyrgyz Republic", name_ru="Кыргызская Республика")
    other = MemberFactory(code="AM", name="Armenia")
    chamber = AgencyFactory(member=kg, name="Accounts Chamber", name_ru="Счётная палата", acronym="ACH")
    plan = ActionPlanFactory(member=kg)
    plan_am = ActionPlanFactory(member=other)
    for n in range(30):
        CommitmentFactory(
            plan=plan if n % 3 else plan_am,
            number=n + 1,
            identifier=f"KG{n:04d}",
            title=f"Open data portal {n}" if n % 2 else f"Water budget audit {n}",
            title_ru=f"Открытые данные {n}" if n % 4 == 1 else "",
            lead_agency=chamber if n % 5 == 0 else None,
        )
    road = CommitmentFactory(plan=plan, number=99, identifier="KG0099", title="Roads")
    MilestoneFactory(commitment=road, deliverable="Publish the open data on roads", deliverable_ru="Аудит дорог")


def _results(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return re.search(r'<section aria-labelledby="results-heading">.*?</section>', html, re.S).group(0)


QUERIES = [
    "",
    "?q=open+data",
    "?q=OPEN,+data!&page=2",
    "?q=water&sort=-identifier",
    "?q=budget+audit+water&sort=title&page=2",
    "?q=открытые",
    "?q=аудит",
    "?q=Счетная+палата",
    "?q=Счётная",  # "ё": through the ORM
    "?q=KG0007",
    "?q=ach",
    "?q=kyrgyz+republic",
    "?q=a",
    "?q=50%25_x",
    "?q=!!!",
    "?q=nothing+here",
    "?page=2&sort=-member",
    "?sort=-updated",
    "?page=99",
]


@pytest.mark.parametrize("language", ["", "/ru", "/ky"])
def test_the_compiled_list_shows_what_the_orm_shows(client, commitments, monkeypatch, language):
    compiled = {}
    for query in QUERIES:
        url = f"{language}/commitments/{query}"
        compiled[query] = (_results(client, url), _results(client, url))  # the shape compiled, then kept
    monkeypatch.setattr(list_compiled, "shape_of", lambda filterset: None)
    for query in QUERIES:
        expected = _results(client, f"{language}/commitments/{query}")
        assert compiled[query] == (expected, expected), query
    assert "KG0099" in compiled["?q=open+data"][0] or "KG0099" in _results(client, "/commitments/?q=roads")


def test_a_kept_shape_serves_another_searchs_words_with_that_searchs_rows(client, commitments):
    """The second search of a shape (two ASCII words) reads its own words: the values reach the SQL as given."""
    first = _results(client, "/commitments/?q=open+data")
    counts = [key for key in list_compiled._KEPT if key[0] == "count"]
    with CaptureQueriesContext(connection) as queries:
        second = _results(client, "/commitments/?q=budget+audit")
    # The same shape: its count not compiled again (a page's rows are kept per slice: 16 and 15 results here).
    assert [key for key in list_compiled._KEPT if key[0] == "count"] == counts
    assert "Water budget audit" in second and "Open data portal" not in second
    assert "Open data portal" in first and "Water budget audit" not in first
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "budget" in sql and "audit" in sql and "zqj" not in sql and "щъж" not in sql


def test_a_word_with_yo_and_any_other_filter_go_through_the_orm(client, commitments):
    assert _results(client, "/commitments/?q=Счётная")
    assert _results(client, "/commitments/?q=open&member=KG")
    assert list_compiled._KEPT == {}
