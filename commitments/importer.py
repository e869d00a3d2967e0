"""Import an action plan: read the file, preview every change, apply it in one transaction.

Steps, the same for the upload page and ``manage.py import_plan``:

1. ``read_file(name, data, member)`` reads a .docx or a text file in OGP's commitment
   template (``template_parser``), or a CSV file in the portal's one CSV format
   (``csv_io``), into a ``ParsedPlan``: plain dictionaries plus the problems met while
   reading, each naming where it is in the document.  A file that cannot be a plan is
   refused with ``ImportRefused`` before anything is compared.
2. ``run_import(member, parsed, user=..., commit=False)`` compares it with the database
   and returns an ``Outcome``: each plan, agency, commitment, activity and milestone as
   created / updated / unchanged / kept, field by field.  The preview runs the very same
   code as the import, inside a transaction that is rolled back, so the preview cannot
   disagree with what confirming does (model validation included).
3. ``run_import(..., commit=True)`` saves it, in one transaction: if any object fails the
   models' validation nothing is saved.  Rows are matched by commitment identifier and
   milestone number and updated in place, so progress already entered stays attached;
   rows the document no longer lists are kept, never deleted; unchanged rows are not
   saved, so a re-import writes no history.  Every save records who imported it.

Over 600 lines as one cohesive thing: the one import pipeline (read, compare, apply).  The
preview and the import must run the very same comparison (``_Sync``), field by field; split, the
preview could drift from what confirming saves.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy as _

from ogp.signals import record_changed
from ogp_portal.cache import public_pages_changed

from . import template_parser
from .models import Activity, ActionPlan, Agency, Commitment, Milestone, Role, parse_partial_date, period_end
from .template_parser import LIMITS, Problem, TemplateError, gettext_noop

logger = logging.getLogger(__name__)
_MISSING = object()
BUDGET_CODES = {"development_partners": "budget_development_partners", "national_budget": "budget_national"}


class ImportRefused(Exception):
    """The file is refused as a whole; ``message`` is translated into the active language."""

    def __init__(self, msgid, **params):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)

    @property
    def message(self):
        text = gettext(self.msgid)
        return text % self.params if self.params else text

    @classmethod
    def from_template_error(cls, error):
        return cls(error.msgid, **error.params)


def problem_text(problem):
    """A reading problem in the active language, with its place in the document."""
    text = gettext(problem.msgid) % problem.params
    if problem.where is None:
        return text
    msgid, params = problem.where.parts()
    return gettext("%(where)s: %(problem)s") % {"where": gettext(msgid) % params, "problem": text}


@dataclass
class ParsedPlan:
    """What was read from one file, before it is compared with the database."""

    data: dict
    problems: list
    source: str
    format: str  # "docx" | "text" | "csv"


# ---------------------------------------------------------------------------
# 1. Reading
# ---------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_file(name, data, member):
    """Read an uploaded plan; identifiers are numbered with the member's code."""
    name = (name or "").lower()
    if not data:
        raise ImportRefused(gettext_noop("The file is empty."))
    if len(data) > LIMITS["max_bytes"]:
        raise ImportRefused(gettext_noop("The file is larger than %(limit)s MB."),
                            limit=LIMITS["max_bytes"] // (1024 * 1024))
    try:
        if name.endswith(".csv"):
            from .csv_io import read_csv

            data_dict, problems = read_csv(data, member)
            return ParsedPlan(data_dict, problems, name, "csv")
        if data.startswith(b"PK") or name.endswith(".docx"):
            blocks = template_parser.read_docx(data)
            kind = "docx"
        elif data.startswith(_OLE_MAGIC):
            raise ImportRefused(gettext_noop(
                "This is an old Word .doc file. Save it as a .docx document (Word 2007 or later) and upload it again."))
        elif name.endswith((".txt", ".text")) or not name:
            blocks = template_parser.read_text(template_parser.decode_text(data))
            kind = "text"
        else:
            raise ImportRefused(gettext_noop("Upload a Word .docx, a text .txt or a .csv file."))
        parsed, problems = template_parser.parse_plan(blocks, strict=False, code=member.code)
    except TemplateError as error:
        raise ImportRefused.from_template_error(error) from None
    except ImportRefused:
        raise
    except Exception:  # a part of the file no reader foresaw (damaged XML, odd numbering …): a message, not a 500
        logger.exception("plan file %s could not be read", name)
        raise ImportRefused(gettext_noop(
            "The file could not be read: a part of it has a form the importer does not understand. "
            "Nothing was imported.")) from None
    return ParsedPlan(parsed, problems, name, kind)


# ---------------------------------------------------------------------------
# 2. Comparing and applying
# ---------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, KEPT = "created", "updated", "unchanged", "kept"
STATUS_LABELS = {
    CREATED: _("will be created"),
    UPDATED: _("will be updated"),
    UNCHANGED: _("unchanged"),
    KEPT: _("not in the file: kept as it is"),
}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Item:
    """One row of the preview: a plan, agency, commitment, activity or milestone."""

    kind: str
    label: str
    status: str
    changes: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


@dataclass
class Choice:
    """A change that needs the importer's explicit consent (a value blanked, a commitment moved to a new agency).

    Without the consent the stored value is kept; ``key`` names it in the confirmation form.
    """

    key: str
    text: str
    allowed: bool = False


@dataclass
class Outcome:
    plan: Item | None = None
    agencies: list = field(default_factory=list)
    commitments: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # reading problems (warnings): template_parser.Problem
    errors: list = field(default_factory=list)  # validation errors (refuse): translated strings
    choices: list = field(default_factory=list)  # Choice: blanked values and agency moves, applied only if allowed
    committed: bool = False
    plan_id: int | None = None  # the plan imported into (meaningful once committed)

    def items(self):
        for item in [self.plan, *self.agencies]:
            if item:
                yield item
        for item in self.commitments:
            yield item
            for child in item.children:
                yield child
                yield from child.children

    def counts(self):
        counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0, KEPT: 0}
        for item in self.items():
            counts[item.status] += 1
        return counts

    @property
    def has_changes(self):
        counts = self.counts()
        return bool(counts[CREATED] or counts[UPDATED])

    def warnings(self):
        return [problem_text(p) for p in self.problems]


