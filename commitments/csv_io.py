"""The portal's one CSV format for action plans: export, and import through the same preview.

One row a commitment, in the columns of OGP's public commitments spreadsheet (first), then
the template fields OGP's sheet does not carry; then one row per activity and per
milestone, told apart by the ``Row Type`` column and tied to their commitment by
``Commitment Unique Identifier``.  IRM assessment columns (Specificity, Potential Impact,
Completion, Did It Open Government) are exported empty and ignored on import: the portal
does not hold IRM assessments.

Column names have changed between OGP's releases: ``COLUMN_ALIASES`` maps the older names,
in this one place.

Spreadsheet formula injection: on export every cell that a spreadsheet would run as a
formula (starting with = + - @, a TAB or a carriage return) is prefixed with an apostrophe;
on import that apostrophe is removed again, and a cell that starts like a formula without
it refuses the whole file.
"""

import csv
import io
import re

from django.utils import translation

from ogp_portal import csv_safe
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.csv_safe import FORMULA_RE, FORMULA_START, neutralise  # noqa: F401 - neutralise: tests import it here

from ogp_portal.paths import path_of

from .export_rows import _translated, _Translated
from .importer import ImportRefused
from .models import Activity, Agency, Commitment, Milestone
from .template_parser import OGP_VALUE_ORDER, TemplateError, decode_text, gettext_noop

ROW_TYPE = "Row Type"
PLAN, AGENCY, COMMITMENT, ACTIVITY, MILESTONE = "plan", "agency", "commitment", "activity", "milestone"

# OGP's spreadsheet columns (ogp-rules.md, section 5), then the portal's own.
OGP_COLUMNS = [
    "Commitment Unique Identifier",
    "Commitment Title",
    "Short Title",
    "Full Text",
    "Country/Locality",
    "Region",
    "Theme",
    "Year Of Submission",
    "Action Plan Number",
    "Commitment Number",
    "Lead Institution",
    "Supporting Institution(s)",
    "URL",
    "OGP Value Access To Information",
    "OGP Value Civic Participation",
    "OGP Value Public Accountability",
    "OGP Value Technology",
    "Specificity",
    "Potential Impact",
    "Completion (Progress Report)",
    "Did It Open Government (Overall)",
]
PORTAL_COLUMNS = [
    "Action Plan",
    "Action Plan Start",
    "Action Plan End",
    "Start Date",
    "End Date",
    "Problem",
    "Contribution",
    "Relevance",
    "Additional Information",
    "Expected Results",
    "Other Actors",
    "Contact Name",
    "Contact Title",
    "Contact Email",
    "Contact Phone",
    "Activity Number",
    "Activity Title",
    "Activity Expected Results",
    "Milestone Number",
    "Deliverable",
    "Budget",
    "Budget Sources",
    "Milestone Start",
    "Milestone End",
    # The plan row and the agency rows: what the plan holds beyond its commitments.
    "Approval Act",
    "Approved On",
    "Submitted On",
    "Plan Themes",
    "Co-creation",
    "Agency Name",
    "Agency Acronym",
    "Agency Kind",
    "Agency Name (Russian)",  # the official names (modeltranslation ``name_ru`` / ``name_ky``)
    "Agency Name (Kyrgyz)",
]
COLUMNS = [ROW_TYPE, *OGP_COLUMNS, *PORTAL_COLUMNS]

# Older names of OGP's columns -> today's.
COLUMN_ALIASES = {
    "Unique Identifier": "Commitment Unique Identifier",
    "Title": "Commitment Title",
    "Lead Institutions": "Lead Institution",
    "Supporting Institutions": "Supporting Institution(s)",
    "Country": "Country/Locality",
    "OGP Value Access to Information": "OGP Value Access To Information",
    "OGP Value Technology and Innovation for Transparency and Accountability": "OGP Value Technology",
    "OGP Value Technology And Innovation": "OGP Value Technology",
}

OGP_VALUE_COLUMNS = dict(zip(OGP_VALUE_ORDER, [
    "OGP Value Access To Information",
    "OGP Value Civic Participation",
    "OGP Value Public Accountability",
    "OGP Value Technology",
]))
YES = "Yes"
MAX_ROWS = 20000

# Formula neutralising and checking live in the one CSV module (ogp_portal/csv_safe.py).
_FORMULA_START = FORMULA_START
_FORMULA_RE = FORMULA_RE


def _partial(day, precision):
    if day is None:
        return ""
    return day.strftime("%Y-%m") if precision == "month" else day.isoformat()


def _iso(day):
    return day.isoformat() if day else ""


