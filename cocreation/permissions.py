"""Who may see and do what in co-creation: the one predicates module of this app.

Built on the portal's roles (``ogp_portal.permissions``): the forum secretariat of the member
moderates proposals, drafts commitments, moves the process to its next stage and records the forum's
decision; either of them (or an administrator) opens the process of the member's next plan; the member's point of
contact (or an administrator) turns the accepted drafts into the plan and submits it to OGP; any
active (confirmed) account proposes, supports, comments and follows. ``visible_to(user, qs)``
scopes each model: a proposal hidden by moderation is seen only by the secretariat, administrators
and its author; comments, supports and merges follow their proposal; drafts in preparation are seen
by the secretariat only.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from ogp_portal.permissions import is_administrator, is_civil_society, is_point_of_contact, member_ids_with_role


def _process(obj):
    for attr in ("process", "proposal", "draft"):
        if hasattr(obj, attr) and getattr(obj, attr) is not None:
            return _process(getattr(obj, attr))
    return obj


@rules.predicate
def is_cocreation_secretariat(user, obj):
    """Secretariat of the member whose process the object belongs to (a process, proposal, draft, comment)."""
    if obj is None:
        return bool(member_ids_with_role(user, "secretariat"))
    process = _process(obj)
    member_id = process.pk if process.__class__.__name__ == "Member" else getattr(process, "member_id", None)
    return member_id is not None and member_id in member_ids_with_role(user, "secretariat")


@rules.predicate
def is_point_of_contact_of_process(user, obj):
    process = _process(obj) if obj is not None else None
    return bool(is_point_of_contact(user, process))


@rules.predicate
def is_open_for_proposals(user, obj):
    return getattr(_process(obj), "stage", None) == "proposals" if obj is not None else False


rules.add_perm("cocreation.propose", is_civil_society & is_open_for_proposals)
rules.add_perm("cocreation.participate", is_civil_society)  # support, comment, follow
rules.add_perm("cocreation.moderate", is_administrator | is_cocreation_secretariat)
rules.add_perm("cocreation.manage_process", is_administrator | is_cocreation_secretariat)
# Opening the co-creation of a member's next plan: its forum secretariat or its point of contact (the object is the member).
rules.add_perm("cocreation.open_process", is_administrator | is_cocreation_secretariat | is_point_of_contact)
rules.add_perm("cocreation.submit_plan", is_administrator | is_point_of_contact_of_process)


def _member_prefix(model_name: str) -> str:
    return {
        "CoCreationProcess": "",
        "Proposal": "process__",
        "DraftCommitment": "process__",
        "Support": "proposal__process__",
        "Merge": "proposal__process__",
        "DraftVersion": "draft__process__",
    }[model_name]


def _secretariat_q(user, prefix: str) -> Q | None:
    """None: everything (administrators); else Q of the rows of the members the user is secretariat of."""
    if is_administrator(user):
        return None
    return Q(**{f"{prefix}member_id__in": member_ids_with_role(user, "secretariat")})


def visible_to(user, qs: QuerySet) -> QuerySet:
    """The rows of ``qs`` (any co-creation model) the user may see."""
    name = qs.model.__name__
    if name == "CoCreationProcess":
        return qs
    if name == "Comment":
        return qs.filter(
            Q(draft__isnull=False, draft__in=visible_to(user, qs.model.draft.field.related_model.objects.all()))
            | Q(proposal__isnull=False, proposal__in=visible_to(user, qs.model.proposal.field.related_model.objects.all()))
        )
    if name in ("Proposal", "Support", "Merge"):
        prefix = "" if name == "Proposal" else "proposal__"
        staff = _secretariat_q(user, _member_prefix(name))
        if staff is None:
            return qs
        q = Q(**{f"{prefix}visibility": "published"}) | staff
        if user is not None and user.is_authenticated:
            q |= Q(**{f"{prefix}author_id": user.pk})
        return qs.filter(q)
    if name in ("DraftCommitment", "DraftVersion"):
        prefix = "" if name == "DraftCommitment" else "draft__"
        staff = _secretariat_q(user, _member_prefix(name))
        if staff is None:
            return qs
        return qs.filter(~Q(**{f"{prefix}state": "preparing"}) | staff)
    raise TypeError(f"no permission scope is declared for {name}")


def can_see_proposal(user, proposal) -> bool:
    """The object twin of ``visible_to`` for a proposal."""
    if not proposal.hidden:
        return True
    if user is not None and user.is_authenticated and proposal.author_id == user.pk:
        return True
    return bool(user and user.has_perm("cocreation.moderate", proposal))
