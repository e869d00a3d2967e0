"""Write paths for plans and commitments: conflict-safe edits (versions, history diffs); the seed loader is ogp_portal/seeding.py.

The progress workflow (progress updates, evidence, review, status reports, the completion roll-up)
is in ``progress.py``: import it from there.
"""

import datetime as dt
from contextlib import contextmanager

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.text import capfirst

from ogp_portal import versioning
from ogp_portal.cache import public_pages_changed

from .models import Commitment, Milestone

# =============================================================================
# Conflict-safe edits and readable history (used here and by the progress workflow, progress.py)
# =============================================================================
#
# Conflict-safe edits: every editable object carries ``version``. A change names the version it
# was based on; the service claims the row with the portal's one optimistic lock
# (``ogp_portal.versioning.claim``: one conditional UPDATE, ``pk`` and ``version`` match →
# ``version + 1``). If no row matched, someone saved first: :class:`StaleVersion` says what they
# changed and nothing is written. The claim locks the row until the transaction ends, so the
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
    # Fields left out of history (derived columns such as the stored completion roll-up) have no
    # "before" in a historical record: they are never shown as changed by a person.
    history = getattr(model, "history", None)
    tracked = {f.name for f in history.model._meta.fields} if history is not None else None
    pairs = []
    for field in model._meta.concrete_fields:
        if field.name in DIFF_SKIP or field.name in translated:
            continue
        if tracked is not None and field.name not in tracked:
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

    The claim is ``versioning.claim`` (one conditional UPDATE: ``pk`` and ``version`` match →
    ``version + 1``); if no row matched, :class:`StaleVersion` says what changed and nothing is written. The claimed row stays
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
            try:
                versioning.claim(model, obj.pk, version, fetch=False)
            except versioning.StaleVersion:
                raise _NotClaimed from None
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
    try:
        versioning.claim(type(obj), obj.pk, version, fetch=False)
    except versioning.StaleVersion:
        raise StaleVersion(obj, changes_since(obj, version, fields)) from None
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
        public_pages_changed()
    return obj


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
    """Change a milestone's deliverable, budget or dates, as of ``version`` (see ``_update_versioned``).

    Its plan's stored figures are stored again (its dates decide when it is overdue).
    """
    from .figures import refresh_plan_figures

    with transaction.atomic():
        saved = _update_versioned(
            Milestone, milestone, by=by, data=data, version=version, fields=MILESTONE_EDITABLE_FIELDS,
            rule="commitments.edit_commitment",
        )
        refresh_plan_figures(Commitment.objects.filter(pk=saved.commitment_id).values_list("plan_id", flat=True))
    return saved


# ---------------------------------------------------------------------------
# Members, agencies, plans and activities (h11): one service per write, called by the API and the
# admin. Rows without a ``version`` column are versioned by a digest of their stored values
# (``ogp_portal.versioning``): the write locks the row and compares it, so a stale one writes nothing.
# ---------------------------------------------------------------------------

from ogp_portal.versioning import save_checked  # noqa: E402

from ogp.signals import member_record_changed  # noqa: E402

from .models import Activity, ActionPlan, Agency, Member  # noqa: E402


def _split_m2m(model, data):
    """Split ``data`` into plain fields and many-to-many fields (set after the row is saved)."""
    m2m_names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m_names}
    return plain, {k: v for k, v in data.items() if k in m2m_names}


def _write(model, obj, *, by, data, version, perm, target):
    _require(by, perm, target)
    plain, m2m = _split_m2m(model, data)
    before = getattr(obj, "member_id", None)
    row = save_checked(obj if obj is not None else model(), plain, by=by, version=version, m2m=m2m)
    public_pages_changed()
    if model in (ActionPlan, Member):
        # An input of the compliance rules changed: the layer above recomputes the stored standing (after commit).
        for member_id in {row.pk if model is Member else row.member_id, before} - {None}:
            member_record_changed.send(sender=model, member_id=member_id)
    return row


def create_member(*, by, data) -> Member:
    """Add an OGP member (national or OGP Local): administrators."""
    return _write(Member, None, by=by, data=data, version=None, perm="commitments.manage_members", target=None)


def update_member(member, *, by, data, version) -> Member:
    """Change a member as of ``version`` (a stale one raises StaleVersion): administrators."""
    return _write(Member, member, by=by, data=data, version=version, perm="commitments.manage_members", target=member)


def create_agency(*, by, data) -> Agency:
    """Add an implementing institution to a member: administrators."""
    return _write(Agency, None, by=by, data=data, version=None, perm="commitments.manage_members", target=None)


def update_agency(agency, *, by, data, version) -> Agency:
    return _write(Agency, agency, by=by, data=data, version=version, perm="commitments.manage_members", target=agency)


def _check_lead_institutions(member, agencies):
    if any(a.member_id != member.pk for a in agencies or ()):
        raise ValidationError({"lead_institutions": _("Every lead institution must be one of the member's agencies.")})


def create_plan(*, by, data) -> ActionPlan:
    """Add an action plan to a member: its point of contact, or an administrator."""
    member = data.get("member")
    if member is None:
        raise ValidationError({"member": _("This field is required.")})
    _check_lead_institutions(member, data.get("lead_institutions"))
    return _write(ActionPlan, None, by=by, data=data, version=None, perm="commitments.edit_plan", target=member)


def update_plan(plan, *, by, data, version) -> ActionPlan:
    """Change an action plan as of ``version``: the member's point of contact, or an administrator."""
    if "member" in data and data["member"] != plan.member:
        _require(by, "commitments.edit_plan", data["member"])  # moving needs the right on both members
    _check_lead_institutions(data.get("member", plan.member), data.get("lead_institutions"))
    return _write(ActionPlan, plan, by=by, data=data, version=version, perm="commitments.edit_plan", target=plan)


def create_activity(*, by, data) -> Activity:
    """Add an activity to a commitment: the member's point of contact, the lead agency's coordinator, administrators."""
    commitment = data.get("commitment")
    if commitment is None:
        raise ValidationError({"commitment": _("This field is required.")})
    return _write(Activity, None, by=by, data=data, version=None, perm="commitments.edit_activity", target=commitment)


def update_activity(activity, *, by, data, version) -> Activity:
    if "commitment" in data and data["commitment"] != activity.commitment:
        _require(by, "commitments.edit_activity", data["commitment"])  # moving needs the right on both commitments
    return _write(Activity, activity, by=by, data=data, version=version, perm="commitments.edit_activity", target=activity)


def delete_activity(activity, *, by, version) -> None:
    """Delete an activity that has no milestones (deleting one with milestones would delete them and their progress)."""
    _require(by, "commitments.edit_activity", activity)
    with transaction.atomic():
        row = versioning.claim(Activity, activity.pk, version)
        if row.milestones.exists():
            raise ValidationError(_("This activity has milestones: move or delete them first."))
        row._history_user = by
        row.delete()
        public_pages_changed()
