"""The whole co-creation flow on the Kyrgyz Republic after 24 February 2023 (under review, deadline 31 December 2023)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cocreation import permissions, services
from cocreation.models import DraftCommitment, DraftVersion, Proposal, Stage
from commitments.models import ActionPlan, Commitment, Milestone
from compliance import services as compliance
from compliance.models import MemberStanding
from outbox.models import Message

from .conftest import at

D = dt.date


def propose(process, user, title, sector="civil_society", **extra):
    data = {"title": title, "problem": f"Problem of {title}", "proposed_commitment": f"Do {title}", "sector": sector}
    data.update(extra)
    return services.submit_proposal(process, by=user, data=data, now=at(2023, 4, 1))


def test_the_process_is_dated_back_from_the_engines_deadline(process):
    assert process.plan_deadline == D(2023, 12, 31)
    assert process.cycle == "2023-2025"
    assert process.proposals_open_on == D(2023, 3, 1)
    assert process.decision_by == D(2023, 12, 1)
    assert process.proposals_open_on < process.proposals_close_on < process.drafts_close_on < process.decision_by
    assert process.days_left(D(2023, 11, 30)) == 31
    assert process.stage == Stage.PROPOSALS
    assert process.history.count() == 1


def test_only_the_secretariat_opens_a_process(kg, people):
    with pytest.raises(PermissionDenied):
        services.open_process(kg, by=people["citizen"], now=at(2023, 3, 1))


def test_the_whole_flow_ends_with_the_plan_submitted_and_the_member_active_again(kg, people, process, held_meeting):
    sec, poc, citizen, ngo = people["secretariat"], people["poc"], people["citizen"], people["ngo"]
    compliance.sweep_member(kg.pk, now=at(2023, 3, 1))
    assert MemberStanding.objects.get(member=kg).status == "under_review"

    audit = propose(process, ngo, "Open audit reports", agency=kg.agencies.first())
    budget = propose(process, citizen, "Citizen budget", sector="citizen")
    budget_too = propose(process, people["other"], "Budget in plain words", sector="academia")
    spam = propose(process, people["other"], "Buy cheap watches", sector="business")
    services.set_support(audit, by=citizen, now=at(2023, 4, 2))
    services.add_comment(audit, by=citizen, text="Yes, and the follow-up too.", now=at(2023, 4, 2))

    # Moderation: the reason is kept, the proposer told; the public no longer sees it, its author does.
    services.moderate(spam, by=sec, hide=True, reason="Advertising, not a proposal.", now=at(2023, 4, 3))
    spam.refresh_from_db()
    assert spam.hidden and spam.moderation_reason == "Advertising, not a proposal."
    public = permissions.visible_to(citizen, Proposal.objects.all())
    assert spam not in public and audit in public
    assert spam in permissions.visible_to(people["other"], Proposal.objects.all())
    assert spam in permissions.visible_to(sec, Proposal.objects.all())
    with pytest.raises(PermissionDenied):
        services.moderate(audit, by=citizen, hide=True, reason="no", now=at(2023, 4, 3))

    # Drafts from one or more proposals (merges recorded), open for comment, a second version with a diff.
    d1 = services.create_draft(process, by=sec, proposals=[audit], now=at(2023, 9, 1), data={
        "title": "Publish every audit report", "lead_agency": kg.agencies.first(), "problem": "Audits are not public.",
        "description": "Publish audit reports.", "milestones": "Portal of audit reports\nFirst 100 reports online"})
    d2 = services.create_draft(process, by=sec, proposals=[budget, budget_too], now=at(2023, 9, 1),
                               data={"title": "Citizen budget", "description": "A citizen budget every year."})
    assert sorted(d2.merges.values_list("proposal__title", flat=True)) == ["Budget in plain words", "Citizen budget"]
    services.follow(process, by=people["citizen"])
    services.open_for_comment(d1, by=sec, now=at(2023, 9, 4), days=30)
    services.open_for_comment(d2, by=sec, now=at(2023, 9, 4), days=30)
    d1.refresh_from_db()
    assert d1.comment_closes_on == D(2023, 10, 4)
    process.refresh_from_db()
    assert process.stage == Stage.DRAFTS
    services.add_comment(d1, by=citizen, text="Include the regions.", now=at(2023, 9, 10))
    with pytest.raises(ValidationError):
        services.add_comment(d1, by=citizen, text="Too late.", now=at(2023, 10, 5))
    d1 = services.update_draft(d1, by=sec, data={"description": "Publish audit reports, regions included."},
                               version=d1.version, now=at(2023, 10, 10), note="Regions, after comments")
    v1, v2 = DraftVersion.objects.filter(draft=d1).order_by("number")
    changes = dict(services.diff(v1.content, v2.content))
    assert "+Publish audit reports, regions included." in changes["What is the commitment?"]

    # The plan cannot be submitted while a proposal lacks a response.
    with pytest.raises(ValidationError):
        services.mark_submitted(process, by=poc, submitted_on=D(2023, 11, 30), now=at(2023, 11, 30))

    services.record_decision(process, by=sec, meeting=held_meeting, now=at(2023, 10, 21), drafts={
        d1: (True, "Strong support."), d2: (True, "Agreed with the Ministry of Finance."),
    }, proposals={
        audit: ("accepted", None, "Accepted as draft 1."),
        budget: ("merged", d2, "Merged with a similar proposal."),
        budget_too: ("merged", d2, "Merged with a similar proposal."),
        spam: ("rejected", None, "Not a proposal for the plan."),
    })
    assert not services.unanswered(process).exists()
    assert set(Proposal.objects.values_list("outcome", flat=True)) == {"accepted", "merged", "rejected"}

    # Delivery: through the importer, then submitted on 30 November 2023.
    outcome = services.build_plan(process, by=poc, title="Fourth National Action Plan 2023-2025",
                                  start_date=D(2024, 1, 1), end_date=D(2025, 12, 31))
    plan = ActionPlan.objects.get(pk=outcome.plan_id)
    assert list(plan.commitments.order_by("number").values_list("identifier", "title")) == [
        ("KG0019", "Publish every audit report"), ("KG0020", "Citizen budget")]
    assert Milestone.objects.filter(commitment__plan=plan).count() == 2
    assert Commitment.history.filter(identifier="KG0019").exists()
    services.mark_submitted(process, by=poc, submitted_on=D(2023, 11, 30), now=at(2023, 11, 30))
    plan.refresh_from_db()
    process.refresh_from_db()
    assert plan.submitted_on == D(2023, 11, 30) and process.stage == Stage.SUBMITTED

    # The next sweep: the deadline is met; without the plan the member would be recommended inactive on 1 January.
    compliance.sweep_member(kg.pk, now=at(2024, 1, 2))
    standing = MemberStanding.objects.get(member=kg)
    assert standing.status == "active", standing.status
    assert kg.deadlines.get(kind="action_plan", cycle="2023-2025").met_on == D(2023, 11, 30)

    # Notices through the one outbox.
    subjects = list(Message.objects.values_list("email", "subject"))
    assert ("other@example.org", "Your proposal “Buy cheap watches” was moderated") in subjects
    assert ("aigul@example.org", "Your proposal “Citizen budget” went into a draft commitment") in subjects
    assert ("ngo@example.org", "The forum answered your proposal “Open audit reports”") in subjects
    assert ("aigul@example.org", "A draft commitment is open for comment: Publish every audit report") in subjects
    assert any(s.startswith("The forum decided") and e == "aigul@example.org" for e, s in subjects)


def test_a_citizen_cannot_propose_once_proposals_close(process, people):
    services.advance_stage(process, by=people["secretariat"], stage=Stage.DRAFTS)
    with pytest.raises(ValidationError):
        propose(process, people["citizen"], "Late idea")


def test_drafts_in_preparation_are_seen_by_the_secretariat_only(process, people):
    draft = services.create_draft(process, by=people["secretariat"], data={"title": "T"}, now=at(2023, 9, 1))
    assert draft not in permissions.visible_to(people["citizen"], DraftCommitment.objects.all())
    assert draft in permissions.visible_to(people["secretariat"], DraftCommitment.objects.all())
