"""In Chromium at 390 px, in Russian: the secretariat schedules a meeting with invitations in at most 5 interactions.

From the sign-in page: username, password, sign in (lands on "My work"), "Schedule a meeting" (the form
opens on the next date the cadence needs, a working day), "Schedule and invite the members". Every
member with an address gets the invitation; the meeting page then says who got one.
"""

import pytest
import time_machine
from django.core import mail

from commitments.models import Role
from forums.models import ForumMembership, Invitation, Meeting
from ogp_portal.celery import app as celery_app
from tests.factories import UserFactory
from tests.forums.conftest import at, load_bishkek_forum
from tests.test_browser import PHONE, browser  # noqa: F401  (the browser fixture)

PASSWORD = "a-long-secretariat-password-42"
TARGET = 5


class Counted:
    """The page's user interactions (clicks, fills, checks), counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, value):
        self.count += 1
        locator.fill(value)


@pytest.mark.slow
def test_the_secretariat_schedules_a_meeting_with_invitations_in_five_interactions(browser, transactional_db, live_server):  # noqa: F811
    forum = load_bishkek_forum()
    ForumMembership.objects.filter(forum=forum, person__startswith="Meder").update(email="")
    user = UserFactory(username="bishkek-secretariat")
    user.set_password(PASSWORD)
    user.save()
    Role.objects.create(user=user, member=forum.member, kind=Role.Kind.SECRETARIAT)
    celery_app.conf.task_always_eager = True  # the invitation task runs in the server's thread, as in the demo
    errors = []
    try:
        with time_machine.travel(at(2026, 11, 2, 9), tick=True):
            context = browser.new_context(viewport=PHONE, locale="ru-RU")
            page = context.new_page()
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            steps = Counted(page)
            page.goto(f"{live_server.url}/ru/accounts/sign-in/")
            steps.fill(page.locator("#id_username"), user.username)
            steps.fill(page.locator("#id_password"), PASSWORD)
            steps.click(page.locator("main form button[type=submit]"))
            page.wait_for_url("**/ru/work/")
            steps.click(page.locator("a.schedule-meeting").first)
            page.wait_for_url("**/meetings/new/")
            assert page.locator("html").get_attribute("lang") == "ru"
            # The next date the cadence needs, on a working day, is already in the form; invitations are the default.
            assert page.locator("input[name=day]").input_value() == "2026-11-16"
            # Before sending: who will not get an invitation, and why.
            assert "Meder Manasovich Kasymov" in page.locator(".invitation-reach").inner_text()
            steps.click(page.locator("main form button[type=submit]"))
            page.wait_for_url("**/meetings/*/")
            assert steps.count <= TARGET, steps.count
            meeting = Meeting.objects.get(forum=forum, starts_at=at(2026, 11, 16, 10))
            assert Invitation.objects.filter(meeting=meeting, sent_at__isnull=False).count() == 5
            assert sorted(m.to[0] for m in mail.outbox if "meeting.ics" in [a[0] for a in m.attachments]) == sorted(
                ["adilat@example.kg", "dmitry@example.kg", "gulzhan@example.kg", "kubanychbek@example.kg", "mirlanbek@example.kg"]
            )
            # After sending: who got one (the answers table lists the five), and who did not.
            page.reload()
            main = page.locator("main").inner_text()
            assert all(name in main for name in ("Adilat Saparbaeva", "Dmitry Pereyaslavsky", "Mirlanbek Baigonchokov"))
            assert page.locator(".invitation-reach").inner_text().count("Meder Manasovich Kasymov") == 1
            assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
            context.close()
    finally:
        celery_app.conf.task_always_eager = False
    assert errors == []
