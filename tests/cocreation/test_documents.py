"""The document repository's rows read in one statement are the rows the ORM gave, one query per kind (issue #20)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cocreation import documents
from cocreation.models import CoCreationProcess, DraftCommitment, Proposal, Sector
from commitments.models import ActionPlan, Evidence, StatusReport
from compliance.models import Letter, StatusEvent
from forums.models import Meeting
from tests.factories import ActionPlanFactory, MemberFactory, MilestoneFactory, ProgressUpdateFactory, UserFactory

BISHKEK = ZoneInfo("Asia/Bishkek")


def reference_rows(member):
    """The rows as the ORM read them before (one query per kind of document, model instances)."""
    rows = []

    def add(day, type_, title, url, label=""):
        day = documents._day(day)
        if day is not None:
            rows.append((day, type_, str(title), url, label))

    for plan in ActionPlan.objects.filter(member=member):
        add(plan.submitted_on or plan.start_date, "plan", plan.title, plan.get_absolute_url())
    for report in StatusReport.objects.filter(member=member, state="published").select_related("plan"):
        add(report.published_at, "status_report", f"{report.plan.title}: {report.period_label}", report.get_absolute_url())
    for meeting in Meeting.objects.filter(forum__member=member, minutes_published_at__isnull=False).select_related("forum"):
        add(meeting.minutes_published_at, "minutes", f"{meeting.forum.name}: {meeting.display_title()}", meeting.get_absolute_url())
    for evidence in Evidence.objects.filter(
        update__milestone__commitment__plan__member=member, update__state="published", update__published_at__isnull=False,
    ).select_related("update__milestone__commitment"):
        commitment = evidence.update.milestone.commitment
        add(evidence.update.published_at, "evidence",
            f"{commitment.identifier} {evidence.update.milestone.number}: {evidence.original_name or evidence.url}",
            evidence.get_absolute_url())
    for letter in Letter.objects.filter(member=member):
        url = (reverse("compliance:letter", args=[member.code, letter.status_event_id]) if letter.status_event_id
               else reverse("compliance:member", args=[member.code]))
        add(letter.dated, "letter", letter.document, url)
    for process in CoCreationProcess.objects.filter(member=member).annotate(last_response=Max("proposals__response_published_at")):
        add(process.created_at, "cocreation", process.title, process.get_absolute_url(), process.cycle)
        if process.last_response:
            add(process.last_response, "cocreation", gettext("%(title)s: the forum's responses") % {"title": process.title},
                process.get_absolute_url() + "#responses", process.cycle)
    for draft in DraftCommitment.objects.filter(process__member=member, comment_opens_on__isnull=False).select_related("process"):
        add(draft.comment_opens_on, "cocreation", draft.title, draft.get_absolute_url(), draft.process.cycle)
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]), reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_rows_read_in_one_statement_are_the_rows_of_each_kind(language, django_assert_num_queries):
    member = MemberFactory(code="DC")
    other = MemberFactory(code="OT")
    plan = ActionPlanFactory(member=member, title_en="Open plan", title_ru="", submitted_on=None)  # dated by its start
    ActionPlanFactory(member=member, title_en="Second plan", title_ru="Второй план", start_date=dt.date(2021, 1, 1))
    ActionPlanFactory(member=other, title_en="Not this member's plan")
    milestone = MilestoneFactory(commitment__plan=plan, number="2.3")
    # Published late in the evening in Bishkek: the previous day in UTC (the local date counts).
    update = ProgressUpdateFactory(milestone=milestone, published_at=dt.datetime(2020, 3, 4, 23, 30, tzinfo=BISHKEK))
    Evidence.objects.create(update=update, kind="link", url="https://example.org/report")
    Evidence.objects.create(update=update, kind="file", file="evidence/x.pdf", original_name="scan.pdf")
    draft_update = ProgressUpdateFactory(milestone=milestone, state="draft", published_at=None, period_start=dt.date(2019, 7, 1),
                                         period_end=dt.date(2019, 12, 31))
    Evidence.objects.create(update=draft_update, kind="link", url="https://example.org/not-yet")
    StatusReport.objects.create(member=member, plan=plan, period_label="2019-H2", period_start=dt.date(2019, 7, 1),
                                period_end=dt.date(2019, 12, 31), state="published",
                                published_at=dt.datetime(2020, 1, 15, 9, tzinfo=BISHKEK))
    StatusReport.objects.create(member=member, plan=plan, period_label="2020-H1", period_start=dt.date(2020, 1, 1),
                                period_end=dt.date(2020, 6, 30))
    event = StatusEvent.objects.create(member=member, status="under_review", effective_on=dt.date(2020, 5, 1))
    Letter.objects.create(member=member, kind="caution", dated=dt.date(2020, 5, 2), document="Letter one", status_event=event)
    Letter.objects.create(member=member, kind="caution", dated=dt.date(2020, 6, 2), document="Letter two")
    process = CoCreationProcess.objects.create(
        member=member, cycle="2021-2023", title="The next plan", plan_deadline=dt.date(2021, 12, 31),
        proposals_open_on=dt.date(2020, 4, 15), proposals_close_on=dt.date(2020, 6, 1), drafts_close_on=dt.date(2020, 9, 1),
        decision_by=dt.date(2020, 11, 1),
    )
    CoCreationProcess.objects.create(
        member=member, cycle="2023-2025", title="Without responses", plan_deadline=dt.date(2023, 12, 31),
        proposals_open_on=dt.date(2022, 4, 15), proposals_close_on=dt.date(2022, 6, 1), drafts_close_on=dt.date(2022, 9, 1),
        decision_by=dt.date(2022, 11, 1),
    )
    author = UserFactory()
    for hour in (10, 15):
        Proposal.objects.create(process=process, author=author, title=f"Proposal {hour}", problem="p", proposed_commitment="c",
                                sector=Sector.values[0], response="Yes", created_at=dt.datetime(2020, 5, 1, tzinfo=BISHKEK),
                                response_published_at=dt.datetime(2020, 7, 1, hour, tzinfo=BISHKEK))
    DraftCommitment.objects.create(process=process, title="Open budgets", comment_opens_on=dt.date(2020, 8, 1),
                                   created_at=dt.datetime(2020, 7, 20, tzinfo=BISHKEK))
    DraftCommitment.objects.create(process=process, title="Not opened yet", created_at=dt.datetime(2020, 7, 20, tzinfo=BISHKEK))

    with translation.override(language):
        expected = reference_rows(member)
        with django_assert_num_queries(3):  # the cycles, the minutes, then every other kind in one statement
            rows = documents.documents_for(member)
    got = [(r.date, r.type, r.title, r.url, r.cycle if r.type == "cocreation" else "") for r in rows]
    assert got == expected
    assert {r.type for r in rows} == {"plan", "status_report", "evidence", "letter", "cocreation"}
    titles = {r.title for r in rows}
    assert ("Второй план" if language == "ru" else "Second plan") in titles and "Open plan" in titles  # falls back to English
    assert any(r.title.endswith(" 2.3: scan.pdf") and r.url.startswith("/") for r in rows)
    assert "https://example.org/report" in {r.url for r in rows} and "https://example.org/not-yet" not in {r.url for r in rows}
    assert dt.date(2020, 3, 4) in {r.date for r in rows if r.type == "evidence"}
