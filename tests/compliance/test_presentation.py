"""How the public compliance pages present the sweep's rows: grouped findings, the status timeline, query counts."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.models import Finding, MemberStatus
from compliance.presentation import group_findings, status_timeline
from tests.factories import LocalMemberFactory, MemberFactory


def finding(kind, period, effective_on, resolved_on=None, subject="forum:1"):
    f = Finding(kind=kind, period=period, effective_on=effective_on, resolved_on=resolved_on, subject=subject)
    return f


def test_findings_fold_into_one_line_per_kind_and_subject():
    quarters = [
        finding("missed_forum_meeting", f"{2018 + (q + 3) // 4}-Q{(q + 3) % 4 + 1}", dt.date(2019, 1, 1) + dt.timedelta(days=91 * q))
        for q in range(31)
    ]
    cycles = [finding("contrary_to_process", "2021-2023", dt.date(2022, 1, 1), subject="")]
    groups = group_findings(list(reversed(quarters)) + cycles, {"forum:1": "Open Government National Forum"})
    forum = next(g for g in groups if g.kind == "missed_forum_meeting")
    assert forum.count == 31
    assert forum.amount == "31 quarters"
    assert forum.span == "2018-Q4 – 2026-Q2"
    assert forum.subject_name == "Open Government National Forum"
    contrary = next(g for g in groups if g.kind == "contrary_to_process")
    assert (contrary.amount, contrary.span) == ("1 cycle", "2021-2023")


def test_half_years_are_counted_as_half_years():
    groups = group_findings(
        [finding("missed_status_update", "2019-H1", dt.date(2019, 7, 1)), finding("missed_status_update", "2019-H2", dt.date(2020, 1, 1))]
    )
    assert groups[0].amount == "2 half-years"


def test_status_timeline_segments_run_from_joining_to_today():
    events = [
        SimpleNamespace(status="under_review", effective_on=dt.date(2023, 1, 1)),
        SimpleNamespace(status="contrary_to_process", effective_on=dt.date(2022, 1, 1)),
    ]
    tl = status_timeline(events, dt.date(2017, 11, 21), dt.date(2024, 1, 1))
    assert [(s.status, s.start, s.end) for s in tl.segments] == [
        (MemberStatus.ACTIVE, dt.date(2017, 11, 21), dt.date(2022, 1, 1)),
        ("contrary_to_process", dt.date(2022, 1, 1), dt.date(2023, 1, 1)),
        ("under_review", dt.date(2023, 1, 1), dt.date(2024, 1, 1)),
    ]
    assert tl.segments[0].x == 4.0
    assert tl.segments[-1].x + tl.segments[-1].width == pytest.approx(644.0, abs=0.2)
    assert [label for _x, label in tl.ticks] == ["2018", "2019", "2020", "2021", "2022", "2023", "2024"]


def test_no_timeline_without_a_start():
    assert status_timeline([], None, dt.date(2024, 1, 1)) is None


@pytest.mark.django_db
@pytest.mark.parametrize("extra_members", [0, 8])
def test_overview_queries_do_not_grow_with_members(client, django_assert_num_queries, seed_data, extra_members):
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    for i in range(extra_members):
        national = MemberFactory(name=f"Country {i}", code=f"C{i}", country=f"Country {i}")
        LocalMemberFactory(name=f"City {i}", code=f"C{i}L", parent=national)
    # count, one page of members with their stored status
    with django_assert_num_queries(2):
        response = client.get(reverse("compliance:overview"), {"status": "inactive_recommended"})
    html = response.content.decode()
    assert "Kyrgyz Republic" in html and "Bishkek" not in html


@pytest.mark.django_db
def test_member_page_groups_the_kyrgyz_findings(client, seed_data):
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    html = client.get(reverse("compliance:member", args=["KG"])).content.decode()
    assert "Missed forum meeting — Open Government National Forum</strong>: 21 quarters, 2018-Q4 – 2023-Q4" in html
    assert html.count("<summary>") <= 6  # not a wall of rows
    assert 'class="status-timeline"' in html


@pytest.mark.django_db
def test_member_page_queries_do_not_grow_with_findings(client, seed_data):
    counts = []
    for as_of in ("2022-06-01", "2024-01-01"):
        call_command("compliance_sweep", "--as-of", as_of, verbosity=0)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("compliance:member", args=["KG"])).status_code == 200
        counts.append((Finding.objects.filter(member__code="KG").count(), len(queries)))
    (few, first), (many, second) = counts
    assert few < many
    assert first == second


@pytest.mark.django_db
def test_member_page_of_commitments_shows_status_and_links_the_compliance_record(client, seed_data):
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    html = client.get(reverse("commitments:member", args=["KG"])).content.decode()
    assert "Inactive recommended" in html
    assert f'href="{reverse("compliance:member", args=["KG"])}"' in html
