"""The permission matrix, declared as a table: every role × every action, on the real Kyrgyz and Bishkek data.

The objects acted on belong to the Kyrgyz Republic (KG) and to commitment KG0017, led by the Accounts
Chamber. Each row is a role relative to them. Each action is checked three ways where it exists:
the predicate (``user.has_perm``), the queryset scope (``editable_by`` / ``visible_to`` /
``reviewable_by``), and the HTML page or admin that offers it (status code).
"""

import pytest
from django.urls import reverse

from commitments.models import ActionPlan, Commitment, Member, Milestone, ProgressUpdate
from ogp_portal import permissions

from .conftest import get_review_page, review_queue_of, sign_in

pytestmark = pytest.mark.django_db

ACTIONS = ("view_draft", "edit_progress", "review", "publish_report", "open_admin")

# role → allowed, for each action in ACTIONS, on KG0017 / the KG member.
MATRIX = {
    #                           view_draft edit_progress review  publish_report open_admin
    "anonymous":                (False,    False,        False,  False,         False),
    "civil":                    (False,    False,        False,  False,         False),
    "own":                      (True,     True,         False,  False,         False),
    "other_agency":             (False,    False,        False,  False,         False),
    "other_member_coordinator": (False,    False,        False,  False,         False),
    "poc":                      (True,     True,         True,   True,          False),
    "other_poc":                (False,    False,        False,  False,         False),
    "secretariat":              (False,    False,        False,  False,         False),
    "admin":                    (True,     True,         True,   True,          True),
}

# The pages each action is offered on, and the answer when it is refused. Signed-out people are
# sent to sign in (302); signed-in people without the right get 403; the admin sends everyone who
# is not an administrator to its own sign-in page (302). The review queue opens for every point of
# contact, each listing only their own member's updates (Bishkek's holds nothing of KG0017's).
REVIEW_QUEUE_OPENS_FOR = {"poc", "other_poc", "admin"}


class _Anonymous:
    is_authenticated = False
    is_active = False
    is_staff = False
    pk = None

    def has_perm(self, perm, obj=None):
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser().has_perm(perm, obj)


def _decisions(world, role):
    user = getattr(world.users, role) or _Anonymous()
    draft, submitted = world.updates.draft, world.updates.submitted
    updates = ProgressUpdate.objects.all()
    by_perm = {
        "view_draft": permissions.can_view_update(user, draft),
        "edit_progress": user.has_perm("commitments.enter_progress", world.milestone),
        "review": user.has_perm("commitments.review_progress", submitted),
        "publish_report": user.has_perm("commitments.publish_status_report", world.kg),
        "open_admin": user.has_perm("ogp.use_admin"),
    }
    by_scope = {
        "view_draft": permissions.visible_to(user, updates).filter(pk=draft.pk).exists(),
        "edit_progress": permissions.editable_by(user, Milestone.objects.all()).filter(pk=world.milestone.pk).exists(),
        "review": permissions.reviewable_by(user, updates).filter(pk=submitted.pk).exists(),
        "publish_report": permissions.editable_by(user, Member.objects.all()).filter(pk=world.kg.pk).exists(),
        "open_admin": by_perm["open_admin"],
    }
    return by_perm, by_scope


def _pages(client, world, role):
    """Return the status code of each page for the role: My work, the review queue, the admin."""
    user = getattr(world.users, role)
    client.logout()
    sign_in(client, user)
    return {
        "my_work": client.get(reverse("work:my_work")).status_code,
        "review": get_review_page(client).status_code,
        "open_admin": client.get(reverse("admin:commitments_milestone_changelist")).status_code,
    }


def test_the_permission_matrix(client, world):
    problems = []
    for role, allowed in MATRIX.items():
        expected = dict(zip(ACTIONS, allowed, strict=True))
        by_perm, by_scope = _decisions(world, role)
        for action in ACTIONS:
            if by_perm[action] != expected[action]:
                problems.append(f"{role} × {action}: predicate says {by_perm[action]}, table says {expected[action]}")
            if by_scope[action] != expected[action]:
                problems.append(f"{role} × {action}: scope says {by_scope[action]}, table says {expected[action]}")
        pages = _pages(client, world, role)
        if pages["review"] == 200:
            queue = review_queue_of(get_review_page(client))
            if (world.updates.submitted in queue) != expected["review"]:
                problems.append(f"{role} × review queue lists KG0017's update: {not expected['review']}")
        signed_in = role != "anonymous"
        want = {
            "my_work": 200 if signed_in else 302,
            "review": 200 if role in REVIEW_QUEUE_OPENS_FOR else (403 if signed_in else 302),
            "open_admin": 200 if expected["open_admin"] else 302,
        }
        for page, status in want.items():
            if pages[page] != status:
                problems.append(f"{role} × page {page}: status {pages[page]}, expected {status}")
    assert problems == []


