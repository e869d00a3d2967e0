"""The meeting record: attendance and quorum, minutes approved by the co-chairs, decisions and action items."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from forums import services
from forums.models import ActionItem, Attendance, ForumMembership, Meeting
from tests.factories import CommitmentFactory, UserFactory
from tests.forums.conftest import at
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db
SCHEDULED_ON = at(2026, 11, 2, 9)
AFTER = at(2026, 12, 10, 15)


@pytest.fixture
def meeting(bishkek_forum, secretariat):
    return services.schedule_meeting(
        bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=SCHEDULED_ON, title="Q4 meeting", invite=False
    )


@pytest.fixture
def co_chairs(bishkek_forum):
    """The committee's two co-chairs, one from each side."""
    chairs = list(bishkek_forum.memberships.filter(person__in=["Mirlanbek Baigonchokov", "Gulzhan Baibetova"]))
    for m in chairs:
        m.role = ForumMembership.Role.CO_CHAIR
        m.save()
    return chairs


def everyone(forum, status="present", **overrides):
    return {m.pk: overrides.get(m.person, (status, "")) for m in forum.memberships.all()}


@pytest.fixture
def signed_in(client, secretariat):
    client.force_login(secretariat)
    return client


def test_recording_attendance_makes_the_meeting_held_with_quorum(bishkek_forum, meeting, secretariat):
    attendance = everyone(bishkek_forum, "absent", **{
        "Mirlanbek Baigonchokov": ("present", ""),
        "Meder Manasovich Kasymov": ("represented", "Aibek Sadykov, deputy head"),
        "Gulzhan Baibetova": ("present", ""),
        "Adilat Saparbaeva": ("present", ""),
    })
    services.record_meeting(meeting, attendance=attendance, by=secretariat, now=AFTER)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    rows = list(meeting.attendances.select_related("membership"))
    assert sorted(a.status for a in rows) == ["absent", "absent", "present", "present", "present", "represented"]
    q = services.meeting_quorum(meeting, rows)
    assert (q.attending, q.required, q.met) == (4, 4, True)


