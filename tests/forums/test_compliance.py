"""A held meeting recorded through the forum services meets the compliance cadence for its period."""

import datetime as dt

import pytest

from compliance.models import Finding
from compliance.services import sweep_member
from forums import services
from tests.forums.conftest import at

pytestmark = pytest.mark.django_db


def forum_findings(forum):
    return {f.period: f for f in Finding.objects.filter(member=forum.member, kind="missed_forum_meeting", subject=f"forum:{forum.pk}")}


def record_held(forum, secretariat, when):
    meeting = services.schedule_meeting(forum, starts_at=when, by=secretariat, now=when - dt.timedelta(days=20), invite=False)
    attendance = {m.pk: ("present", "") for m in forum.memberships.all()}
    return services.record_meeting(meeting, attendance=attendance, by=secretariat, now=when + dt.timedelta(hours=3))


def test_a_recorded_meeting_means_the_quarters_finding_never_opens(bishkek_forum, secretariat):
    # The seed's last meeting was on 22 May 2024 (2024-Q2). Record one in every quarter after it up to 2026-Q3.
    for year, month in [(2024, 8), (2024, 11), (2025, 2), (2025, 5), (2025, 8), (2025, 11), (2026, 2), (2026, 5), (2026, 8)]:
        record_held(bishkek_forum, secretariat, at(year, month, 12))
    sweep_member(bishkek_forum.member_id, now=at(2026, 10, 1, 12), notify="none")
    findings = forum_findings(bishkek_forum)
    # The real record has a gap between August 2023 and May 2024: those two quarters, resolved in May 2024.
    assert sorted(findings) == ["2023-Q4", "2024-Q1"]
    assert {f.met_again_on for f in findings.values()} == {dt.date(2024, 5, 22)}  # issue 19: missed, then met again


def test_a_missed_quarter_opens_a_finding_that_the_next_held_meeting_resolves(bishkek_forum, secretariat):
    # Nothing after 22 May 2024: 2024-Q3 onward are missed as of 2 October 2024.
    sweep_member(bishkek_forum.member_id, now=at(2024, 10, 2, 12), notify="none")
    finding = forum_findings(bishkek_forum)["2024-Q3"]
    assert finding.resolved_on is None
    record_held(bishkek_forum, secretariat, at(2024, 11, 12))
    sweep_member(bishkek_forum.member_id, now=at(2024, 11, 13, 12), notify="none")
    finding.refresh_from_db()
    assert (finding.met_again_on, finding.resolved_on) == (dt.date(2024, 11, 12), None)
    assert "2024-Q4" not in forum_findings(bishkek_forum)  # and the quarter of the meeting never opens one


def test_a_planned_or_cancelled_meeting_does_not_meet_the_cadence(bishkek_forum, secretariat):
    planned = services.schedule_meeting(bishkek_forum, starts_at=at(2024, 8, 12), by=secretariat, now=at(2024, 7, 1), invite=False)
    cancelled = services.schedule_meeting(bishkek_forum, starts_at=at(2024, 9, 12), by=secretariat, now=at(2024, 7, 1), invite=False)
    services.cancel_meeting(cancelled, reason="Heads of department on leave", by=secretariat, now=at(2024, 7, 2))
    sweep_member(bishkek_forum.member_id, now=at(2024, 10, 2, 12), notify="none")
    assert "2024-Q3" in forum_findings(bishkek_forum)
    assert planned.status == "planned"


def test_the_forum_page_shows_the_quarter_met_once_the_meeting_is_recorded(client, bishkek_forum, secretariat):
    import time_machine

    record_held(bishkek_forum, secretariat, at(2026, 11, 12))
    with time_machine.travel(at(2026, 11, 29, 12), tick=False):
        html = client.get(bishkek_forum.get_absolute_url()).content.decode()
    row = html[html.index("<th scope=\"row\" data-label=\"Period\">2026-Q4</th>"):]
    assert '<span class="state state-met">Met</span>' in row[: row.index("</tr>")]
    assert 'id="cadence-warning"' not in html
