"""Signed-in reads of the public reference lists are served the anonymous copy (ogp_portal.api.SharedPublicListMixin).

Only lists whose answer reads nothing of the user share it; a list that shows a user more than the
public (progress updates with the drafts a coordinator may see) is rendered for each user, so a
draft never reaches a shared answer and a shared answer never hides a user's draft.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commitments import services
from commitments.models import ProgressUpdate, Role
from engagement.models import Review
from tests.api.conftest import client_for
from tests.api.test_permission_matrix import m  # noqa: F401  (the matrix's world: rows that are not public)
from tests.factories import RoleFactory

# Each shared list and its table.
SHARED = {
    "members": "commitments_member",
    "agencies": "commitments_agency",
    "plans": "commitments_actionplan",
    "commitments": "commitments_commitment",
    "activities": "commitments_activity",
    "milestones": "commitments_milestone",
    "forums": "forums_forum",
    "forum-memberships": "forums_forummembership",
    "attendance": "forums_attendance",
    "deadlines": "compliance_deadline",
    "findings": "compliance_finding",
    "status-events": "compliance_statusevent",
    "decisions": "compliance_decision",
    "reviews": "engagement_review",
}


pytestmark = pytest.mark.usefixtures("page_cache_on")


def session_client(user):
    client = APIClient()
    client.force_login(user)
    return client


def _tables(queries):
    return " ".join(q["sql"] for q in queries)


def _compliance_records(member):
    """One of each compliance record the API lists, on ``member``."""
    from compliance.models import Deadline, Finding, StatusEvent
    from tests.factories import DecisionFactory

    day = dt.date(2024, 6, 30)
    Deadline.objects.create(member=member, kind=Deadline.Kind.values[0], due_on=day)
    Finding.objects.create(member=member, kind=Finding.Kind.values[0], period="2024-H1", effective_on=day)
    StatusEvent.objects.create(member=member, status=StatusEvent._meta.get_field("status").choices[0][0], effective_on=day)
    DecisionFactory(member=member)


@pytest.mark.parametrize("resource", SHARED)
def test_a_signed_in_read_of_a_public_list_is_the_anonymous_copy_byte_for_byte(world, resource):
    from tests.factories import ActivityFactory, ForumFactory, ForumMembershipFactory

    from forums.models import Attendance
    from tests.factories import MeetingFactory

    ActivityFactory(commitment=world["own"])
    seat = ForumMembershipFactory(forum=ForumFactory(member=world["kg"]))
    Attendance.objects.create(meeting=MeetingFactory(forum=seat.forum), membership=seat, representative="Deputy")
    _compliance_records(world["kg"])
    Review.objects.create(update=world["published"], author=world["users"]["civil_society"], stance="agree", comment="Seen it done.", created_at=dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc))
    url = f"/api/v1/{resource}/"
    coordinator = session_client(world["users"]["coordinator"])
    token = client_for(world["users"]["point_of_contact"])
    rendered_for_coordinator = coordinator.get(url)  # nothing cached yet: rendered, and not stored
    assert rendered_for_coordinator.status_code == 200 and "X-Page-Cache" not in rendered_for_coordinator
    anonymous = APIClient().get(url)
    assert anonymous["X-Page-Cache"] == "miss"  # the coordinator's answer was not stored
    assert anonymous.json()["results"]
    assert rendered_for_coordinator.content == anonymous.content
    for client in (coordinator, token):
        with CaptureQueriesContext(connection) as ctx:
            shared = client.get(url)
        assert shared.status_code == 200 and shared.content == anonymous.content
        assert shared["Content-Type"] == "application/json" and "X-Page-Cache" not in shared
        assert f'"{SHARED[resource]}"' not in _tables(ctx.captured_queries)  # the list was not read again


def test_a_coordinators_draft_is_never_in_a_shared_answer_and_always_in_theirs(world):
    url = "/api/v1/progress-updates/"
    draft, published = world["draft"].pk, world["published"].pk
    anonymous = APIClient().get(url)
    assert anonymous["X-Page-Cache"] == "miss"
    public_ids = [row["id"] for row in anonymous.json()["results"]]
    assert published in public_ids and draft not in public_ids
    coordinator = session_client(world["users"]["coordinator"])
    for client in (coordinator, client_for(world["users"]["coordinator"])):
        ids = [row["id"] for row in client.get(url).json()["results"]]
        assert draft in ids and published in ids  # rendered for them, not the public copy
    for who in ("civil_society", "other_coordinator", "other_member_poc"):
        ids = [row["id"] for row in session_client(world["users"][who]).get(url).json()["results"]]
        assert draft not in ids and published in ids, who
    # What the coordinator was rendered was not stored: anonymous clients still get the public copy.
    again = APIClient().get(url)
    assert again["X-Page-Cache"] == "hit" and draft not in [row["id"] for row in again.json()["results"]]


def test_a_signed_in_user_sees_their_own_change_at_once(world, django_capture_on_commit_callbacks):
    url = "/api/v1/commitments/"
    coordinator = world["users"]["coordinator"]
    assert APIClient().get(url)["X-Page-Cache"] == "miss"
    own = world["own"]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_commitment(own, by=coordinator, data={"title": "Budget data every month"}, version=own.version)
    titles = [row["title"] for row in session_client(coordinator).get(url).json()["results"]]
    assert "Budget data every month" in titles


def _progress_table_read(queries):
    return any('FROM "commitments_progressupdate"' in q["sql"] and "EXISTS" not in q["sql"].upper() and "LIMIT 1" not in q["sql"]
               for q in queries)


def test_progress_updates_shared_only_with_users_who_would_see_the_same_page(world, monkeypatch):
    """Issue #20: a user who may see no draft on that page gets the anonymous copy; a draft's reader never does."""
    from ogp_portal.api import CursorPagination
    from tests.factories import ProgressUpdateFactory

    monkeypatch.setattr(CursorPagination, "page_size", 1)  # one row a page: the draft is on the second
    newer = ProgressUpdateFactory(milestone=world["own_milestone"], period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 6, 30))
    url = "/api/v1/progress-updates/"
    anonymous = APIClient().get(url)
    assert anonymous["X-Page-Cache"] == "miss"
    assert [row["id"] for row in anonymous.json()["results"]] == [newer.pk]
    # Civil society and another member's point of contact see no draft at all: the copy, whatever the query.
    for who in ("civil_society", "other_member_poc"):
        client = session_client(world["users"][who])
        with CaptureQueriesContext(connection) as ctx:
            shared = client.get(url)
        assert shared.content == anonymous.content and not _progress_table_read(ctx.captured_queries), who
    # The coordinator's draft is older than the first page's row: that page is the copy ...
    coordinator = session_client(world["users"]["coordinator"])
    with CaptureQueriesContext(connection) as ctx:
        first = coordinator.get(url)
    assert first.content == anonymous.content and not _progress_table_read(ctx.captured_queries)
    # ... and the next one, rendered for them, holds the draft (never shown to anyone else).
    following = coordinator.get(first.json()["next"])
    assert [row["id"] for row in following.json()["results"]] == [world["draft"].pk]
    assert world["draft"].pk not in [row["id"] for row in APIClient().get(first.json()["next"]).json()["results"]]
    # With a parameter, the coordinator (who may see a draft) is rendered for: the draft is in their list.
    filtered = f"{url}?milestone={world['own_milestone'].pk}&page_size=5"
    assert APIClient().get(filtered)["X-Page-Cache"] == "miss"
    ids = [row["id"] for row in coordinator.get(filtered).json()["results"]]
    assert world["draft"].pk in ids
    # A new draft is the newest row: the first page is rendered for its coordinator, and holds it.
    services_draft = ProgressUpdateFactory(
        milestone=world["own_milestone"], period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 6, 30),
        state=ProgressUpdate.State.DRAFT, published_at=None,
    )
    assert APIClient().get(url)["X-Page-Cache"] in ("hit", "miss")
    assert [row["id"] for row in coordinator.get(url).json()["results"]] == [services_draft.pk]
    assert [row["id"] for row in session_client(world["users"]["civil_society"]).get(url).json()["results"]] == [newer.pk]


