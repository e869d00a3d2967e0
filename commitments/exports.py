"""Open data: commitments, milestones, progress updates (and the datasets apps above register) as CSV and JSON.

Each dataset is a list of columns (name, meaning, how to read it from a row) kept
here, in one place: the export views stream them and the "Open data" page
documents them from the same list. Commitments use the column names of OGP's
public commitments spreadsheet (see ``OGP_COLUMNS``); columns OGP has and the
portal does not record (IRM assessments such as "Specificity") are present and
empty, so the file lines up with OGP's. compliance adds its findings (:func:`register_dataset`).

Exports are in English (the original language of the plans), publish only what
the public may read (published progress updates), and are streamed row by row
from a server-side cursor (``QuerySet.iterator``), so a large member does not
hold a worker's memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ogp_portal import csv_safe
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.paths import path_of
from ogp_portal.permissions import published_updates

from .filters import (
    CommitmentFilterSet,
    MilestoneFilterSet,
    ProgressUpdateFilterSet,
    overdue_milestones_q,
)
from .export_rows import (  # noqa: F401 - _Evidence: read by tests
    CHUNK_SIZE,
    _CommitmentRow,
    _Evidence,
    _iso,
    _join,
    _MilestoneRow,
    _UpdateRow,
    _update_rows_with_evidence,
)
from .models import ActionPlan, Commitment, Completion, Member, Milestone, OGPValues, ProgressUpdate

LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    get: Callable


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable  # (params, today) -> (iterable of objects, errors)
    # A row's CSV cells as texts in the columns' order, each ``csv_value(column.get(row))`` (issue #20: written
    # directly, not through each column's function); ``None``: through the columns.
    cells: Callable | None = None
    # A row's whole CSV record (the bytes ``csv_safe.line(cells(row))`` gives), written directly; ``None``: from cells.
    line: Callable | None = None


def _completion(value):
    return str(Completion(value).label) if value else None


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _yes_no(value):
    return lambda c: "Yes" if value in (c.ogp_values or []) else "No"


def _en(obj, field):
    return getattr(obj, f"{field}_en", None) or getattr(obj, field, "") or ""


# The names OGP's spreadsheet uses (ogp-rules.md, section 5). Column names have changed between
# OGP's releases: this is the one place that maps them.
OGP_COLUMNS = (
    Column("Commitment Unique Identifier", _("OGP's identifier of the commitment, such as KG0012."), lambda c: c.identifier),
    Column("Commitment Title", _("Title, in English."), lambda c: _en(c, "title")),
    Column("Short Title", _("Not recorded by the portal (empty)."), lambda c: ""),
    Column("Full Text", _("What the commitment is (OGP template), in English."), lambda c: _en(c, "description")),
    Column("Country/Locality", _("The member: a country or an OGP Local member."), lambda c: c.plan.member.name),
    Column("Region", _("Not recorded by the portal (empty)."), lambda c: ""),
    Column("Theme", _("Themes, separated by semicolons."), lambda c: "; ".join(c.themes or [])),
    Column(
        "Year Of Submission",
        _("Year the action plan was submitted to OGP; empty when no date is recorded."),
        lambda c: c.plan.submitted_on.year if c.plan.submitted_on else None,
    ),
    Column("Action Plan Number", _("1 for the member's first action plan, 2 for the second, …"), lambda c: c.plan_number),
    Column("Commitment Number", _("Number of the commitment in its plan."), lambda c: c.number),
    Column("Lead Institution", _("Lead implementing agency."), lambda c: c.lead_agency.name if c.lead_agency else ""),
    Column(
        "Supporting Institution(s)",
        _("Other state actors, then CSOs, private sector, multilaterals and working groups, separated by semicolons."),
        lambda c: _join(_en(c, "other_state_actors"), _en(c, "other_actors")),
    ),
    Column("URL", _("The commitment's page on this portal."), lambda c: _absolute(c.get_absolute_url())),
    Column("OGP Value Access To Information", _("Yes or No."), _yes_no(OGPValues.ACCESS_TO_INFORMATION)),
    Column("OGP Value Civic Participation", _("Yes or No."), _yes_no(OGPValues.CIVIC_PARTICIPATION)),
    Column("OGP Value Public Accountability", _("Yes or No."), _yes_no(OGPValues.PUBLIC_ACCOUNTABILITY)),
    Column("OGP Value Technology", _("Yes or No (technology and innovation)."), _yes_no(OGPValues.TECHNOLOGY_INNOVATION)),
    Column("Specificity", _("IRM assessment; not recorded by the portal (empty)."), lambda c: ""),
    Column("Potential Impact", _("IRM assessment; not recorded by the portal (empty)."), lambda c: ""),
    Column(
        "Completion (Progress Report)",
        _("Completion rolled up from the milestones' latest approved updates (the rule is under “How completion rolls up”); empty while none is approved."),
        lambda c: _completion(c.completion),
    ),
    Column("Did It Open Government (Overall)", _("IRM assessment; not recorded by the portal (empty)."), lambda c: ""),
)

COMMITMENT_COLUMNS = OGP_COLUMNS + (
    Column("Member Code", _("OGP code of the member, such as KG or KGBSK."), lambda c: c.plan.member.code),
    Column("Action Plan", _("Title of the action plan, in English."), lambda c: _en(c.plan, "title")),
    Column("Start Date", _("Start of the commitment (YYYY-MM-DD)."), lambda c: _iso(c.start_date)),
    Column("End Date", _("End of the commitment (YYYY-MM-DD)."), lambda c: _iso(c.end_date)),
    Column("Public Problem", _("The public problem the commitment addresses (OGP template)."), lambda c: _en(c, "problem")),
    Column("Contribution", _("How the commitment contributes to solving the problem (OGP template)."), lambda c: _en(c, "contribution")),
    Column("Relevance To OGP Values", _("Why the commitment is relevant to OGP values (OGP template)."), lambda c: _en(c, "relevance")),
    Column("Additional Information", _("Additional information (OGP template)."), lambda c: _en(c, "additional_information")),
    Column("Expected Results", _("Expected results."), lambda c: _en(c, "expected_results")),
    Column("Completion Percent", _("The same roll-up as a percentage, 0 to 100."), lambda c: c.completion_percent),
    Column("Last Published Update", _("When the most recent progress update was published (ISO 8601)."), lambda c: c.latest_update_at.isoformat() if c.latest_update_at else None),
    Column("Overdue Milestones", _("Milestones past their end without a published update saying complete, on the day of the export."), lambda c: c.overdue_count),
)

MILESTONE_COLUMNS = (
    Column("commitment", _("Identifier of the commitment."), lambda m: m.commitment.identifier),
    Column("number", _("Number of the milestone in the plan, such as 1.2."), lambda m: m.number),
    Column("activity", _("Number of the activity the milestone belongs to; empty if none."), lambda m: m.activity.number if m.activity else None),
    Column("deliverable", _("The verifiable deliverable, in English."), lambda m: _en(m, "deliverable")),
    Column("start_date", _("Start (YYYY-MM-DD; the first of the month for a month-precision date)."), lambda m: _iso(m.start_date)),
    Column("start_precision", _("day or month."), lambda m: m.start_precision),
    Column("end_date", _("End (YYYY-MM-DD; the first of the month for a month-precision date)."), lambda m: _iso(m.end_date)),
    Column("end_precision", _("day or month."), lambda m: m.end_precision),
    Column("ends_on", _("The last day the end stands for (a month-precision end lasts the whole month)."), lambda m: _iso(m.ends_on)),
    Column("budget_development_partners", _("Funded by development partners (true or false)."), lambda m: m.budget_development_partners),
    Column("budget_national", _("Funded within the national budget (true or false)."), lambda m: m.budget_national),
    Column("budget_text", _("Budget as written in the plan."), lambda m: m.budget_text),
    Column("completion", _("Completion in the most recent published update; empty when none is published."), lambda m: m.latest_completion),
    Column("overdue", _("Past its end without a published update saying complete, on the day of the export (true or false)."), lambda m: m.is_overdue),
)

UPDATE_COLUMNS = (
    Column("id", _("Identifier of the progress update."), lambda u: u.pk),
    Column("commitment", _("Identifier of the commitment."), lambda u: u.milestone.commitment.identifier),
    Column("milestone", _("Number of the milestone."), lambda u: u.milestone.number),
    Column("period_start", _("Start of the reporting period (YYYY-MM-DD)."), lambda u: _iso(u.period_start)),
    Column("period_end", _("End of the reporting period (YYYY-MM-DD)."), lambda u: _iso(u.period_end)),
    Column("completion", _("Completion: no_evidence, not_started, limited, substantial, complete or withdrawn."), lambda u: u.completion),
    Column("narrative", _("What was done, as published."), lambda u: u.narrative),
    Column(
        "evidence_links",
        _("Links to evidence: web addresses, and the download addresses of uploaded files (in CSV separated by spaces)."),
        lambda u: list(u.evidence.all()),  # each piece's address (``_with_evidence``)
    ),
    Column("published_at", _("When the update was published (ISO 8601)."), lambda u: u.published_at.isoformat() if u.published_at else None),
)

def _plan_numbers(member=None):
    """Return {plan id: its ordinal among its member's plans, oldest first} in one query (of ``member``'s plans only, if given)."""
    plans = ActionPlan.objects.filter(member=member) if member is not None else ActionPlan.objects.all()
    return _numbered(plans.order_by("member_id", "start_date", "submitted_on", "pk").values_list("pk", "member_id"))


def _numbered(plans):
    numbers, counts = {}, {}
    for pk, member_id in plans:
        counts[member_id] = counts.get(member_id, 0) + 1
        numbers[pk] = counts[member_id]
    return numbers


# A member's export (``?member=KG`` and nothing else: what the member page links and most readers ask for) runs
# its queries compiled once per process and day (ogp_portal/compiled.py; issue #20: validating the filter form
# and building and compiling the querysets were ~3 ms of a first render). The same querysets: the FilterSet's
# with nothing chosen, then filtered by the member as its member filter filters. Any other query, or a code that
# names no member (its 400), goes through the FilterSet as before.
def _one_member(params):
    """The id of the member ``params`` name when they are ``member=<code>`` alone, else None."""
    if len(params) != 1:
        return None
    codes = params.getlist("member") if hasattr(params, "getlist") else [params.get("member")]
    if len(codes) != 1 or codes[0].__class__ is not str or not codes[0] or "\x00" in codes[0]:
        return None
    found = compiled_rows(("export-member",), lambda code: Member.objects.filter(code=code).values_list("pk"), code=codes[0])
    return found[0][0] if found else None


def _member_values(name, filterset, queryset, member_filter, ordered, member_id, today):
    """The rows of ``ordered(qs)`` for one member: ``qs`` the ``filterset``'s with nothing chosen, filtered by the member."""

    def build(pk):
        fs = filterset({}, queryset=queryset(), **({"today": today} if filterset is not ProgressUpdateFilterSet else {}))
        return ordered(fs.qs.filter(**{member_filter: pk}))

    return compiled_rows((name, today.isoformat()), build, pk=member_id)


