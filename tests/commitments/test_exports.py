"""Open data: every export re-parses to the same data, in CSV and JSON; drafts never leave the portal."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from commitments import exports
from commitments.csv_io import export_plan_csv
from commitments.importer import ImportRefused, read_file
from ogp_portal.csv_safe import FORMULA_START, neutralise
from commitments.models import Commitment, Evidence, ProgressUpdate
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def download(client, slug, fmt, **params):
    response = client.get(reverse("commitments:export", args=[slug, fmt]), params)
    assert response.status_code == 200, response
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def parse_csv(text):
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def kg_with_progress(seed_data):
    kg0017 = Commitment.objects.get(identifier="KG0017")
    milestones = list(kg0017.milestones.order_by("pk"))
    update = ProgressUpdateFactory(
        milestone=milestones[0], completion="complete", narrative="Done, with «quotes», commas, and\na new line.",
    )
    for url in ("https://esep.kg/report-1", "https://esep.kg/report-2"):
        Evidence.objects.create(update=update, kind=Evidence.Kind.LINK, url=url)
    ProgressUpdateFactory(milestone=milestones[1], completion="limited", state="draft", published_at=None, narrative="secret draft")
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    return kg0017


@pytest.mark.parametrize("slug", list(exports.DATASETS))
def test_csv_and_json_exports_hold_the_same_rows_as_the_database(client, kg_with_progress, slug):
    dataset = exports.DATASETS[slug]
    objects, errors = dataset.rows({}, exports.today())
    assert errors is None
    expected = [exports.record(dataset, obj) for obj in objects]
    assert expected, slug
    as_json = json.loads(download(client, slug, "json"))
    assert as_json == expected
    as_csv = parse_csv(download(client, slug, "csv"))
    assert as_csv == [{k: neutralise(exports.csv_value(v)) for k, v in row.items()} for row in expected]


def test_commitments_use_ogp_spreadsheet_columns(client, kg_with_progress):
    rows = parse_csv(download(client, "commitments", "csv", member="KG"))
    assert len(rows) == 18
    assert list(rows[0])[: len(exports.OGP_COLUMNS)] == [
        "Commitment Unique Identifier", "Commitment Title", "Short Title", "Full Text", "Country/Locality", "Region",
        "Theme", "Year Of Submission", "Action Plan Number", "Commitment Number", "Lead Institution",
        "Supporting Institution(s)", "URL", "OGP Value Access To Information", "OGP Value Civic Participation",
        "OGP Value Public Accountability", "OGP Value Technology", "Specificity", "Potential Impact",
        "Completion (Progress Report)", "Did It Open Government (Overall)",
    ]
    row = next(r for r in rows if r["Commitment Unique Identifier"] == "KG0017")
    assert row["Country/Locality"] == "Kyrgyz Republic"
    assert row["Action Plan Number"] == "1"
    # The roll-up of KG0017's milestones (one complete, the others without an approved update).
    kg_with_progress.refresh_from_db()
    assert kg_with_progress.completion_percent > 0
    assert row["Completion (Progress Report)"] == str(kg_with_progress.stored_rollup.get_level_display())
    assert row["Completion Percent"] == str(kg_with_progress.completion_percent)
    assert row["URL"].endswith("/commitments/KG0017/")
    assert row["OGP Value Civic Participation"] in ("Yes", "No")


def test_drafts_are_never_exported(client, kg_with_progress):
    text = download(client, "progress-updates", "json")
    assert "secret draft" not in text
    updates = json.loads(text)
    assert [u["completion"] for u in updates] == ["complete"]
    assert updates[0]["evidence_links"] == ["https://esep.kg/report-1", "https://esep.kg/report-2"]
    assert ProgressUpdate.objects.count() == 2


def test_exports_take_the_page_filters(client, kg_with_progress):
    assert {r["Member Code"] for r in parse_csv(download(client, "commitments", "csv", member="KGBSK"))} == {"KGBSK"}
    milestones = json.loads(download(client, "milestones", "json", commitment="KG0017"))
    assert {m["commitment"] for m in milestones} == {"KG0017"}
    findings = json.loads(download(client, "findings", "json", member="KGBSK"))
    assert {f["member"] for f in findings} <= {"KGBSK"}


def test_a_bad_filter_is_a_400_with_a_message(client, seed_data):
    response = client.get(reverse("commitments:export", args=["commitments", "csv"]), {"plan": "99999"})
    assert response.status_code == 400
    assert b"plan" in response.content


def test_unknown_dataset_or_format_is_404(client, db):
    assert client.get("/data/nothing.csv").status_code == 404
    assert client.get("/data/commitments.xml").status_code == 404


@pytest.mark.parametrize("size", [1, 5])
def test_export_queries_do_not_grow_with_rows(client, django_assert_num_queries, kg_with_progress, size):
    for m in kg_with_progress.milestones.all()[:size]:
        ProgressUpdateFactory(milestone=m, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 6, 30))
    # the published updates (one streamed query), then their evidence (one prefetch per chunk)
    with django_assert_num_queries(2):
        download(client, "progress-updates", "csv")
    # plan numbers, then the commitments (one streamed query with its annotations)
    with django_assert_num_queries(2):
        download(client, "commitments", "json")


def test_open_data_page_documents_every_field_and_the_licence(client, db):
    html = client.get(reverse("commitments:open_data")).content.decode()
    assert exports.LICENCE_URL in html
    for dataset in exports.DATASETS.values():
        assert reverse("commitments:export", args=[dataset.slug, "csv"]) in html
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in html.replace("&#x27;", "'"), column.name


HOSTILE = ('=HYPERLINK("http://evil.example","click")', "-1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|x!A0")


def test_open_data_csv_never_holds_a_cell_a_spreadsheet_would_run(client, kg_with_progress):
    """Issue 17.2: commitment titles, milestone texts and narratives starting like formulas come out as text."""
    commitment = kg_with_progress
    Commitment.objects.filter(pk=commitment.pk).update(title_en=HOSTILE[0], title=HOSTILE[0])
    milestone = commitment.milestones.order_by("pk").first()
    type(milestone).objects.filter(pk=milestone.pk).update(deliverable_en=HOSTILE[1], deliverable=HOSTILE[1])
    ProgressUpdate.objects.filter(milestone=milestone, state="published").update(narrative=HOSTILE[2])
    for slug, hostile in (("commitments", HOSTILE[0]), ("milestones", HOSTILE[1]), ("progress-updates", HOSTILE[2])):
        text = download(client, slug, "csv", member="KG")
        rows = parse_csv(text)
        cells = [cell for row in rows for cell in row.values()]
        assert "'" + hostile in cells, slug
        assert not [cell for cell in cells if cell.startswith(FORMULA_START)], slug


def _plan_csv_with_title(exported, title):
    """The plan CSV with the first commitment's title replaced, written by a plain csv writer (as an attacker would)."""
    from commitments.csv_io import COMMITMENT, ROW_TYPE

    rows = list(csv.DictReader(io.StringIO(exported[1:])))
    first = next(row for row in rows if row[ROW_TYPE] == COMMITMENT)  # after the plan and agency rows
    first["Commitment Title"] = title
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_plan_csv_with_a_dde_cell_is_refused_with_a_message(seed_data, hostile):
    """Issue 17.2: DDE-style cells (``-1+cmd|…``, ``@SUM(…)``, ``+…``) in an imported CSV are refused, naming the cell."""
    plan = Commitment.objects.get(identifier="KG0001").plan
    exported = export_plan_csv(plan)
    with pytest.raises(ImportRefused) as caught:
        read_file("plan.csv", _plan_csv_with_title(exported, hostile), plan.member)
    assert "starts like a spreadsheet formula" in caught.value.message and "Commitment Title" in caught.value.message
    # The same text with the exporter's apostrophe is read as text.
    data = read_file("plan.csv", _plan_csv_with_title(exported, neutralise(hostile)), plan.member)
    assert hostile in repr(data)


@pytest.mark.parametrize("cell", ["-12", "-1.5", "- a bullet", "-", "plain"])
def test_numbers_and_bullets_starting_with_a_minus_are_not_formulas(cell):
    from ogp_portal.csv_safe import looks_like_formula

    assert not looks_like_formula(cell)
