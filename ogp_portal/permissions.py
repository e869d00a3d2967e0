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

(The compliance engine's rules live in ``compliance/engine.py``; this module is deliberately
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


def remember_roles(user, roles) -> None:
    """Keep ``roles`` (every Role of ``user``, read by a page that shows them) as the rules' look-up: no second query."""
    if user is not None and user.is_authenticated and getattr(user, "_ogp_roles_cache", None) is None:
        user._ogp_roles_cache = [(role.kind, role.member_id, role.agency_id) for role in roles]


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
# Scopes by model: visible_to / editable_by / reviewable_by (accounts and workspace, h6a)
# ---------------------------------------------------------------------------
#
# Members, plans, commitments and milestones are public: everyone sees them. Progress updates
# are public once published; a draft or a submitted update is seen only by those who may edit or
# review it (the lead agency's coordinators, the member's point of contact, administrators) and
# by its author. No one sees another member's drafts.
#
# ``editable_by`` is "the rows this user may write to": administrators everything; a point of
# contact their member's rows; a coordinator the commitments (and their milestones and updates)
# whose lead agency is theirs. Lists a user can write to are built from it.

# The path from each model to its member and to the commitment that decides per-agency rights.
_PATHS = {
    "Member": {"member": "pk", "commitment": None},
    "ActionPlan": {"member": "member_id", "commitment": None},
    "Agency": {"member": "member_id", "commitment": None},
    "Role": {"member": "member_id", "commitment": None},
    "Commitment": {"member": "plan__member_id", "commitment": ""},
    "Activity": {"member": "commitment__plan__member_id", "commitment": "commitment__"},
    "Milestone": {"member": "commitment__plan__member_id", "commitment": "commitment__"},
    "ProgressUpdate": {"member": "milestone__commitment__plan__member_id", "commitment": "milestone__commitment__"},
    "Evidence": {"member": "update__milestone__commitment__plan__member_id", "commitment": "update__milestone__commitment__"},
    "StatusReport": {"member": "member_id", "commitment": None},
    "StatusReportLine": {"member": "report__member_id", "commitment": "commitment__"},
}


def _paths(qs: QuerySet) -> dict:
    try:
        return _PATHS[qs.model.__name__]
    except KeyError:
        raise TypeError(f"no permission scope is declared for {qs.model.__name__}") from None


def _none(qs: QuerySet) -> QuerySet:
    return qs.none()


def _write_q(user, qs: QuerySet) -> Q | None:
    """Q for the rows of ``qs`` the user may write to; None means every row (administrators)."""
    if is_administrator(user):
        return None
    paths = _paths(qs)
    q = Q(pk__in=[])
    members = member_ids_with_role(user, "point_of_contact")
    if members:
        q |= Q(**{f"{paths['member']}__in": members})
    agencies = coordinated_agency_ids(user)
    if agencies and paths["commitment"] is not None:
        q |= Q(**{f"{paths['commitment']}lead_agency_id__in": agencies})
    return q


def editable_by(user, qs: QuerySet) -> QuerySet:
    """Return the rows of ``qs`` (members, plans, agencies, commitments, milestones, updates) the user may write to.

    Published progress updates are a public record: no one but an administrator changes them; a
    submitted one waits for review (``reviewable_by``).
    """
    if not (user and user.is_authenticated and user.is_active):
        return _none(qs)
    q = _write_q(user, qs)
    if q is None:
        return qs
    qs = qs.filter(q)
    if qs.model.__name__ == "ProgressUpdate":
        # The workflow's editable states (draft, returned) if it declares them; never a published update.
        editable_states = getattr(qs.model, "EDITABLE_STATES", None)
        if editable_states:
            qs = qs.filter(state__in=editable_states)
        else:
            qs = qs.exclude(state=qs.model.State.PUBLISHED)
    return qs


def visible_to(user, qs: QuerySet) -> QuerySet:
    """Return the rows of ``qs`` the user may see: the one read scope of every page, feed, export and API list.

    Everything is public except

    * progress updates not yet published: seen by the people who may edit or review them
      (``editable_by``, ``reviewable_by``) and by their author;
    * status reports (and their lines) in preparation: seen by the member's point of contact and
      administrators, who publish them (``commitments.publish_status_report``);
    * decisions and action items of a meeting whose minutes are not published: seen by those who
      may read unpublished minutes (:func:`may_read_unpublished_minutes`).
    """
    name = qs.model.__name__
    if name in _FORUM_RECORD_MODELS:
        return _forum_record_visible_to(user, qs)
    if name in ("StatusReport", "StatusReportLine"):
        return _status_report_visible_to(user, qs)
    if name != "ProgressUpdate":
        _paths(qs)
        return qs
    published = Q(state=qs.model.State.PUBLISHED)
    if not (user and user.is_authenticated and user.is_active):
        return qs.filter(published)
    q = _write_q(user, qs)
    if q is None:
        return qs
    return qs.filter(published | q | Q(author_id=user.pk))


def _status_report_visible_to(user, qs: QuerySet) -> QuerySet:
    """Published status reports for everyone; one in preparation for its member's point of contact and administrators."""
    prefix = "report__" if qs.model.__name__ == "StatusReportLine" else ""
    published = Q(**{f"{prefix}state": "published"})
    if is_administrator(user):
        return qs
    members = member_ids_with_role(user, "point_of_contact")
    if not members:
        return qs.filter(published)
    return qs.filter(published | Q(**{f"{prefix}member_id__in": members}))


def reviewable_by(user, qs: QuerySet, *, pending: bool = True) -> QuerySet:
    """Return the progress updates the user reviews: the whole member's for its point of contact, all for an administrator.

    The one review scope: the review queue (``/review/``, and "My work"), the approve / return
    forms and the permission matrix all read it. ``pending`` (the default): only the updates
    waiting for review (submitted). ``pending=False``: whatever their state, so that a review
    posted after someone else's is answered with what changed (a stale version), not a 404.
    """
    if is_administrator(user):
        scoped = qs
    else:
        members = member_ids_with_role(user, "point_of_contact")
        if not members:
            return qs.none()
        scoped = qs.filter(**{f"{_paths(qs)['member']}__in": members})
    return scoped.filter(state=qs.model.State.SUBMITTED) if pending else scoped


def can_view_update(user, update) -> bool:
    """Return True if the user may see this progress update (the object twin of ``visible_to``)."""
    if update.state == update.State.PUBLISHED:
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_administrator(user) or update.author_id == user.pk:
        return True
    return _member_id(update) in member_ids_with_role(user, "point_of_contact") or bool(
        is_lead_agency_coordinator(user, update)
    )


# The Django admin is for administrators (OGP staff) only: every ModelAdmin asks this.
rules.add_perm("ogp.use_admin", is_administrator)


# ---------------------------------------------------------------------------
# Progress workflow (helper h6b): progress updates, evidence, status reports
# ---------------------------------------------------------------------------


def progress_visible_to(user, qs: QuerySet) -> QuerySet:
    """Progress updates the user may read: every approved one, plus drafts of what they may edit or review."""
    return visible_to(user, qs)


def evidence_visible_to(user, qs: QuerySet) -> QuerySet:
    """Evidence the user may download: of approved updates, or of updates they may see."""
    q = _commitment_scope(user, "update__milestone__commitment__")
    if q is None:
        return qs
    return qs.filter(Q(update__state="published") | q)


# ---------------------------------------------------------------------------
# Forums (forum secretariat, co-chairs)
# ---------------------------------------------------------------------------
#
# ``forums.manage_forum`` (above) takes a forum, a meeting or a member: the
# administrator and the secretariat of the forum's member schedule, record and
# keep action items. Co-chairs approve minutes: a co-chair is a forum membership
# with role "co_chair" linked to the user's account.


def forum_of(obj):
    """Return the forum of a forum, a meeting, or a row that belongs to a meeting."""
    if obj.__class__.__name__ == "Forum":
        return obj
    if hasattr(obj, "forum"):
        return obj.forum
    if hasattr(obj, "meeting"):
        return obj.meeting.forum
    return None


@rules.predicate
def is_forum_co_chair(user, obj):
    """A user whose account is linked to a co-chair membership of the object's forum."""
    if user is None or not user.is_authenticated or obj is None:
        return False
    forum = forum_of(obj)
    if forum is None:
        return False
    return forum.memberships.filter(user=user, role="co_chair").exists()


@rules.predicate
def is_secretariat_of_forum(user, obj):
    """Secretariat of the member owning the forum of any forum object (meeting, action item, …)."""
    forum = forum_of(obj) if obj is not None else None
    if forum is None:
        return False
    return forum.member_id in member_ids_with_role(user, "secretariat")


rules.add_perm("forums.record_meeting", is_administrator | is_secretariat_of_forum)
rules.add_perm("forums.approve_minutes", is_administrator | is_secretariat_of_forum | is_forum_co_chair)

# Who may read a meeting's minutes, decisions and action items before the minutes are published:
# those who write them (administrators, the secretariat of the forum's member) and the forum's
# co-chairs, who must approve them. The one rule: pages, the minutes file, the API's meetings,
# decisions and action items, and ``visible_to`` all ask it.
may_read_unpublished_minutes = is_administrator | is_secretariat_of_forum | is_forum_co_chair
rules.add_perm("forums.read_unpublished_minutes", may_read_unpublished_minutes)


def can_read_minutes(user, meeting) -> bool:
    """True if the user may read this meeting's minutes, decisions and action items (the object twin of ``visible_to``)."""
    return meeting.minutes_published_at is not None or bool(may_read_unpublished_minutes(user, meeting))


def _unpublished_minutes_readers_q(user, prefix: str) -> Q | None:
    """Q for meetings (through ``prefix``) whose unpublished minutes the user may read; None = every meeting."""
    if is_administrator(user):
        return None
    q = Q(pk__in=[])
    members = member_ids_with_role(user, "secretariat")
    if members:
        q |= Q(**{f"{prefix}forum__member_id__in": members})
    if user is not None and user.is_authenticated:
        from django.apps import apps

        co_chaired = apps.get_model("forums", "ForumMembership").objects.filter(user_id=user.pk, role="co_chair")
        q |= Q(**{f"{prefix}forum_id__in": co_chaired.values("forum_id")})
    return q


def forums_with_readable_minutes(user) -> set[int] | None:
    """Ids of the forums whose unpublished minutes the user may read (None: every forum); at most one query.

    For a list (the API's meetings): the same rule as :func:`can_read_minutes`, asked once per
    request instead of once per meeting.
    """
    q = _unpublished_minutes_readers_q(user, "")
    if q is None:
        return None
    from django.apps import apps

    return set(apps.get_model("forums", "Meeting").objects.filter(q).values_list("forum_id", flat=True).distinct())


def meetings_with_readable_minutes(user):
    """The meetings whose unpublished minutes the user may read, as a queryset (None: every meeting); no query run."""
    q = _unpublished_minutes_readers_q(user, "")
    if q is None:
        return None
    from django.apps import apps

    return apps.get_model("forums", "Meeting").objects.filter(q)


# Rows that belong to a meeting's record and follow its minutes: public once they are published.
_FORUM_RECORD_MODELS = {"MeetingDecision": "meeting__", "ActionItem": "meeting__"}


def _forum_record_visible_to(user, qs: QuerySet) -> QuerySet:
    prefix = _FORUM_RECORD_MODELS[qs.model.__name__]
    readers = _unpublished_minutes_readers_q(user, prefix)
    if readers is None:
        return qs
    return qs.filter(Q(**{f"{prefix}minutes_published_at__isnull": False}) | readers)


def managed_forums(user, qs: QuerySet) -> QuerySet:
    """Forums the user keeps: all for an administrator, their members' forums for a secretariat."""
    if is_administrator(user):
        return qs
    return qs.filter(member_id__in=member_ids_with_role(user, "secretariat"))


# ---------------------------------------------------------------------------
# Plan import (commitments/importer.py, the upload page under /work/import/)
# ---------------------------------------------------------------------------

# Importing a plan rewrites a member's commitments: administrators, and the member's point of contact
# (obj: the member, or None for "may import into some member").
rules.add_perm("commitments.import_plan", is_administrator | is_point_of_contact)


def importable_members(user, qs: QuerySet) -> QuerySet:
    """Members the user may import a plan into: all for an administrator, else those they are point of contact of."""
    if is_administrator(user):
        return qs
    return qs.filter(pk__in=member_ids_with_role(user, "point_of_contact"))
# Public read side (h8): what anyone, without an account, may read
# ---------------------------------------------------------------------------


def published_updates(qs: QuerySet) -> QuerySet:
    """Progress updates the public sees: published ones only (pages, feeds and open data)."""
    return qs.filter(state="published")


# ---------------------------------------------------------------------------
# API (h11): scopes the REST API needs beyond the ones above
# ---------------------------------------------------------------------------


def visible_progress_updates(user, qs: QuerySet) -> QuerySet:
    """Progress updates the API shows: the same rule as the pages (:func:`visible_to`)."""
    return visible_to(user, qs)


# ---------------------------------------------------------------------------
# Engagement (h13): civil-society reviews of published progress, following
# ---------------------------------------------------------------------------
#
# Any active signed-in account reviews a published progress update and follows commitments,
# plans and members. The coordinator of the commitment's lead agency, the member's point of
# contact and administrators answer a review (obj: the review). Administrators hide abuse.


@rules.predicate
def is_published_update(user, obj):
    update = getattr(obj, "update", obj)
    return getattr(update, "state", None) == "published"


@rules.predicate
def _may_answer_for(user, obj):
    """Coordinator of the reviewed update's lead agency, or the member's point of contact (obj: a review)."""
    update = getattr(obj, "update", obj)
    return bool(is_lead_agency_coordinator(user, update) or is_point_of_contact(user, update))


rules.add_perm("engagement.review_update", is_civil_society & is_published_update)
rules.add_perm("engagement.respond_review", is_civil_society & (is_administrator | _may_answer_for))
rules.add_perm("engagement.hide_review", is_administrator)
rules.add_perm("engagement.follow", is_civil_society)


def reviews_visible_to(user, qs: QuerySet) -> QuerySet:
    """Reviews of published updates: everyone sees them (hidden ones show only the moderators' reason)."""
    return qs.filter(update__state="published")


# ---------------------------------------------------------------------------
# Reference data writes (h11): members, agencies, plans, activities, forums, memberships,
# deadlines and OGP decisions. The services in each app's services.py ask these rules; the
# API and the admin call those services.
# ---------------------------------------------------------------------------

# Members and agencies are OGP's reference data; deadlines and OGP decisions are what only OGP sets.
rules.add_perm("commitments.manage_members", is_administrator)
rules.add_perm("compliance.record_decision", is_administrator)
# A plan (obj: the plan, or its member for a new one): the member's point of contact.
rules.add_perm("commitments.edit_plan", is_administrator | is_point_of_contact)
# An activity (obj: the activity, or its commitment for a new one): the member's point of contact,
# and the coordinator of the commitment's lead agency (as for its milestones).
rules.add_perm("commitments.edit_activity", is_administrator | is_point_of_contact | is_lead_agency_coordinator)
# Forums and their memberships use ``forums.manage_forum`` (obj: the forum, a membership or the member).