def _ordered_commitments(qs):
    return qs.order_by("plan__member__code", "plan__start_date", "number", "identifier").values_list(*_CommitmentRow.__slots__[:-2])


def _commitment_rows(params, today):
    member_id = _one_member(params)
    if member_id is not None:
        values = _member_values(
            "export-commitments", CommitmentFilterSet, lambda: Commitment.objects.select_related("plan__member", "lead_agency"),
            "plan__member", _ordered_commitments, member_id, today,
        )
        numbers = _numbered(compiled_rows(
            ("export-plan-numbers",),
            lambda pk: ActionPlan.objects.filter(member=pk).order_by("member_id", "start_date", "submitted_on", "pk").values_list("pk", "member_id"),
            pk=member_id,
        ))
    else:
        fs = CommitmentFilterSet(params, queryset=Commitment.objects.select_related("plan__member", "lead_agency"), today=today)
        if not fs.is_valid():
            return None, fs.errors
        numbers = _plan_numbers(fs.form.cleaned_data.get("member"))  # a member's export: its plans, not every plan's
        # Plain rows of the columns COMMITMENT_COLUMNS read (issue #20): not a commitment, its plan, member and lead
        # agency built as model instances (every text in three languages) and a URL reversed for each row.
        values = _ordered_commitments(fs.qs).iterator(CHUNK_SIZE)

    def rows():
        path = path_of("commitments:commitment")  # (run as the rows are written: in the export's language)
        for value in values:
            row = _CommitmentRow.of(value)
            row.plan_number, row.path = numbers.get(row.plan_id), path
            yield row

    return rows(), None


