"""The people the page benchmarks sign in as, and the working pages they use (issue #20).

``ensure_actors(member)`` creates (or reuses) three accounts with unusable passwords and their roles on
that member, each with a stored database session, and returns their session keys:

* ``coordinator``: agency coordinator of the lead agency of the member's current plan's first commitment;
* ``point of contact``: the member's point of contact;
* ``secretariat``: the member's forum secretariat.

``working_pages(member, keys)`` returns the pages only a signed-in person uses, each with the account
that opens it: "My work" (coordinator and point of contact), the progress form of a milestone the
coordinator's agency leads, the review queue, the plan's status reports, the secretariat's page and
the forum page as the secretariat sees it.

Used by bench/pages.py (the session cookie is passed to wrk) and bench/render.py (to the test client).
Writes only these accounts, roles and sessions (usernames ``bench-…``), never the data measured.
"""

from __future__ import annotations

from datetime import timedelta

ACCOUNTS = {
    "coordinator": "bench-coordinator",
    "point of contact": "bench-point-of-contact",
    "secretariat": "bench-secretariat",
}


def current_plan(member):
    from commitments.models import ActionPlan

    return ActionPlan.objects.filter(member=member).order_by("-start_date", "-pk").first()


def ensure_actors(member) -> dict[str, str]:
    """Return {actor: session key} for the three accounts (created if missing), with roles on ``member``."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from commitments.models import Commitment, Role

    User = get_user_model()
    plan = current_plan(member)
    commitment = Commitment.objects.filter(plan=plan, lead_agency__isnull=False).order_by("pk").first()
    agency = commitment.lead_agency if commitment else member.agencies.order_by("pk").first()
    kinds = {
        "coordinator": (Role.Kind.COORDINATOR, agency),
        "point of contact": (Role.Kind.POINT_OF_CONTACT, None),
        "secretariat": (Role.Kind.SECRETARIAT, None),
    }
    keys = {}
    for actor, username in ACCOUNTS.items():
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
        if created:
            user.set_unusable_password()
            user.save()
        kind, role_agency = kinds[actor]
        Role.objects.filter(user=user).exclude(member=member, kind=kind, agency=role_agency).delete()
        Role.objects.get_or_create(user=user, member=member, kind=kind, agency=role_agency)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.PortalModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(timezone.now() + timedelta(hours=6))
        session.create()
        keys[actor] = session.session_key
    return keys


def working_pages(member) -> list[tuple[str, str, str]]:
    """(label, path, actor) for the pages only signed-in people use, on ``member``'s current plan."""
    from django.urls import NoReverseMatch, reverse

    from commitments.models import Milestone, Role
    from forums.models import Forum

    plan = current_plan(member)
    pages = []

    def add(label, actor, name, *args):
        try:
            pages.append((label, reverse(name, args=args), actor))
        except NoReverseMatch:
            pass

    add("My work (coordinator)", "coordinator", "work:my_work")
    add("My work (point of contact)", "point of contact", "work:my_work")
    role = Role.objects.filter(user__username=ACCOUNTS["coordinator"], member=member).first()
    milestone = (
        Milestone.objects.filter(commitment__plan=plan, commitment__lead_agency=role.agency_id).order_by("pk").first()
        if plan and role
        else None
    )
    if milestone:
        add("progress form (coordinator)", "coordinator", "commitments:progress", milestone.commitment.identifier, milestone.pk)
    add("review queue (point of contact)", "point of contact", "commitments:review")
    if plan:
        add("status reports of the plan (point of contact)", "point of contact", "commitments:status_reports", plan.pk)
    add("secretariat's page", "secretariat", "forums:secretariat")
    forum = Forum.objects.filter(member=member).first()
    if forum:
        add("forum page (secretariat)", "secretariat", "forums:forum", forum.pk)
    return pages
