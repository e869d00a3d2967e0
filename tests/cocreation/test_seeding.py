"""The demo opens the co-creation of the next Kyrgyz and Bishkek plans with the engine's deadlines, no invented proposals."""

from cocreation.models import CoCreationProcess, Proposal
from cocreation.services import plan_deadline_for
from commitments.models import Member
from ogp_portal.seeding import open_demo_cocreation

from .conftest import at


def test_the_demo_opens_the_next_plans_co_creation_with_the_engines_deadlines(seed_data):
    now = at(2026, 12, 7)
    opened = open_demo_cocreation(now)
    assert {p.member.code for p in opened} == {"KG", "KGBSK"}
    for process in opened:
        assert process.plan_deadline == plan_deadline_for(process.member, now)
        assert process.stage == "proposals"
    assert not Proposal.objects.exists()
    assert open_demo_cocreation(now) == [] and CoCreationProcess.objects.count() == 2
    kg = CoCreationProcess.objects.get(member=Member.objects.get(code="KG"))
    # Opened late (24 days before the deadline): the stages share the days left, in order.
    assert kg.proposals_open_on < kg.proposals_close_on < kg.drafts_close_on < kg.decision_by < kg.plan_deadline