def test_attendance_cannot_be_recorded_before_the_meeting_or_for_a_stranger(bishkek_forum, meeting, secretariat):
    with pytest.raises(ValidationError):
        services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=SCHEDULED_ON)
    stranger = ForumMembership.objects.create(forum=meeting.forum.__class__.objects.create(member=bishkek_forum.member, name="Other"), person="X", sector="other")
    with pytest.raises(ValidationError):
        services.record_meeting(meeting, attendance={stranger.pk: ("present", "")}, by=secretariat, now=AFTER)
    with pytest.raises(ValidationError):
        services.record_meeting(
            meeting, attendance=everyone(bishkek_forum, **{"Gulzhan Baibetova": ("represented", "")}), by=secretariat, now=AFTER
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and not meeting.attendances.exists()


def test_minutes_are_published_once_both_co_chairs_approve(bishkek_forum, meeting, secretariat, co_chairs):
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    services.save_minutes(meeting, text="The committee reviewed KGBSK0001.", by=secretariat, now=AFTER)
    assert services.approve_minutes(meeting, co_chairs[0], by=secretariat, now=AFTER) is False
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is None
    later = AFTER + dt.timedelta(days=3)
    assert services.approve_minutes(meeting, co_chairs[1], by=secretariat, now=later) is True
    meeting.refresh_from_db()
    assert meeting.minutes_published_at == later
    with pytest.raises(ValidationError):
        services.save_minutes(meeting, text="Changed afterwards", by=secretariat, now=later)


def test_changed_minutes_need_the_approvals_again(bishkek_forum, meeting, secretariat, co_chairs):
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    services.save_minutes(meeting, text="Draft one", by=secretariat, now=AFTER)
    services.approve_minutes(meeting, co_chairs[0], by=secretariat, now=AFTER)
    services.save_minutes(meeting, text="Draft two", by=secretariat, now=AFTER)
    assert not meeting.approvals.exists()


def test_only_co_chairs_approve(bishkek_forum, meeting, secretariat, co_chairs):
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    services.save_minutes(meeting, text="Minutes", by=secretariat, now=AFTER)
    member = bishkek_forum.memberships.get(person="Adilat Saparbaeva")
    with pytest.raises(ValidationError):
        services.approve_minutes(meeting, member, by=secretariat, now=AFTER)


def test_a_co_chair_approves_through_the_page_another_user_cannot(client, bishkek_forum, meeting, secretariat, co_chairs):
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    services.save_minutes(meeting, text="Minutes", by=secretariat, now=AFTER)
    chair_user, stranger = UserFactory(username="gulzhan"), UserFactory(username="someone")
    co_chairs[1].user = chair_user
    co_chairs[1].save()
    url = reverse("forums:approve", args=[bishkek_forum.pk, meeting.pk])
    client.force_login(stranger)
    assert client.post(url, {"co_chair": co_chairs[1].pk}).status_code == 403
    client.force_login(chair_user)
    assert client.post(url, {"co_chair": co_chairs[0].pk}).status_code == 403  # not their own seat
    assert client.post(url, {"co_chair": co_chairs[1].pk}).status_code == 302
    assert list(meeting.approvals.values_list("co_chair", flat=True)) == [co_chairs[1].pk]


def test_without_co_chairs_the_secretariat_publishes(signed_in, bishkek_forum, meeting, secretariat):
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    services.save_minutes(meeting, text="Minutes", by=secretariat, now=AFTER)
    with time_machine.travel(AFTER, tick=False):
        assert signed_in.post(reverse("forums:publish", args=[bishkek_forum.pk, meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_published_at == AFTER


def test_minutes_file_upload_checks_the_content(signed_in, bishkek_forum, meeting, secretariat, monkeypatch, tmp_path):
    from django.core.files.storage import FileSystemStorage

    # The storage is built once at start-up (FORUM_MINUTES_ROOT); keep this test's files out of the tree.
    monkeypatch.setattr(Meeting._meta.get_field("minutes_file"), "storage", FileSystemStorage(location=tmp_path))
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    url = reverse("forums:minutes", args=[bishkek_forum.pk, meeting.pk])
    fake = SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = signed_in.post(url, {"minutes": "", "minutes_file": fake})
    assert response.status_code == 400 and "This file is not a PDF." in response.content.decode()
    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%minutes of the Q4 meeting\n", content_type="application/pdf")
    assert signed_in.post(url, {"minutes": "", "minutes_file": pdf}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_file and meeting.has_minutes
    file_url = reverse("forums:minutes_file", args=[bishkek_forum.pk, meeting.pk])
    assert signed_in.get(file_url).status_code == 200
    signed_in.logout()
    assert signed_in.get(file_url).status_code == 404  # not public before publication
    services.publish_minutes_without_co_chairs(meeting, by=secretariat, now=AFTER)
    response = signed_in.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_action_items_stay_on_the_forum_page_until_closed(signed_in, bishkek_forum, meeting, secretariat):
    from django.test import Client

    client = Client()
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    commitment = CommitmentFactory(plan__member=bishkek_forum.member, identifier="KGBSK0001", number=1,
                                   plan__title="Bishkek OGP Local action plan 2025")
    url = reverse("forums:action_add", args=[bishkek_forum.pk, meeting.pk])
    assert signed_in.post(url, {"title": "Publish the city budget dataset", "owner": "Finance Department",
                                "due_on": "2027-01-31", "commitment": commitment.pk}).status_code == 302
    assert signed_in.post(reverse("forums:decision_add", args=[bishkek_forum.pk, meeting.pk]),
                          {"text": "Adopt the monitoring plan", "commitment": commitment.pk}).status_code == 302
    item = ActionItem.objects.get()
    assert (item.owner, item.due_on, item.commitment) == ("Finance Department", dt.date(2027, 1, 31), commitment)
    # Unpublished minutes: the record is the secretariat's (and the co-chairs') until they are published.
    assert "Publish the city budget dataset" not in client.get(bishkek_forum.get_absolute_url()).content.decode()
    assert "Publish the city budget dataset" in signed_in.get(bishkek_forum.get_absolute_url()).content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(minutes="Minutes of the meeting.")
    services.publish_minutes_without_co_chairs(meeting, by=secretariat, now=AFTER)
    html = client.get(bishkek_forum.get_absolute_url()).content.decode()
    assert "Open action items" in html and "Publish the city budget dataset" in html
    with time_machine.travel(at(2027, 1, 20), tick=False):
        signed_in.force_login(secretariat)  # a session started in November has expired by January
        signed_in.post(reverse("forums:action_status", args=[bishkek_forum.pk, item.pk]), {"status": "done", "next": "//evil.example/"})
    item.refresh_from_db()
    assert item.status == "done" and item.closed_on == dt.date(2027, 1, 20)
    html = client.get(bishkek_forum.get_absolute_url()).content.decode()
    assert "Publish the city budget dataset" not in html
    meeting_html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Adopt the monitoring plan" in meeting_html and "KGBSK0001" in meeting_html


def test_public_meeting_page_shows_attendance_and_decisions_not_private_notes_or_drafts(
    client, bishkek_forum, meeting, secretariat
):
    services.record_meeting(meeting, attendance=everyone(bishkek_forum, **{"Dmitry Pereyaslavsky": ("absent", "")}),
                            by=secretariat, now=AFTER, private_notes="Call the Mayor's Office about the venue")
    services.save_minutes(meeting, text="Draft minutes text", by=secretariat, now=AFTER)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(meeting.get_absolute_url())
    html = response.content.decode()
    assert_strict_page(response)
    assert "Dmitry Pereyaslavsky" in html and "Absent" in html and 'id="quorum"' in html and "Quorum reached" in html
    assert "Call the Mayor" not in html and "Draft minutes text" not in html
    assert "The minutes are not published yet." in html
    client.force_login(secretariat)
    with time_machine.travel(AFTER, tick=False):
        html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Call the Mayor" in html and "Draft minutes text" in html
    # History keeps who changed what, but never the private notes.
    assert "private_notes" not in [f.name for f in Meeting.history.model._meta.fields]


def test_record_page_posts_attendance_and_leads_to_minutes(signed_in, bishkek_forum, meeting):
    url = reverse("forums:record", args=[bishkek_forum.pk, meeting.pk])
    with time_machine.travel(AFTER, tick=False):
        response = signed_in.get(url)
        assert response.status_code == 200
        assert_strict_page(response)
        data = {f"status-{m.pk}": "present" for m in bishkek_forum.memberships.all()}
        gulzhan = bishkek_forum.memberships.get(person="Gulzhan Baibetova")
        data[f"status-{gulzhan.pk}"] = "represented"
        response = signed_in.post(url, data)
        assert response.status_code == 400  # represented without a name
        assert "Name who represented Gulzhan Baibetova." in response.content.decode()
        data[f"representative-{gulzhan.pk}"] = "Aida Kasymova"
        response = signed_in.post(url, {**data, "private_notes": "Venue was cold"})
    assert response.status_code == 302 and response["Location"] == reverse("forums:minutes", args=[bishkek_forum.pk, meeting.pk])
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.private_notes == "Venue was cold"
    assert Attendance.objects.get(meeting=meeting, membership=gulzhan).representative == "Aida Kasymova"


def test_minutes_due_warning_on_forum_and_work_pages_until_published(client, bishkek_forum, meeting, secretariat):
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    with time_machine.travel(at(2027, 1, 15), tick=False):  # due 9 January (30 days): overdue
        client.force_login(secretariat)
        forum_html = client.get(bishkek_forum.get_absolute_url()).content.decode()
        work_html = client.get(reverse("forums:secretariat")).content.decode()
    for html in (forum_html, work_html):
        assert "Minutes not yet published:" in html and "they were due on Jan. 9, 2027." in html
    services.save_minutes(meeting, text="Minutes", by=secretariat, now=AFTER)
    services.publish_minutes_without_co_chairs(meeting, by=secretariat, now=at(2027, 1, 15))
    with time_machine.travel(at(2027, 1, 15), tick=False):
        assert "Minutes not yet published:" not in client.get(bishkek_forum.get_absolute_url()).content.decode()
        assert "Minutes not yet published:" not in client.get(reverse("forums:secretariat")).content.decode()


@pytest.mark.parametrize("day, overdue", [(at(2027, 1, 15), True), (at(2027, 1, 5), False)])
def test_the_secretariats_minutes_sentence_ends_with_one_full_stop_in_every_language(client, bishkek_forum, meeting, secretariat, day, overdue):
    """Russian and Kyrgyz dates end in "г." and "ж.": "срок истёк 9 января 2027 г.", never "г.."."""
    services.record_meeting(meeting, attendance=everyone(bishkek_forum), by=secretariat, now=AFTER)
    pages = {}
    with time_machine.travel(day, tick=False):
        client.force_login(secretariat)
        for code in ("en", "ru", "ky"):
            with translation.override(code):
                pages[code] = client.get(reverse("forums:secretariat"))
    for code, response in pages.items():
        assert response.status_code == 200, code
        assert ".." not in response.content.decode().replace("...", ""), code
    ru, ky, en = (pages[code].content.decode() for code in ("ru", "ky", "en"))
    if overdue:
        assert "срок истёк 9 января 2027 г.\n" in ru and "мөөнөтү 9 Январь 2027 ж. бүткөн." in ky
        assert "they were due on Jan. 9, 2027.\n" in en
    else:
        assert "срок — до 9 января 2027 г.</p>" in ru and "due by Jan. 9, 2027.</p>" in en
