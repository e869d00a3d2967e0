"""Every list endpoint reads in the same number of queries whether it lists few rows or many."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Evidence, ProgressUpdate, StatusReport, StatusReportLine
from engagement.models import Review
from forums.models import ActionItem, MeetingDecision
from compliance.models import Finding, StatusEvent
from forums.models import Attendance
from tests.api.conftest import client_for
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AdminDeadlineFactory,
    AgencyFactory,
    CommitmentFactory,
    DecisionFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    MemberFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db

RESOURCES = [
    "members", "agencies", "plans", "commitments", "activities", "milestones", "progress-updates", "forums",
    "forum-memberships", "meetings", "attendance", "deadlines", "findings", "status-events", "decisions",
    "evidence", "status-reports", "reviews", "meeting-decisions", "action-items",
    "cocreation-processes", "proposals", "draft-commitments", "cocreation-comments", "cocreation-responses",
]


def add_rows(world, n, start):
    """Add ``n`` rows of every kind (numbered from ``start`` so that unique keys never clash)."""
    kg = world["kg"]
    plan = world["own"].plan
    plan.lead_institutions.add(*[AgencyFactory(member=kg) for _ in range(n)])
    forum = ForumFactory(member=kg, name=f"Forum {start}")
    for i in range(start, start + n):
        commitment = CommitmentFactory(plan=plan, identifier=f"KG{i:04d}", number=i, lead_agency=world["own"].lead_agency)
        ActivityFactory(commitment=commitment, number=1)
        milestone = MilestoneFactory(commitment=commitment)
        published = ProgressUpdateFactory(milestone=milestone)
        Evidence.objects.create(update=published, kind="link", url=f"https://minfin.kg/{i}")
        Review.objects.create(
            update=published, author=world["users"]["civil_society"], stance="agree", comment="Seen.", created_at=published.published_at
        )
        ProgressUpdateFactory(
            milestone=milestone, period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31),
            state=ProgressUpdate.State.DRAFT, published_at=None,
        )
        membership = ForumMembershipFactory(forum=forum)
        meeting = MeetingFactory(forum=forum, minutes_published_at=dt.datetime(2019, 4, 1, tzinfo=dt.UTC))
        MeetingDecision.objects.create(meeting=meeting, text=f"Decision {i}", commitment=commitment)
        ActionItem.objects.create(meeting=meeting, title=f"Action {i}", owner="MoF")
        report = StatusReport.objects.create(
            member=kg, plan=plan, period_label=f"{i}", period_start=dt.date(1900, 1, 1) + dt.timedelta(days=i),
            period_end=dt.date(1900, 6, 30), state="published", published_at=dt.datetime(2019, 7, 10, tzinfo=dt.UTC),
        )
        StatusReportLine.objects.create(report=report, commitment=commitment)
        Attendance.objects.create(meeting=meeting, membership=membership)
        AdminDeadlineFactory(member=kg, cycle=f"c{i}")
        Finding.objects.create(member=kg, kind="missed_forum_meeting", period=f"p{i}", effective_on=dt.date(2022, 7, 1))
        StatusEvent.objects.create(member=kg, status="active", effective_on=dt.date(2000, 1, 1) + dt.timedelta(days=i))
        DecisionFactory(member=kg, decided_on=dt.date(2000, 1, 1) + dt.timedelta(days=i))
        MemberFactory(code=f"KGL{i}", name=f"Local member {i}", kind="local", parent=kg)
        ActionPlanFactory(member=kg, title=f"Plan {i}").lead_institutions.add(world["own"].lead_agency, commitment.lead_agency)
        add_cocreation_rows(kg, world["users"]["civil_society"], i)


def add_cocreation_rows(member, citizen, i):
    """One co-creation process with a proposal (answered, commented) and a draft open for comment (commented)."""
    from cocreation.models import CoCreationProcess, Comment, DraftCommitment, Proposal

    at = dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
    process = CoCreationProcess.objects.create(
        member=member, cycle=f"c{i}", title=f"Next plan {i}", plan_deadline=dt.date(2023, 12, 31),
        proposals_open_on=dt.date(2023, 3, 1), proposals_close_on=dt.date(2023, 5, 1), drafts_close_on=dt.date(2023, 8, 1),
        decision_by=dt.date(2023, 10, 1),
    )
    proposal = Proposal.objects.create(
        process=process, author=citizen, title=f"Proposal {i}", problem="Budgets are hard to read.",
        proposed_commitment="Publish them as open data.", sector="civil_society", created_at=at,
        response="Accepted into a draft.", response_published_at=at,
    )
    draft = DraftCommitment.objects.create(process=process, title=f"Draft {i}", state="open", created_at=at)
    Comment.objects.create(proposal=proposal, author=citizen, text="Agreed.", created_at=at)
    Comment.objects.create(draft=draft, author=citizen, text="Add a deadline.", created_at=at)


def count_queries(client, resource):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{resource}/?page_size=100")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_every_list_endpoint_is_counted(world):
    schema = client_for(None).get("/api/schema/?format=json").json()
    lists = {path.split("/")[3] for path, ops in schema["paths"].items() if path.count("/") == 4 and "get" in ops}
    assert lists == set(RESOURCES)


@pytest.mark.parametrize("persona", ["anonymous", "coordinator", "admin"])
def test_list_endpoints_use_a_fixed_number_of_queries(world, persona):
    client = client_for(None if persona == "anonymous" else world["users"][persona])
    client.get("/api/v1/members/")  # the token's first use records last_used_at once
    add_rows(world, 2, start=100)
    small = {resource: count_queries(client, resource) for resource in RESOURCES}
    add_rows(world, 6, start=200)
    large = {resource: count_queries(client, resource) for resource in RESOURCES}
    for resource in RESOURCES:
        (small_queries, small_rows), (large_queries, large_rows) = small[resource], large[resource]
        assert large_rows > small_rows, resource
        assert large_queries == small_queries, f"{resource}: {small_queries} queries for {small_rows} rows, {large_queries} for {large_rows}"
        # Token, roles, count, rows, and one prefetch at most (a status report's lines).
        assert small_queries <= 5, f"{resource}: {small_queries} queries"
