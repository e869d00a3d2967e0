"""Invitations: one email per current member with the agenda and an .ics, sent once; RSVP by signed link."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import translation

from forums import services
from forums.models import Invitation
from forums.tasks import send_invitations_task
from tests.forums.conftest import at
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 2, 9)


@pytest.fixture
def meeting(bishkek_forum, secretariat):
    return services.schedule_meeting(
        bishkek_forum, starts_at=at(2026, 12, 10), ends_at=at(2026, 12, 10, 12), by=secretariat, now=NOW,
        title="Open Bishkek: Q4 meeting", place="Bishkek City Hall", agenda="1. Progress on KGBSK0001\n2. Next plan",
        invite=False,
    )


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def rsvp_url_from(message):
    line = next(line for line in message.body.splitlines() if "/rsvp/" in line)
    return line[line.index("/forums/rsvp/"):].strip()


def test_every_current_member_gets_one_invitation_with_agenda_and_ics(meeting, pinned):
    sent = send_invitations_task(meeting.pk)
    assert sent == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["adilat@example.kg", "dmitry@example.kg", "gulzhan@example.kg", "kubanychbek@example.kg", "meder@example.kg", "mirlanbek@example.kg"]
    )
    message = mail.outbox[0]
    assert message.subject == "Invitation: Open Bishkek: Q4 meeting on Dec. 10, 2026"
    assert "1. Progress on KGBSK0001" in message.body and "Bishkek City Hall" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == "meeting.ics" and mimetype.startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(content)
    assert cal["METHOD"] == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Open Bishkek Committee: Open Bishkek: Q4 meeting"
    assert event.decoded("DTSTART") == at(2026, 12, 10)
    assert event["DTSTART"].params["TZID"] == "Asia/Bishkek"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Bishkek"]
    assert len(event.walk("VALARM")) == 2
    assert str(event["ATTENDEE"]) == f"mailto:{message.to[0]}"


def test_running_the_task_twice_sends_each_invitation_once(meeting, pinned):
    assert send_invitations_task(meeting.pk) == 6
    assert send_invitations_task(meeting.pk) == 0
    assert send_invitations_task.apply(args=[meeting.pk]).get() == 0  # through Celery's own call path
    assert len(mail.outbox) == 6
    assert Invitation.objects.filter(meeting=meeting, sent_at__isnull=False).count() == 6


def test_a_claim_held_by_a_running_sender_is_not_sent_again(meeting, pinned):
    services.send_meeting_invitations(meeting.pk, now=NOW)
    mail.outbox.clear()
    # A sender that claimed a row and is still working (or died a minute ago): not taken over yet.
    # The claim is the outbox's (one claim and retry policy for every email).
    from outbox.models import Message

    row = Invitation.objects.filter(meeting=meeting).first()
    Invitation.objects.filter(pk=row.pk).update(sent_at=None, claimed_at=NOW - dt.timedelta(minutes=1))
    Message.objects.filter(key=f"invitation:{row.pk}:{row.sequence}").update(sent_at=None, claimed_at=NOW - dt.timedelta(minutes=1))
    assert services.send_meeting_invitations(meeting.pk, now=NOW) == 0
    # After the stale delay, the claim is taken over and the invitation goes out once.
    later = NOW + dt.timedelta(minutes=20)
    assert services.send_meeting_invitations(meeting.pk, now=later) == 1
    assert services.send_meeting_invitations(meeting.pk, now=later) == 0
    assert len(mail.outbox) == 1


def test_members_without_email_or_out_of_term_are_skipped(meeting, bishkek_forum, pinned):
    bishkek_forum.memberships.filter(person="Meder Manasovich Kasymov").update(email="")
    bishkek_forum.memberships.filter(person="Adilat Saparbaeva").update(term_end=dt.date(2026, 6, 30))
    assert send_invitations_task(meeting.pk) == 4


def test_a_rescheduled_meeting_sends_an_updated_invitation_once(meeting, secretariat, pinned):
    send_invitations_task(meeting.pk)
    services.reschedule_meeting(meeting, starts_at=at(2026, 12, 17), reason="Budget hearing", by=secretariat, now=NOW, invite=False)
    mail.outbox.clear()
    assert send_invitations_task(meeting.pk) == 6
    assert send_invitations_task(meeting.pk) == 0
    assert mail.outbox[0].subject.startswith("Updated invitation:")
    event = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1


def test_no_invitations_for_a_cancelled_or_past_meeting(meeting, secretariat, pinned):
    services.cancel_meeting(meeting, reason="Postponed to January", by=secretariat, now=NOW)
    assert send_invitations_task(meeting.pk) == 0
    assert send_invitations_task(999999) == 0


def test_rsvp_accept_decline_and_delegate(client, meeting, pinned):
    send_invitations_task(meeting.pk)
    url = rsvp_url_from(mail.outbox[0])
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_page(response)
    assert client.post(url, {"response": "accepted"}).status_code == 200
    invitation = Invitation.objects.get(email=mail.outbox[0].to[0])
    assert invitation.response == "accepted"
    response = client.post(url, {"response": "delegated"})
    assert response.status_code == 400  # a representative needs a name
    assert "Name the representative" in response.content.decode()
    client.post(url, {"response": "delegated", "delegate": "Aigul Toktosunova, deputy director"})
    invitation.refresh_from_db()
    assert (invitation.response, invitation.delegate) == ("delegated", "Aigul Toktosunova, deputy director")
    client.post(url, {"response": "declined", "delegate": "ignored"})
    invitation.refresh_from_db()
    assert (invitation.response, invitation.delegate) == ("declined", "")


def test_tampered_rsvp_link_is_refused_with_400(client, meeting, pinned):
    send_invitations_task(meeting.pk)
    url = rsvp_url_from(mail.outbox[0])
    token = url.rstrip("/").rsplit("/", 1)[-1]
    tampered = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    response = client.post(tampered, {"response": "declined"})
    assert response.status_code == 400
    assert "This answer link is not valid" in response.content.decode()
    forged = signing.dumps({"i": Invitation.objects.first().pk, "s": 0}, salt="another.salt", compress=True)
    assert client.get(reverse("forums:rsvp", args=[forged])).status_code == 400
    assert not Invitation.objects.exclude(response="pending").exists()


def test_expired_rsvp_link_is_refused_with_410(client, meeting, settings):
    with time_machine.travel(NOW - dt.timedelta(days=90), tick=False):
        invitation = Invitation.objects.create(meeting=meeting, membership=meeting.forum.memberships.first(), email="x@example.kg")
        token = services.rsvp_token(invitation)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("forums:rsvp", args=[token]), {"response": "accepted"})
    assert response.status_code == 410
    assert "This answer link has expired" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_link_from_before_a_reschedule_is_refused(client, meeting, secretariat, pinned):
    send_invitations_task(meeting.pk)
    url = rsvp_url_from(mail.outbox[0])
    services.reschedule_meeting(meeting, starts_at=at(2026, 12, 17), reason="Budget hearing", by=secretariat, now=NOW, invite=False)
    response = client.post(url, {"response": "accepted"})
    assert response.status_code == 410
    assert "latest invitation" in response.content.decode()


def test_refusal_message_is_translated(client, meeting, pinned):
    with time_machine.travel(NOW, tick=False):
        response = client.get("/ru" + reverse("forums:rsvp", args=["not-a-token"]))
    assert response.status_code == 400
    assert_strict_page(response, lang="ru")


def test_secretariat_sees_the_answers_and_the_attendance_form_starts_from_them(client, meeting, secretariat, pinned):
    send_invitations_task(meeting.pk)
    by_email = {m.to[0]: rsvp_url_from(m) for m in mail.outbox}
    client.post(by_email["gulzhan@example.kg"], {"response": "delegated", "delegate": "Aida Kasymova"})
    client.post(by_email["mirlanbek@example.kg"], {"response": "accepted"})
    client.post(by_email["dmitry@example.kg"], {"response": "declined"})
    public = client.get(meeting.get_absolute_url()).content.decode()
    assert "Answers to the invitation" not in public
    client.force_login(secretariat)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Answers to the invitation" in html and "Sends a representative</span> — Aida Kasymova" in html
    with time_machine.travel(at(2026, 12, 10, 15), tick=False):
        client.force_login(secretariat)
        form = client.get(reverse("forums:record", args=[meeting.forum_id, meeting.pk])).content.decode()
    gulzhan = meeting.forum.memberships.get(person="Gulzhan Baibetova")
    mirlanbek = meeting.forum.memberships.get(person="Mirlanbek Baigonchokov")
    assert f'name="status-{gulzhan.pk}" value="represented" checked' in form
    assert f'name="representative-{gulzhan.pk}" value="Aida Kasymova"' in form
    assert f'name="status-{mirlanbek.pk}" value="present" checked' in form


def test_each_invitation_is_written_in_its_recipients_language(meeting, bishkek_forum, pinned):
    # Gulzhan reads Russian, Mirlanbek Kyrgyz (recorded on their membership); the others keep the default, English.
    bishkek_forum.memberships.filter(person="Gulzhan Baibetova").update(language="ru")
    bishkek_forum.memberships.filter(person="Mirlanbek Baigonchokov").update(language="ky")
    with translation.override("ky"):  # the sender's own language plays no part
        assert send_invitations_task(meeting.pk) == 6
    by_email = {m.to[0]: m for m in mail.outbox}
    expected = {
        "gulzhan@example.kg": ("ru", "Приглашение: Open Bishkek: Q4 meeting, 10 декабря 2026", "Повестка дня:", "Заседание форума завтра"),
        "mirlanbek@example.kg": ("ky", "Чакыруу: Open Bishkek: Q4 meeting", "Күн тартиби:", "Форумдун жыйыны эртең"),
        "dmitry@example.kg": ("en", "Invitation: Open Bishkek: Q4 meeting on Dec. 10, 2026", "Agenda:", "Forum meeting tomorrow"),
    }
    for email, (lang, subject, agenda, alarm) in expected.items():
        message = by_email[email]
        assert message.subject.startswith(subject), message.subject
        assert agenda in message.body and "1. Progress on KGBSK0001" in message.body
        assert message.extra_headers["Content-Language"] == lang
        event = icalendar.Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
        assert [str(a["DESCRIPTION"]) for a in event.walk("VALARM")][0] == alarm
        # The answer page opens in the same language.
        rsvp_line = next(line for line in message.body.splitlines() if "/forums/rsvp/" in line)
        assert ("/forums/rsvp/" if lang == "en" else f"/{lang}/forums/rsvp/") in rsvp_line
    assert "декабрь" in by_email["mirlanbek@example.kg"].subject.lower()
    # No language recorded and no account: the portal's default, whatever language is active.
    with translation.override("ru"):
        assert bishkek_forum.memberships.get(email="dmitry@example.kg").contact_language == "en"