def test_meetings_shared_unless_the_user_may_read_minutes_in_preparation(world):
    """Issue #20: minutes not yet published reach their forum's keepers only; everyone else gets the anonymous copy."""
    from tests.factories import ForumFactory, MeetingFactory

    forum = ForumFactory(member=world["kg"])
    MeetingFactory(forum=forum, minutes="Draft minutes: budget data discussed", minutes_published_at=None)
    secretary = RoleFactory(user__username="sec-kg", member=world["kg"], kind=Role.Kind.SECRETARIAT).user
    url = "/api/v1/meetings/"
    anonymous = APIClient().get(url)
    assert anonymous["X-Page-Cache"] == "miss" and anonymous.json()["results"][0]["minutes"] == ""
    coordinator = session_client(world["users"]["coordinator"])
    with CaptureQueriesContext(connection) as ctx:
        shared = coordinator.get(url)
    assert shared.content == anonymous.content
    assert not any('FROM "forums_meeting"' in q["sql"] and "LIMIT 1" not in q["sql"] for q in ctx.captured_queries)
    own = session_client(secretary).get(url)
    assert own.json()["results"][0]["minutes"] == "Draft minutes: budget data discussed"
    assert APIClient().get(url)["X-Page-Cache"] == "hit"  # what the secretariat was rendered was not stored
    assert APIClient().get(url).json()["results"][0]["minutes"] == ""


