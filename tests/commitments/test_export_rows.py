"""The open-data exports written from plain rows give the bytes the model-instance writer gave (issue #20).

commitments.csv, milestones.csv and progress-updates.csv read their columns as ``values_list`` rows
(``commitments/exports.py``: ``_CommitmentRow``, ``_MilestoneRow``, ``_UpdateRow``), their evidence by one
compiled query a chunk, and are written a chunk of rows at a time. The reference here is the writer they
replaced: the same querysets read as model instances (``select_related``), each column's value read from
the instance, each row written by ``csv_safe.writer`` (JSON: ``json.dumps`` of the record). On the seed
data with a published update carrying a link and a file, a formula-looking narrative, a translated text
missing in English and a milestone without an activity, in each language of the request.
"""

import csv
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import BooleanField, Case, Prefetch, Value, When
from django.urls import reverse
from django.utils import translation

from commitments import csv_io, exports
from commitments.csv_io import ACTIVITY, AGENCY, COMMITMENT, MILESTONE, OGP_VALUE_COLUMNS, PLAN, ROW_TYPE, YES, _iso, _partial
from commitments.filters import CommitmentFilterSet, MilestoneFilterSet, ProgressUpdateFilterSet, overdue_milestones_q
from commitments.models import Agency, Commitment, Evidence, Milestone, ProgressUpdate
from ogp_portal import csv_safe
from ogp_portal.permissions import published_updates
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def _old_commitments(params, today):
    fs = CommitmentFilterSet(params, queryset=Commitment.objects.select_related("plan__member", "lead_agency"), today=today)
    assert fs.is_valid()
    numbers = exports._plan_numbers(fs.form.cleaned_data.get("member"))
    for c in fs.qs.order_by("plan__member__code", "plan__start_date", "number", "identifier"):
        c.plan_number = numbers.get(c.plan_id)
        yield c


