"""Helpers shared by the import tests: the seed documents, a snapshot of a member's plans, a .docx writer."""

import datetime as dt
import functools
import io
from pathlib import Path

from django.db import transaction
from django.forms.models import model_to_dict

from commitments.models import Activity, ActionPlan, Agency, Commitment, Member, Milestone
from ogp_portal.seeding import load_seed_data

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "fixtures" / "seeds"


def seed_text():
    (path,) = sorted(SEEDS.glob("001_*.txt"))
    return path.read_text(encoding="utf-8")


def seed_bytes():
    (path,) = sorted(SEEDS.glob("001_*.txt"))
    return path.read_bytes()


def kyrgyz_republic():
    """The member as the seed loader creates it, with nothing else."""
    return Member.objects.create(code="KG", name="Kyrgyz Republic", kind="national", country="Kyrgyz Republic",
                                 joined_on=dt.date(2017, 11, 21))


def _row(obj, drop=("id",)):
    data = model_to_dict(obj)
    for key in drop:
        data.pop(key, None)
    return data


def snapshot(code="KG"):
    """Everything the import writes for a member, keyed by natural keys (no database ids)."""
    member = Member.objects.get(code=code)
    agencies = {a.pk: a.name for a in Agency.objects.filter(member=member)}
    plans = {}
    for plan in ActionPlan.objects.filter(member=member):
        row = _row(plan, drop=("id", "member", "lead_institutions"))
        commitments = {}
        for c in Commitment.objects.filter(plan=plan):
            crow = _row(c, drop=("id", "plan"))
            crow["lead_agency"] = agencies.get(crow["lead_agency"])
            activities = {a.pk: a.number for a in Activity.objects.filter(commitment=c)}
            crow["activities"] = sorted((_row(a, drop=("id", "commitment")) for a in Activity.objects.filter(commitment=c)),
                                        key=lambda a: a["number"])
            crow["milestones"] = []
            for m in Milestone.objects.filter(commitment=c).order_by("id"):
                mrow = _row(m, drop=("id", "commitment"))
                mrow["activity"] = activities.get(mrow["activity"])
                crow["milestones"].append(mrow)
            commitments[c.identifier] = crow
        row["commitments"] = commitments
        plans[plan.title] = row
    return {
        "agencies": sorted((a.name, a.acronym, a.kind) for a in Agency.objects.filter(member=member)),
        "plans": plans,
    }


def foundation_snapshot():
    """Snapshot of what load_seed_data writes for the Kyrgyz Republic, then roll it back."""
    with transaction.atomic():
        load_seed_data()
        result = snapshot("KG")
        transaction.set_rollback(True)
    return result


# -- a .docx in OGP's table layout, written from the seed's content -------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def template_date(value):
    """'2018-10' -> 'October 2018', '2019-07-01' -> 'July 1, 2019' (the seed's forms)."""
    parts = value.split("-")
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return f"{MONTHS[int(parts[1]) - 1]} {int(parts[2])}, {parts[0]}"


def _cell(cell, text):
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _pair(table, label, value):
    row = table.add_row().cells
    _cell(row[0], label)
    merged = row[1].merge(row[-1])
    _cell(merged, value)


def _wide(table, text):
    row = table.add_row().cells
    merged = row[0].merge(row[-1])
    _cell(merged, text)


def write_commitment(document, commitment):
    """One commitment as OGP's template lays it out: its title, then one 4-column table."""
    document.add_paragraph(commitment["title"], style="Heading 2")
    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    _pair(table, "Commitment Start and End Date",
          f"{template_date(commitment['start'])} – {template_date(commitment['end'])}")
    _pair(table, "Lead implementing agency/actor", commitment["lead_agency"])
    _wide(table, "Commitment description")
    for label, key in (
        ("What is the public problem that the commitment will address?", "problem"),
        ("What is the commitment?", "description"),
        ("How will the commitment contribute to solve the public problem?", "contribution"),
        ("Why is this commitment relevant to OGP values?", "relevance"),
        ("Additional information", "additional_information"),
    ):
        _pair(table, label, commitment[key])
    header = table.add_row().cells
    for cell, text in zip(header, ("Milestone Activity with a verifiable deliverable", "Budget", "Start date",
                                   "End date")):
        _cell(cell, text)
    for activity in commitment["activities"]:
        _wide(table, f"Activity {activity['number']}: {activity['title']}")
        for m in activity["milestones"]:
            row = table.add_row().cells
            _cell(row[0], f"{m['number']}. {m['deliverable']}")
            _cell(row[1], m["budget_text"])  # several sources: one line each
            _cell(row[2], template_date(m["start"]))
            _cell(row[3], template_date(m["end"]))
    for activity in commitment["activities"]:
        if activity["expected_results"]:
            _pair(table, f"Expected result {activity['number']}", activity["expected_results"])
    _wide(table, "Contact information")
    contact = commitment["contact"]
    _pair(table, "Name of responsible person from implementing agency", contact["name"])
    _pair(table, "Title, Department", contact["title"])
    _pair(table, "Email and Phone", contact["email_phone_raw"])
    _pair(table, "Other Actors Involved – State actors involved", commitment["other_state_actors"])
    _pair(table, "CSOs, private sector, multilaterals, working groups", commitment["other_actors"])


@functools.lru_cache(maxsize=1)
def seed_docx():
    """Seed 001 as a Word document, written once per test run (python-docx writes slowly)."""
    return write_seed_docx()


def write_seed_docx(commitments=None):
    """Seed 001 as a Word document: its prose as paragraphs (headings styled), its commitments as template tables."""
    import docx

    from commitments.seed_parser import parse_national_plan

    text = seed_text()
    plan = parse_national_plan(text)
    commitments = plan["commitments"] if commitments is None else commitments
    document = docx.Document()
    lines = text.replace("\r\n", "\n").split("\n")
    from commitments.template_parser import _HEADING_LINE_RE

    for line in lines:
        heading = _HEADING_LINE_RE.match(line)
        if line.startswith("\t"):
            break  # the first table: the commitments follow
        if heading:
            document.add_paragraph(heading.group("title"), style="Heading 1")
        else:
            document.add_paragraph(line)
    for commitment in commitments:
        write_commitment(document, commitment)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
