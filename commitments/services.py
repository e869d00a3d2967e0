"""Write paths for plans and commitments: the seed import and conflict-safe edits (versions, history diffs).

The progress workflow (progress updates, evidence, review, status reports, the completion roll-up)
is in ``progress.py``; its names still answer here (see ``PROGRESS_NAMES``).
"""

import datetime as dt
import json
import re
from contextlib import contextmanager
from pathlib import Path

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.text import capfirst

from compliance.models import Deadline, StatusEvent
from forums.models import Forum, ForumMembership, Meeting
from ogp_portal import versioning

from .importer import commitment_values, milestone_values
from .models import (
    Activity,
    ActionPlan,
    Agency,
    Commitment,
    Member,
    Milestone,
    parse_partial_date,
    period_end,
)

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
    return member


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
    return member


def _load_letters(member, data):
    letters = sorted(data["letters"], key=lambda letter: letter["date"])
    by_missed = {letter["missed_deadline"]: letter for letter in letters}
    # The first deadline is the one the first letter says was missed; each letter sets the next.
    deadlines = sorted(data.get("deadlines") or {letters[0]["missed_deadline"], *[x["next_deadline"] for x in letters]})
    for due in deadlines:
        due_date = _date(due)
        cycle = f"{due_date.year}-{due_date.year + 2}"
        set_in = next((x for x in letters if x["next_deadline"] == due), None)
        missed_in = by_missed.get(due)
        reasons = []
        if set_in:
            reasons.append(f"OGP letter of {set_in['date']}: the next action plan must be delivered by {due}.")
        if missed_in:
            reasons.append(f"OGP letter of {missed_in['date']}: no action plan was received by {due}.")
        _upsert(
            Deadline,
            {"member": member, "kind": Deadline.Kind.ACTION_PLAN, "cycle": cycle},
            {
                "due_on": due_date,
                "source": Deadline.Source.ADMINISTRATOR,
                "reason": " ".join(reasons) or f"Deadline stated in OGP's letters to {member.name}.",
                "reference": f"OGP letter of {(set_in or missed_in)['date']}" if (set_in or missed_in) else "",
            },
        )
    for letter in letters:
        effective = _date(letter["missed_deadline"]) + dt.timedelta(days=1)
        _upsert(
            StatusEvent,
            {"member": member, "status": letter["status"], "effective_on": effective},
            {
                "cycle": letter.get("cycle", ""),
                "reason": letter.get("summary", ""),
                "reference": f"OGP letter of {letter['date']} to {letter.get('addressee', member.name)}",
            },
        )


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
    from .progress import refresh_completion  # progress.py imports this module

    refresh_completion(Commitment.objects.filter(Q(plan__member=kg) | Q(plan__member__parent=kg)))
    return kg


# =============================================================================
# Conflict-safe edits and readable history (used here and by the progress workflow, progress.py)
# =============================================================================
#
# Conflict-safe edits: every editable object carries ``version``. A change names the version it
# was based on; the service claims the row with one conditional UPDATE (``pk`` and ``version``
# match → ``version + 1``). If no row matched, someone saved first: :class:`StaleVersion` says what
# they changed and nothing is written. The claim locks the row until the transaction ends, so the
# ordinary ``save()`` that follows (and writes the history record) cannot interleave with another.


class StaleVersion(versioning.StaleVersion):
    """A save based on an old version: nothing was written. ``changes`` lists what the other person changed."""

    def __init__(self, obj, changes):
        self.obj = obj
        self.changes = changes
        super().__init__(str(self.message))

    @property
    def message(self):
        from django.utils.translation import gettext as _

        if not self.changes:
            return _("Someone else saved this in the meantime. Nothing of yours was saved; reload and try again.")
        return _("Someone else saved this in the meantime, so nothing of yours was saved. They changed: %(changes)s.") % {
            "changes": "; ".join(f"{capfirst(c.label)}: {c.theirs}" for c in self.changes)
        }


@dataclass(frozen=True)
class FieldChange:
    """One field's change in readable form: label in the active language, values as displayed."""

    field: str
    label: str
    before: str
    theirs: str


def etag(obj):
    """Return the ETag of an editable object's current version (for the API's If-Match)."""
    return f'"{obj._meta.label_lower}:{obj.pk}:v{obj.version}"'