def _old_milestones(params, today):
    fs = MilestoneFilterSet(params, queryset=Milestone.objects.select_related("commitment", "activity"), today=today)
    assert fs.is_valid()
    qs = fs.qs.annotate(is_overdue=Case(When(overdue_milestones_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()))
    return list(qs.order_by("commitment__identifier", "pk"))


class _OldUpdate:
    """A progress update instance whose evidence column is read as the old column read it."""

    def __init__(self, update):
        self.__dict__.update(update.__dict__)
        self.pk, self.milestone = update.pk, update.milestone
        links = [e.url if e.kind == "link" else settings.SITE_URL.rstrip("/") + e.get_absolute_url() for e in update.evidence.all()]
        self.evidence = exports._Evidence(links)


def _old_updates(params, today):
    fs = ProgressUpdateFilterSet(params, queryset=published_updates(ProgressUpdate.objects.select_related("milestone__commitment")))
    assert fs.is_valid()
    qs = fs.qs.order_by("milestone__commitment__identifier", "milestone_id", "period_end", "pk").prefetch_related("evidence")
    return [_OldUpdate(u) for u in qs]


OLD = {"commitments": _old_commitments, "milestones": _old_milestones, "progress-updates": _old_updates}


def _old_csv(dataset, objects):
    lines = []

    class Echo:
        def write(self, value):
            lines.append(value)

    writer = csv.writer(Echo())  # the standard library's writer, each cell neutralised (csv_safe.writer's reference)
    with translation.override(settings.LANGUAGE_CODE):
        writer.writerow([csv_safe.neutralise(c.name) for c in dataset.columns])
        for obj in objects:
            writer.writerow([csv_safe.neutralise(exports.csv_value(col.get(obj))) for col in dataset.columns])
    return ("\ufeff" + "".join(lines)).encode()


def _old_json(dataset, objects):
    with translation.override(settings.LANGUAGE_CODE):
        records = [json.dumps(exports.record(dataset, obj), ensure_ascii=False) for obj in objects]
    return ("[" + "".join(("\n" if i == 0 else ",\n") + r for i, r in enumerate(records)) + "\n]\n").encode()


@pytest.fixture
def exported(seed_data):
    kg0017 = Commitment.objects.get(identifier="KG0017")
    milestones = list(kg0017.milestones.order_by("pk"))
    update = ProgressUpdateFactory(milestone=milestones[0], completion="complete", narrative="=HYPERLINK(\"x\"), «quotes»,\na new line")
    Evidence.objects.create(update=update, kind=Evidence.Kind.LINK, url="https://esep.kg/report-1")
    Evidence.objects.create(update=update, kind=Evidence.Kind.FILE, file="evidence/x.pdf", original_name="scan.pdf")
    ProgressUpdateFactory(milestone=milestones[1], completion="limited", state="draft", published_at=None, narrative="secret draft")
    Commitment.objects.filter(pk=kg0017.pk).update(title_en="", problem_en="")  # English missing: its fallback
    Milestone.objects.filter(pk=milestones[2].pk).update(activity=None, deliverable_en="")
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    return kg0017


@pytest.mark.parametrize("slug", ["commitments", "milestones", "progress-updates"])
@pytest.mark.parametrize("params", [{}, {"member": "KG"}], ids=["all", "KG"])
@pytest.mark.parametrize("prefix", ["", "/ru", "/ky"])
def test_plain_rows_write_the_bytes_the_instances_wrote(client, exported, slug, params, prefix):
    dataset = exports.DATASETS[slug]
    objects = list(OLD[slug](params, exports.today()))
    assert objects
    for fmt, old in (("csv", _old_csv), ("json", _old_json)):
        with translation.override("en"):
            path = reverse("commitments:export", args=[slug, fmt])
        response = client.get(prefix + path, params)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == old(dataset, objects), (slug, fmt)
    if slug == "progress-updates":
        rows = list(csv.reader(old(dataset, objects).decode()[1:].splitlines()))
        assert any("/evidence/" in cell for row in rows for cell in row)  # the file's download address is there


def _old_plan_rows(plan):
    """``csv_io.export_rows`` as it read model instances (before issue #20's plain rows)."""
    yield {
        ROW_TYPE: PLAN,
        "Country/Locality": plan.member.name,
        "Action Plan": plan.title,
        "Action Plan Start": _iso(plan.start_date),
        "Action Plan End": _iso(plan.end_date),
        "Approval Act": plan.approval_act,
        "Approved On": _iso(plan.approved_on),
        "Submitted On": _iso(plan.submitted_on),
        "Plan Themes": "; ".join(plan.themes or []),
        "Co-creation": plan.co_creation,
    }
    for agency in Agency.objects.filter(member=plan.member).order_by("name", "pk"):  # those that lead nothing too
        yield {ROW_TYPE: AGENCY, "Agency Name": agency.name, "Agency Acronym": agency.acronym,
               "Agency Kind": agency.kind, "Agency Name (Russian)": agency.name_ru or "",
               "Agency Name (Kyrgyz)": agency.name_ky or ""}
    commitments = (Commitment.objects.filter(plan=plan).select_related("lead_agency")
                   .prefetch_related("activities", Prefetch("milestones", Milestone.objects.select_related("activity"))))
    year = str(plan.submitted_on.year) if plan.submitted_on else ""
    for c in commitments:
        row = {
            ROW_TYPE: COMMITMENT,
            "Commitment Unique Identifier": c.identifier,
            "Commitment Title": c.title,
            "Full Text": c.description,
            "Country/Locality": plan.member.name,
            "Theme": "; ".join(c.themes or []),
            "Year Of Submission": year,
            "Commitment Number": c.number or "",
            "Lead Institution": c.lead_agency.name if c.lead_agency else "",
            "Supporting Institution(s)": c.other_state_actors,
            "URL": reverse("commitments:commitment", args=[c.identifier]),
            "Action Plan": plan.title,
            "Action Plan Start": _iso(plan.start_date),
            "Action Plan End": _iso(plan.end_date),
            "Start Date": _iso(c.start_date),
            "End Date": _iso(c.end_date),
            "Problem": c.problem,
            "Contribution": c.contribution,
            "Relevance": c.relevance,
            "Additional Information": c.additional_information,
            "Expected Results": c.expected_results,
            "Other Actors": c.other_actors,
            "Contact Name": c.contact_name,
            "Contact Title": c.contact_title,
            "Contact Email": c.contact_email,
            "Contact Phone": c.contact_phone,
        }
        for value, column in OGP_VALUE_COLUMNS.items():
            row[column] = YES if value in (c.ogp_values or []) else ""
        yield row
        for a in c.activities.all():
            yield {ROW_TYPE: ACTIVITY, "Commitment Unique Identifier": c.identifier, "Activity Number": a.number,
                   "Activity Title": a.title, "Activity Expected Results": a.expected_results}
        for m in c.milestones.all():
            sources = [code for code, on in (("development_partners", m.budget_development_partners),
                                              ("national_budget", m.budget_national)) if on]
            yield {
                ROW_TYPE: MILESTONE,
                "Commitment Unique Identifier": c.identifier,
                "Activity Number": m.activity.number if m.activity else "",
                "Milestone Number": m.number,
                "Deliverable": m.deliverable,
                "Budget": m.budget_text,
                "Budget Sources": "; ".join(sources),
                "Milestone Start": _partial(m.start_date, m.start_precision),
                "Milestone End": _partial(m.end_date, m.end_precision),
            }


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_a_plans_csv_from_plain_rows_is_the_instances_csv(exported, language):
    """Every plan (its queries compiled once per process: each plan its own rows, whichever ran first)."""
    from commitments.models import ActionPlan

    plans = list(ActionPlan.objects.order_by("-pk")) + [exported.plan]
    assert len(plans) >= 3
    agency = Agency.objects.filter(member=exported.plan.member).order_by("pk").first()
    Agency.objects.filter(pk=agency.pk).update(name_ru="", name_ky=None)  # their fallback: the English name
    for plan in plans:
        with translation.override(language):
            rows = list(_old_plan_rows(plan))
            lines = []

            class Echo:
                def write(self, value):
                    lines.append(value)

            writer = csv.writer(Echo(), lineterminator="\r\n")  # the standard library's writer, each cell neutralised
            writer.writerow([csv_safe.neutralise(column) for column in csv_io.COLUMNS])
            for row in rows:
                writer.writerow([csv_safe.neutralise(row.get(column, "")) for column in csv_io.COLUMNS])
            assert csv_io.export_plan_csv(plan) == "\ufeff" + "".join(lines), plan.pk


def _written(slug, params, language):
    dataset = exports.DATASETS[slug]
    with translation.override(language):
        rows, errors = dataset.rows(params, exports.today())
        assert errors is None
        return "".join(exports.stream_csv(dataset, rows)), "".join(exports.stream_json(dataset, dataset.rows(params, exports.today())[0]))


@pytest.mark.parametrize("slug", ["commitments", "milestones", "progress-updates"])
def test_a_members_export_by_its_compiled_queries_is_the_filtersets(exported, slug):
    """``?member=<code>`` alone runs the queries compiled once per process (``exports._one_member``); any other
    parameter beside it (here an empty one, which filters nothing) goes through the FilterSet: the same bytes,
    for every member (each its own rows, whoever was compiled first), in every language."""
    empty = {"commitments": "q", "milestones": "overdue", "progress-updates": "completion"}[slug]
    codes = list(Commitment.objects.order_by().values_list("plan__member__code", flat=True).distinct())
    assert len(codes) >= 2
    seen = set()
    for code in codes + codes[:1]:
        assert exports._one_member({"member": code}) is not None
        for language in ("en", "ru", "ky"):
            fast = _written(slug, {"member": code}, language)
            assert fast == _written(slug, {"member": code, empty: ""}, language)
            seen.add(fast)
    assert len(seen) == len(codes)  # each member its own rows
    assert exports._one_member({"member": "NOPE"}) is None and exports._one_member({"member": ""}) is None
    assert exports._one_member({"member": codes[0], "plan": "1"}) is None


def test_an_unknown_member_is_still_a_400(client):
    response = client.get(reverse("commitments:export", args=["commitments", "csv"]), {"member": "NOPE"})
    assert response.status_code == 400


def test_a_day_or_moment_is_written_as_isoformat_writes_it_in_its_own_offset():
    import datetime as dt

    from commitments.export_rows import _day

    utc = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    plus6 = utc.astimezone(dt.timezone(dt.timedelta(hours=6)))
    assert utc == plus6
    for _ in range(2):  # written, then read back
        assert _day(utc) == "2024-01-01T12:00:00+00:00"
        assert _day(plus6) == "2024-01-01T18:00:00+06:00"
        assert _day(dt.datetime(2024, 1, 1, 12)) == "2024-01-01T12:00:00"
        assert _day(dt.date(2024, 1, 1)) == "2024-01-01"
        assert _day(None) == ""


def test_a_moment_in_a_zone_with_two_offsets_is_written_with_its_own():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from commitments.export_rows import _day

    zone = ZoneInfo("Europe/Berlin")
    first, second = dt.datetime(2024, 10, 27, 2, 30, tzinfo=zone), dt.datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=zone)
    for _ in range(2):
        assert _day(first) == first.isoformat() == "2024-10-27T02:30:00+02:00"
        assert _day(second) == second.isoformat() == "2024-10-27T02:30:00+01:00"


