"""Following: follow/unfollow, emails to followers sent once, the signed one-click unsubscribe, Atom feeds."""

import datetime as dt

import feedparser
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commitments import progress as commitment_progress
from commitments.models import ProgressUpdate, StatusReport
from compliance.models import StatusEvent
from engagement import services, tasks
from engagement.models import Follow
from outbox.models import Message

pytestmark = pytest.mark.django_db


def test_follow_and_unfollow_through_the_page(people, client):
    u = people.users
    url = reverse("engagement:follow", args=["commitment", "KG0017"])
    assert client.post(url, {"action": "follow"}).status_code == 302  # to sign in
    assert not Follow.objects.exists()
    client.force_login(u.civil)
    page = client.get(people.commitment.get_absolute_url()).content.decode()
    assert "Follow: email me new updates" in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert client.post(url, {"action": "follow", "next": "https://evil.example/"}).status_code == 302
    assert client.post(url, {"action": "follow"}).status_code == 302  # twice: still one follow
    assert Follow.objects.filter(user=u.civil, commitment=people.commitment).count() == 1
    assert "Stop following" in client.get(people.commitment.get_absolute_url()).content.decode()
    assert client.post(url, {"action": "sideways"}).status_code == 400
    client.post(url, {"action": "unfollow"})
    assert not Follow.objects.exists()
    for kind, key in (("plan", people.plan.pk), ("member", "KG")):
        client.post(reverse("engagement:follow", args=[kind, key]), {"action": "follow"})
    assert Follow.objects.filter(user=u.civil).count() == 2
    # Each page reads the state in its own query (commitments.views.following_sql), for this user only.
    for page in (people.plan.get_absolute_url(), reverse("commitments:member", args=["KG"]), people.commitment.get_absolute_url()):
        shown = client.get(page).content.decode()
        assert ("Stop following" in shown) is (page != people.commitment.get_absolute_url()), page
    client.force_login(u.civil2)
    assert "Stop following" not in client.get(people.plan.get_absolute_url()).content.decode()
    assert client.post(reverse("engagement:follow", args=["member", "XX"]), {"action": "follow"}).status_code == 404


def test_each_notice_goes_once_even_when_the_task_runs_twice(people, django_capture_on_commit_callbacks, monkeypatch):
    u = people.users
    services.follow(people.commitment, by=u.civil)
    services.follow(people.kg, by=u.civil)  # the same person twice over: one email
    services.follow(people.plan, by=u.civil2)
    queued = []
    monkeypatch.setattr(tasks.notify_followers_task, "delay", lambda kind, pk: queued.append((kind, pk)))
    with django_capture_on_commit_callbacks(execute=True):
        row = services.review(people.published, by=u.civil2, stance="dispute", comment="Not online.", now=timezone.now())
    assert queued == [("review", row.pk)]
    # The reviewer is not told of their own review; the other follower is, once.
    assert tasks.notify_followers_task("review", row.pk) == 1
    assert tasks.notify_followers_task("review", row.pk) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["citizen@example.org"]
    assert "KG0017" in message.subject
    assert "/engagement/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Message.objects.filter(key=f"follow:review:{row.pk}:{u.civil.pk}", sent_at__isnull=False).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.respond(row, by=u.coordinator, text="Online since June.", now=timezone.now())
    assert queued[-1] == ("response", row.pk)
    assert tasks.notify_followers_task("response", row.pk) == 2
    tasks.notify_followers_task("response", row.pk)
    assert len(mail.outbox) == 3


def test_approving_an_update_and_publishing_a_report_notify_followers(people, django_capture_on_commit_callbacks, monkeypatch):
    u = people.users
    services.follow(people.plan, by=u.civil)
    queued = []
    monkeypatch.setattr(tasks.notify_followers_task, "delay", lambda kind, pk: queued.append((kind, pk)))
    submitted = ProgressUpdate.objects.create(
        milestone=people.published.milestone, completion="complete", author=u.coordinator, state="submitted",
        submitted_at=timezone.now(), period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 6, 30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        commitment_progress.approve_progress(submitted, by=u.poc, version=submitted.version, now=timezone.now())
    assert queued == [("update", submitted.pk)]
    tasks.notify_followers_task("update", submitted.pk)
    tasks.notify_followers_task("update", submitted.pk)
    assert len(mail.outbox) == 1 and "KG0017" in mail.outbox[0].subject

    report = StatusReport.objects.create(
        member=people.kg, plan=people.plan, period_label="2019-H2", period_start=dt.date(2019, 7, 1),
        period_end=dt.date(2019, 12, 31), state="published", published_at=timezone.now(),
    )
    assert tasks.notify_followers_task("status_report", report.pk) == 1
    assert tasks.notify_followers_task("status_report", report.pk) == 0


def test_a_status_change_reaches_member_followers(people):
    services.follow(people.kg, by=people.users.civil)
    today = timezone.localdate()
    event = StatusEvent.objects.create(member=people.kg, status="inactive", previous_status="active", effective_on=today)
    assert tasks.notify_followers_task("status_event", event.pk) == 1
    assert tasks.notify_followers_task("status_event", event.pk) == 0
    old = StatusEvent.objects.create(member=people.kg, status="under_review", effective_on=today - dt.timedelta(days=400))
    assert tasks.notify_followers_task("status_event", old.pk) == 0  # the past a first sweep records is not news


def test_unsubscribe_by_signed_link_and_tampered_link_refused(people, client):
    row = services.follow(people.commitment, by=people.users.civil)
    path = services.unsubscribe_path(row)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    tampered = path.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert client.get(tampered).status_code == 400
    assert client.post(tampered).status_code == 400
    assert Follow.objects.filter(pk=row.pk).exists()
    assert client.get(path).status_code == 200
    assert Follow.objects.filter(pk=row.pk).exists()  # a GET (a mail scanner) changes nothing
    assert client.post(path).status_code == 200  # one click, no session, no CSRF token (RFC 8058)
    assert not Follow.objects.filter(pk=row.pk).exists()
    assert client.post(path).status_code == 200  # again: already gone, still fine


def test_atom_feeds_parse_and_hold_published_updates_only(people, client):
    # The follow block links the same feeds as the pages' <head> (commitments/feeds.py, the only feeds).
    page = client.get(people.commitment.get_absolute_url()).content.decode()
    assert page.count(f'href="{reverse("commitments:commitment_feed", args=["KG0017"])}"') == 3  # head, follow block, foot
    for url in (
        reverse("commitments:commitment_feed", args=["KG0017"]),
        reverse("commitments:plan_feed", args=[people.plan.pk]),
        reverse("commitments:member_feed", args=["KG"]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert feed.version == "atom10" and not feed.bozo
        ids = [entry.id for entry in feed.entries]
        assert any(i.endswith(f"/update-{people.published.pk}") for i in ids)
        assert not any(i.endswith(f"/update-{people.draft.pk}") for i in ids)
    assert client.get(reverse("commitments:member_feed", args=["XX"])).status_code == 404