def _ordered_milestones(qs, today):
    qs = qs.annotate(is_overdue=Case(When(overdue_milestones_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()))
    # Plain rows of the columns MILESTONE_COLUMNS read (issue #20): a member's ~400 milestones built as three model
    # instances each (milestone, commitment, activity) were most of the export's time.
    return qs.order_by("commitment__identifier", "pk").values_list(*_MilestoneRow.__slots__)


def _milestone_rows(params, today):
    member_id = _one_member(params)
    if member_id is not None:
        return map(_MilestoneRow.of, _member_values(
            "export-milestones", MilestoneFilterSet, lambda: Milestone.objects.select_related("commitment", "activity"),
            "commitment__plan__member", lambda qs: _ordered_milestones(qs, today), member_id, today,
        )), None
    fs = MilestoneFilterSet(params, queryset=Milestone.objects.select_related("commitment", "activity"), today=today)
    if not fs.is_valid():
        return None, fs.errors
    return map(_MilestoneRow.of, _ordered_milestones(fs.qs, today).iterator(CHUNK_SIZE)), None


def _ordered_updates(qs):
    # Plain rows of the columns the export writes (issue #20): the whole milestone and commitment rows (every text
    # in three languages) built as model instances for each of a member's ~800 updates were most of its time.
    return qs.order_by("milestone__commitment__identifier", "milestone_id", "period_end", "pk").values_list(*_UpdateRow.__slots__[:-1])


def _update_rows(params, today):
    member_id = _one_member(params)
    if member_id is not None:
        values = _member_values(
            "export-updates", ProgressUpdateFilterSet, lambda: published_updates(ProgressUpdate.objects.all()),
            "milestone__commitment__plan__member", _ordered_updates, member_id, today,
        )
        return _update_rows_with_evidence(values, chunk_size=max(len(values), 1)), None  # their evidence in one query
    fs = ProgressUpdateFilterSet(params, queryset=published_updates(ProgressUpdate.objects.all()))
    if not fs.is_valid():
        return None, fs.errors
    return _update_rows_with_evidence(_ordered_updates(fs.qs).iterator(CHUNK_SIZE)), None


DATASETS = {
    d.slug: d
    for d in (
        Dataset(
            "commitments",
            _("Commitments"),
            _("One row a commitment, in the column names of OGP's commitments spreadsheet, then the portal's own columns."),
            COMMITMENT_COLUMNS,
            _commitment_rows,
            _CommitmentRow.cells,
        ),
        Dataset(
            "milestones",
            _("Milestones"),
            _("One row a milestone, with its latest published completion."),
            MILESTONE_COLUMNS,
            _milestone_rows,
            _MilestoneRow.cells,
            _MilestoneRow.line,
        ),
        Dataset(
            "progress-updates",
            _("Progress updates"),
            _("One row a published progress update on a milestone (drafts are never exported)."),
            UPDATE_COLUMNS,
            _update_rows,
            _UpdateRow.cells,
            _UpdateRow.line,
        ),
    )
}
FILTER_HINTS = {
    "commitments": "?member=KG&plan=…&q=…&ogp_value=…&completion=…&overdue=true",
    "milestones": "?member=KG&commitment=KG0001&overdue=true",
    "progress-updates": "?member=KG&commitment=KG0001&period_end_after=2019-01-01",
}


def register_dataset(dataset: Dataset, hint: str = "") -> None:
    """Add ``dataset`` (and its filter ``hint``) after the domain's own: an app above registers its records at start-up.

    compliance registers its findings (``compliance/exports.py``, in its ``AppConfig.ready``), so the
    domain's export views and "Open data" page serve them without importing compliance.
    """
    DATASETS[dataset.slug] = dataset
    if hint:
        FILTER_HINTS[dataset.slug] = hint


def record(dataset, obj):
    """Return one row as a dict of column name -> JSON value."""
    return {col.name: col.get(obj) for col in dataset.columns}


def csv_value(value):
    """Return how a JSON value is written in CSV (lists space-separated, booleans true/false, null empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def _csv_text(value):
    """``csv_value(value)`` as the text the CSV holds."""
    value = csv_value(value)
    return value if value.__class__ is str else str(value)


def stream_csv(dataset, rows):
    """Yield the CSV text (UTF-8 with a byte-order mark, so spreadsheet programs read Cyrillic) row by row.

    Written by the one CSV writer (``ogp_portal.csv_safe.line``): a cell a spreadsheet would run as a
    formula gets an apostrophe in front, as in a plan's CSV.
    """
    line = csv_safe.line
    getters = [col.get for col in dataset.columns]
    cells = dataset.cells or (lambda obj: [_csv_text(get(obj)) for get in getters])
    record = dataset.line or (lambda obj: line(cells(obj)))
    with translation.override(settings.LANGUAGE_CODE):
        # A chunk of rows a yield (issue #20): a yield a row cost the response a conversion to bytes and a
        # look-up of its charset for each of a member's ~1,300 rows; the bytes are the same.
        lines = ["\ufeff" + line([c.name for c in dataset.columns])]
        for obj in rows:
            lines.append(record(obj))
            if len(lines) >= CHUNK_SIZE:
                yield "".join(lines)
                lines = []
        if lines:
            yield "".join(lines)


def stream_json(dataset, rows):
    """Yield a JSON array of objects, one object a row."""
    with translation.override(settings.LANGUAGE_CODE):
        yield "["
        first = True
        for obj in rows:
            yield ("\n" if first else ",\n") + json.dumps(record(dataset, obj), ensure_ascii=False)
            first = False
        yield "\n]\n"


def today():
    return timezone.localdate()


# A kept export (issue #20): a member's progress updates were ~400 KB and ~90 ms of CPU for every reader at
# scale 10. Larger answers (a whole table) stream as before and are not kept.
KEPT_BYTES = 4 * 1024 * 1024


def kept_key(request, dataset: str, fmt: str, day) -> str | None:
    """The cache key an export's answer is kept under, or ``None`` when it is not kept (cache off, a long query).

    Per dataset, format, query string (its parameters in a canonical order), language and ``day`` (the
    overdue columns are the export day's), under the token every change to its rows replaces: an export
    filtered by one member (``?member=KG``) under that member's scope (``ogp_portal.cache.member_generation``:
    a publication, a review or a status report of this member, and every unscoped change, such as an import,
    an admin edit or a sweep, replace it); any other under the generation (replaced by every change).
    """
    from ogp_portal import cache as page_cache

    if not page_cache.enabled():
        return None
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    if len(query) > page_cache.MAX_QUERY:
        return None
    codes = request.GET.getlist("member")
    try:
        member_id = None
        if len(codes) == 1 and codes[0]:
            from .models import Member

            member_id = page_cache.derived_in_process(
                ("export-member", codes[0]),
                lambda: Member.objects.filter(code=codes[0]).order_by().values_list("pk", flat=True).first(),
            )
        token = page_cache.member_generation(member_id) if member_id else page_cache.generation()
    except Exception:  # the cache server is down: the export is made and streamed, not kept
        logger.warning("Cache unavailable; export not kept", exc_info=True)
        return None
    raw = f"{translation.get_language()}|{dataset}.{fmt}|{day.isoformat()}|{query}"
    return f"export:{token}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def kept_answer(key: str | None):
    """The bytes kept under ``key``, or ``None`` (nothing kept, or the cache is down: the export is made again)."""
    if key is None:
        return None
    from django.core.cache import cache

    try:
        return cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; export made again", exc_info=True)
        return None


def keeping(chunks, key: str | None):
    """Yield ``chunks`` (text) as they come and, once all are sent, keep their UTF-8 bytes under ``key``.

    Not kept when they come to more than ``KEPT_BYTES`` (then nothing more is held in memory) or when the
    reader stops before the end.
    """
    if key is None:
        yield from chunks
        return
    from django.core.cache import cache

    held, size = [], 0
    for chunk in chunks:
        yield chunk
        if held is not None:
            data = chunk.encode()
            size += len(data)
            if size > KEPT_BYTES:
                held = None
            else:
                held.append(data)
    if held is not None:
        try:
            cache.set(key, b"".join(held))
        except Exception:
            logger.warning("Cache unavailable; export not kept", exc_info=True)