def test_a_members_exports_run_as_many_queries_with_many_more_rows(exported, client):
    """``?member=KG`` alone: the same number of queries with a few updates as with more than a chunk's
    (``CHUNK_SIZE``) worth: the member's evidence is read in one query (issue #20)."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    def counts():
        found = {}
        for slug in ("commitments", "milestones", "progress-updates"):
            with translation.override("en"):
                path = reverse("commitments:export", args=[slug, "csv"])
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, {"member": "KG"})
                body = b"".join(response.streaming_content)
            found[slug] = (len(ctx.captured_queries), body.count(b"\n"))
        return found

    before = counts()
    milestone = exported.milestones.order_by("pk").first()
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(milestone=milestone, period_start=dt.date(2000, 1, 1) + dt.timedelta(days=n), period_end=dt.date(2000, 1, 2) + dt.timedelta(days=n), completion="limited",
                       narrative=f"Update {n}, in detail.", state=ProgressUpdate.State.PUBLISHED, published_at=timezone.now())
        for n in range(exports.CHUNK_SIZE + 20)
    )
    after = counts()
    assert after["progress-updates"][1] >= before["progress-updates"][1] + exports.CHUNK_SIZE
    assert {slug: queries for slug, (queries, _lines) in after.items()} == {slug: queries for slug, (queries, _lines) in before.items()}


@pytest.mark.parametrize("slug", ["milestones", "progress-updates"])
@pytest.mark.parametrize("params", [{}, {"member": "KG"}], ids=["all", "KG"])
def test_a_record_written_directly_is_its_cells_through_the_one_writer(exported, slug, params):
    dataset = exports.DATASETS[slug]
    rows, _errors = dataset.rows(params, exports.today())
    rows = list(rows)
    assert rows and dataset.line is not None
    with translation.override(settings.LANGUAGE_CODE):
        for row in rows:
            assert dataset.line(row) == csv_safe.line(dataset.cells(row))