# Lists that show some readers rows beyond the public ones (ogp_portal.api.ScopedPublicListMixin): their table, and
# the roles of the permission matrix's world (plus the co-creation rows below) who may see such a row.
SCOPED = {
    "evidence": ("commitments_evidence", {"coordinator", "poc", "other_member_poc"}),
    "meeting-decisions": ("forums_meetingdecision", {"secretariat"}),
    "action-items": ("forums_actionitem", {"secretariat"}),
    "proposals": ("cocreation_proposal", {"secretariat", "civil"}),
    "draft-commitments": ("cocreation_draftcommitment", {"secretariat"}),
    "cocreation-comments": ("cocreation_comment", {"secretariat", "civil"}),
    "cocreation-responses": ("cocreation_proposal", {"secretariat", "civil"}),
}
READERS = ("coordinator", "poc", "other_coordinator", "other_member_poc", "secretariat", "civil")


def _cocreation_rows_not_public(m):
    """A hidden proposal of ``civil`` (commented on and answered) and a draft in preparation, beside public ones."""
    from django.utils import timezone

    from cocreation import services as cocreation

    now = timezone.now()
    civil, secretariat = m["roles"]["civil"], m["roles"]["secretariat"]
    process = cocreation.open_process(m["kg"], by=None, system=True, now=now, deadline=now.date() + dt.timedelta(days=200))
    proposals = []
    for title in ("Open contracts", "Off topic"):
        proposal = cocreation.submit_proposal(process, by=civil, now=now, data={
            "title": title, "problem": "p", "proposed_commitment": "c", "sector": "citizen"})
        cocreation.add_comment(proposal, by=civil, text=f"About {title}", now=now)
        proposals.append(cocreation.respond(proposal, by=secretariat, text="Thank you", now=now, outcome="rejected"))
    cocreation.moderate(proposals[1], by=secretariat, hide=True, reason="Off topic", now=now)
    cocreation.open_for_comment(cocreation.create_draft(process, by=secretariat, data={"title": "Open budgets"}, now=now),
                                by=secretariat, now=now)
    cocreation.create_draft(process, by=secretariat, data={"title": "Open contracting"}, now=now)  # in preparation


def _list_read(queries, table):
    return any(f'FROM "{table}"' in q["sql"] and "LIMIT 1" not in q["sql"] for q in queries)


