"""The queries that must stay fast at OGP scale use an index (issue #12 point 6).

Runs on both databases CI uses, asserting on each one's own plan:

* PostgreSQL (``EXPLAIN``): the list filters and the search on the commitments of generated
  data, after ``ANALYZE``. The test data is small, so the planner would rightly read a few
  pages sequentially; ``SET LOCAL enable_seqscan = off`` makes it take any index that serves
  the query, so the guard fails exactly when no index serves it (a dropped index, a filter
  wrapped in a function, a search vector that no longer matches the GIN index). The due-date
  scan of the stored standings is checked without that setting, on 3,000 rows after ANALYZE:
  the planner itself chooses the index. The commitment list's default order (member name, plan
  start, number) is checked with sorting off too: it must start from ``member_name_en``.
* SQLite (``EXPLAIN QUERY PLAN``): the same filters and the due-date scan ``SEARCH … USING
  INDEX``. SQLite has no full-text index here (the search is a LIKE fallback), so only the
  PostgreSQL run checks the search.
"""

import datetime as dt

import pytest
from django.db import connection, transaction

from commitments.filters import CommitmentFilterSet, search_commitments
from commitments.models import Agency, Commitment, Member
from bench.scale_data import generate
from compliance.models import MemberStanding

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

TODAY = dt.date(2026, 11, 29)
POSTGRES = connection.vendor == "postgresql"


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def plan_preferring_indexes(queryset, *, sort_off: bool = False) -> str:
    """``plan_of`` with sequential scans (and, with ``sort_off``, sorts) off for this query in PostgreSQL.

    The test data is small, so the planner would rightly read a few pages or sort a few rows; with those
    off it takes any index that serves the query, so a test fails exactly when no index serves it.
    """
    with transaction.atomic():
        if POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                if sort_off:
                    cursor.execute("SET LOCAL enable_sort = off")
        return plan_of(queryset)


def analyze():
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Generated members, plans and commitments, plus 3,000 stored standings with spread deadlines.

    Built once for the module, inside a transaction rolled back after its last test (each test runs
    in a savepoint inside it, as usual, so what one test writes is gone before the next).
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            generate(0.04, seed=42)
            members = Member.objects.bulk_create(
                Member(name=f"Index test member {i}", code=f"IX{i:04d}", country="Testland", kind="national") for i in range(3000)
            )
            MemberStanding.objects.bulk_create(
                MemberStanding(member=m, next_deadline=TODAY + dt.timedelta(days=(i * 7) % 1095), swept_at=dt.datetime(2026, 11, 29, tzinfo=dt.UTC))
                for i, m in enumerate(members)
            )
            analyze()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def data(generated, db):
    """The module's generated data, seen from a test's own transaction."""


def list_query(params):
    return CommitmentFilterSet(params, queryset=Commitment.objects.all(), today=TODAY).qs


def assert_index_on(plan: str, table: str):
    if POSTGRES:
        assert f"Seq Scan on {table}" not in plan, plan
        assert "Index" in plan, plan
    else:
        assert not any(f"SCAN {table}" in line and "INDEX" not in line for line in plan.splitlines()), plan


def test_list_filters_and_search_use_indexes(data):
    agency = Agency.objects.filter(led_commitments__isnull=False).order_by("pk").first()
    member = Member.objects.filter(code__startswith="XN").order_by("pk").first()
    with transaction.atomic():
        if POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        by_agency = plan_of(list_query({"lead_agency": agency.pk}))
        by_member = plan_of(list_query({"member": member.code}))
        assert_index_on(by_agency, "commitments_commitment")
        assert "lead_agency" in by_agency, by_agency
        assert_index_on(by_member, "commitments_commitment")
        if POSTGRES:
            word = Commitment.objects.order_by("pk").first().title_en.split()[0]
            # The narrow form of the search (the UNION; a broad search walks the list instead, issue #20).
            searched = plan_of(search_commitments(Commitment.objects.all(), word, broad=False))
            # The GIN indexes on the stored vectors (migration 0008), read without computing any vector.
            assert "Bitmap Index Scan on commitment_search_gin" in searched, searched
            assert "Bitmap Index Scan on milestone_search_gin" in searched, searched
            assert "search_vector @@" in searched and "to_tsvector" not in searched, searched
            # Generated data (bulk inserts) is found: the vector is computed on insert.
            assert search_commitments(Commitment.objects.all(), word).exists()


