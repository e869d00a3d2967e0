"""The seed loader: the real Kyrgyz / Bishkek seed data, written into every app (plans, forums, compliance).

It sits above the apps, in the project package, because it writes into all of them; ``manage.py load_seed_data``
calls :func:`load_seed_data`. The JSON it reads is built by ``manage.py build_seed_fixtures``.
"""

import datetime as dt
import json
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commitments.importer import commitment_values, milestone_values
from commitments.models import Activity, ActionPlan, Agency, Commitment, Member, Milestone, parse_partial_date, period_end
from commitments.services import claim
from compliance import services as compliance_services
from compliance.models import Deadline, MemberStatus
from forums.models import Forum, ForumMembership, Meeting
from ogp.policy import cycle_label

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
NATIONAL_FILE = "kg_nap_2018_2020.json"
LOCAL_FILE = "bishkek_2025.json"
LETTERS_FILE = "kg_ogp_letters.json"


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def _saved(obj):
    """Validate with the model's own rules, then save: the seed obeys the same rules as users."""
    obj.full_clean()
    obj.save()
    return obj


def _upsert(model, lookup, values):
    """Create or update the row found by ``lookup``; an unchanged row is not saved (no empty history)."""
    obj = model.objects.filter(**lookup).first()
    if obj is not None and all(getattr(obj, key) == value for key, value in values.items()):
        return obj
    if obj is not None and hasattr(obj, "version"):
        claim(obj, obj.version, refresh=False)  # a changed commitment or milestone gets a new version, as in any edit
    obj = obj or model(**lookup)
    for key, value in values.items():
        setattr(obj, key, value)
    return _saved(obj)


def _member(data, parent=None):
    return _upsert(
        Member,
        {"code": data["code"]},
        {
            "name": data["name"],
            "kind": data["kind"],
            "country": data["country"],
            "parent": parent,
            "joined_on": _date(data.get("joined_on")) if not data.get("joined_year") else None,
        },
    )


def _agency(member, name, acronym="", kind=Agency.Kind.STATE):
    agency = Agency.objects.filter(member=member, name=name).first()
    if agency:
        return agency
    return _saved(Agency(member=member, name=name, acronym=acronym or "", kind=kind))


def _find_agency(member, name, by_name):
    """Return the agency a commitment names, matching the abbreviations list loosely."""
    key = _norm(name)
    if key in by_name:
        return by_name[key]
    for agency_key, agency in by_name.items():
        if key.startswith(agency_key) or agency_key.startswith(key):
            return agency
    return _agency(member, name)


def _norm(text):
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("the ", "")).strip()


def _plan_dates(plan_data):
    start, _p = parse_partial_date(plan_data.get("start"))
    end, end_precision = parse_partial_date(plan_data.get("end"))
    return start, period_end(end, end_precision)


def _load_commitment(plan, number, data, by_name):
    member = plan.member
    lead = _find_agency(member, data["lead_agency"], by_name) if data.get("lead_agency") else None
    # The field mapping is the importer's: the seed and an uploaded plan land in the same columns.
    commitment = _upsert(Commitment, {"identifier": data["identifier"]}, commitment_values(data, plan, number, lead))
    seen = []
    for activity_data in data.get("activities", []):
        activity = _upsert(
            Activity,
            {"commitment": commitment, "number": activity_data["number"]},
            {"title": activity_data.get("title", ""), "expected_results": activity_data.get("expected_results", "")},
        )
        for m in activity_data.get("milestones", []):
            milestone = _upsert(Milestone, {"commitment": commitment, "number": m["number"]}, milestone_values(m, activity))
            seen.append(milestone.pk)
    commitment.milestones.exclude(pk__in=seen).delete()
    return commitment


def _load_plan(member, plan_data):
    start, end = _plan_dates(plan_data)
    return _upsert(
        ActionPlan,
        {"member": member, "title": plan_data["title"]},
        {
            "start_date": start,
            "end_date": end,
            "submitted_on": _date(plan_data.get("submitted_on")),
            "approved_on": _date(plan_data.get("approved_on")),
            "approval_act": plan_data.get("approval_act") or "",
            "monitoring_body": plan_data.get("monitoring_body") or "",
            "co_creation": plan_data.get("co_creation") or "",
            "themes": plan_data.get("themes", []),
        },
    )


