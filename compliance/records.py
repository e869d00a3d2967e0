"""What administrators record: OGP's letters, deadlines, decisions and the resolutions of their findings.

One service per write, called by the admin, the API and the seed loader; each recomputes the member
afterwards (``compliance.sweep.recompute_member``), so its cycles and status follow at once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commitments.models import Member
from ogp_portal.cache import public_pages_changed
from ogp_portal.versioning import claim

from . import engine
from .models import Deadline, Decision, Finding, StatusEvent
from .selectors import build_snapshot, check_cycle, evaluate_member
from .sweep import recompute_member


def resolve_admin_finding(finding_id: int, *, resolved_on: dt.date, reason: str, user=None) -> Finding:
    """Resolve an administrator's "contrary to process" finding, with a reason; the sweep never does.

    Raises ValidationError for a rule-computed finding, one already resolved, a
    missing reason, or a date before the finding takes effect.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding_id)
        if finding.source != Finding.Source.ADMINISTRATOR:
            raise ValidationError(_("Only a finding an administrator recorded is resolved by hand; the sweep resolves the others."))
        if finding.resolved_on is not None:
            raise ValidationError(_("This finding is already resolved."))
        if not reason:
            raise ValidationError(_("Give the reason the finding is resolved."))
        if resolved_on < finding.effective_on:
            raise ValidationError(_("A finding cannot be resolved before it takes effect."))
        finding.resolved_on, finding.resolution, finding.resolved_by = resolved_on, reason, user
        finding.save(update_fields=["resolved_on", "resolution", "resolved_by"])
        public_pages_changed()
    recompute_member(finding.member_id)
    return finding


# =============================================================================
# OGP's letters: the deadlines and statuses a letter states (the seed's letters of 2022 and 2023)
# =============================================================================
#
# A letter from OGP is an administrator's source: the deadline it sets is kept as the administrator's
# (the rule's row for that cycle is taken over, as in the admin's deadline form), and the status it
# gives is a status event with the letter as its reference. The letter's words stay in the language
# they were written in (English): the other languages fall back to them, marked as such on pages.
# Both functions save nothing when the row already says the same, so loading the letters twice
# writes no history.


def _source_language_field(field: str) -> str:
    return f"{field}_{settings.LANGUAGE_CODE}"


def record_letter_deadline(member: Member, *, kind: str, cycle: str, due_on: dt.date, reason: str, reference: str) -> Deadline:
    """Set the deadline an OGP letter states for (member, kind, cycle), as the administrator's, with the letter's reason."""
    values = {"due_on": due_on, "source": Deadline.Source.ADMINISTRATOR, "reason": reason, "reference": reference}
    with transaction.atomic():
        row = Deadline.objects.select_for_update().filter(member=member, kind=kind, cycle=cycle).first()
        if row is not None and all(getattr(row, key) == value for key, value in values.items()):
            return row
        row = row or Deadline(member=member, kind=kind, cycle=cycle)
        for key, value in values.items():
            setattr(row, key, value)
        row.full_clean()
        row.save()
    return row