def test_the_name_part_of_a_search_reads_the_trigram_and_acronym_indexes(data):
    """Issue #20: agencies and members found by name from their indexes (migration 0016), not by testing every row.

    PostgreSQL: the indexes are on the very expressions ``search._named`` builds (the names joined
    by spaces, the upper-cased acronym): a change to one without the other would show here as a
    scan. Both databases: the agency is found by a word of its name and by its acronym.
    """
    from commitments import search

    agency = Agency.objects.exclude(name_en="").exclude(acronym="").order_by("pk").first()
    word = search.search_words(agency.name_en)[0]
    agency_columns = tuple(f"name_{code}" for code in search.LANGUAGE_CODES)
    member_columns = tuple(f"{field}_{code}" for field in ("name", "country") for code in search.LANGUAGE_CODES)
    by_name = search._named(Agency, [word], agency_columns, acronym="acronym")
    by_acronym = search._named(Agency, [agency.acronym.lower()], agency_columns, acronym="acronym")
    assert agency.pk in set(by_name.values_list("pk", flat=True))
    assert agency.pk in set(by_acronym.values_list("pk", flat=True))
    if POSTGRES:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
            agencies = plan_of(by_name)
            members = plan_of(search._named(Member, [word], member_columns))
        assert "agency_names_trgm" in agencies and "agency_acronym_upper" in agencies, agencies
        assert "member_names_trgm" in members, members


def test_the_lists_member_options_are_read_in_order_from_an_index(data):
    """Issue #20: every member, in the member filter's order, from ``member_kind_name`` (PostgreSQL) without a sort."""
    from django.db.models import QuerySet

    from commitments.filters import CommitmentFilterSet as Filters

    order = Filters.base_filters["member"].extra["queryset"].query.order_by
    options = QuerySet(Member).order_by(*order).values_list("code", "name_en", "name_ru")
    assert len(options) == Member.objects.count()
    if POSTGRES:
        plan = plan_preferring_indexes(options, sort_off=True)
        assert "using member_kind_name" in plan and "Sort" not in plan, plan


def test_the_due_date_scan_of_the_stored_standings_uses_its_index(data):
    due_soon = MemberStanding.objects.filter(next_deadline__gte=TODAY, next_deadline__lte=TODAY + dt.timedelta(days=30))
    plan = plan_of(due_soon)
    assert "standing_next_deadline" in plan, plan
    assert 0 < due_soon.count() < 300  # selective: five weekly deadlines of 157


@pytest.mark.parametrize("language, index", [("en", "member_name_en"), ("ru", "member_shown_name_ru"), ("ky", "member_shown_name_ky")])
def test_the_default_order_of_the_commitment_list_reads_members_by_their_name_index(data, language, index):
    """The list's default order (member name as shown, plan start, number) starts from a member name index.

    PostgreSQL then reads members in name order and their plans and commitments by foreign key,
    and stops after the page (an incremental sort on the presorted member name) instead of
    sorting every commitment (issue #12: 0.43 s at scale 1, growing with the table). In Russian and
    Kyrgyz the name as shown is the member's own, else the English one (``member_shown_name_<language>``):
    ordered by the Russian column alone, every member without a Russian name tied with the others and
    every commitment was sorted (issue #20: 330 ms for ``/ru/commitments/`` at scale 10).
    """
    from django.utils import translation

    with translation.override(language):
        plan = plan_preferring_indexes(list_query({})[:25], sort_off=True)
    if POSTGRES:
        assert index in plan, plan
        assert "Seq Scan on commitments_commitment" not in plan, plan
    else:
        # SQLite sorts the joined rows itself (a temporary B-tree); the indexes exist for PostgreSQL.
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "commitments_member")
        assert index in constraints


