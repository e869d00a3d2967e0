"""Issue 19, point 5: OGP's minimum requirements as checks per member and cycle, from recorded data (pinned dates)."""

import datetime as dt
import re

from django.urls import reverse
from rest_framework.test import APIClient

from compliance import services
from compliance.models import Letter
from forums.models import Attendance, ForumMembership
from tests.factories import ActionPlanFactory, ForumFactory, ForumMembershipFactory, MeetingFactory, MemberFactory

from .conftest import bishkek

D = dt.date


def build(db_member_code="XX"):
    member = MemberFactory(code=db_member_code, joined_on=D(2019, 1, 1))
    ActionPlanFactory(member=member, start_date=D(2019, 9, 1), end_date=D(2021, 8, 31), submitted_on=D(2019, 8, 1))
    forum = ForumFactory(member=member, founded_on=D(2019, 1, 1), founding_act="Decree No. 1")
    gov = ForumMembershipFactory(forum=forum, sector=ForumMembership.Sector.GOVERNMENT)
    cso = ForumMembershipFactory(forum=forum, sector=ForumMembership.Sector.CIVIL_SOCIETY)
    # 2019: meetings with both sectors in each half; 2020: one meeting, government only, in H1.
    for day, members in ((D(2019, 3, 10), (gov, cso)), (D(2019, 10, 10), (gov, cso)), (D(2020, 2, 10), (gov,))):
        meeting = MeetingFactory(forum=forum, starts_at=bishkek(day.year, day.month, day.day))
        for m in members:
            Attendance.objects.create(meeting=meeting, membership=m, status=Attendance.Status.PRESENT)
    Letter.objects.create(member=member, kind="other", dated=D(2020, 9, 1), document="OGP letter")
    return member


def by_code(checks, cycle):
    return {c.code: c for c in checks if c.cycle == cycle}


def test_each_requirement_counts_its_evidence_for_the_cycle_and_gives_a_verdict(db, time_machine):
    time_machine.move_to(bishkek(2021, 3, 1), tick=False)
    member = build()
    checks = services.minimum_requirements(member, bishkek(2021, 3, 1))
    [first] = {c.cycle for c in checks} - {"2021-2023"}  # the first plan's cycle, from joining
    mr = by_code(checks, first)
    assert (mr["MR 1.1"].start, mr["MR 1.1"].verdict) == (D(2019, 1, 1), "met")
    assert mr["MR 1.1"].counted == 1 and mr["MR 1.1"].end == D(2019, 8, 1)  # the March meeting; the window is judged whole
    assert mr["MR 2.1"].verdict == "met" and mr["MR 2.1"].evidence[0][1] == reverse("commitments:member", args=["XX"])
    # 2019-H1 held no published document (the plan came on 1 August); 2019-H2 has the plan.
    assert mr["MR 2.2"].verdict == "not_met" and mr["MR 2.2"].shortfalls == ["2019-H1"]
    assert mr["MR 5.1"].verdict == "met"  # 2019: two meetings civil society attended
    assert mr["Standard 3"].verdict == mr["Standard 4"].verdict == "records_only"
    later = by_code(checks, "2021-2023")
    # From 2 August 2019 to today (1 March 2021): no meeting with both sectors in 2020.
    assert later["MR 1.1"].verdict == "not_met" and later["MR 1.1"].shortfalls == ["2020-H1", "2020-H2"]
    assert later["MR 2.2"].verdict == "not_met" and later["MR 2.2"].shortfalls == ["2020-H1"]  # the letter is in H2
    assert later["MR 5.1"].verdict == "not_met" and later["MR 5.1"].shortfalls == ["2020"]


def test_the_page_and_the_api_show_the_checks(db, client, time_machine):
    time_machine.move_to(bishkek(2021, 3, 1), tick=False)
    member = build()
    html = client.get(reverse("compliance:member", args=[member.code])).content.decode()
    rows = re.findall(r'data-mr="([^"]+)" data-cycle="2021-2023" data-verdict="([a-z_]+)"', html)
    assert ("MR 1.1", "not_met") in rows and ("MR 2.1", "met") in rows and ("Standard 4", "records_only") in rows
    answer = APIClient().get("/api/v1/deadlines/minimum-requirements/", {"member": member.pk})
    assert answer.status_code == 200
    api = {(c["cycle"], c["code"]): c for c in answer.json()}
    assert api[("2021-2023", "MR 5.1")]["verdict"] == "not_met" and api[("2021-2023", "MR 5.1")]["shortfalls"] == ["2020"]
    assert api[("2021-2023", "MR 1.1")]["evidence"][0] == {"date": "2019-10-10", "what": "Open Government National Forum"}


def test_mr_2_2_reads_the_members_document_repository(db, time_machine):
    """MR 2.2 counts the rows of the document repository (its page, feed and "last updated" date): a co-creation
    record published in 2020-H1 fills the half-year that had no document."""
    from cocreation.documents import documents_for, last_updated
    from cocreation.models import CoCreationProcess

    time_machine.move_to(bishkek(2021, 3, 1), tick=False)
    member = build()
    checks = services.minimum_requirements(member, bishkek(2021, 3, 1))
    assert by_code(checks, "2021-2023")["MR 2.2"].shortfalls == ["2020-H1"]
    time_machine.move_to(bishkek(2020, 4, 15), tick=False)
    CoCreationProcess.objects.create(
        member=member, cycle="2021-2023", title="The next plan", plan_deadline=D(2021, 12, 31),
        proposals_open_on=D(2020, 4, 15), proposals_close_on=D(2020, 6, 1), drafts_close_on=D(2020, 9, 1), decision_by=D(2020, 11, 1),
    )
    time_machine.move_to(bishkek(2021, 3, 1), tick=False)
    assert D(2020, 4, 15) in {row.date for row in documents_for(member)}
    assert last_updated(member) == D(2020, 9, 1)  # the letter
    checks = services.minimum_requirements(member, bishkek(2021, 3, 1))
    later = by_code(checks, "2021-2023")["MR 2.2"]
    assert later.verdict == "met" and later.shortfalls == []