def version_from_etag(value):
    """Return the version an ``If-Match`` header names, or None when it does not name one."""
    match = re.fullmatch(r'\s*(?:W/)?"[^":]+:\d+:v(\d+)"\s*', value or "")
    return int(match.group(1)) if match else None


# Fields never shown in a diff (bookkeeping, not content).
DIFF_SKIP = {"id", "version", "updated_at", "created_at"}


def _display(obj, field):
    """Return a field's value as a person reads it (choice labels, dates in the active language)."""
    from django.utils.formats import date_format, localize

    value = getattr(obj, field.attname, None)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    if field.is_relation:
        try:
            related = getattr(obj, field.name, None)
        except ObjectDoesNotExist:
            related = None
        return str(related) if related is not None else "—"
    return str(localize(value))


def _diff_fields(model):
    """Return (field name in history, label) pairs worth showing, in the active language.

    A translated field (``title`` with ``title_en``, ``title_ru``, ``title_ky``) is shown once,
    through the column of the visitor's language, under the field's own label.
    """
    from django.utils.translation import get_language

    from modeltranslation.translator import NotRegistered, translator

    try:
        translated = set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        translated = set()
    lang = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    pairs = []
    for field in model._meta.concrete_fields:
        if field.name in DIFF_SKIP or field.name in translated:
            continue
        base = field.name.rsplit("_", 1)[0]
        if base in translated:
            if not field.name.endswith(f"_{lang}"):
                continue
            pairs.append((field, model._meta.get_field(base).verbose_name))
            continue
        pairs.append((field, field.verbose_name))
    return pairs


def diff_records(model, old, new):
    """Return the :class:`FieldChange` list between two versions (historical records or instances)."""
    changes = []
    for field, label in _diff_fields(model):
        before, after = getattr(old, field.attname, None), getattr(new, field.attname, None)
        if before != after:
            changes.append(FieldChange(field.name, str(label), _display(old, field), _display(new, field)))
    return changes


def changes_since(obj, version, fields=None):
    """Return what changed in ``obj`` since ``version`` (from its history), as :class:`FieldChange`.

    ``version`` 0 means the form was based on nothing (a new object): every filled field counts.
    ``fields`` limits the answer to those field names.
    """
    model = type(obj)
    current = model._default_manager.filter(pk=obj.pk).first() if obj.pk else None
    if current is None:
        return []
    base = obj.history.filter(version=version).order_by("-history_date").first() if version else model()
    if base is None:
        return []
    changes = diff_records(model, base, current)
    return [c for c in changes if fields is None or c.field in fields]


def history_entries(obj, limit=50):
    """Return ``obj``'s history as readable diffs, newest first: ``{who, when, changes}``.

    Each historical record is compared with the one before it; records that change nothing
    shown (bookkeeping only) are left out, the first (creation) is shown without fields.
    """
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for newer, older in zip(records, records[1:] + [None]):
        if older is None:
            if len(records) <= limit:
                entries.append({"who": newer.history_user, "when": newer.history_date, "created": True, "changes": []})
            continue
        changes = diff_records(type(obj), older, newer)
        if changes:
            entries.append({"who": newer.history_user, "when": newer.history_date, "created": False, "changes": changes})
    return entries


class _NotClaimed(Exception):
    """No row matched the version: someone saved first (turned into :class:`StaleVersion` outside the transaction)."""


@contextmanager
def _claimed(obj, version, fields=None):
    """Claim ``obj`` for a write based on ``version`` and run the block in the same transaction.

    The claim is one conditional UPDATE (``pk`` and ``version`` match → ``version + 1``); if no row
    matched, :class:`StaleVersion` says what changed and nothing is written. The claimed row stays
    locked until the transaction ends, and ``obj`` is re-read under the lock, so the block sees
    the stored state. If the block fails, everything (the claim too) is rolled back.
    """
    model = type(obj)

    def restore_version():
        if obj.pk:
            stored = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
            obj.version = stored if stored is not None else obj.version

    try:
        with transaction.atomic():
            claimed = model._default_manager.filter(pk=obj.pk, version=version).update(version=F("version") + 1)
            if not claimed:
                raise _NotClaimed
            obj.refresh_from_db()
            yield obj
    except _NotClaimed:
        # Said after the transaction has ended, so that reading what changed (the history) does not
        # hold the write lock while other saves wait for it.
        restore_version()
        raise StaleVersion(obj, changes_since(obj, version, fields)) from None
    except BaseException:
        restore_version()
        raise