def record_letter_status(
    member: Member, *, status: str, previous_status: str, effective_on: dt.date, cycle: str, reason: str, reference: str
) -> StatusEvent:
    """Record the status an OGP letter gives the member from ``effective_on``, once (the sweep finds it and keeps it)."""
    # The letter's words in its own language; the other columns empty, so pages fall back to them (marked lang=en).
    reasons = {f"reason_{code}": "" for code, _name in settings.LANGUAGES} | {_source_language_field("reason"): reason}
    values = {"previous_status": previous_status, "cycle": cycle, **reasons, "reference": reference}
    given = {(c.status, c.effective_on) for c in evaluate_member(member, effective_on).changes}
    if (status, effective_on) not in given:
        # Stored, it would be a status the rules never give (no effect, and the sweep would not keep it): refused.
        raise ValidationError(_("The rules do not give the status %(status)s on %(day)s for this member: record the "
                                "deadlines, decisions or findings behind the letter first.") % {
            "status": status, "day": effective_on.isoformat()})
    with transaction.atomic():
        event, created = StatusEvent.objects.select_for_update().get_or_create(
            member=member, status=status, effective_on=effective_on, defaults=values
        )
        if not created and any(getattr(event, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(event, key, value)
            event.save()
    return event


# ---------------------------------------------------------------------------
# What only OGP sets (h11): deadlines set by an administrator and OGP decisions. One service per
# write, called by the API and the admin; each recomputes the member afterwards, so its cycles
# and status follow at once. Status events stay the sweep's (no write path here).
# ---------------------------------------------------------------------------


def _require_admin(by):
    from django.core.exceptions import PermissionDenied

    if not (by and by.has_perm("compliance.record_decision")):
        raise PermissionDenied


def _after_admin_write(member_id: int) -> None:
    public_pages_changed()


def _deadline_values(data: dict, row: Deadline | None) -> dict:
    from .choices import JUDGED_DEADLINE_KINDS

    values = dict(data)
    kind = values.get("kind", row.kind if row else None)
    if kind not in JUDGED_DEADLINE_KINDS:
        raise ValidationError({"kind": _("Only the deadlines the rules judge can be set by hand.")})
    if "reason" in values:
        values["reason"] = (values["reason"] or "").strip()
    due_on = values.get("due_on", row.due_on if row else None)
    member = values.get("member", row.member if row else None)
    if member is not None and ("cycle" in values or row is None):
        values["cycle"] = check_cycle(
            member, values.get("cycle", ""), due_on=due_on, keep=row.cycle if row else ""
        )
    values["source"] = Deadline.Source.ADMINISTRATOR  # whatever an administrator enters is the administrator's
    if member is not None and due_on is not None and kind == Deadline.Kind.ACTION_PLAN and (row is None or "due_on" in values):
        # The era's reading of the date, stored with it (issue 19.3): a later policy edit does not change what was entered.
        values["on_time_until"] = engine.on_time_until(build_snapshot(member).policies, due_on)
    return values


def set_deadline(*, by, data) -> Deadline:
    """Set a member's deadline for a cycle: a new row, or the cycle's rule-computed row taken over."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    values = _deadline_values(data, None)
    with transaction.atomic():
        row = Deadline.objects.select_for_update().filter(
            member=values.get("member"), kind=values.get("kind"), cycle=values.get("cycle", ""), source=Deadline.Source.RULE
        ).first()
        if row is not None:
            from ogp_portal.versioning import current_version

            row = save_checked(row, values, by=by, version=current_version(row))
        else:
            row = save_checked(Deadline(), values, by=by, version=None)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    return row


def update_deadline(deadline: Deadline, *, by, data, version) -> Deadline:
    """Change an administrator's deadline as of ``version``; the sweep's rows are taken over with :func:`set_deadline`."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    if deadline.source != Deadline.Source.ADMINISTRATOR:
        raise ValidationError(_("The rules compute this deadline: set the cycle's deadline instead (it takes the row over)."))
    before = deadline.member_id
    with transaction.atomic():
        row = save_checked(deadline, _deadline_values(data, deadline), by=by, version=version)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    if before != row.member_id:
        recompute_member(before)  # moved: the member it left is judged again too
    return row


def delete_deadline(deadline: Deadline, *, by, version) -> None:
    """Remove an administrator's deadline (the rules compute the cycle's deadline again)."""
    _require_admin(by)
    with transaction.atomic():
        row = claim(Deadline, deadline.pk, version)  # a stale version (or a row gone) raises StaleVersion
        if row.source != Deadline.Source.ADMINISTRATOR:
            raise ValidationError(_("The rules compute this deadline; only an administrator's deadline is removed."))
        row._history_user = by
        row.delete()
        _after_admin_write(deadline.member_id)
    recompute_member(deadline.member_id)


def decision_values(data: dict, row: Decision | None) -> dict:
    """An IRM finding names its cycle (filled in from its day when left empty, refused when there is none)."""
    values = dict(data)
    member = values.get("member", row.member if row else None)
    kind = values.get("kind", row.kind if row else "")
    if member is not None and ("cycle" in values or row is None or "kind" in values):
        values["cycle"] = check_cycle(
            member, values.get("cycle", row.cycle if row else ""), day=values.get("decided_on", row.decided_on if row else None),
            required=kind in engine.IRM_KINDS, keep=row.cycle if row else "",
        )
    decided_on = values.get("decided_on", row.decided_on if row else None)
    if member is not None and decided_on is not None and (row is None or {"kind", "decided_on", "member"} & set(values)):
        # Taken into account or refused, never ignored (issue 19.3): the rules ignore anything after a removal,
        # and a reactivation only applies to an inactive member.
        before = evaluate_member(member, decided_on - dt.timedelta(days=1)).status
        if before == engine.REMOVED:
            raise ValidationError({"decided_on": _(
                "The member was removed from OGP before this day: the rules take nothing after a removal into account."
            )})
        if kind == engine.SC_REACTIVATION and before not in (engine.INACTIVE, engine.REMOVAL_RECOMMENDED):
            raise ValidationError({"kind": _(
                "A reactivation applies to an inactive member; on this day the member's status is %(status)s."
            ) % {"status": engine.MemberStatus(before).label}})
    return values


def record_decision(*, by, data) -> Decision:
    """Record an IRM finding or a Steering Committee decision about a member: administrators."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    values = decision_values(data, None)
    if by is not None and by.is_authenticated:
        values.setdefault("recorded_by", by)
    with transaction.atomic():
        row = save_checked(Decision(), values, by=by, version=None)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    return row


def update_decision(decision: Decision, *, by, data, version) -> Decision:
    """Change a recorded OGP decision as of ``version`` (a stale one raises StaleVersion)."""
    from ogp_portal.versioning import save_checked

    _require_admin(by)
    before = decision.member_id
    data = decision_values(data, decision)
    with transaction.atomic():
        row = save_checked(decision, data, by=by, version=version)
        _after_admin_write(row.member_id)
    recompute_member(row.member_id)
    if before != row.member_id:
        recompute_member(before)  # moved: the member it left is judged again too
    return row


def delete_decision(decision: Decision, *, by, version) -> None:
    """Remove a decision recorded by mistake (its history keeps it)."""
    _require_admin(by)
    with transaction.atomic():
        row = claim(Decision, decision.pk, version)  # a stale version (or a row gone) raises StaleVersion
        row._history_user = by
        row.delete()
        _after_admin_write(decision.member_id)
    recompute_member(decision.member_id)