def _display(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def _norm(text):
    """Comparison key of an agency name or acronym: case, punctuation, quotes, NBSP and "the" ignored."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"\bthe\b", " ", text)
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


# Text fields held per language (commitments/translation.py): a Russian or Kyrgyz document's text goes
# into their ``_ru`` / ``_ky`` columns, and the English text stays as it is.
TRANSLATED = {
    Commitment: ("title", "other_state_actors", "other_actors", "problem", "description", "contribution",
                 "relevance", "additional_information", "expected_results", "contact_title"),
    Activity: ("title", "expected_results"),
    Milestone: ("deliverable",),
}


def in_language(model, values, language):
    """``values`` with the translated fields renamed to the columns of ``language`` (English: unchanged)."""
    if not language or language == "en":
        return values
    names = TRANSLATED.get(model, ())
    return {f"{key}_{language}" if key in names else key: value for key, value in values.items()}


def commitment_values(data, plan, number, lead):
    """The Commitment fields a plan's dictionary gives (the seed loader uses the same mapping).

    A key the dictionary does not hold (a cell missing from an uploaded file) is left out, so the
    stored value is kept.
    """
    contact = data.get("contact") or {}
    values = {
        "plan": plan,
        "number": data.get("number", number),
        "title": data["title"],
    }
    if "start" in data:
        values["start_date"] = _date(data.get("start"))
    if "end" in data:
        values["end_date"] = _date(data.get("end"))
    if "lead_agency" in data:
        values["lead_agency"] = lead
    # OGP Local's template names the problem "challenge" and the commitment "goal".
    if "problem" in data or "challenge" in data:
        values["problem"] = data.get("problem") or data.get("challenge") or ""
    if "description" in data or "goal" in data:
        values["description"] = data.get("description") or data.get("goal") or ""
    for key in ("contribution", "relevance", "additional_information", "expected_results", "other_state_actors",
                "other_actors"):
        if key in data:
            values[key] = data.get(key) or ""
    for key in ("ogp_values", "themes"):
        if key in data:
            values[key] = data.get(key) or []
    if "name" in contact:
        values["contact_name"] = contact.get("name", "")
    if "title" in contact:
        values["contact_title"] = contact.get("title", "")
    if "email" in contact:
        values["contact_email"] = contact.get("email", "")
    if "phone" in contact or "email_phone_raw" in contact:
        values["contact_phone"] = contact.get("phone", "") or contact.get("email_phone_raw", "")
    return values


def milestone_values(data, activity):
    """The Milestone fields of one milestone dictionary (the seed loader uses the same mapping)."""
    values = {
        "activity": activity,
        "deliverable": data["deliverable"],
        "budget_text": data.get("budget_text", ""),
    }
    if "start" in data:
        start, start_precision = parse_partial_date(data.get("start"))
        values.update(start_date=start, start_precision=start_precision)
    if "end" in data:
        end, end_precision = parse_partial_date(data.get("end"))
        values.update(end_date=end, end_precision=end_precision)
    for code, field_name in BUDGET_CODES.items():
        values[field_name] = code in data.get("budget_sources", [])
    return values


# A plan's approval act and themes are held once (not per language): a Russian or Kyrgyz file does not replace them.
PLAN_FIELD_KEPT = {
    "approval_act": gettext_noop("The file names the approval act in another language (“%(value)s”); the stored act "
                                 "(“%(stored)s”) is kept."),
    "themes": gettext_noop("The file lists the plan's themes in another language (“%(value)s”); the stored themes "
                           "(“%(stored)s”) are kept."),
}
# One summary line in the preview when new rows are created from a Russian or Kyrgyz file.
STAND_IN_MESSAGES = {
    "ru": gettext_noop("No English text: the Russian text stands in for the English text of the new rows "
                       "(%(count)s: %(rows)s) until an English translation is written."),
    "ky": gettext_noop("No English text: the Kyrgyz text stands in for the English text of the new rows "
                       "(%(count)s: %(rows)s) until an English translation is written."),
}


class _Sync:
    """Walk a parsed plan against the database, saving changed rows (rolled back for a preview)."""

    def __init__(self, member, parsed, user, reason, language, allow=()):
        self.language = language  # messages in the reader's language; rows are read and written in English
        self.allow = set(allow)  # keys of the choices the importer agreed to
        self.content_language = parsed.data.get("language") or "en"  # the language the file is written in
        self.member = member
        self.parsed = parsed
        self.user = user
        self.reason = reason
        self.outcome = Outcome(problems=list(parsed.problems))
        self.stand_ins = []  # new rows whose English text is the file's Russian or Kyrgyz text

    # -- generic row handling ---------------------------------------------

    def _t(self, msgid, **params):
        with translation.override(self.language):
            text = gettext(msgid)
            return text % params if params else text

    def _display(self, value):
        with translation.override(self.language):
            return _display(value)

    def _verbose(self, model, name):
        with translation.override(self.language):
            field_name, _sep, language = name.rpartition("_")
            if language in ("en", "ru", "ky") and field_name in TRANSLATED.get(model, ()):
                return f"{model._meta.get_field(field_name).verbose_name} [{language}]"
            return str(model._meta.get_field(name).verbose_name)

    def _upsert(self, model, lookup, values, kind, label, parent="", existing=_MISSING):
        """Create or update one row; return (row or None when invalid, Item).

        ``existing`` is the row already read for ``lookup`` (None: there is none); without it the row is queried.
        A stored value the file would blank is kept unless its choice was allowed.
        """
        obj = model.objects.filter(**lookup).first() if existing is _MISSING else existing
        status = UPDATED if obj is not None else CREATED
        changes = []
        if obj is None:
            obj = model(**lookup)
            if self.content_language != "en":
                # A new row needs its English text: the file's text stands in until it is translated.
                stand_in = False
                for name in TRANSLATED.get(model, ()):
                    if name in values:
                        stand_in = stand_in or bool(values[name])
                        values.setdefault(f"{name}_en", values[name])
                if stand_in:
                    self.stand_ins.append(f"{parent}, {label}" if parent else label)
        values = in_language(model, values, self.content_language)
        for key, value in values.items():
            old = getattr(obj, key) if status == UPDATED else None
            if status == UPDATED and old == value:
                continue
            if status == UPDATED and value in (None, "", []) and old not in (None, "", []):
                item_label = f"{parent}, {label}" if parent else label
                choice_key = f"{kind}:{item_label}:{key}"[:300]
                allowed = choice_key in self.allow
                self.outcome.choices.append(Choice(choice_key, self._t(gettext_noop(
                    "%(item)s: blank “%(field)s” (now “%(old)s”)"), item=item_label, field=self._verbose(model, key),
                    old=_shorten(self._display(old), 80)), allowed))
                if not allowed:
                    continue
            if status == CREATED and value in (None, "", [], False):
                setattr(obj, key, value)
                continue
            changes.append(Change(self._verbose(model, key), self._display(old if status == UPDATED else None),
                                  self._display(value)))
            setattr(obj, key, value)
        item = Item(kind, label, status if (status == CREATED or changes) else UNCHANGED, changes)
        if item.status == UNCHANGED:
            return obj, item
        # Foreign keys set to rows just read or saved need no existence query each.
        known = [name for name, value in {**lookup, **values}.items()
                 if isinstance(value, models.Model) and value.pk is not None]
        try:
            with translation.override(self.language):  # validation messages in the reader's language
                obj.full_clean(exclude=known)
        except ValidationError as error:
            messages = [f"{self._verbose(model, k) if k != '__all__' else ''}: {m}".lstrip(": ")
                        for k, ms in error.message_dict.items() for m in ms]
            item_label = f"{parent}, {label}" if parent else label  # "KG0018, Milestone 1.7: …"
            self.outcome.errors.append(self._t(gettext_noop("%(item)s: %(errors)s"), item=item_label,
                                               errors=" ".join(messages)))
            return None, item
        if status == UPDATED and not self._claim(obj, item, model, label, parent):
            return None, item
        obj._history_user = self.user
        obj._change_reason = self.reason
        obj.save()
        return obj, item

    def _claim(self, obj, item, model, label, parent):
        """Claim a versioned row (a commitment, a milestone) before changing it, as every edit does.

        The version read at the start of the import is claimed with the services' conditional UPDATE,
        so the import bumps it (an edit based on the version before the import is then refused as
        stale), and a row someone saved while the import ran is not overwritten: the import stops.
        """
        if not hasattr(obj, "version"):
            return True
        from .services import StaleVersion, claim

        try:
            claim(obj, obj.version, refresh=False)
        except StaleVersion:
            item_label = f"{parent}, {label}" if parent else label
            self.outcome.errors.append(self._t(gettext_noop(
                "%(item)s: someone saved it while the file was being imported. Nothing was saved; import the file again."),
                item=item_label))
            return False
        return True

    # -- the plan -------------------------------------------------------------

    def _plan(self):
        data = self.parsed.data["plan"]
        title = data.get("title")
        language = data.get("language") or "en"  # the language the plan's narrative is written in
        local_title = None
        if title and language != "en":
            # A Russian or Kyrgyz title: the plan that has it as its title in that language, else the plan of the
            # file's commitments; a new plan takes it as its English title too, until one is written.
            local_title = title
            known = (ActionPlan.objects.filter(member=self.member, **{f"title_{language}": title}).first()
                     or self._plan_of_commitments(with_latest=False))
            if known is not None:
                title = known.title
            elif not ActionPlan.objects.filter(member=self.member, title=title).exists():
                self.stand_ins.append(title)  # a new plan: its title stands in for the English one
        if not title:
            plan = self._plan_of_commitments()
            if plan is None:
                self.outcome.errors.append(self._t(gettext_noop(
                    "The file does not name its action plan, and %(member)s has no plan to import into. "
                    "Put the plan's title (containing “Action Plan”) at the top of the document."),
                    member=self.member.name))
                return None
            title = plan.title
            self.outcome.problems.append(Problem(gettext_noop(
                "The file does not name its action plan; its commitments go into “%(plan)s”."), {"plan": title}))
        start, _precision = parse_partial_date(data.get("start"))
        end, end_precision = parse_partial_date(data.get("end"))
        values = {"start_date": start, "end_date": period_end(end, end_precision)}
        stored = ActionPlan.objects.filter(member=self.member, title=title).select_related("member").first()
        if stored is None:
            values.update({"approval_act": "", "monitoring_body": "", "co_creation": "", "themes": []})
        # Only what the document states: a plan's other fields are left as they are.
        if language == "en":
            for key in ("approval_act", "co_creation", "themes"):
                if data.get(key):
                    values[key] = data[key]
        else:
            # A Russian or Kyrgyz narrative goes into its own columns; the English ones are never touched.
            if local_title:
                values[f"title_{language}"] = local_title
            if data.get("co_creation"):
                values[f"co_creation_{language}"] = data["co_creation"]
            # The approval act and the themes are held once, not per language: written only where none is stored.
            for key in ("approval_act", "themes"):
                if not data.get(key):
                    continue
                if stored is None or not getattr(stored, key):
                    values[key] = data[key]
                elif getattr(stored, key) != data[key]:
                    self.outcome.problems.append(Problem(PLAN_FIELD_KEPT[key], {
                        "value": _shorten(_display(data[key]), 80), "stored": _shorten(_display(getattr(stored, key)), 80)}))
        if data.get("approved_on"):
            values["approved_on"] = _date(data["approved_on"])
        if data.get("submitted_on"):
            values["submitted_on"] = _date(data["submitted_on"])
        plan, item = self._upsert(ActionPlan, {"member": self.member, "title": title}, values, "plan", title,
                                  existing=stored)
        self.outcome.plan = item
        self.outcome.plan_id = plan.pk if plan else None
        return plan

    def _plan_of_commitments(self, with_latest=True):
        """The plan the file's commitments are in (or, ``with_latest``, the member's latest plan), or None."""
        identifiers = [c["identifier"] for c in self.parsed.data["commitments"]]
        existing = Commitment.objects.filter(identifier__in=identifiers, plan__member=self.member).first()
        if existing:
            return existing.plan
        return self.member.plans.order_by("-start_date").first() if with_latest else None

    # -- agencies ---------------------------------------------------------------

    def _agency(self, name, acronym="", kind=Agency.Kind.STATE, official=None):
        agency = self.agencies.get(name)
        if agency:
            return agency
        values = {"acronym": acronym or "", "kind": kind, **(official or {})}
        agency, item = self._upsert(Agency, {"member": self.member, "name": name}, values, "agency", name,
                                    existing=None)
        self.outcome.agencies.append(item)
        if agency is not None:
            self.agencies[name] = agency
        return agency

    def _agencies(self):
        """Match the file's agencies with the member's by normalised name, acronym or official Russian/Kyrgyz name.

        Only an agency matched by none of them is created.
        """
        self.agencies = {agency.name: agency for agency in Agency.objects.filter(member=self.member)}
        self.by_name, self.by_acronym, self.new_agencies = {}, {}, set()
        for agency in self.agencies.values():
            for name in (agency.name, agency.name_en, agency.name_ru, agency.name_ky):
                if _norm(name):
                    self.by_name.setdefault(_norm(name), agency)
            if _norm(agency.acronym):
                self.by_acronym.setdefault(_norm(agency.acronym), agency)
        for a in self.parsed.data.get("agencies", []):
            # The official Russian and Kyrgyz names (the CSV carries them): stated ones only, never blanked.
            official = {key: a[key] for key in ("name_ru", "name_ky") if a.get(key)}
            agency = (self._match_agency(a["name"]) or (a.get("acronym") and self.by_acronym.get(_norm(a["acronym"])))
                      or next((self.by_name[_norm(n)] for n in official.values() if _norm(n) in self.by_name), None))
            if agency is None:
                agency = self._agency(a["name"], a.get("acronym") or "", a.get("kind") or Agency.Kind.STATE, official)
                if agency is not None:
                    self.new_agencies.add(agency.pk)
            elif any(getattr(agency, key) != value for key, value in official.items()):
                updated, item = self._upsert(Agency, {"pk": agency.pk}, official, "agency", agency.name,
                                             existing=agency)
                self.outcome.agencies.append(item)
            if agency:
                for name in (a["name"], *official.values()):
                    self.by_name.setdefault(_norm(name), agency)
                if a.get("acronym"):
                    self.by_acronym.setdefault(_norm(a["acronym"]), agency)

    def _match_agency(self, name):
        key = _norm(name)
        if not key:
            return None
        if key in self.by_name:
            return self.by_name[key]
        if key in self.by_acronym:
            return self.by_acronym[key]
        for agency_key, agency in self.by_name.items():
            if key.startswith(agency_key) or agency_key.startswith(key):
                return agency
        return None

    def _find_agency(self, name):
        """Return the agency a commitment names, matching the abbreviations list loosely (as the seed loader)."""
        agency = self._match_agency(name)
        if agency is not None:
            return agency
        agency = self._agency(name)
        if agency:
            self.by_name[_norm(name)] = agency
            self.new_agencies.add(agency.pk)
        return agency

    # -- commitments ------------------------------------------------------------

    def _commitment(self, plan, number, data):
        identifier = data["identifier"]
        label = f"{identifier} — {data['title']}"
        existing = self.commitments.get(identifier)
        if existing and existing.plan.member_id != self.member.pk:
            self.outcome.errors.append(self._t(gettext_noop("%(item)s: the identifier is already used by %(member)s."),
                                               item=label, member=existing.plan.member.name))
            return
        lead = self._find_agency(data["lead_agency"]) if data.get("lead_agency") else None
        values = commitment_values(data, plan, number, lead)
        if (existing and lead is not None and lead.pk in self.new_agencies and existing.lead_agency_id
                and existing.lead_agency_id != lead.pk
                and Role.objects.filter(agency_id=existing.lead_agency_id, kind=Role.Kind.COORDINATOR).exists()):
            # A new agency would take the commitment away from its coordinators: only with consent.
            choice_key = f"move:{identifier}"
            allowed = choice_key in self.allow
            self.outcome.choices.append(Choice(choice_key, self._t(gettext_noop(
                "%(item)s: move it from “%(old)s” to the new agency “%(new)s” (the coordinators of “%(old)s” "
                "could no longer edit it)"), item=identifier, old=existing.lead_agency.name, new=lead.name), allowed))
            if not allowed:
                values.pop("lead_agency")
        commitment, item = self._upsert(Commitment, {"identifier": identifier}, values, "commitment", label,
                                        existing=existing)

        self.outcome.commitments.append(item)
        if commitment is None or commitment.pk is None:
            return
        activities = self.activities.get(commitment.pk, {}) if existing else {}
        milestones = self.milestones.get(commitment.pk, {}) if existing else {}
        seen_activities, seen_milestones = set(), set()
        for activity_data in data.get("activities", []):
            activity, activity_item = self._upsert(
                Activity,
                {"commitment": commitment, "number": activity_data["number"]},
                {"title": activity_data.get("title", ""), "expected_results": activity_data.get("expected_results", "")},
                "activity",
                self._t(gettext_noop("Activity %(n)s: %(title)s"), n=activity_data["number"],
                        title=activity_data.get("title", "")),
                parent=identifier,
                existing=activities.get(activity_data["number"]),
            )
            item.children.append(activity_item)
            if activity is None or activity.pk is None:
                continue
            seen_activities.add(activity.pk)
            for m in activity_data.get("milestones", []):
                if m["number"] in seen_milestones:
                    self.outcome.problems.append(Problem(gettext_noop(
                        "%(commitment)s: milestone %(number)s appears twice; only the first was imported."),
                        {"commitment": identifier, "number": m["number"]}))
                    continue
                seen_milestones.add(m["number"])
                _milestone, milestone_item = self._upsert(
                    Milestone,
                    {"commitment": commitment, "number": m["number"]},
                    milestone_values(m, activity),
                    "milestone",
                    self._t(gettext_noop("Milestone %(number)s: %(deliverable)s"), number=m["number"],
                            deliverable=_shorten(m["deliverable"])),
                    parent=identifier,
                    existing=milestones.get(m["number"]),
                )
                activity_item.children.append(milestone_item)
        for activity in [a for a in activities.values() if a.pk not in seen_activities]:
            item.children.append(Item("activity", self._t(gettext_noop("Activity %(n)s: %(title)s"),
                                                          n=activity.number, title=activity.title), KEPT))
        for milestone in [m for m in milestones.values() if m.number not in seen_milestones]:
            item.children.append(Item("milestone", self._t(gettext_noop("Milestone %(number)s: %(deliverable)s"),
                                                           number=milestone.number,
                                                           deliverable=_shorten(milestone.deliverable)), KEPT))

    def _read_existing(self):
        """Read the rows the file may touch once, instead of one query per row."""
        identifiers = [c["identifier"] for c in self.parsed.data["commitments"]]
        self.commitments = {c.identifier: c for c in Commitment.objects.filter(identifier__in=identifiers)
                            .select_related("plan__member", "lead_agency")}
        by_pk = {c.pk: c for c in self.commitments.values()}
        self.activities, self.milestones = {}, {}
        for activity in Activity.objects.filter(commitment__in=by_pk):
            activity.commitment = by_pk[activity.commitment_id]
            self.activities.setdefault(activity.commitment_id, {})[activity.number] = activity
        for milestone in Milestone.objects.filter(commitment__in=by_pk).order_by("id"):
            milestone.commitment = by_pk[milestone.commitment_id]
            activity = self.activities.get(milestone.commitment_id, {})
            milestone.activity = next((a for a in activity.values() if a.pk == milestone.activity_id), None)
            self.milestones.setdefault(milestone.commitment_id, {})[milestone.number] = milestone

    def run(self):
        self._read_existing()
        self._agencies()
        plan = self._plan()
        if plan is None or plan.pk is None:
            return self.outcome
        identifiers = []
        for number, data in enumerate(self.parsed.data["commitments"], start=1):
            identifiers.append(data["identifier"])
            self._commitment(plan, number, data)
        for commitment in plan.commitments.exclude(identifier__in=identifiers):
            self.outcome.commitments.append(Item("commitment", str(commitment), KEPT))
        self._say_stand_ins()
        return self.outcome

    def _say_stand_ins(self):
        """Say it when a new row gets the file's Russian or Kyrgyz text as its English text: nothing guessed silently."""
        if not self.stand_ins:
            return
        msgid = STAND_IN_MESSAGES.get(self.content_language)
        if msgid is None:
            return
        rows = ", ".join(_shorten(label, 60) for label in self.stand_ins[:5])
        if len(self.stand_ins) > 5:
            rows += ", …"
        self.outcome.problems.append(Problem(msgid, {"count": len(self.stand_ins), "rows": rows}))


