"""The secretariat's loop: contacts kept without the admin, who an invitation reaches, versioned meeting forms
(409 with what changed), a held meeting entered afterwards, holiday warnings, absurd years, cancellation notices."""

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from forums import services
from forums.models import ForumMembership, Meeting
from ogp_portal.celery import app as celery_app
from ogp_portal.versioning import current_version
from tests.forums.conftest import at
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 2, 9)


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def signed_in(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_the_secretariat_keeps_contacts_without_the_admin_with_history(signed_in, bishkek_forum, pinned):
    meder = bishkek_forum.memberships.get(person__startswith="Meder")
    ForumMembership.objects.filter(pk=meder.pk).update(email="")
    meder.refresh_from_db()
    url = reverse("forums:contacts", args=[bishkek_forum.pk])
    response = signed_in.get(url)
    assert_strict_page(response)
    page = response.content.decode()
    assert page.count('id="c%d-id_email"' % meder.pk) == 0 and page.count(f'id="c{meder.pk}-email"') == 1  # unique ids per row
    assert "1 member has no email address and gets no invitation." in page
    assert f'id="contact-{meder.pk}"' in page
    version = current_version(meder)
    response = signed_in.post(url, {
        "membership": meder.pk, "version": version, "email": "meder@bishkek.kg", "language": "ky",
        "alternate": "Aibek Osmonov, deputy", "alternate_email": "aibek@bishkek.kg",
    })
    assert response.status_code == 302
    meder.refresh_from_db()
    assert (meder.email, meder.language, meder.alternate, meder.alternate_email) == (
        "meder@bishkek.kg", "ky", "Aibek Osmonov, deputy", "aibek@bishkek.kg"
    )
    latest = meder.history.order_by("-history_id").first()  # the clock is pinned: order by insertion
    assert latest.email == "meder@bishkek.kg" and latest.history_user.username == "bishkek-secretariat"
    # The same (now stale) form again: 409, nothing overwritten, the page shows the new values.
    response = signed_in.post(url, {"membership": meder.pk, "version": version, "email": "old@bishkek.kg"})
    assert response.status_code == 409
    assert "meder@bishkek.kg" in response.content.decode()
    meder.refresh_from_db()
    assert meder.email == "meder@bishkek.kg"
    # A bad address: 400 with the field's message, nothing saved.
    response = signed_in.post(url, {"membership": meder.pk, "version": current_version(meder), "email": "not-an-address"})
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()


def test_others_cannot_open_the_contacts(client, bishkek_forum, other_secretariat):
    client.force_login(other_secretariat)
    assert client.get(reverse("forums:contacts", args=[bishkek_forum.pk])).status_code == 403


def test_before_sending_the_page_says_who_gets_no_invitation_and_after_who_got_one(
    signed_in, bishkek_forum, secretariat, pinned, eager, django_capture_on_commit_callbacks
):
    ForumMembership.objects.filter(forum=bishkek_forum, person__startswith="Meder").update(email="")
    new_page = signed_in.get(reverse("forums:meeting_new", args=[bishkek_forum.pk])).content.decode()
    assert "1 member will not get an invitation: no email address." in new_page and "Meder" in new_page
    assert "5 members will be invited by email." in new_page
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW, invite=False)
    page = signed_in.get(meeting.get_absolute_url()).content.decode()
    assert "1 member will not get an invitation: no email address." in page
    assert reverse("forums:contacts", args=[bishkek_forum.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("forums:invite", args=[bishkek_forum.pk, meeting.pk]))
    page = signed_in.get(meeting.get_absolute_url()).content.decode()
    assert page.count('data-label="Sent">Nov. 2, 2026') == 5  # who got one, with the day it went


def test_a_stale_reschedule_or_cancel_is_a_409_with_what_changed(signed_in, bishkek_forum, secretariat, pinned):
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW, invite=False)
    reschedule = reverse("forums:reschedule", args=[bishkek_forum.pk, meeting.pk])
    cancel = reverse("forums:cancel", args=[bishkek_forum.pk, meeting.pk])
    assert f'name="version" value="{meeting.version}"' in signed_in.get(reschedule).content.decode()
    assert f'name="version" value="{meeting.version}"' in signed_in.get(cancel).content.decode()
    read = meeting.version
    # Tab 1 moves the meeting; tab 2, opened before, cancels it: refused, with what changed.
    assert signed_in.post(reschedule, {"day": "2026-12-17", "starts": "15:00", "reason": "Budget hearing", "version": read}).status_code == 302
    response = signed_in.post(cancel, {"reason": "Reorganisation", "version": read})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="what-changed"' in html and "2026-12-10 10:00" in html and "2026-12-17 15:00" in html
    meeting.refresh_from_db()
    assert meeting.status == "planned" and meeting.starts_at == at(2026, 12, 17, 15)
    assert f'name="version" value="{meeting.version}"' in html  # the next send succeeds
    assert signed_in.post(cancel, {"reason": "Reorganisation", "version": meeting.version}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_a_stale_attendance_record_is_a_409(signed_in, bishkek_forum, secretariat):
    with time_machine.travel(at(2026, 9, 1), tick=False):
        meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 10, 1), by=secretariat, now=at(2026, 9, 1), invite=False)
    with time_machine.travel(NOW, tick=False):
        url = reverse("forums:record", args=[bishkek_forum.pk, meeting.pk])
        form = signed_in.get(url).content.decode()
        assert f'name="version" value="{meeting.version}"' in form
        rows = {f"status-{m.pk}": "present" for m in bishkek_forum.memberships.all()}
        assert signed_in.post(url, {**rows, "version": meeting.version}).status_code == 302
        assert signed_in.post(url, {**rows, "version": meeting.version}).status_code == 409


