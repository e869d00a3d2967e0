"""Open data: every export re-parses to the same data, in CSV and JSON; drafts never leave the portal."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from commitments import exports
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
    assert as_csv == [{k: str(exports.csv_value(v)) for k, v in row.items()} for row in expected]


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
