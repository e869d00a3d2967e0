"""The FilterSets of commitments, milestones and progress updates, run directly on querysets."""

import datetime as dt

import pytest
from django.db import connection

from commitments.filters import (
    CommitmentFilterSet,
    MilestoneFilterSet,
    ProgressUpdateFilterSet,
    milestone_is_overdue,
    overdue_milestones_q,
    search_words,
)
from commitments.models import Commitment, Milestone, ProgressUpdate
from tests.factories import (
    ActionPlanFactory,
    AgencyFactory,
    CommitmentFactory,
    LocalMemberFactory,
    MemberFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2020, 3, 15)


def identifiers(data, today=TODAY):
    fs = CommitmentFilterSet(data, queryset=Commitment.objects.all(), today=today)
    assert fs.is_valid(), fs.errors
    return sorted(c.identifier for c in fs.qs)


@pytest.fixture
def world():
    kg = MemberFactory()
    bishkek = LocalMemberFactory(parent=kg)
    kg_plan = ActionPlanFactory(member=kg)
    bsk_plan = ActionPlanFactory(member=bishkek, title="Bishkek 2025", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    audit = AgencyFactory(member=kg, name="Accounts Chamber", acronym="AC")
    courts = AgencyFactory(member=kg, name="Judicial Department")
    c1 = CommitmentFactory(
        plan=kg_plan, identifier="KG0001", number=1, title="Open data portal", description="Publish datasets.",
        lead_agency=courts, ogp_values=["access_to_information"], themes=["Open data"],
    )
    c2 = CommitmentFactory(
        plan=kg_plan, identifier="KG0017", number=17, title="Implement an auditing system with public participation",
        title_ru="Внедрение системы аудита с участием общественности", lead_agency=audit,
        ogp_values=["civic_participation", "public_accountability"], themes=["Fiscal openness"],
    )
    c3 = CommitmentFactory(
        plan=bsk_plan, identifier="KGBSK0001", number=1, title="City budget for citizens", description="",
        ogp_values=["access_to_information"], themes=[],
    )
    # c1: one milestone ended (day precision) in 2019 without an update -> overdue
    m1 = MilestoneFactory(commitment=c1, number="1.1", end_date=dt.date(2019, 12, 31), end_precision="day",
                          deliverable="Launch the open data portal")
    # c2: a milestone ended in 2019, completed; a month-precision one ending March 2020 (not yet over on the 15th)
    m2 = MilestoneFactory(commitment=c2, number="2.1", end_date=dt.date(2019, 6, 30), end_precision="day",
                          deliverable="Train auditors with citizen observers")
    m3 = MilestoneFactory(commitment=c2, number="2.2", start_date=dt.date(2019, 12, 1), end_date=dt.date(2020, 3, 1),
                          end_precision="month", deliverable="Hold public hearings")
    ProgressUpdateFactory(milestone=m2, completion="complete", period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30))
    ProgressUpdateFactory(milestone=m3, completion="limited", period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31))
    # A draft never counts.
    ProgressUpdateFactory(milestone=m1, completion="complete", state="draft", published_at=None)
    return {"kg": kg, "bishkek": bishkek, "kg_plan": kg_plan, "bsk_plan": bsk_plan, "audit": audit, "courts": courts,
            "c1": c1, "c2": c2, "c3": c3, "m1": m1, "m2": m2, "m3": m3}


@pytest.fixture(params=["broad", "narrow"])
def search_form(request, monkeypatch):
    """Run a search test with each of the two forms of the search on PostgreSQL (issue #20).

    A broad search tests each row the list walks; a narrow one reads the UNION of indexed selects.
    They must find the same commitments (on SQLite there is one form: the test runs twice alike).
    """
    from commitments import search

    monkeypatch.setattr(search, "BROAD_SEARCH_SHARE", 0 if request.param == "broad" else float("inf"))
    return request.param


def test_no_filter_returns_everything_in_member_plan_number_order(world):
    assert identifiers({}) == ["KG0001", "KG0017", "KGBSK0001"]


