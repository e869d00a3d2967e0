"""In Chromium: a citizen proposes a commitment in Russian on a phone, and later reads the forum's response."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cocreation import services
from cocreation.models import Proposal
from commitments.models import Member, Role
from forums.models import Meeting
from tests.test_browser import PHONE, axe_violations, browser, live_seed, open_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def test_a_citizen_proposes_in_russian_and_reads_the_forums_response(browser, live_seed):  # noqa: F811
    users = get_user_model().objects
    citizen = users.create_user("aigul", "aigul@example.org", "aigul-pass-2026")
    secretariat = users.create_user("forumsec", "sec@example.org", "sec-pass-2026")
    kg = Member.objects.get(code="KG")
    Role.objects.create(user=secretariat, member=kg, kind=Role.Kind.SECRETARIAT)
    now = timezone.now()
    process = services.open_process(kg, by=secretariat, now=now, deadline=now.date() + dt.timedelta(days=200))

    page, errors = open_page(browser, PHONE)
    page.goto(f"{live_seed.url}/ru/accounts/sign-in/?next=/ru/co-creation/{process.pk}/propose/")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.locator("#id_username").fill("aigul")
    page.locator("#id_password").fill("aigul-pass-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/ru/co-creation/{process.pk}/propose/")
    assert axe_violations(page) == []
    page.locator("#id_title").fill("Открытые отчёты Счётной палаты")
    page.locator("#id_problem").fill("Отчёты о проверках не публикуются.")
    page.locator("#id_proposed_commitment").fill("Публиковать все отчёты о проверках на сайте.")
    page.locator("#id_sector").select_option("citizen")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/ru/co-creation/proposals/*/")
    proposal = Proposal.objects.get()
    assert proposal.author == citizen and proposal.title == "Открытые отчёты Счётной палаты"
    assert "Открытые отчёты Счётной палаты" in page.locator("h1").inner_text()

    # The forum decides at a held meeting and answers the proposal.
    meeting = Meeting.objects.create(forum=kg.forums.first(), title="Заседание форума", starts_at=now - dt.timedelta(days=1),
                                     status=Meeting.Status.HELD)
    services.record_decision(process, by=secretariat, meeting=meeting, now=timezone.now(), drafts={}, proposals={
        proposal: ("rejected", None, "Счётная палата уже публикует отчёты с 2019 года; предложение учтено в обязательстве 17."),
    })

    page.goto(f"{live_seed.url}/ru/co-creation/proposals/{proposal.pk}/")
    response = page.locator("section.response")
    assert "Счётная палата уже публикует отчёты с 2019 года" in response.inner_text()
    assert axe_violations(page) == []
    page.goto(f"{live_seed.url}/ru/co-creation/{process.pk}/")
    assert "Счётная палата уже публикует отчёты" in page.locator("#responses").inner_text()
    assert axe_violations(page) == []
    # Phone-friendly: nothing wider than the phone's screen (the proposals table scrolls inside its own box).
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    assert errors == []