def _load_national(data):
    member = _member(data["member"])
    by_name = {}
    for a in data.get("agencies", []):
        agency = _agency(member, a["name"], a.get("acronym") or "", a.get("kind") or Agency.Kind.STATE)
        by_name[_norm(a["name"])] = agency
    plan_data = data["plan"]
    plan = _load_plan(member, plan_data)
    if plan_data.get("lead_institution"):
        plan.lead_institutions.set([_find_agency(member, plan_data["lead_institution"], by_name)])
    for number, c in enumerate(data["commitments"], start=1):
        _load_commitment(plan, number, c, by_name)
    forum = data.get("forum")
    if forum:
        _load_national_forum(member, forum)
    _load_names(member, data.get("names") or {})
    return member


def _load_names(member, names):
    """Store the official Russian and Kyrgyz names (``{english: {"ru", "ky"}}``) of the member (and its country), its agencies and forums.

    Rows are found by their English name; a row already holding these names is not saved again.
    """
    if not names:
        return
    for obj in [member, *member.agencies.all(), *member.forums.all()]:
        fields = ("name", "country") if obj is member else ("name",)
        values = {
            f"{field}_{lang}": names[english][lang]
            for field in fields
            if (english := getattr(obj, f"{field}_en")) in names
            for lang in ("ru", "ky")
        }
        if values and any(getattr(obj, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            _saved(obj)


def _load_national_forum(member, data):
    description = data.get("description") or ""
    forum = _upsert(
        Forum,
        {"member": member, "name": data["name"]},
        {
            "founding_act": data.get("founding_act", ""),
            "founded_on": _date(data.get("founded_on")),
            "description": description,
            "seats": data.get("member_count"),
        },
    )
    for text in data.get("co_chairs", []):
        sector = ForumMembership.Sector.GOVERNMENT if "state" in text.lower() or "minister" in text.lower() else (
            ForumMembership.Sector.CIVIL_SOCIETY
        )
        _upsert(ForumMembership, {"forum": forum, "person": text}, {"sector": sector, "role": ForumMembership.Role.CO_CHAIR})
    if data.get("first_meeting_on"):
        _meeting(forum, data["first_meeting_on"], "First meeting of the National Forum")
    if data.get("meetings_until") and data["meetings_until"] != data.get("first_meeting_on"):
        _meeting(forum, data["meetings_until"], "National Forum decides to complete the first NAP")
    return forum


def _meeting(forum, day, title):
    # Seed meetings carry a day, not an hour: keep them at local noon so the day never shifts across zones.
    starts = timezone.make_aware(dt.datetime.combine(_date(day), dt.time(12, 0)))
    return _upsert(Meeting, {"forum": forum, "starts_at": starts}, {"title": title, "status": Meeting.Status.HELD})


def _load_local(data, parent):
    member = _member(data["member"], parent=parent)
    plan_data = data["plan"]
    plan = _load_plan(member, plan_data)
    lead = plan_data.get("lead_institutions") or plan_data.get("lead_institution") or []
    if isinstance(lead, str):
        lead = [p.strip(" ,") for p in re.split(r"\s*\d+\.\s+", lead) if p.strip(" ,")]
    plan.lead_institutions.set([_agency(member, name) for name in lead])
    for number, c in enumerate(data["commitments"], start=1):
        _load_commitment(plan, number, c, {})
    forum_data = data.get("forum")
    if forum_data:
        forum = _upsert(
            Forum,
            {"member": member, "name": forum_data["name"]},
            {
                "description": forum_data.get("description") or forum_data.get("composition") or "",
                "seats": forum_data.get("member_count"),
            },
        )
        for m in forum_data.get("members", []):
            _upsert(
                ForumMembership,
                {"forum": forum, "person": m["name"]},
                {
                    "organisation": m.get("organisation") or "",
                    "position": m.get("position") or "",
                    "sector": m["sector"],
                    "role": m.get("role") or ForumMembership.Role.MEMBER,
                },
            )
        for meeting in forum_data.get("meetings", []):
            _meeting(forum, meeting["date"], meeting.get("title") or "")
    _load_names(member, data.get("names") or {})
    return member


def _load_letters(member, data):
    """The deadlines and statuses of OGP's letters, through the compliance services like any letter an administrator records."""
    letters = sorted(data["letters"], key=lambda letter: letter["date"])
    by_missed = {letter["missed_deadline"]: letter for letter in letters}
    # The first deadline is the one the first letter says was missed; each letter sets the next.
    deadlines = sorted(data.get("deadlines") or {letters[0]["missed_deadline"], *[x["next_deadline"] for x in letters]})
    for due in deadlines:
        due_date = _date(due)
        set_in = next((x for x in letters if x["next_deadline"] == due), None)
        missed_in = by_missed.get(due)
        reasons = []
        if set_in:
            reasons.append(f"OGP letter of {set_in['date']}: the next action plan must be delivered by {due}.")
        if missed_in:
            reasons.append(f"OGP letter of {missed_in['date']}: no action plan was received by {due}.")
        compliance_services.record_letter_deadline(
            member,
            kind=Deadline.Kind.ACTION_PLAN,
            cycle=cycle_label(due_date),
            due_on=due_date,
            reason=" ".join(reasons) or f"Deadline stated in OGP's letters to {member.name}.",
            reference=f"OGP letter of {(set_in or missed_in)['date']}" if (set_in or missed_in) else "",
        )
    previous = MemberStatus.ACTIVE
    for letter in letters:
        compliance_services.record_letter_status(
            member,
            status=letter["status"],
            previous_status=previous,
            effective_on=_date(letter["missed_deadline"]) + dt.timedelta(days=1),
            cycle=letter.get("cycle", ""),
            reason=letter.get("summary", ""),
            reference=f"OGP letter of {letter['date']} to {letter.get('addressee', member.name)}",
        )
        previous = letter["status"]


@transaction.atomic
def load_seed_data(fixtures_dir=FIXTURES_DIR):
    """Load the real seed data from ``fixtures/``; running it again changes nothing.

    Steps: the Kyrgyz Republic with its 2018–2020 plan, agencies and National Forum;
    Bishkek (OGP Local) with its 2025 plan and Open Bishkek Committee; the deadlines
    and status events of OGP's letters of 2022 and 2023.
    """
    fixtures_dir = Path(fixtures_dir)
    national = json.loads((fixtures_dir / NATIONAL_FILE).read_text(encoding="utf-8"))
    kg = _load_national(national)
    local = json.loads((fixtures_dir / LOCAL_FILE).read_text(encoding="utf-8"))
    _load_local(local, parent=kg)
    letters = json.loads((fixtures_dir / LETTERS_FILE).read_text(encoding="utf-8"))
    _load_letters(kg, letters)
    # Milestones may have been added to plans that already have approved updates.
    from commitments.progress import refresh_completion

    refresh_completion(Commitment.objects.filter(Q(plan__member=kg) | Q(plan__member__parent=kg)))
    return kg


def open_demo_cocreation(now=None) -> list:
    """The demo (``make run``): open the co-creation of the next Kyrgyz and Bishkek plans, each dated back from the
    deadline the compliance engine gives today; no proposals are invented. Idempotent; a member the engine
    gives no plan deadline is left out."""
    from cocreation.models import CoCreationProcess
    from cocreation.services import open_process, plan_deadline_for

    now = now or timezone.now()
    opened = []
    for code in ("KG", "KGBSK"):
        member = Member.objects.filter(code=code).first()
        deadline = plan_deadline_for(member, now) if member else None
        if deadline is None:
            continue
        if not CoCreationProcess.objects.filter(member=member, cycle=cycle_label(deadline)).exists():
            opened.append(open_process(member, by=None, system=True, now=now, deadline=deadline))
    return opened
