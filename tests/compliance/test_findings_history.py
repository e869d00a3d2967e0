"""Issue 19, point 2: findings are history (pinned dates).

A missed obligation stays missed: a later meeting, report or plan ends the current run (``met_again_on``)
and meets the next obligation; a finding the corrected data no longer supports is withdrawn with the reason.
"""

import datetime as dt

from django.urls import reverse

from compliance import engine, services
from compliance.models import Finding, MemberStanding
from tests.factories import ActionPlanFactory, ForumFactory, MeetingFactory, MemberFactory

from .conftest import bishkek

D = dt.date


def test_one_held_meeting_after_eight_years_leaves_31_quarters_missed_and_ends_the_run():
    forum = engine.ForumInfo("forum:1", "Forum", held_on=(D(2016, 2, 10), D(2024, 2, 10)))
    member = engine.MemberSnapshot(code="XX", forums=(forum,))
    ev = engine.evaluate(member, D(2024, 3, 1))
    missed = [f for f in ev.findings if f.kind == "missed_forum_meeting"]
    assert len(missed) == 31  # 2016-Q2 … 2023-Q4
    assert {(f.resolved_on, f.met_again_on) for f in missed} == {(None, D(2024, 2, 10))}
    assert not ev.open_findings  # the run ended; 2024-Q1, the meeting's quarter, is met
    assert not any(f.period == "2024-Q1" for f in missed)


def test_a_late_status_report_leaves_the_four_missed_half_years_missed():
    plan = engine.PlanInfo(D(2020, 1, 1), D(2024, 12, 31), D(2019, 12, 1))
    member = engine.MemberSnapshot(code="XX", plans=(plan,), update_published_on=(D(2020, 3, 1), D(2022, 10, 5)))
    ev = engine.evaluate(member, D(2023, 1, 1))
    missed = [(f.period, f.resolved_on, f.met_again_on) for f in ev.findings if f.kind == "missed_status_update"]
    assert missed == [(p, None, D(2022, 10, 5)) for p in ("2020-H2", "2021-H1", "2021-H2", "2022-H1")]
    assert not ev.open_findings


def test_a_finding_the_corrected_data_no_longer_supports_is_withdrawn_with_the_reason(db):
    member = MemberFactory(code="XX", joined_on=D(2019, 1, 1))
    ActionPlanFactory(member=member, start_date=D(2019, 9, 1), end_date=D(2021, 8, 31), submitted_on=D(2019, 8, 1))
    services.sweep_member(member.pk, now=bishkek(2022, 6, 1), notify="none")
    contrary = Finding.objects.get(kind="contrary_to_process", period="2021-2023")
    assert contrary.is_open and MemberStanding.objects.get(member=member).status == "contrary_to_process"
    # The administrator enters the plan that had been delivered on time: the finding has no ground any more.
    ActionPlanFactory(member=member, start_date=D(2022, 1, 1), end_date=D(2023, 12, 31), submitted_on=D(2021, 12, 1))
    services.sweep_member(member.pk, now=bishkek(2022, 6, 2), notify="none")
    contrary.refresh_from_db()
    assert (contrary.withdrawn_on, contrary.resolved_on, contrary.met_again_on) == (D(2022, 6, 2), None, None)
    assert "no longer supports" in contrary.withdrawal_reason
    assert contrary.history.first().withdrawn_on == D(2022, 6, 2)  # kept in history
    assert MemberStanding.objects.get(member=member).status == "active"


def test_the_withdrawal_reason_is_shown_in_the_visitors_language(client, db):
    """The reason is stored in English (the API gives it as is) and shown translated on the pages."""
    member = MemberFactory(code="XX", joined_on=D(2019, 1, 1))
    ActionPlanFactory(member=member, start_date=D(2019, 9, 1), end_date=D(2021, 8, 31), submitted_on=D(2019, 8, 1))
    services.sweep_member(member.pk, now=bishkek(2022, 6, 1), notify="none")
    ActionPlanFactory(member=member, start_date=D(2022, 1, 1), end_date=D(2023, 12, 31), submitted_on=D(2021, 12, 1))
    services.sweep_member(member.pk, now=bishkek(2022, 6, 2), notify="none")
    assert Finding.objects.filter(member=member, withdrawn_on__isnull=False).exists()
    english = client.get(reverse("compliance:member", args=[member.code])).content.decode()
    assert "The corrected data no longer supports this finding" in english
    russian = client.get("/ru" + reverse("compliance:member", args=[member.code])).content.decode()
    assert "Исправленные данные больше не подтверждают это нарушение" in russian
    assert "The corrected data no longer supports" not in russian


def test_the_member_page_shows_missed_then_met_again(client, db):
    member = MemberFactory(code="XX", joined_on=D(2019, 1, 1))
    forum = ForumFactory(member=member, founded_on=D(2019, 1, 1))
    MeetingFactory(forum=forum, starts_at=bishkek(2019, 2, 1))
    MeetingFactory(forum=forum, starts_at=bishkek(2019, 11, 5))
    services.sweep_member(member.pk, now=bishkek(2020, 1, 2), notify="none")
    [finding] = Finding.objects.filter(kind="missed_forum_meeting", period="2019-Q2") or [None]
    assert finding and finding.met_again_on == D(2019, 11, 5) and finding.resolved_on is None
    html = client.get(reverse("compliance:member", args=[member.code])).content.decode()
    assert "Missed; met again on" in html