def _shorten(text, limit=90):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_import(member, parsed, *, user=None, commit=False, reason=None, allow=()):
    """Compare ``parsed`` with the database; save it only if ``commit`` and every row is valid.

    Return the ``Outcome`` (``outcome.committed`` tells whether anything was saved).
    The preview (``commit=False``) runs the same writes inside a transaction that is
    rolled back.
    """
    reason = reason or f"Imported from {parsed.source or parsed.format}"
    language = translation.get_language() or "en"
    # Translated columns are read, matched and written in English, as the seed loader does.
    with translation.override("en"), transaction.atomic():
        outcome = _Sync(member, parsed, user, reason[:100], language, allow).run()
        if commit and not outcome.errors:
            from .progress import refresh_completion  # services (imported by progress) imports this module

            # New milestones change the roll-up of commitments that already have approved updates.
            refresh_completion(Commitment.objects.filter(plan__member=member))
            outcome.committed = True
            public_pages_changed()
            record_changed(ActionPlan, member.pk)  # the plan's dates are inputs of the compliance rules
        else:
            transaction.set_rollback(True)
    return outcome


def outcome_lines(outcome, *, verbose=True):
    """The preview as plain text lines (the management command prints them)."""
    counts = outcome.counts()
    lines = [gettext("%(created)s to create, %(updated)s to update, %(unchanged)s unchanged, "
                     "%(kept)s not in the file (kept).") % counts]
    for item in outcome.items():
        if item.status == UNCHANGED and not verbose:
            continue
        depth = {"plan": 0, "agency": 1, "commitment": 1, "activity": 2, "milestone": 3}[item.kind]
        lines.append(f"{'  ' * depth}[{item.status_label}] {item.label}")
        for change in item.changes:
            lines.append(f"{'  ' * (depth + 2)}{change.field}: {_shorten(change.old, 60)} → {_shorten(change.new, 60)}")
    for choice in outcome.choices:
        if choice.allowed:
            lines.append(gettext("Allowed: %(text)s") % {"text": choice.text})
        else:
            lines.append(gettext("Needs a decision, the stored value is kept: %(text)s [--allow %(key)s]")
                         % {"text": choice.text, "key": choice.key})
    for warning in outcome.warnings():
        lines.append(gettext("Warning: %(text)s") % {"text": warning})
    for error in outcome.errors:
        lines.append(gettext("Error: %(text)s") % {"text": error})
    return lines
