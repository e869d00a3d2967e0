"""The API's ``?search=`` (ogp_portal/api_search.py): DRF's meaning, whichever plan it takes (issue #20).

Every word within the identifier or the title in the request's language, case-insensitive; a broad search's
conditions written to walk the list (``strpos``), a narrow one's left for the trigram indexes (migration
commitments 0025). Both forms answer the same rows, in every language, as DRF's own SearchFilter.
"""

import pytest
from django.db import connection
from rest_framework import filters as drf_filters

from commitments.models import Commitment
from ogp_portal import api_search
from tests.api.conftest import client_for
from tests.factories import CommitmentFactory

TERMS = ["open", "OPEN data", "Данные", "kg00", "zebra", "a b", "50%", "o_e", "открыт", "маалымат", "e"]


@pytest.fixture
def titled(world):
    plan = world["own"].plan
    for number, (en, ru, ky) in enumerate([
        ("Open data portal", "Портал открытых данных", "Ачык маалымат порталы"),
        ("Reopened budget data", "Открытый бюджет", ""),
        ("50% of data, o_e", "Данные: 50%", "Маалымат"),
        ("Zebra crossings", "", "Зебра"),
    ], start=40):
        CommitmentFactory(plan=plan, identifier=f"KG00{number}", number=number, title_en=en, title_ru=ru, title_ky=ky)
    return world


def _ids(client, search, language, monkeypatch=None, walk=None):
    if walk is not None:
        monkeypatch.setattr(api_search.SearchFilter, "broad", staticmethod(lambda *args: walk))
    response = client.get("/api/v1/commitments/", {"search": search, "page_size": 100}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_a_walked_and_an_indexed_search_answer_what_drfs_search_answers(titled, monkeypatch, language):
    from commitments.api import CommitmentViewSet

    client = client_for()
    for term in TERMS:
        walked = _ids(client, term, language, monkeypatch, walk=True)
        indexed = _ids(client, term, language, monkeypatch, walk=False)
        backends = [drf_filters.SearchFilter if b is api_search.SearchFilter else b for b in CommitmentViewSet.filter_backends]
        monkeypatch.setattr(CommitmentViewSet, "filter_backends", backends)
        drf = _ids(client, term, language)
        monkeypatch.undo()
        assert walked == indexed == drf, (term, language)
    assert _ids(client, "open data", "en") and not _ids(client, "zebra open", "en")


def test_the_broad_estimate_and_the_plans_on_postgresql(titled, monkeypatch):
    """A word in every row is broad, a word in none is not (the planner's estimates, one EXPLAIN); the walked
    conditions are strpos, the indexed ones DRF's LIKE, which the trigram indexes answer."""
    if connection.vendor != "postgresql":
        return  # no trigram indexes on SQLite (a skip would fail CI)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commitments_commitment")
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'commitment_%%_upper_trgm'")
        assert {row[0] for row in cursor.fetchall()} == {
            f"commitment_{column}_upper_trgm" for column in ("identifier", "title_en", "title_ru", "title_ky")
        }
    lookups = ["identifier__icontains", "title_en__icontains"]
    # A few rows here: the planner never expects fewer than one, so a share of a half tells a word in none apart.
    monkeypatch.setattr(api_search, "BROAD_SHARE", 0.5)
    assert api_search.SearchFilter.broad(Commitment.objects.all(), lookups, ["KG", "qqqqzzzz"]) is False
    assert api_search.SearchFilter.broad(Commitment.objects.all(), lookups, ["KG"]) in (True, False)
    indexed = Commitment.objects.order_by().filter(title_en__icontains="zebra").values("id")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")  # a few rows: what the index can do
        plan = indexed.explain()
    assert "commitment_title_en_upper_trgm" in plan, plan
    walked = str(Commitment.objects.filter(title_en__icontains_walked="open").query)
    assert "strpos(UPPER" in walked and "LIKE" not in walked
