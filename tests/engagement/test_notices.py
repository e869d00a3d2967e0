"""Notices of work to do: every transition tells who must act, in their language, with a link to the form,
through the one outbox (one retry policy), immediate or in a daily digest, with RFC 8058 one-click unsubscribe."""

import datetime as dt
import email
import email.policy

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Preference
from commitments import progress
from commitments.models import ProgressUpdate
from engagement import services
from ogp_portal.celery import app as celery_app
from outbox import services as outbox
from outbox.models import Message
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def eager(settings):
    """Tasks run in the process that queues them (as in the demo): the real task path, no broker."""
    settings.SITE_URL = SITE
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def speak(user, language, **extra):
    Preference.objects.update_or_create(user=user, defaults={"language": language, **extra})


def by_address(addresses=None):
    return {m.to[0]: m for m in mail.outbox if addresses is None or m.to[0] in addresses}


def raw(message) -> bytes:
    return message.message().as_bytes()


def submitted_update(people):
    u = people.users
    return ProgressUpdate.objects.create(
        milestone=people.published.milestone, completion="substantial", author=u.coordinator, state="draft",
        narrative="Audit reports online.", period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 6, 30),
    )


def test_submit_return_approve_tell_who_must_act_in_their_language_with_the_form_link(people, django_capture_on_commit_callbacks):
    u = people.users
    speak(u.poc, "ru")
    speak(u.coordinator, "ky")
    update = submitted_update(people)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        progress.submit_progress(update, by=u.coordinator, version=update.version, now=now)
    # Submitted → the member's points of contact (KG's, not Bishkek's), in Russian, linking to the review form.
    assert [m.to for m in mail.outbox] == [["kg-poc@example.org"]]
    message = mail.outbox[0]
    assert "KG0017" in message.subject
    assert "Dear" not in message.body and "kg-poc" not in message.body.split("\n", 1)[0]
    link = f"{SITE}/ru{reverse('commitments:review_progress', args=[update.pk]).removeprefix('/en')}"
    assert link in message.body, message.body
    assert message.extra_headers["Content-Language"] == "ru"

    mail.outbox.clear()
    update.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        progress.return_progress(update, by=u.poc, version=update.version, now=now, comment="Add the link to the reports.")
    # Returned → the author and the lead agency's coordinators (the Ministry of Finance's is not told).
    assert sorted(m.to[0] for m in mail.outbox) == ["chamber@example.org"]
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "ky"
    assert "Add the link to the reports." in message.body
    assert f"/ky/commitments/KG0017/milestones/{update.milestone_id}/progress/?period=" in message.body

    mail.outbox.clear()
    update.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        progress.submit_progress(update, by=u.coordinator, version=update.version, now=now)
    assert [m.to for m in mail.outbox] == [["kg-poc@example.org"]]  # a second submission is a new notice
    mail.outbox.clear()
    services.follow(people.commitment, by=u.civil)
    update.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        progress.approve_progress(update, by=u.poc, version=update.version, now=now)
    # Approved → the author (its own notice) and the commitment's followers (the follow notice).
    got = by_address()
    assert sorted(got) == ["chamber@example.org", "citizen@example.org"]
    assert f"/ky/commitments/KG0017/#update-{update.pk}" in got["chamber@example.org"].body
    assert "KG0017" in got["citizen@example.org"].subject
    assert Message.objects.filter(sent_at__isnull=False).count() == 5


def test_a_dispute_tells_the_lead_agency_and_the_point_of_contact_and_the_response_tells_the_reviewer(
    people, django_capture_on_commit_callbacks
):
    u = people.users
    speak(u.civil, "ru")
    with django_capture_on_commit_callbacks(execute=True):
        row = services.review(people.published, by=u.civil, stance="dispute", comment="Not online.", now=timezone.now())
    got = by_address()
    assert sorted(got) == ["chamber@example.org", "kg-poc@example.org"]  # not finance, not Bishkek, not the reviewer
    assert f"{SITE}/engagement/reviews/{row.pk}/respond/" in got["chamber@example.org"].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.respond(row, by=u.coordinator, text="Online since June.", now=timezone.now())
    assert [m.to for m in mail.outbox] == [["citizen@example.org"]]
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "ru"
    assert "Online since June." in message.body and f"/ru/commitments/KG0017/#review-{row.pk}" in message.body


