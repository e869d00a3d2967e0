"""The public pages in a real browser (Debian's Chromium driven by Playwright), on a phone and on a desktop."""

import os
import shutil

import pytest
from django.core.management import call_command

from tests.conftest import require_service

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    require_service(os.path.exists(CHROMIUM), "Chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _launch(sync_playwright):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_seed(transactional_db, live_server):
    call_command("load_seed_data", verbosity=0)
    return live_server


def open_page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    return [(v["id"], v["help"]) for v in results.response["violations"]]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_visitor_walks_from_members_to_a_milestone(browser, live_seed, viewport):
    page, errors = open_page(browser, viewport)
    page.goto(live_seed.url + "/")
    page.get_by_role("link", name="Kyrgyz Republic").first.click()
    page.get_by_role("link", name="National Action Plan", exact=False).first.click()
    assert page.locator("main").get_by_text("KG0018").count() >= 1
    page.get_by_role("link", name="Implement an auditing system with public participation").click()
    main = page.locator("main")
    assert "Accounts Chamber" in main.inner_text()
    row = main.locator("table.milestones tr", has_text="2.2").first
    assert "December 2019" in row.inner_text() and "August 2020" in row.inner_text()
    # Nothing wider than the screen: usable on a phone without sideways scrolling.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    assert errors == []  # includes CSP violations, which Chromium reports on the console
    assert axe_violations(page) == []


def test_a_visitor_switches_the_page_to_russian_and_kyrgyz(browser, live_seed):
    page, errors = open_page(browser, PHONE)
    page.goto(live_seed.url + "/commitments/KG0017/")
    page.locator("button[name=language][value=ru]").click()
    page.wait_for_url("**/ru/commitments/KG0017/")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.locator("button[name=language][value=ky]").click()
    page.wait_for_url("**/ky/commitments/KG0017/")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert axe_violations(page) == []
    assert errors == []


@pytest.mark.parametrize(
    "path", ["/", "/?view=local", "/commitments/?member=KG", "/members/KGBSK/", "{plan}", "{forum}", "/compliance/", "/compliance/KG/", "/ky/compliance/KG/"]
)
def test_public_pages_meet_wcag_aa_and_fit_a_phone(browser, live_seed, path):
    page, errors = open_page(browser, PHONE)
    from commitments.models import ActionPlan
    from forums.models import Forum

    path = path.format(
        plan=ActionPlan.objects.get(member__code="KG").get_absolute_url(),
        forum=Forum.objects.get(member__code="KG").get_absolute_url(),
    )
    if "/compliance/" in path:
        call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    response = page.goto(live_seed.url + path)
    assert response.status == 200
    assert axe_violations(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways on a phone by {overflow}px"
    assert errors == []
