"""Who may see and change what: the one place that scopes data.

Every HTML view, admin page, API endpoint and task asks this module. It holds

* permission predicates (the ``rules`` package), registered under names such as
  ``commitments.edit_commitment``, so ``user.has_perm("commitments.edit_commitment", obj)``
  and ``{% has_perm %}`` in templates give the same answer as the code;
* queryset scopes ``visible_to(user, qs)`` and ``editable_by(user, qs)`` for each model that
  has drafts or per-agency rights.

Roles (``commitments.Role``) are per member:

* administrator: OGP staff, ``user.is_staff`` (active); sees and changes everything;
* point of contact of a member: reviews and publishes for the whole member;
* agency coordinator: edits the commitments whose lead agency is theirs;
* forum secretariat of a member: keeps that member's forums;
* any other signed-in person is a civil-society account.

(The compliance engine's rules live in ``compliance/rules.py``; this module is deliberately
not called ``rules.py`` in an app, so that the ``rules`` autodiscovery does not import the engine.)
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

# ---------------------------------------------------------------------------
# Role look-ups (cached on the user object for the request)
# ---------------------------------------------------------------------------


def _roles(user):
    """The user's roles as a list of (kind, member_id, agency_id), read once per user object."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_ogp_roles_cache", None)
    if cached is None:
        cached = list(user.ogp_roles.values_list("kind", "member_id", "agency_id"))
        user._ogp_roles_cache = cached
    return cached


def member_ids_with_role(user, *kinds) -> set[int]:
    return {member_id for kind, member_id, _agency in _roles(user) if not kinds or kind in kinds}


def coordinated_agency_ids(user) -> set[int]:
    return {agency_id for kind, _member, agency_id in _roles(user) if kind == "coordinator" and agency_id}


def _member_id(obj) -> int | None:
    """The member an object belongs to, for members, plans, commitments, milestones and updates."""
    for path in ("member_id",):
        if hasattr(obj, path):
            return getattr(obj, path)
    if hasattr(obj, "plan"):
        return obj.plan.member_id
    if hasattr(obj, "commitment"):
        return obj.commitment.plan.member_id
    if hasattr(obj, "milestone"):
        return obj.milestone.commitment.plan.member_id
    if obj.__class__.__name__ == "Member":
        return obj.pk
    return None


def _commitment(obj):
    if obj.__class__.__name__ == "Commitment":
        return obj
    if hasattr(obj, "commitment"):
        return obj.commitment
    if hasattr(obj, "milestone"):
        return obj.milestone.commitment
    return None


# ---------------------------------------------------------------------------
# Predicates
# ---------------------------------------------------------------------------


@rules.predicate
def is_administrator(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def is_point_of_contact(user, obj):
    if obj is None:
        return bool(member_ids_with_role(user, "point_of_contact"))
    return _member_id(obj) in member_ids_with_role(user, "point_of_contact")


@rules.predicate
def is_lead_agency_coordinator(user, obj):
    if obj is None:
        return bool(coordinated_agency_ids(user))
    commitment = _commitment(obj)
    return commitment is not None and commitment.lead_agency_id in coordinated_agency_ids(user)


@rules.predicate
def is_forum_secretariat(user, obj):
    """Secretariat of the member that owns the forum (obj: a forum, a meeting or a member)."""
    if obj is None:
        return bool(member_ids_with_role(user, "secretariat"))
    forum = getattr(obj, "forum", obj)
    member_id = getattr(forum, "member_id", None) if forum is not obj or hasattr(obj, "member_id") else None
    if member_id is None and obj.__class__.__name__ == "Member":
        member_id = obj.pk
    return member_id in member_ids_with_role(user, "secretariat")


@rules.predicate
def is_civil_society(user):
    """Any active signed-in account: civil society reviews and follows with it."""
    return bool(user and user.is_authenticated and user.is_active)


rules.add_perm("commitments.edit_commitment", is_administrator | is_lead_agency_coordinator)
rules.add_perm("commitments.enter_progress", is_administrator | is_lead_agency_coordinator | is_point_of_contact)
rules.add_perm("commitments.review_progress", is_administrator | is_point_of_contact)
rules.add_perm("commitments.publish_status_report", is_administrator | is_point_of_contact)
rules.add_perm("forums.manage_forum", is_administrator | is_forum_secretariat)


# ---------------------------------------------------------------------------
# Queryset scopes
# ---------------------------------------------------------------------------


def _commitment_scope(user, prefix: str) -> Q | None:
    """Q for rows whose commitment (reached through ``prefix``) the user may edit; None = everything."""
    if is_administrator(user):
        return None
    q = Q(pk__in=[])
    agencies = coordinated_agency_ids(user)
    if agencies:
        q |= Q(**{f"{prefix}lead_agency_id__in": agencies})
    members = member_ids_with_role(user, "point_of_contact")
    if members:
        q |= Q(**{f"{prefix}plan__member_id__in": members})
    return q


def editable_commitments(user, qs: QuerySet) -> QuerySet:
    """Commitments whose progress the user may enter: their agency's, or the whole member's for a PoC."""
    q = _commitment_scope(user, "")
    return qs if q is None else qs.filter(q)


def editable_milestones(user, qs: QuerySet) -> QuerySet:
    q = _commitment_scope(user, "commitment__")
    return qs if q is None else qs.filter(q)


# ---------------------------------------------------------------------------
# API (h11): scopes the REST API needs beyond the ones above
# ---------------------------------------------------------------------------


def visible_progress_updates(user, qs: QuerySet) -> QuerySet:
    """Published updates for everyone; drafts and submitted ones also to their author and to
    whoever may enter progress on the milestone (its agency's coordinators, the member's PoC)."""
    if is_administrator(user):
        return qs
    q = Q(state="published")
    if user is not None and user.is_authenticated:
        q |= Q(author_id=user.pk) | _commitment_scope(user, "milestone__commitment__")
    return qs.filter(q)