def export_rows(plan):
    """Yield dict rows for one plan: the plan, the member's agencies, then each commitment with its activities and
    milestones."""
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
    # The plan's queries compiled once per process and language (ogp_portal/compiled.py; issue #20: built and
    # compiled through the ORM on every first render), run with the plan's or its member's id.
    # Translated texts read in the request's language, asked for once (``_Translated.read``).
    language = translation.get_language()
    agencies = compiled_rows(
        "plan-csv-agencies", lambda pk: Agency.objects.filter(member=pk).order_by("name", "pk").values_list(*_PlanAgency.__slots__), pk=plan.member_id,
    )
    for agency in map(_PlanAgency.of, agencies):  # those that lead nothing too
        yield {ROW_TYPE: AGENCY, "Agency Name": agency.read("name", language), "Agency Acronym": agency.acronym,
               "Agency Kind": agency.kind, "Agency Name (Russian)": agency.name_ru or "",
               "Agency Name (Kyrgyz)": agency.name_ky or ""}
    # Plain rows of what the CSV writes (issue #20): not each commitment, activity and milestone (and the lead
    # agency, the milestone's activity) built as model instances; the commitment's URL reversed once.
    commitments = compiled_rows("plan-csv-commitments", lambda pk: Commitment.objects.filter(plan=pk).values_list(*_PlanCommitment.__slots__), pk=plan.pk)
    activities, milestones = {}, {}
    for values in compiled_rows(
        "plan-csv-activities",
        lambda pk: Activity.objects.filter(commitment__plan=pk).order_by("commitment", "number").values_list(*_PlanActivity.__slots__),
        pk=plan.pk,
    ):
        activities.setdefault(values[0], []).append(_PlanActivity.of(values))
    for values in compiled_rows(
        "plan-csv-milestones",
        lambda pk: Milestone.objects.filter(commitment__plan=pk).order_by("commitment", "id").values_list(*_PlanMilestone.__slots__),
        pk=plan.pk,
        generic_plan=True,
    ):
        milestones.setdefault(values[0], []).append(_PlanMilestone.of(values))
    commitment_path = path_of("commitments:commitment")
    year = str(plan.submitted_on.year) if plan.submitted_on else ""
    for values in commitments:
        c = _PlanCommitment.of(values)
        row = {
            ROW_TYPE: COMMITMENT,
            "Commitment Unique Identifier": c.identifier,
            "Commitment Title": c.read("title", language),
            "Full Text": c.read("description", language),
            "Country/Locality": plan.member.name,
            "Theme": "; ".join(c.themes or []),
            "Year Of Submission": year,
            "Commitment Number": c.number or "",
            "Lead Institution": c.read("lead_agency__name", language) if c.lead_agency_id is not None else "",
            "Supporting Institution(s)": c.read("other_state_actors", language),
            "URL": commitment_path(c.identifier),
            "Action Plan": plan.title,
            "Action Plan Start": _iso(plan.start_date),
            "Action Plan End": _iso(plan.end_date),
            "Start Date": _iso(c.start_date),
            "End Date": _iso(c.end_date),
            "Problem": c.read("problem", language),
            "Contribution": c.read("contribution", language),
            "Relevance": c.read("relevance", language),
            "Additional Information": c.read("additional_information", language),
            "Expected Results": c.read("expected_results", language),
            "Other Actors": c.read("other_actors", language),
            "Contact Name": c.contact_name,
            "Contact Title": c.read("contact_title", language),
            "Contact Email": c.contact_email,
            "Contact Phone": c.contact_phone,
        }
        for value, column in OGP_VALUE_COLUMNS.items():
            row[column] = YES if value in (c.ogp_values or []) else ""
        yield row
        for a in activities.get(c.id, ()):
            yield {ROW_TYPE: ACTIVITY, "Commitment Unique Identifier": c.identifier, "Activity Number": a.number,
                   "Activity Title": a.read("title", language), "Activity Expected Results": a.read("expected_results", language)}
        for m in milestones.get(c.id, ()):
            sources = [code for code, on in (("development_partners", m.budget_development_partners),
                                              ("national_budget", m.budget_national)) if on]
            yield {
                ROW_TYPE: MILESTONE,
                "Commitment Unique Identifier": c.identifier,
                "Activity Number": m.activity__number if m.activity_id is not None else "",
                "Milestone Number": m.number,
                "Deliverable": m.read("deliverable", language),
                "Budget": m.budget_text,
                "Budget Sources": "; ".join(sources),
                "Milestone Start": _partial(m.start_date, m.start_precision),
                "Milestone End": _partial(m.end_date, m.end_precision),
            }


class _PlanCommitment(_Translated):
    __slots__ = (
        "id", "identifier", "themes", "number", "lead_agency_id", "start_date", "end_date", "contact_name",
        "contact_email", "contact_phone", "ogp_values",
        *_translated(("title", "description", "other_state_actors", "other_actors", "problem", "contribution", "relevance",
                      "additional_information", "expected_results", "contact_title")),
        *(f"lead_agency__{name}" for name in _translated(("name",))),
    )


