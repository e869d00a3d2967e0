"""Issue #20: every sort order of the commitment list, searched or not, shows the rows of the ORM's plain ordering.

The list's pages are read from indexes in order where one serves the sort (``commitment_number_identifier``,
``commitment_end_identifier`` and their descending twins, migration commitments 0024) and its statements are
compiled once per shape (``commitments/list_compiled.py``); neither may change which rows a page shows or their
order. Ties (many commitments share a number, an end date, no overdue milestone) are broken by identifier.
Runs on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from commitments.filters import annotate_commitments, member_order
from commitments.models import Commitment
from tests.factories import ActionPlanFactory, CommitmentFactory, MemberFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

SORTS = {
    "member": None,  # member_order(): the name as shown
    "number": "number",
    "identifier": "identifier",
    "title": "title",
    "end": "end_date",
    "updated": "latest_update_at",
    "overdue": "overdue_count",
}


@pytest.fixture(autouse=True)
def english_outside_requests():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_compiled_lists(nothing_compiled):
    yield


@pytest.fixture
def commitments():
    """64 commitments over three members: five numbers, four end dates, 0-3 overdue milestones, each shared by many."""
    members = [MemberFactory(code=code, name=name) for code, name in (("KG", "Kyrgyz Republic"), ("AM", "Armenia"), ("GE", "Georgia"))]
    plans = [ActionPlanFactory(member=member) for member in members]
    ends = [dt.date(2020, 8, 31), dt.date(2024, 6, 30), None, dt.date(2030, 1, 1)]
    for n in range(64):
        commitment = CommitmentFactory(
            plan=plans[n % 3],
            number=n % 5 + 1,
            identifier=f"{members[n % 3].code}{(n * 37) % 101:04d}",
            title=f"Water budget audit {n % 7}" if n % 2 else f"Open data portal {n % 6}",
            end_date=ends[n % 4],
            start_date=dt.date(2018, 9, 1),
            latest_update_at=None if n % 3 == 0 else timezone.make_aware(dt.datetime(2024, 1, 1 + n % 9)),
        )
        for m in range(n % 4):
            MilestoneFactory(commitment=commitment, deliverable=f"Step {m}", end_date=dt.date(2019 + m, 6, 30))


def _identifiers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    section = re.search(r'<section aria-labelledby="results-heading">.*?</section>', html, re.S).group(0)
    return list(dict.fromkeys(re.findall(r"\b(?:KG|AM|GE)\d{4}\b", section)))


def _expected(sort, words=""):
    rows = annotate_commitments(Commitment.objects.all(), timezone.localdate())
    if words:
        rows = rows.filter(title__icontains=words)
    key = SORTS[sort.lstrip("-")]
    if key is None:
        key = member_order().desc() if sort.startswith("-") else member_order().asc()
    elif sort.startswith("-"):
        key = f"-{key}"
    order = [key] if sort.lstrip("-") == "identifier" else [key, "identifier"]
    return list(rows.order_by(*order).values_list("identifier", flat=True))


@pytest.mark.parametrize("search", ["", "water"])
@pytest.mark.parametrize("sort", [order for name in SORTS for order in (name, f"-{name}")])
def test_every_sort_order_shows_the_rows_of_the_orms_plain_ordering(client, commitments, sort, search):
    expected = _expected(sort, search)
    assert len(expected) == (64 if not search else 32)
    query = f"?sort={sort}" + (f"&q={search}" if search else "")
    shown = _identifiers(client, f"/commitments/{query}") + _identifiers(client, f"/commitments/{query}&page=2")
    if not search:
        shown += _identifiers(client, f"/commitments/{query}&page=3")
    assert shown == expected, sort
    # The shape compiled on the first request, kept for the next: the same rows again.
    assert _identifiers(client, f"/commitments/{query}") == expected[:25]