def test_an_agreeing_review_tells_no_one_to_act(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.review(people.published, by=people.users.civil, stance="agree", comment="Right.", now=timezone.now())
    assert mail.outbox == []


def test_follow_emails_come_in_the_followers_language_with_correctly_encoded_one_click_headers(people, django_capture_on_commit_callbacks):
    """A Russian-speaking follower gets the notice in Russian; List-Unsubscribe is a bare <https://…> on one line."""
    u = people.users
    speak(u.civil, "ru")
    services.follow(people.commitment, by=u.civil)
    with django_capture_on_commit_callbacks(execute=True):
        services.review(people.published, by=u.civil2, stance="partly", comment="Half of it.", now=timezone.now())
    message = by_address()["citizen@example.org"]
    assert "KG0017" in message.subject
    assert message.extra_headers["Content-Language"] == "ru"
    assert "/ru/commitments/KG0017/" in message.body
    assert "Отписаться одним нажатием:" in message.body and "Unsubscribe with one click" not in message.body
    data = raw(message)
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    unsubscribe = parsed["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{SITE}/engagement/unsubscribe/") and unsubscribe.endswith(">")
    assert b"=?utf-8?" not in [line for line in data.split(b"\n") if line.startswith(b"List-Unsubscribe:")][0]
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in data
    # The same bytes through the SMTP policy (what the SMTP backend sends): CRLF, still one line.
    smtp_bytes = message.message(policy=email.policy.SMTP).as_bytes()
    assert f"List-Unsubscribe: <{SITE}/engagement/unsubscribe/".encode() in smtp_bytes
    # One click (RFC 8058): a POST with only the one-click body, no session, no CSRF token.
    path = unsubscribe[1:-1].removeprefix(SITE)
    response = people_client_post(path)
    assert response.status_code == 200
    assert not people.commitment.follows.filter(user=u.civil).exists()


def people_client_post(path):
    from django.test import Client

    return Client(enforce_csrf_checks=True).post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")


def test_one_click_unsubscribe_from_notices_and_the_daily_digest(people, django_capture_on_commit_callbacks):
    u = people.users
    speak(u.poc, "ru", notices="daily")
    update = submitted_update(people)
    with django_capture_on_commit_callbacks(execute=True):
        progress.submit_progress(update, by=u.coordinator, version=update.version, now=timezone.now())
    assert mail.outbox == []  # held for the digest
    held = Message.objects.get(recipient=u.poc)
    assert held.held_for_digest and held.sent_at is None
    assert outbox.send_digests(timezone.now()) == 1
    assert outbox.send_digests(timezone.now()) == 0  # once
    digest = mail.outbox[0]
    assert digest.to == ["kg-poc@example.org"] and "KG0017" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # One click from the notice: no more notices.
    url = held.headers["List-Unsubscribe"][1:-1]
    response = people_client_post(url.removeprefix(SITE))
    assert response.status_code == 200
    assert Preference.objects.get(user=u.poc).notices == "none"
    mail.outbox.clear()
    update.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        progress.return_progress(update, by=u.poc, version=update.version, now=timezone.now(), comment="More detail.")
        progress.save_progress  # noqa: B018
    assert "kg-poc@example.org" not in by_address()
    # A tampered token: 400 with a message, nothing changed.
    assert people_client_post(url.removeprefix(SITE)[:-3] + "xyz/").status_code == 400


def test_the_notice_settings_page_saves_the_choice(people, client):
    client.force_login(people.users.coordinator)
    url = reverse("engagement:notice_settings")
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_page(response)
    assert client.post(url, {"notices": "sometimes"}).status_code == 400
    assert client.post(url, {"notices": "daily"}).status_code == 302
    assert outbox.delivery_choice(people.users.coordinator) == "daily"


def test_a_failed_send_is_retried_by_the_one_policy_then_given_up(people, monkeypatch):
    from outbox.mail import OutboxEmail

    now = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    message = outbox.post(key="t:1", email="a@example.org", subject="S", body="B", now=now)
    assert outbox.post(key="t:1", email="a@example.org", subject="S", body="B", now=now) is None  # once per key

    def down(self, *a, **k):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(OutboxEmail, "send", down)
    assert not outbox.deliver(message, now=now)
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (1, now + outbox.BACKOFF[0])
    assert outbox.deliver_due(now + dt.timedelta(minutes=5)) == 0  # not due yet
    t = now
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        t = t + dt.timedelta(days=1)
        outbox.deliver_due(t)
    message.refresh_from_db()
    assert message.attempts == outbox.MAX_ATTEMPTS and message.gave_up_at is not None
    monkeypatch.undo()
    assert outbox.deliver_due(t + dt.timedelta(days=2)) == 0 and mail.outbox == []
    other = outbox.post(key="t:2", email="b@example.org", subject="S", body="B", now=now)
    assert outbox.deliver_due(now) == 1 and mail.outbox[0].to == ["b@example.org"]
    assert not outbox.deliver(other, now=now)  # sent once


def test_letters_and_notices_greet_by_name_and_title_else_the_role(people):
    from accounts.services import addressee

    u = people.users
    assert addressee(u.poc, people.kg) == "Point of contact, Kyrgyz Republic"
    assert "kg-poc" not in addressee(u.poc)
    u.poc.first_name, u.poc.last_name = "Aida", "Bekova"
    u.poc.save()
    speak(u.poc, "", title="Deputy Minister of Digital Development")
    assert addressee(u.poc, people.kg) == "Aida Bekova, Deputy Minister of Digital Development"
    assert addressee(u.civil) == "colleague"


def test_a_person_who_follows_from_a_russian_page_gets_follow_emails_in_russian(people, client, django_capture_on_commit_callbacks):
    """The reported bug: an account that never used the switcher, following in Russian, got English emails."""
    u = people.users
    client.force_login(u.civil)
    with translation.override("ru"):
        url = reverse("engagement:follow", args=["commitment", "KG0017"])
    assert url.startswith("/ru/")
    assert client.post(url, {"action": "follow"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        services.review(people.published, by=u.civil2, stance="agree", comment="Yes.", now=timezone.now())
    message = by_address()["citizen@example.org"]
    assert message.extra_headers["Content-Language"] == "ru"
    assert "/ru/commitments/KG0017/" in message.body
    assert "Отписаться одним нажатием:" in message.body and "Unsubscribe with one click" not in message.body


def test_an_open_dispute_stays_on_my_work_of_the_lead_agency_and_the_point_of_contact_until_answered(people, client):
    u = people.users
    row = services.review(people.published, by=u.civil, stance="dispute", comment="The reports are not online.", now=timezone.now())
    respond = reverse("engagement:respond", args=[row.pk])
    for user, shown in ((u.coordinator, True), (u.poc, True), (u.other_coordinator, False), (u.other_poc, False)):
        client.force_login(user)
        page = client.get(reverse("work:my_work")).content.decode()
        assert (respond in page) is shown, user
        assert ("The reports are not online." in page) is shown
    services.respond(row, by=u.coordinator, text="They are, since June.", now=timezone.now())
    client.force_login(u.poc)
    assert respond not in client.get(reverse("work:my_work")).content.decode()


def test_the_beat_runs_the_outbox_retry_and_the_daily_digest(settings):
    from outbox import tasks as outbox_tasks

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"outbox.tasks.deliver_due_task", "outbox.tasks.send_digests_task"} <= schedule
    assert outbox_tasks.deliver_due_task.name in celery_app.tasks and outbox_tasks.send_digests_task.name in celery_app.tasks
    now = timezone.now()
    outbox.post(key="t:beat", email="c@example.org", subject="S", body="B", now=now)
    assert outbox_tasks.deliver_due_task() == 1 and mail.outbox[0].to == ["c@example.org"]