def claim(obj, version, fields=None, *, refresh=True):
    """Claim ``obj`` inside the caller's transaction (see :func:`_claimed`); ``refresh=False`` keeps unsaved edits on ``obj``."""
    model = type(obj)
    claimed = model._default_manager.filter(pk=obj.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise StaleVersion(obj, changes_since(obj, version, fields))
    if refresh:
        obj.refresh_from_db()
    else:
        obj.version = version + 1


def _require(user, perm, obj):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def update_versioned(obj, changes, *, by, version, perm="commitments.edit_commitment"):
    """Apply ``changes`` (field → value) to a versioned object (a commitment, a milestone) based on ``version``.

    Validates with the model's rules; a stale version raises :class:`StaleVersion` and writes nothing.
    """
    _require(by, perm, obj)
    with _claimed(obj, version):
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj._history_user = by
        obj.save()
    return obj


# The progress workflow lives in ``progress.py``; these names still answer here, for callers that
# import them from ``commitments.services`` (resolved on first use: progress.py imports this module).
PROGRESS_NAMES = frozenset({
    "update_policies",
    "update_policies_by_member",
    "reporting_period",
    "reporting_periods",
    "period_label_of",
    "find_period",
    "PROGRESS_FIELDS",
    "save_progress",
    "submit_progress",
    "approve_progress",
    "return_progress",
    "EVIDENCE_TYPES",
    "detect_evidence_type",
    "check_evidence_file",
    "add_evidence_file",
    "add_evidence_link",
    "remove_evidence",
    "commitment_rollups",
    "refresh_completion",
    "open_status_report",
    "report_readiness",
    "publish_status_report",
})


def __getattr__(name):
    if name in PROGRESS_NAMES:
        from . import progress

        return getattr(progress, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# Conflict-safe edits of commitment and milestone texts (the API's PATCH): through update_versioned
# ---------------------------------------------------------------------------


def _update_versioned(model, obj, *, by, data, version, fields, rule):
    """Apply ``data`` to ``obj`` if ``by`` may and ``version`` is still current; return the saved row.

    Only ``fields`` may change (others are refused, 400 in the API); the write itself is
    :func:`update_versioned` (one conditional UPDATE claims the version; a stale one raises
    :class:`StaleVersion`, 412 in the API). Nothing changed: nothing written.
    """
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise StaleVersion(obj, []) from None
    changed = {name: value for name, value in data.items() if getattr(obj, name) != value}
    if not changed:
        if obj.version != version:
            raise StaleVersion(obj, changes_since(obj, version))
        return obj
    return update_versioned(obj, changed, by=by, version=version, perm=rule)


COMMITMENT_EDITABLE_FIELDS = (
    "title",
    "other_state_actors",
    "other_actors",
    "problem",
    "description",
    "contribution",
    "relevance",
    "additional_information",
    "expected_results",
    "ogp_values",
    "themes",
    "contact_name",
    "contact_title",
    "contact_email",
    "contact_phone",
)


def update_commitment(commitment, *, by, data, version):
    """Change a commitment's texts, values, themes or contact, as of ``version`` (see ``_update_versioned``)."""
    return _update_versioned(
        Commitment, commitment, by=by, data=data, version=version, fields=COMMITMENT_EDITABLE_FIELDS,
        rule="commitments.edit_commitment",
    )


MILESTONE_EDITABLE_FIELDS = (
    "deliverable",
    "budget_development_partners",
    "budget_national",
    "budget_text",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
)


def update_milestone(milestone, *, by, data, version):
    """Change a milestone's deliverable, budget or dates, as of ``version`` (see ``_update_versioned``)."""
    return _update_versioned(
        Milestone, milestone, by=by, data=data, version=version, fields=MILESTONE_EDITABLE_FIELDS,
        rule="commitments.edit_commitment",
    )