class _PlanAgency(_Translated):
    __slots__ = ("acronym", "kind", *_translated(("name",)))


class _PlanActivity(_Translated):
    __slots__ = ("commitment_id", "number", *_translated(("title", "expected_results")))


class _PlanMilestone(_Translated):
    __slots__ = (
        "commitment_id", "activity_id", "activity__number", "number", "budget_text", "budget_development_partners",
        "budget_national", "start_date", "start_precision", "end_date", "end_precision", *_translated(("deliverable",)),
    )


def export_plan_csv(plan):
    """Return the plan as CSV text (UTF-8 with a BOM, so that spreadsheets read the Cyrillic right)."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")  # the one CSV writer: every cell neutralised
    writer.writerow(COLUMNS)
    for row in export_rows(plan):
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return "\ufeff" + out.getvalue()


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------

def _cell(row, column, line):
    value = row.get(column) or ""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]  # our own neutralising apostrophe
    if _FORMULA_RE.match(value):
        raise ImportRefused(gettext_noop(
            "Row %(row)s, column “%(column)s” starts like a spreadsheet formula (%(start)s). Formulas are not "
            "accepted: remove it, or put an apostrophe in front to keep it as text."),
            row=line, column=column, start=value[:1].replace("\t", "TAB").replace("\r", "CR"))
    return value


def _int(value, line, column):
    try:
        return int(value)
    except ValueError:
        raise ImportRefused(gettext_noop("Row %(row)s, column “%(column)s”: “%(value)s” is not a whole number."),
                            row=line, column=column, value=value[:40]) from None


def read_csv(data, member):
    """Read the portal's CSV format into the dictionaries the importer takes: (data, problems)."""
    try:
        text = decode_text(data)
    except TemplateError as error:
        raise ImportRefused.from_template_error(error) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [COLUMN_ALIASES.get(name.strip(), name.strip()) for name in (reader.fieldnames or [])]
    except csv.Error:
        header = []
    if ROW_TYPE not in header or "Commitment Unique Identifier" not in header:
        raise ImportRefused(gettext_noop(
            "This CSV file is not in the portal's format: it needs the columns “Row Type” and "
            "“Commitment Unique Identifier”. Export a plan to see the format."))
    reader.fieldnames = header
    plan = {"title": None, "start": None, "end": None}
    agencies, commitments, by_identifier = [], [], {}
    try:
        for line, row in enumerate(reader, start=2):
            if line > MAX_ROWS:
                raise ImportRefused(gettext_noop("The CSV file has more than %(limit)s rows."), limit=MAX_ROWS)
            kind = _cell(row, ROW_TYPE, line).strip().lower()
            identifier = _cell(row, "Commitment Unique Identifier", line).strip()
            if not kind and not identifier:
                continue
            if kind == PLAN:
                plan["title"] = _cell(row, "Action Plan", line) or None
                plan["start"] = _cell(row, "Action Plan Start", line) or None
                plan["end"] = _cell(row, "Action Plan End", line) or None
                plan["approval_act"] = _cell(row, "Approval Act", line)
                plan["approved_on"] = _day(_cell(row, "Approved On", line), line, "Approved On")
                plan["submitted_on"] = _day(_cell(row, "Submitted On", line), line, "Submitted On")
                plan["themes"] = [t.strip() for t in _cell(row, "Plan Themes", line).split(";") if t.strip()]
                plan["co_creation"] = _cell(row, "Co-creation", line)
                continue
            if kind == AGENCY:
                name = _cell(row, "Agency Name", line).strip()
                if name:
                    agency_kind = _cell(row, "Agency Kind", line).strip() or Agency.Kind.STATE
                    if agency_kind not in Agency.Kind.values:
                        raise ImportRefused(gettext_noop(
                            "Row %(row)s, column “%(column)s”: “%(value)s” is not one of %(choices)s."),
                            row=line, column="Agency Kind", value=agency_kind[:40],
                            choices=", ".join(Agency.Kind.values))
                    agencies.append({"name": name, "acronym": _cell(row, "Agency Acronym", line).strip() or None,
                                     "kind": agency_kind,
                                     "name_ru": _cell(row, "Agency Name (Russian)", line).strip(),
                                     "name_ky": _cell(row, "Agency Name (Kyrgyz)", line).strip()})
                continue
            if kind == COMMITMENT:
                plan["title"] = plan["title"] or _cell(row, "Action Plan", line) or None
                plan["start"] = plan["start"] or _cell(row, "Action Plan Start", line) or None
                plan["end"] = plan["end"] or _cell(row, "Action Plan End", line) or None
                number = _cell(row, "Commitment Number", line)
                commitment = {
                    "number": _int(number, line, "Commitment Number") if number else len(commitments) + 1,
                    "identifier": identifier,
                    "title": _cell(row, "Commitment Title", line),
                    "start": _cell(row, "Start Date", line) or None,
                    "end": _cell(row, "End Date", line) or None,
                    "lead_agency": _cell(row, "Lead Institution", line),
                    "problem": _cell(row, "Problem", line),
                    "description": _cell(row, "Full Text", line),
                    "contribution": _cell(row, "Contribution", line),
                    "relevance": _cell(row, "Relevance", line),
                    "additional_information": _cell(row, "Additional Information", line),
                    "ogp_values": [v for v, column in OGP_VALUE_COLUMNS.items()
                                   if _cell(row, column, line).strip().lower() in ("yes", "y", "true", "1", "x")],
                    "themes": [t.strip() for t in _cell(row, "Theme", line).split(";") if t.strip()],
                    "activities": [],
                    "expected_results": _cell(row, "Expected Results", line),
                    "contact": {
                        "name": _cell(row, "Contact Name", line),
                        "title": _cell(row, "Contact Title", line),
                        "email": _cell(row, "Contact Email", line),
                        "phone": _cell(row, "Contact Phone", line),
                    },
                    "other_state_actors": _cell(row, "Supporting Institution(s)", line),
                    "other_actors": _cell(row, "Other Actors", line),
                }
                commitments.append(commitment)
                by_identifier[identifier] = commitment
                continue
            if kind not in (ACTIVITY, MILESTONE):
                raise ImportRefused(gettext_noop(
                    "Row %(row)s: the row type “%(kind)s” is not one of plan, agency, commitment, activity, milestone."),
                    row=line, kind=kind[:40])
            commitment = by_identifier.get(identifier)
            if commitment is None:
                raise ImportRefused(gettext_noop(
                    "Row %(row)s: the commitment %(identifier)s has no commitment row above it."),
                    row=line, identifier=identifier[:40])
            number_text = _cell(row, "Activity Number", line)
            activities = {a["number"]: a for a in commitment["activities"]}
            if kind == ACTIVITY:
                number = _int(number_text, line, "Activity Number")
                activity = {"number": number, "title": _cell(row, "Activity Title", line),
                            "expected_results": _cell(row, "Activity Expected Results", line), "milestones": []}
                commitment["activities"].append(activity)
                continue
            number = _int(number_text, line, "Activity Number") if number_text else 1
            activity = activities.get(number)
            if activity is None:
                activity = {"number": number, "title": "", "expected_results": "", "milestones": []}
                commitment["activities"].append(activity)
            activity["milestones"].append({
                "number": _cell(row, "Milestone Number", line).strip(),
                "deliverable": _cell(row, "Deliverable", line),
                "budget_sources": [s.strip() for s in _cell(row, "Budget Sources", line).split(";") if s.strip()],
                "budget_text": _cell(row, "Budget", line),
                "start": _cell(row, "Milestone Start", line) or None,
                "end": _cell(row, "Milestone End", line) or None,
            })
    except csv.Error as error:
        raise ImportRefused(gettext_noop("The CSV file could not be read: %(error)s"), error=str(error)[:200]) from None
    if not commitments:
        raise ImportRefused(gettext_noop("The CSV file holds no commitment rows."))
    _check_dates(commitments)
    return {"member": None, "plan": plan, "agencies": agencies, "forum": None, "commitments": commitments}, []


def _day(value, line, column):
    """A plan-row date (YYYY-MM-DD), or None when empty."""
    import datetime as dt

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ImportRefused(gettext_noop("Row %(row)s, column “%(column)s”: “%(value)s” is not a date (write "
                                         "2019-07-01)."), row=line, column=column, value=value[:40]) from None


_PARTIAL_DATE_RE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")


def _check_dates(commitments):
    import datetime as dt

    for c in commitments:
        values = [("Start Date", c["start"]), ("End Date", c["end"])]
        values += [("Milestone Start", m["start"]) for a in c["activities"] for m in a["milestones"]]
        values += [("Milestone End", m["end"]) for a in c["activities"] for m in a["milestones"]]
        for column, value in values:
            if value is None:
                continue
            try:
                if not _PARTIAL_DATE_RE.match(value):
                    raise ValueError
                dt.date.fromisoformat(value if len(value) == 10 else value + "-01")
            except ValueError:
                raise ImportRefused(gettext_noop(
                    "%(identifier)s, column “%(column)s”: “%(value)s” is not a date (write 2019-07-01, or 2019-07 "
                    "for a month)."), identifier=c["identifier"], column=column, value=value[:40]) from None