def test_member_filter_takes_the_member_code(world):
    assert identifiers({"member": "KGBSK"}) == ["KGBSK0001"]
    assert identifiers({"member": "KG"}) == ["KG0001", "KG0017"]


def test_plan_filter(world):
    assert identifiers({"plan": world["bsk_plan"].pk}) == ["KGBSK0001"]


def test_theme_filter(world):
    assert identifiers({"theme": "Fiscal openness"}) == ["KG0017"]


def test_ogp_value_filter(world):
    assert identifiers({"ogp_value": "access_to_information"}) == ["KG0001", "KGBSK0001"]
    assert identifiers({"ogp_value": "public_accountability"}) == ["KG0017"]


def test_lead_agency_filter(world):
    assert identifiers({"lead_agency": world["audit"].pk}) == ["KG0017"]


def test_completion_filter_reads_the_stored_rollup_of_the_milestones(world):
    # KG0017 rolls up from its two milestones: complete (3 points) and limited (1 point) = 66 %, substantial.
    assert identifiers({"completion": "substantial"}) == ["KG0017"]
    assert identifiers({"completion": "limited"}) == []
    assert identifiers({"completion": "complete"}) == []
    assert identifiers({"completion": "none"}) == ["KG0001", "KGBSK0001"]  # KG0001's only update is a draft


def test_overdue_filter_counts_month_precision_ends_to_the_month_end(world):
    assert identifiers({"overdue": "true"}) == ["KG0001"]
    assert identifiers({"overdue": "false"}) == ["KG0017", "KGBSK0001"]
    # From April 2020, milestone 2.2 (ends "March 2020") without a complete update is overdue too.
    assert identifiers({"overdue": "true"}, today=dt.date(2020, 4, 1)) == ["KG0001", "KG0017"]
    assert identifiers({"overdue": "true"}, today=dt.date(2020, 3, 31)) == ["KG0001"]


def test_contested_filter_reads_open_disputes_of_published_updates(world):
    from django.utils import timezone

    from engagement.models import Review
    from tests.factories import UserFactory

    now = timezone.now()
    reviewer, other = UserFactory(), UserFactory()
    limited, complete = ProgressUpdate.objects.filter(milestone__in=[world["m3"], world["m2"]]).order_by("-period_end")
    draft = ProgressUpdate.objects.get(milestone=world["m1"])
    assert identifiers({"contested": "true"}) == []
    # An answered dispute and a hidden one do not contest; neither does a dispute of a draft (never public).
    Review.objects.create(update=complete, author=reviewer, stance="dispute", comment="No.", created_at=now,
                          response="Here is the report.", responded_at=now)
    Review.objects.create(update=limited, author=other, stance="dispute", comment="Abuse.", created_at=now,
                          hidden_reason="Insults.", hidden_at=now)
    Review.objects.create(update=draft, author=reviewer, stance="dispute", comment="Not done.", created_at=now)
    Review.objects.create(update=limited, author=reviewer, stance="agree", comment="Seen it.", created_at=now)
    assert identifiers({"contested": "true"}) == []
    assert identifiers({"contested": "false"}) == ["KG0001", "KG0017", "KGBSK0001"]
    # An open dispute of a published update: contested until answered.
    open_dispute = Review.objects.create(update=complete, author=other, stance="dispute", comment="Not online.", created_at=now)
    assert identifiers({"contested": "true"}) == ["KG0017"]
    assert identifiers({"contested": "false"}) == ["KG0001", "KGBSK0001"]
    assert identifiers({"contested": "true", "member": "KGBSK"}) == []
    fs = CommitmentFilterSet({}, queryset=Commitment.objects.all(), today=TODAY)
    assert {c.identifier: c.contested for c in fs.qs} == {"KG0001": False, "KG0017": True, "KGBSK0001": False}
    open_dispute.responded_at, open_dispute.response = now, "The portal is online since May."
    open_dispute.save()
    assert identifiers({"contested": "true"}) == []


