"""In Chromium: a citizen proposes a commitment in Russian on a phone, and later reads the forum's response; the forum
secretariat opens the co-creation of the next plan from "My work" and moves it to its next stage."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cocreation import services
from cocreation.models import CoCreationProcess, Proposal
from commitments.models import Member, Role
from forums.models import Meeting
from tests.test_browser import DESKTOP, PHONE, axe_violations, browser, live_seed, open_page  # noqa: F401 (fixtures)

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


def test_the_secretariat_opens_the_next_plan_from_my_work_and_moves_it_to_the_next_stage(browser, live_seed):  # noqa: F811
    secretariat = get_user_model().objects.create_user("forumsec", "sec@example.org", "sec-pass-2026")
    kg = Member.objects.get(code="KG")
    Role.objects.create(user=secretariat, member=kg, kind=Role.Kind.SECRETARIAT)

    page, errors = open_page(browser, DESKTOP)
    page.goto(f"{live_seed.url}/accounts/sign-in/")
    page.locator("#id_username").fill("forumsec")
    page.locator("#id_password").fill("sec-pass-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/work/")
    page.locator("section.my-cocreation a[href$='/co-creation/open/']").click()
    page.wait_for_url("**/co-creation/open/")
    assert axe_violations(page) == []
    deadline = page.locator("#id_deadline")
    if not deadline.input_value():  # the engine knows no deadline on the day the test runs: the secretariat enters one
        deadline.fill((timezone.localdate() + dt.timedelta(days=300)).isoformat())
    page.locator("#id_title").fill("Co-creation of the next Kyrgyz plan")
    page.locator("#open-process button[type=submit]").click()
    page.wait_for_url("**/co-creation/*/")
    process = CoCreationProcess.objects.get(member=kg)
    assert process.title == "Co-creation of the next Kyrgyz plan" and process.stage == "proposals"
    assert "Proposals open" in page.locator("ol.stages li[aria-current=step]").inner_text()
    assert axe_violations(page) == []

    page.locator("#advance-stage button[type=submit]").click()
    page.locator("ol.stages li[aria-current=step]", has_text="Drafts under discussion").wait_for()
    process.refresh_from_db()
    assert process.stage == "drafts"
    page.locator("#advance-stage button[type=submit]").click()
    page.locator("ol.stages li[aria-current=step]", has_text="Forum decision").wait_for()
    assert page.locator("#advance-stage").count() == 0  # submission is the point of contact's
    process.refresh_from_db()
    assert process.stage == "decision"
    assert errors == []