@pytest.mark.parametrize("resource", SCOPED)
def test_scoped_lists_serve_the_anonymous_copy_only_to_readers_who_would_be_rendered_the_same(m, settings, resource):
    """Issue #20: a reader who may see no row beyond the public ones gets the anonymous copy (the list not read
    again); one who may see more is rendered for, and what they see never reaches the shared copy."""
    from commitments.models import Evidence
    from forums.models import ActionItem, MeetingDecision
    from tests.factories import MeetingFactory

    _cocreation_rows_not_public(m)
    Evidence.objects.create(update=m["published"], kind="link", url="https://minfin.kg/report")
    held = MeetingFactory(forum=m["forum"], minutes="Agreed", minutes_published_at=dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc))
    MeetingDecision.objects.create(meeting=held, text="Publish the budget")
    ActionItem.objects.create(meeting=held, title="Publish", owner="MoF")
    table, see_more = SCOPED[resource]
    url = f"/api/v1/{resource}/?page_size=200"
    anonymous = APIClient().get(url)
    assert anonymous.status_code == 200 and anonymous["X-Page-Cache"] == "miss" and anonymous.json()["results"]
    for role in READERS:
        user = m["roles"][role]
        for client in (session_client(user), client_for(user)):
            settings.PUBLIC_PAGE_CACHE = False
            rendered = client.get(url)  # what this reader is rendered without any shared copy
            settings.PUBLIC_PAGE_CACHE = True
            assert (rendered.content != anonymous.content) == (role in see_more), role
            with CaptureQueriesContext(connection) as ctx:
                answer = client.get(url)
            assert answer.status_code == 200 and answer.content == rendered.content, role
            assert _list_read(ctx.captured_queries, table) == (role in see_more), role
            assert "X-Page-Cache" not in answer
    assert APIClient().get(url).content == anonymous.content  # nothing rendered for a reader was stored
    # An administrator (who may see every row) is always rendered for.
    with CaptureQueriesContext(connection) as ctx:
        answer = session_client(m["roles"]["admin"]).get(url)
    assert answer.status_code == 200 and _list_read(ctx.captured_queries, table)


# A member's cycles and minimum requirements: computed as of the portal's day, the same for every reader.
DAILY = {"cycles": '"compliance_cycle"', "minimum-requirements": '"forums_meeting"'}


@pytest.mark.parametrize("answer", DAILY)
def test_a_members_cycles_and_requirements_are_kept_for_the_day_and_shared_with_signed_in_readers(world, answer):
    import time_machine
    from zoneinfo import ZoneInfo

    bishkek = ZoneInfo("Asia/Bishkek")
    url = f"/api/v1/deadlines/{answer}/?member={world['kg'].pk}"
    with time_machine.travel(dt.datetime(2026, 12, 8, 23, 50, tzinfo=bishkek), tick=False):
        first = APIClient().get(url)
        assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
        with CaptureQueriesContext(connection) as ctx:
            again = APIClient().get(url)
        assert again["X-Page-Cache"] == "hit" and again.content == first.content
        assert DAILY[answer] not in _tables(ctx.captured_queries)
        for client in (session_client(world["users"]["coordinator"]), client_for(world["users"]["point_of_contact"])):
            with CaptureQueriesContext(connection) as ctx:
                shared = client.get(url)
            assert shared.status_code == 200 and shared.content == first.content
            assert DAILY[answer] not in _tables(ctx.captured_queries)  # not computed again
        other = APIClient().get(f"/api/v1/deadlines/{answer}/?member={world['bishkek'].pk}")
        assert other["X-Page-Cache"] == "miss"  # each member its own copy
    with time_machine.travel(dt.datetime(2026, 12, 9, 0, 5, tzinfo=bishkek), tick=False):
        assert APIClient().get(url)["X-Page-Cache"] == "miss"  # a new day: computed again as of that day


@pytest.mark.parametrize("answer", DAILY)
def test_a_members_cycles_asked_without_a_member_are_refused_each_time_and_never_kept(world, answer):
    for _ in range(2):
        refused = APIClient().get(f"/api/v1/deadlines/{answer}/")
        assert refused.status_code == 400 and "X-Page-Cache" not in refused
        assert "member" in refused.json()