@pytest.mark.usefixtures("search_form")
def test_search_finds_titles_descriptions_and_milestones_by_word_prefix(world):
    assert identifiers({"q": "audit"}) == ["KG0017"]  # "auditing" in the title
    assert identifiers({"q": "datasets"}) == ["KG0001"]  # description
    assert identifiers({"q": "hearings"}) == ["KG0017"]  # a milestone's deliverable
    assert identifiers({"q": "public hearings"}) == ["KG0017"]  # every word must match
    assert identifiers({"q": "public zebra"}) == []
    assert identifiers({"q": "KGBSK0001"}) == ["KGBSK0001"]  # an identifier


@pytest.mark.usefixtures("search_form")
def test_search_finds_russian_text_whatever_the_active_language(world):
    assert identifiers({"q": "аудита"}) == ["KG0017"]
    assert identifiers({"q": "Внедрение"}) == ["KG0017"]


@pytest.mark.usefixtures("search_form")
def test_search_ignores_punctuation_and_operators(world):
    assert search_words("open & data | !portal:* ( )") == ["open", "data", "portal"]
    assert identifiers({"q": "open & data | !portal"}) == ["KG0001"]
    assert identifiers({"q": "&|!"}) == ["KG0001", "KG0017", "KGBSK0001"]


def test_filters_combine(world):
    assert identifiers({"member": "KG", "ogp_value": "access_to_information", "overdue": "true"}) == ["KG0001"]
    assert identifiers({"member": "KG", "q": "portal", "completion": "limited"}) == []


def test_sorting(world):
    assert identifiers({"sort": "-identifier"}) == sorted(["KG0001", "KG0017", "KGBSK0001"])  # order-free helper
    fs = CommitmentFilterSet({"sort": "-identifier"}, queryset=Commitment.objects.all(), today=TODAY)
    assert [c.identifier for c in fs.qs] == ["KGBSK0001", "KG0017", "KG0001"]
    fs = CommitmentFilterSet({"sort": "-overdue"}, queryset=Commitment.objects.all(), today=TODAY)
    assert [c.identifier for c in fs.qs][0] == "KG0001"


@pytest.mark.parametrize("sort", ["member", "-member", "title", "end", "-end", "updated", "-updated", "number"])
def test_rows_that_tie_on_the_sort_come_in_identifier_order_so_pages_neither_repeat_nor_skip(sort):
    """Five commitments alike in every sort key (member, title, end, no update, number) but their identifiers."""
    plan = ActionPlanFactory()
    for identifier in ("TIE0005", "TIE0002", "TIE0004", "TIE0001", "TIE0003"):
        CommitmentFactory(plan=plan, identifier=identifier, number=1, title="Same", end_date=TODAY)
    fs = CommitmentFilterSet({"sort": sort}, queryset=Commitment.objects.all(), today=TODAY)
    assert [c.identifier for c in fs.qs] == ["TIE0001", "TIE0002", "TIE0003", "TIE0004", "TIE0005"]


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_in_russian_and_kyrgyz_members_are_ordered_by_the_name_the_page_shows(language):
    """A member without a name in the visitor's language is shown, and sorted, under its English name."""
    from django.utils import translation

    with_own = MemberFactory(code="BB", name="Zeta", **{f"name_{language}": "Бета"})
    english_only = MemberFactory(code="AA", name="Alpha", **{f"name_{language}": ""})
    third = MemberFactory(code="CC", name="Gamma", **{f"name_{language}": "Ясный"})
    for member, identifier in ((with_own, "BB0001"), (english_only, "AA0001"), (third, "CC0001")):
        CommitmentFactory(plan=ActionPlanFactory(member=member), identifier=identifier, number=1)
    with translation.override(language):
        for params, expected in (
            ({}, ["AA0001", "BB0001", "CC0001"]),  # Alpha, Бета, Ясный (Latin before Cyrillic)
            ({"sort": "member"}, ["AA0001", "BB0001", "CC0001"]),
            ({"sort": "-member"}, ["CC0001", "BB0001", "AA0001"]),
        ):
            fs = CommitmentFilterSet(params, queryset=Commitment.objects.all(), today=TODAY)
            assert [c.identifier for c in fs.qs] == expected, params
    # In English, the English names: Alpha, Gamma, Zeta.
    fs = CommitmentFilterSet({}, queryset=Commitment.objects.all(), today=TODAY)
    assert [c.identifier for c in fs.qs] == ["AA0001", "CC0001", "BB0001"]


