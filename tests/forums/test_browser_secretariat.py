"""In Chromium: the secretariat schedules next quarter's meeting, records attendance and minutes, and the quarter is met."""

import pytest
import time_machine

from commitments.models import Role
from forums.models import Meeting
from tests.factories import UserFactory
from tests.forums.conftest import at, load_bishkek_forum
from tests.test_browser import DESKTOP, PHONE, axe_violations, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.slow


PASSWORD = "a-long-secretariat-password-42"


def sign_in(page, live_server, username, then):
    """Sign in through the real form at /accounts/sign-in/ (fill the fields, submit) and land on ``then``."""
    page.goto(f"{live_server.url}/accounts/sign-in/?next={then}")
    assert page.get_by_role("heading", level=1).count() == 1
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{then}")
    assert page.get_by_role("button", name=f"Sign out ({username})").count() == 1


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_secretariat_schedules_records_and_the_quarter_is_met(browser, transactional_db, live_server, viewport):  # noqa: F811
    forum = load_bishkek_forum()
    user = UserFactory(username="bishkek-secretariat")
    user.set_password(PASSWORD)
    user.save()
    Role.objects.create(user=user, member=forum.member, kind=Role.Kind.SECRETARIAT)
    errors = []

    with time_machine.travel(at(2026, 12, 21, 9), tick=True) as traveller:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        # 1. The secretariat signs in, lands on the forum page and schedules next quarter's meeting.
        sign_in(page, live_server, user.username, then=forum.get_absolute_url())
        assert page.locator("#cadence").get_by_text("2027-Q1").count() == 1
        assert axe_violations(page) == []
        assert no_sideways_scroll(page)
        page.get_by_role("button", name="Schedule a meeting").first.click()
        assert "Suggested dates in" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        page.get_by_label("Date:", exact=True).fill("2027-01-12")
        page.get_by_label("Starts at").fill("10:00")
        page.get_by_label("Ends at").fill("12:00")
        page.get_by_label("Title").fill("Open Bishkek: first meeting of 2027")
        page.get_by_label("Place").fill("Bishkek City Hall")
        page.get_by_label("Agenda").fill("1. Progress on the 2025 commitments\n2. The next action plan")
        page.get_by_role("button", name="Schedule and invite the members").click()
        page.wait_for_url("**/meetings/*/")
        assert page.get_by_role("heading", level=1).inner_text() == "Open Bishkek: first meeting of 2027"
        meeting = Meeting.objects.get(forum=forum, title="Open Bishkek: first meeting of 2027")
        assert meeting.starts_at == at(2027, 1, 12, 10)
        page.goto(live_server.url + forum.get_absolute_url())
        row = page.locator("#cadence tr", has_text="2027-Q1")
        assert "Scheduled" in row.inner_text()

        # 2. After the meeting: attendance, then minutes, then publication.
        traveller.move_to(at(2027, 1, 12, 15))
        # The December session has expired by January: the secretariat signs in again.
        page.goto(live_server.url + meeting.get_absolute_url())
        assert page.get_by_role("button", name="Record attendance").count() == 0
        sign_in(page, live_server, user.username, then=meeting.get_absolute_url())
        page.get_by_role("button", name="Record attendance").click()
        assert axe_violations(page) == []
        for person in ("Mirlanbek Baigonchokov", "Kubanychbek Karypbekovich Kudabaev", "Gulzhan Baibetova", "Adilat Saparbaeva"):
            page.get_by_role("group", name=person).get_by_label("Present", exact=True).check()
        dmitry = page.get_by_role("group", name="Dmitry Pereyaslavsky")
        dmitry.get_by_label("Represented", exact=True).check()
        dmitry.get_by_label("Represented by (if represented)").fill("Aida Kasymova, PF ‘Archa’")
        page.get_by_role("button", name="Save attendance").click()
        page.wait_for_url("**/minutes/")
        assert axe_violations(page) == []
        page.get_by_role("textbox", name="Minutes").fill("The committee reviewed progress and agreed the next plan's timeline.")
        page.get_by_role("button", name="Save the minutes").click()
        page.get_by_role("button", name="Publish the minutes").click()
        page.wait_for_url("**/minutes/")
        assert "Published on" in page.locator("main").inner_text()

        # 3. The public sees the quarter met, the attendance with quorum, and the minutes.
        public = browser.new_context(viewport=viewport).new_page()
        public.goto(live_server.url + forum.get_absolute_url())
        row = public.locator("#cadence tr", has_text="2027-Q1")
        assert "Met" in row.inner_text()
        assert axe_violations(public) == []
        assert no_sideways_scroll(public)
        public.goto(live_server.url + meeting.get_absolute_url())
        text = public.locator("main").inner_text()
        assert "Quorum reached" in text and "Aida Kasymova" in text and "agreed the next plan's timeline" in text
        assert axe_violations(public) == []
        assert no_sideways_scroll(public)
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.minutes_published_at is not None
    assert meeting.attendances.count() == 6
    assert errors == []