# Where each role may write, by model: every row of every list it can write to belongs there.
def _write_scope_ok(world, role, model, row):
    member_of = {
        Member: lambda r: r.pk,
        ActionPlan: lambda r: r.member_id,
        Commitment: lambda r: r.plan.member_id,
        Milestone: lambda r: r.commitment.plan.member_id,
        ProgressUpdate: lambda r: r.milestone.commitment.plan.member_id,
    }[model](row)
    agency_of = {
        Commitment: lambda r: r.lead_agency_id,
        Milestone: lambda r: r.commitment.lead_agency_id,
        ProgressUpdate: lambda r: r.milestone.commitment.lead_agency_id,
    }.get(model, lambda r: None)(row)
    if role == "admin":
        return True
    if role == "poc":
        return member_of == world.kg.pk
    if role == "other_poc":
        return member_of == world.bishkek.pk
    if role == "own":
        return agency_of == world.chamber.pk
    if role == "other_agency":
        return agency_of == world.finance.pk
    if role == "other_member_coordinator":
        return agency_of == world.city.pk
    return False  # civil society, the secretariat and the signed-out write to no progress


SELECTS = {
    Member: [],
    ActionPlan: [],
    Commitment: ["plan"],
    Milestone: ["commitment__plan"],
    ProgressUpdate: ["milestone__commitment__plan"],
}


@pytest.mark.parametrize("model", list(SELECTS), ids=lambda m: m.__name__)
def test_no_row_of_another_agency_or_member_in_a_list_a_user_can_write_to(world, model):
    problems = []
    for role in MATRIX:
        user = getattr(world.users, role) or _Anonymous()
        qs = model.objects.select_related(*SELECTS[model]) if SELECTS[model] else model.objects.all()
        rows = list(permissions.editable_by(user, qs))
        if role in ("admin", "poc") or (role in ("own", "other_agency") and model not in (Member, ActionPlan)):
            assert rows, f"{role} should have {model.__name__} rows to write to"
        for row in rows:
            if not _write_scope_ok(world, role, model, row):
                problems.append(f"{role} may write to {model.__name__} {row.pk} ({row})")
    assert problems == []


def test_my_work_lists_only_rows_the_user_may_write_to(client, world):
    for role in ("own", "other_agency", "poc", "other_poc", "other_member_coordinator", "civil", "secretariat"):
        user = getattr(world.users, role)
        client.logout()
        response = sign_in(client, user).get(reverse("work:my_work"))
        for item in response.context["work"]:
            assert _write_scope_ok(world, role, Commitment, item.commitment), f"{role} sees {item.commitment.identifier}"
            for row in item.milestones:
                if row.latest is not None and row.latest.state != ProgressUpdate.State.PUBLISHED:
                    assert permissions.can_view_update(user, row.latest)


def test_no_one_sees_another_agencys_or_members_drafts(world):
    own, other = world.users.own, world.users.other_agency
    drafts = ProgressUpdate.objects.exclude(state=ProgressUpdate.State.PUBLISHED)
    assert set(permissions.visible_to(own, drafts)) == {world.updates.draft, world.updates.submitted}
    assert set(permissions.visible_to(other, drafts)) == {world.updates.other_agency_draft}
    assert not permissions.visible_to(world.users.other_poc, drafts).exists()
    assert not permissions.visible_to(world.users.civil, drafts).exists()
    assert not permissions.visible_to(None, drafts).exists()
    # Published updates are everyone's.
    for user in (None, world.users.civil, world.users.other_poc):
        assert permissions.visible_to(user, ProgressUpdate.objects.all()).filter(pk=world.updates.published.pk).exists()