def test_unknown_values_are_form_errors_not_crashes(world):
    fs = CommitmentFilterSet({"plan": "999", "overdue": "maybe", "sort": "nope"}, queryset=Commitment.objects.all(), today=TODAY)
    assert not fs.is_valid()
    assert set(fs.errors) == {"plan", "overdue", "sort"}
    assert fs.qs.count() == 3  # the valid rest still applies


def test_overdue_rule_is_the_same_in_the_database_and_in_python(world):
    for today in (dt.date(2019, 7, 1), TODAY, dt.date(2020, 3, 31), dt.date(2020, 4, 1), dt.date(2030, 1, 1)):
        in_db = set(Milestone.objects.filter(overdue_milestones_q(today)).values_list("number", flat=True))
        in_python = {
            m.number
            for m in Milestone.objects.all()
            if milestone_is_overdue(m, list(m.progress_updates.filter(state="published")), today)
        }
        assert in_db == in_python, today


def test_milestone_filterset(world):
    def numbers(data, today=TODAY):
        fs = MilestoneFilterSet(data, queryset=Milestone.objects.all(), today=today)
        assert fs.is_valid(), fs.errors
        return sorted(m.number for m in fs.qs)

    assert numbers({"commitment": "KG0017"}) == ["2.1", "2.2"]
    assert numbers({"member": "KG", "overdue": "true"}) == ["1.1"]
    assert numbers({"overdue": "false", "plan": world["kg_plan"].pk}) == ["2.1", "2.2"]
    assert numbers({"completion": "complete"}) == ["2.1"]
    assert numbers({"completion": "none"}) == ["1.1"]


def test_progress_update_filterset(world):
    def ids(data):
        fs = ProgressUpdateFilterSet(data, queryset=ProgressUpdate.objects.filter(state="published"))
        assert fs.is_valid(), fs.errors
        return sorted((u.milestone.number, u.completion) for u in fs.qs)

    assert ids({"commitment": "KG0017"}) == [("2.1", "complete"), ("2.2", "limited")]
    assert ids({"completion": "limited"}) == [("2.2", "limited")]
    assert ids({"member": "KGBSK"}) == []
    assert ids({"period_end_after": "2019-07-01"}) == [("2.2", "limited")]