@pytest.mark.parametrize(
    "sort, index, expected",
    [
        ("updated", "commitment_latest_update", "(latest_update_at, identifier)"),
        ("-updated", "commitment_latest_update_desc", "(latest_update_at DESC, identifier)"),
        # Issue #20: by end date or number, an index of the key alone still sorted every commitment of a day (a
        # number) by identifier: scale 10, by number 76 ms, searched 163 ms.
        ("end", "commitment_end_identifier", "(end_date, identifier)"),
        ("-end", "commitment_end_desc_ident", "(end_date DESC, identifier)"),
        ("number", "commitment_number_identifier", "(number, identifier)"),
        ("-number", "commitment_number_desc_ident", "(number DESC, identifier)"),
    ],
)
def test_the_list_sorted_by_a_stored_column_reads_it_from_its_index_in_order(data, sort, index, expected):
    """``?sort=updated``, ``end``, ``number`` and their descending orders (ties by identifier) read a page from
    the column's index in order, without sorting every commitment (issue #20: a sub-select per commitment, all
    sorted: ~2 s at scale 10). NULLs last ascending, first descending: PostgreSQL's default, which the indexes keep."""
    plan = plan_preferring_indexes(list_query({"sort": sort})[:25], sort_off=True)
    if POSTGRES:
        assert f"using {index} on commitments_commitment" in plan, plan
        assert "Seq Scan on commitments_commitment" not in plan, plan
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            (definition,) = cursor.fetchone()
        assert expected in definition, definition
    else:
        assert index in plan, plan


def test_the_overdue_milestones_count_reads_the_milestones_not_done_from_their_partial_index(data):
    """The home page's overdue count reads the stored done flag through ``milestone_open_end``.

    Partial (milestones not done) on the end date and precision: the count is an index scan of the
    milestones still open, with no join to the progress updates (2.7 million at scale 10).
    """
    from commitments.filters import overdue_milestones_q
    from commitments.models import Milestone

    overdue = Milestone.objects.filter(overdue_milestones_q(TODAY)).values("pk")
    if POSTGRES:
        plan = plan_preferring_indexes(overdue)
        assert "milestone_open_end" in plan, plan
        assert "commitments_progressupdate" not in plan, plan
    else:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "commitments_milestone")
        assert "milestone_open_end" in constraints
        plan = plan_of(overdue)
        assert "commitments_progressupdate" not in plan, plan


def test_refreshing_the_done_flags_reads_the_closing_updates_from_their_partial_index(data):
    """``refresh_done_flags`` finds the few updates that close a milestone through ``progress_done``."""
    from commitments.filters import milestones_done_q
    from commitments.models import Milestone

    closing = Milestone.objects.filter(done=False).filter(milestones_done_q()).values("pk")
    if POSTGRES:
        plan = plan_preferring_indexes(closing)
        assert "progress_done" in plan, plan
        assert "Seq Scan on commitments_progressupdate" not in plan, plan
    else:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "commitments_progressupdate")
        assert "progress_done" in constraints


def test_the_lists_latest_update_and_contested_columns_read_the_published_updates_from_their_index(data):
    """The list's (and the API's) latest published update and contested mark per commitment read a
    milestone's published updates through ``progress_published_milestone`` alone (issue #20: with the
    updates' dates and ids in the index, an index-only scan, never the updates' wide rows)."""
    page = list_query({})[:25]
    if POSTGRES:
        # Index-only once the table is vacuumed (the visibility map; measured at scale 10: "Index Only Scan
        # using progress_published_milestone", 0 heap fetches, in both columns). The data here is a rolled-back
        # transaction, never vacuumed, so the guard is the index itself and that the columns read no update by a scan.
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'progress_published_milestone'")
            (definition,) = cursor.fetchone()
        assert "(milestone_id, period_end, published_at, id) WHERE ((state)::text = 'published'::text)" in definition, definition
        plan = plan_preferring_indexes(page)
        assert "Seq Scan on commitments_progressupdate" not in plan, plan
    else:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "commitments_progressupdate")
        assert constraints["progress_published_milestone"]["columns"] == ["milestone_id", "period_end", "published_at", "id"]