def test_a_held_meeting_never_entered_is_recorded_afterwards(signed_in, bishkek_forum, pinned):
    url = reverse("forums:meeting_new", args=[bishkek_forum.pk])
    response = signed_in.post(url, {"day": "2026-10-15", "starts": "10:00", "title": "October meeting", "already_held": "on"})
    meeting = Meeting.objects.get(title="October meeting")
    assert response.status_code == 302 and response["Location"] == reverse("forums:record", args=[bishkek_forum.pk, meeting.pk])
    assert not meeting.invitations.exists()
    rows = {f"status-{m.pk}": "present" for m in bishkek_forum.memberships.all()}
    assert signed_in.post(response["Location"], {**rows, "version": meeting.version}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held"
    # "Already held" in the future is refused with a message.
    response = signed_in.post(url, {"day": "2026-12-15", "starts": "10:00", "already_held": "on"})
    assert response.status_code == 400 and "A meeting already held must be in the past." in response.content.decode()


def test_a_public_holiday_is_warned_about_and_kept_only_when_confirmed(signed_in, bishkek_forum, pinned):
    url = reverse("forums:meeting_new", args=[bishkek_forum.pk])
    with translation.override("ru"):
        ru_url = reverse("forums:meeting_new", args=[bishkek_forum.pk])
    response = signed_in.post(ru_url, {"day": "2027-01-01", "starts": "10:00", "title": "New year"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="date-warnings"' in html and "Новый год" in html
    assert not Meeting.objects.filter(title="New year").exists()
    response = signed_in.post(url, {"day": "2027-01-01", "starts": "10:00", "title": "New year", "confirm_holiday": "on"})
    assert response.status_code == 302
    assert Meeting.objects.filter(title="New year").exists()
    assert services.date_warnings(bishkek_forum, at(2026, 11, 16)) == []  # the suggested Monday: no warning


@pytest.mark.parametrize("day, message", [
    ("2099-01-01", "at most 2 years ahead"),
    ("2010-06-01", "cannot be before 2011"),
])
def test_absurd_years_are_refused_with_a_clear_message(signed_in, bishkek_forum, secretariat, pinned, day, message):
    url = reverse("forums:meeting_new", args=[bishkek_forum.pk])
    before = Meeting.objects.count()
    response = signed_in.post(url, {"day": day, "starts": "10:00", "already_held": "on" if day < "2026" else "", "confirm_holiday": "on"})
    assert response.status_code == 400 and message in response.content.decode()
    assert Meeting.objects.count() == before
    with pytest.raises(ValidationError):
        services.schedule_meeting(bishkek_forum, starts_at=at(2099, 1, 1), by=secretariat, now=NOW, invite=False)


def test_cancelling_tells_every_member_with_an_address_in_their_language(
    bishkek_forum, secretariat, pinned, eager, django_capture_on_commit_callbacks
):
    ForumMembership.objects.filter(forum=bishkek_forum, person__startswith="Meder").update(email="")
    ForumMembership.objects.filter(forum=bishkek_forum, person__startswith="Adilat").update(language="ru")
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW, invite=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(meeting, reason="Budget hearing", by=secretariat, now=NOW)
    assert len(mail.outbox) == 5
    adilat = next(m for m in mail.outbox if m.to == ["adilat@example.kg"])
    assert adilat.extra_headers["Content-Language"] == "ru"
    assert "Budget hearing" in adilat.body and f"/ru/forums/{bishkek_forum.pk}/meetings/{meeting.pk}/" in adilat.body
    name, content, mimetype = adilat.attachments[0]
    assert name == "meeting.ics" and mimetype == "text/calendar; method=CANCEL"
    assert icalendar.Calendar.from_ical(content)["METHOD"] == "CANCEL"


def test_scheduling_invites_everyone_with_an_address_by_default(bishkek_forum, secretariat, pinned, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=NOW)
    assert len(mail.outbox) == 6
    assert all(m.attachments and "text/calendar" in m.attachments[0][2] for m in mail.outbox)