def test_search_uses_the_gin_index_on_postgresql(world, monkeypatch):
    if connection.vendor != "postgresql":
        return  # SQLite has no GIN index: the fallback is tested above (a skip would fail CI)
    from commitments import search

    # The narrow form (a few matches: the UNION read from the GIN indexes); a broad search walks the list.
    monkeypatch.setattr(search, "BROAD_SEARCH_SHARE", float("inf"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname IN ('commitment_search_gin', 'milestone_search_gin')")
        assert {row[0] for row in cursor.fetchall()} == {"commitment_search_gin", "milestone_search_gin"}
        cursor.execute("SET enable_seqscan = off")
        try:
            fs = CommitmentFilterSet({"q": "audit"}, queryset=Commitment.objects.all(), today=TODAY)
            plan = fs.qs.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert "commitment_search_gin" in plan and "milestone_search_gin" in plan, plan
    # The stored vectors (migration 0008): no row's vector is computed by the query.
    assert "search_vector @@" in plan and "to_tsvector" not in plan, plan


def test_the_stored_vector_stays_in_the_row_when_the_long_texts_go_to_toast(world):
    """Migration 0008's ``STORAGE MAIN``: a commitment's vector is kept in its row, never fetched from TOAST.

    Each row a broad search walks is tested on its vector; out of line, every test would be a TOAST
    lookup (issue #20). A row with long descriptions in three languages (about 3 KB of vector, as at
    scale 10) is over PostgreSQL's ``toast_tuple_target``: the descriptions go out of line, the vector
    stays, with no need of a larger ``toast_tuple_target`` (measured at scale 10: it would move the
    descriptions into the rows instead, doubling the heap the searches walk).
    """
    if connection.vendor != "postgresql":
        return  # SQLite has no stored vector (the LIKE fallback is tested above; a skip would fail CI)
    import random
    import string

    rng = random.Random(20)

    def text(words):  # distinct words: neither the text nor its vector compresses much
        return " ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(words))

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'commitments_commitment'::regclass")
        toast = cursor.fetchone()[0]
        out_of_line = f"SELECT chunk_id, sum(length(chunk_data)) FROM {toast} GROUP BY chunk_id"  # each value stored out of line, its size
        cursor.execute(out_of_line)
        before = dict(cursor.fetchall())
        descriptions = {f"description_{code}": text(100) for code in ("en", "ru", "ky")}
        Commitment.objects.bulk_create(
            [Commitment(plan=world["kg_plan"], identifier="KG0098", number=98, title="Long", title_en="Long", **descriptions)]
        )
        cursor.execute(
            "SELECT pg_column_size(search_vector), pg_column_size(description), pg_column_size(description_en), "
            "pg_column_size(description_ru), pg_column_size(description_ky) FROM commitments_commitment WHERE identifier = 'KG0098'"
        )
        vector, *texts = cursor.fetchone()
        assert vector > 2500  # larger than the default toast_tuple_target (about 2 KB)
        cursor.execute(out_of_line)
        added = sorted(size for chunk, size in cursor.fetchall() if chunk not in before)
        assert added == sorted(texts)  # the descriptions (the default language's twice, as modeltranslation keeps it), not the vector


@pytest.mark.usefixtures("search_form")
def test_search_follows_every_write_of_the_texts(world):
    """The stored vectors are generated columns: a save, a queryset update and a bulk insert all keep them current."""
    Commitment.objects.filter(identifier="KG0001").update(title_en="Beneficial ownership register", description_en="")
    assert identifiers({"q": "ownership"}) == ["KG0001"]
    assert identifiers({"q": "datasets"}) == []
    milestone = Milestone.objects.get(number="1.1")
    milestone.deliverable_ky = "Ачык маалыматтар порталы"
    milestone.save()
    assert identifiers({"q": "маалымат"}) == ["KG0001"]
    Commitment.objects.bulk_create([Commitment(plan=world["kg_plan"], identifier="KG0099", number=99, title="Zoning maps", title_en="Zoning maps")])
    assert identifiers({"q": "zoning"}) == ["KG0099"]


# --- search in the visitor's language (issue 18) --------------------------------------------


@pytest.fixture
def translated_names(world):
    world["audit"].name_ru, world["audit"].name_ky = "Счетная палата Кыргызской Республики", "Кыргыз Республикасынын Эсептөө палатасы"
    world["audit"].save()
    world["kg"].name_ru, world["kg"].name_ky = "Кыргызская Республика", "Кыргыз Республикасы"
    world["kg"].save()
    world["bishkek"].name_ru, world["bishkek"].name_ky = "Бишкек", "Бишкек"
    world["bishkek"].save()
    return world


@pytest.mark.usefixtures("search_form")
def test_search_finds_commitments_by_the_translated_name_of_their_lead_agency(translated_names):
    assert identifiers({"q": "Счетная палата"}) == ["KG0017"]
    assert identifiers({"q": "счётная"}) == ["KG0017"]  # lower case, and "ё" as the official name's "е"
    assert identifiers({"q": "Эсептөө"}) == ["KG0017"]
    assert identifiers({"q": "эсептөө палатасы"}) == ["KG0017"]
    assert identifiers({"q": "Accounts Chamber"}) == ["KG0017"]
    assert identifiers({"q": "AC"}) == ["KG0017"]  # the acronym, whole


@pytest.mark.usefixtures("search_form")
def test_search_finds_commitments_by_the_translated_name_of_their_member(translated_names):
    assert identifiers({"q": "Бишкек"}) == ["KGBSK0001"]
    assert identifiers({"q": "кыргызская"}) == ["KG0001", "KG0017"]


@pytest.mark.usefixtures("search_form")
def test_a_name_is_found_by_the_start_of_its_words_only(translated_names):
    assert identifiers({"q": "public"}) == ["KG0017"]  # the title's "public", not "Kyrgyz Republic"
    assert identifiers({"q": "алата"}) == []  # inside "палата": no


def test_search_languages_say_where_the_results_matched(translated_names):
    from commitments.filters import search_languages

    everything = Commitment.objects.all()
    assert search_languages(everything, "Счетная палата") == ["ru"]
    assert search_languages(everything, "Эсептөө") == ["ky"]
    assert search_languages(everything, "auditing") == ["en"]
    assert search_languages(everything, "аудита") == ["ru"]
    assert search_languages(everything, "Бишкек") == ["ru", "ky"]
    assert search_languages(everything, "") == []


def test_the_lists_language_columns_say_per_row_what_search_languages_says(translated_names):
    """Issue #20: the list's note reads per-language columns of its page query; each row's say the same as search_languages."""
    from commitments.search import matched_languages, search_language_columns, search_languages

    for text in ("Счетная палата", "Эсептөө", "auditing", "аудита", "Бишкек", "кыргызская", "public"):
        rows = list(Commitment.objects.annotate(**search_language_columns(text)).order_by("pk"))
        assert matched_languages(rows, text) == search_languages(Commitment.objects.all(), text)
        for row in rows:
            assert matched_languages([row], text) == search_languages(Commitment.objects.filter(pk=row.pk), text), (text, row)
    assert search_language_columns("") == {}


def test_the_lists_language_columns_read_each_languages_milestones(world):
    """Issue #20: the note's columns (on PostgreSQL one array, the milestones read once for the three languages)
    say per language what search_languages says: a milestone's deliverable in Russian or Kyrgyz, every word in
    one milestone (not two words in two), a commitment without milestones, a title in one language only."""
    from commitments.search import matched_languages, search_language_columns, search_languages

    c1, c3 = world["c1"], world["c3"]
    MilestoneFactory(commitment=c1, number="1.2", deliverable="Train editors", deliverable_ru="Портал открытых данных")
    MilestoneFactory(commitment=c3, number="1.1", deliverable="Budget", deliverable_ky="Ачык бюджет порталы")
    MilestoneFactory(commitment=c3, number="1.2", deliverable="Hearings", deliverable_ky="Шаардык угуулар")
    for text in ("портал", "открытых данных", "ачык бюджет", "бюджет угуулар", "open data", "auditing", "city", "нет такого"):
        rows = list(Commitment.objects.annotate(**search_language_columns(text)).order_by("pk"))
        assert matched_languages(rows, text) == search_languages(Commitment.objects.all(), text), text
        for row in rows:
            assert matched_languages([row], text) == search_languages(Commitment.objects.filter(pk=row.pk), text), (text, row)
    assert matched_languages(list(Commitment.objects.annotate(**search_language_columns("ачык бюджет"))), "ачык бюджет") == ["ky"]
    assert matched_languages(list(Commitment.objects.annotate(**search_language_columns("бюджет угуулар"))), "бюджет угуулар") == []
    assert matched_languages(list(Commitment.objects.annotate(**search_language_columns("открытых данных"))), "открытых данных") == ["ru"]


def test_the_broad_or_narrow_estimate_is_asked_once_per_search(world, monkeypatch):
    """Issue #20: the planner's estimate (an EXPLAIN) is kept per process per search; the share is compared each time."""
    from commitments import search

    asked = []
    monkeypatch.setattr(search, "_estimates", {})
    monkeypatch.setattr(search, "_estimated_share", lambda tsquery: asked.append(tsquery) or 0.5)
    assert search._is_broad("open:*") and search._is_broad("open:*")
    monkeypatch.setattr(search, "BROAD_SEARCH_SHARE", 0.6)
    assert not search._is_broad("open:*")
    assert asked == ["open:*"]
    search._is_broad("data:*")
    assert asked == ["open:*", "data:*"]


@pytest.mark.usefixtures("search_form")
def test_both_forms_of_the_search_combine_with_the_other_filters_and_the_sort(translated_names):
    assert identifiers({"q": "кыргызская", "member": "KG", "sort": "-number"}) == ["KG0001", "KG0017"]
    fs = CommitmentFilterSet({"q": "кыргызская", "sort": "-number"}, queryset=Commitment.objects.all(), today=TODAY)
    assert [c.identifier for c in fs.qs] == ["KG0017", "KG0001"]
    assert identifiers({"q": "public", "contested": "false"}) == ["KG0017"]
    assert identifiers({"q": "Бишкек", "member": "KG"}) == []


def test_the_two_forms_of_the_search_on_postgresql(world):
    """PostgreSQL: a broad search tests the rows the list walks; a narrow one reads one UNION of indexed selects."""
    from commitments import search

    if connection.vendor != "postgresql":
        return  # one form on SQLite (a skip would fail CI)
    broad = str(search.search_commitments(Commitment.objects.all(), "open data", broad=True).query)
    narrow = str(search.search_commitments(Commitment.objects.all(), "open data", broad=False).query)
    assert " UNION " not in broad and '"search_vector" @@' in broad
    assert " UNION " in narrow
    # The choice: the planner's estimate (one EXPLAIN, no rows read), on the stored vectors' statistics.
    assert search._is_broad(search._prefix_tsquery(["open"])) in (True, False)


def test_the_api_search_on_titles_has_statistics_on_postgresql(world):
    """DRF's ``?search=`` tests UPPER(title_<language>) LIKE …: statistics on it let the planner estimate the matches."""
    if connection.vendor != "postgresql":
        return  # no extended statistics on SQLite (a skip would fail CI)
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE 'commitment_title_upper_%%'")
        assert {row[0] for row in cursor.fetchall()} == {f"commitment_title_upper_{code}" for code in ("en", "ru", "ky")}


def test_the_theme_options_are_every_theme_in_use_once_sorted(world):
    """On PostgreSQL the distinct theme lists are read by skipping through their index (issue #20): the same options."""
    from commitments.filters import _themes_in_use

    CommitmentFactory(plan=world["kg_plan"], identifier="KG0031", number=31, themes=["Open data", "Anti-corruption"])
    CommitmentFactory(plan=world["kg_plan"], identifier="KG0032", number=32, themes=["Anti-corruption"])
    CommitmentFactory(plan=world["kg_plan"], identifier="KG0033", number=33, themes=["Open data", "Anti-corruption"])
    assert _themes_in_use() == ["Anti-corruption", "Fiscal openness", "Open data"]


def test_the_lists_compiled_columns_read_the_same_as_the_expressions_they_keep(world):
    """``overdue_count`` (compiled once per process and day, issue #20) reads what its sub-select reads, per day,
    and stays right when the query of commitments is nested in another one; the stored ``latest_update_at`` holds
    what the rule's sub-select reads."""
    from django.db.models import OuterRef, Subquery

    from commitments.filters import _latest_update_at, _overdue_count, annotate_commitments

    def plain(today):
        return Commitment.objects.annotate(latest_rule=_latest_update_at(), overdue=_overdue_count(today))

    columns = ("identifier", "latest_update_at", "overdue_count")
    for today in (TODAY, dt.date(2019, 1, 1), dt.date(2021, 1, 1)):
        compiled = annotate_commitments(Commitment.objects.all(), today)
        assert sorted(compiled.values_list(*columns)) == sorted(plain(today).values_list("identifier", "latest_rule", "overdue"))
        # Nested: the commitments' table gets another alias inside the outer query.
        overdue = compiled.filter(overdue_count__gt=0).values("pk")
        assert set(Commitment.objects.filter(pk__in=overdue).values_list("identifier", flat=True)) == {
            i for i, n in plain(today).values_list("identifier", "overdue") if n
        }
        latest = Commitment.objects.annotate(at=Subquery(compiled.filter(pk=OuterRef("pk")).values("latest_update_at")[:1]))
        assert dict(latest.values_list("identifier", "at")) == dict(plain(today).values_list("identifier", "latest_rule"))
    assert sorted(c.overdue_count for c in annotate_commitments(Commitment.objects.all(), TODAY)) == [0, 0, 1]
