"""Atom feeds per member, plan and commitment parse as Atom 1.0 and hold only what is published."""

import datetime as dt

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse

from commitments.models import ActionPlan, Commitment
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def progress(seed_data):
    kg0017 = Commitment.objects.get(identifier="KG0017")
    first, second = list(kg0017.milestones.order_by("pk"))[:2]
    ProgressUpdateFactory(milestone=first, completion="substantial", narrative="Citizen auditors trained in Osh.")
    ProgressUpdateFactory(milestone=second, completion="limited", narrative="Not yet public.", state="draft", published_at=None)
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    return kg0017


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_commitment_feed(client, progress):
    feed = parse(client, reverse("commitments:commitment_feed", args=["KG0017"]))
    assert "KG0017" in feed.feed.title
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert "Substantial" in entry.title
    assert "Citizen auditors trained in Osh." in entry.summary
    assert entry.link.endswith(f"/commitments/KG0017/#milestone-{progress.milestones.order_by('pk').first().pk}")


def test_plan_feed(client, progress):
    plan = ActionPlan.objects.get(member__code="KG")
    feed = parse(client, reverse("commitments:plan_feed", args=[plan.pk]))
    assert [e.title for e in feed.entries] == ["KG0017, milestone 1.1: Substantial"]


def test_member_feed_has_progress_and_compliance_status_changes(client, progress):
    feed = parse(client, reverse("commitments:member_feed", args=["KG"]))
    titles = [e.title for e in feed.entries]
    assert "KG0017, milestone 1.1: Substantial" in titles
    assert "Compliance status: Under procedural review" in titles
    assert not any("Not yet public" in e.get("summary", "") for e in feed.entries)


def test_feeds_are_linked_from_their_pages(client, progress):
    plan = ActionPlan.objects.get(member__code="KG")
    for page, feed in (
        (reverse("commitments:commitment", args=["KG0017"]), reverse("commitments:commitment_feed", args=["KG0017"])),
        (plan.get_absolute_url(), reverse("commitments:plan_feed", args=[plan.pk])),
        (reverse("commitments:member", args=["KG"]), reverse("commitments:member_feed", args=["KG"])),
    ):
        html = client.get(page).content.decode()
        assert f'type="application/atom+xml" title="Atom feed of published progress" href="{feed}"' in html


def test_feeds_in_russian_parse_too(client, progress):
    parse(client, "/ru" + reverse("commitments:commitment_feed", args=["KG0017"]))


def test_unknown_feed_is_404(client, db):
    assert client.get(reverse("commitments:commitment_feed", args=["KG9999"])).status_code == 404


def test_published_status_reports_are_in_the_commitment_plan_and_member_feeds(client, progress):
    from commitments.models import StatusReport, StatusReportLine

    plan = progress.plan
    published = StatusReport.objects.create(
        member=plan.member, plan=plan, period_label="2019-H2", period_start=dt.date(2019, 7, 1),
        period_end=dt.date(2019, 12, 31), state="published", published_at=dt.datetime(2020, 1, 20, tzinfo=dt.UTC),
    )
    StatusReportLine.objects.create(report=published, commitment=progress, completion="substantial")
    StatusReport.objects.create(
        member=plan.member, plan=plan, period_label="2020-H1", period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 6, 30),
    )
    for url in (
        reverse("commitments:commitment_feed", args=["KG0017"]),
        reverse("commitments:plan_feed", args=[plan.pk]),
        reverse("commitments:member_feed", args=["KG"]),
    ):
        entries = parse(client, url).entries
        reports = [e for e in entries if e.title.startswith("Status report")]
        assert [e.title for e in reports] == ["Status report 2019-H2 of Kyrgyz Republic"], url
        assert reports[0].link.endswith(published.get_absolute_url())
        assert reports[0].id.endswith(f"/report-{published.pk}")
        assert any(e.title == "KG0017, milestone 1.1: Substantial" for e in entries)


def test_the_engagement_app_has_no_feeds_of_its_own(client, db):
    from django.urls import NoReverseMatch

    for name in ("engagement:feed_member", "engagement:feed_plan", "engagement:feed_commitment"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=["KG"])
