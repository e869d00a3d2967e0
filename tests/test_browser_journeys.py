"""Few steps, counted in a real browser: Chromium at 390 px, in Russian, with the demo accounts.

An *interaction* is one thing a person does: fill a field, choose a file, click a link or a button
(typing a search and pressing Enter is one). The targets of issue 18: a coordinator goes from the
sign-in page to an update with a PDF submitted on one milestone in at most 6; from any page a
search takes 1.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.management.commands.create_demo_accounts import DEMO_ACCOUNTS
from commitments.models import Commitment, ProgressUpdate
from tests.commitments.test_progress import PDF
from tests.test_browser import PHONE, axe_violations, browser, live_seed  # noqa: F401

PASSWORDS = {username: password for username, password, _description, _roles in DEMO_ACCOUNTS}


class Counted:
    """A Playwright page whose every interaction is counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def fill(self, locator, value):
        locator.fill(value)
        self.count += 1

    def click(self, locator):
        locator.click()
        self.count += 1

    def choose_file(self, locator, files):
        locator.set_input_files(files)
        self.count += 1

    def search(self, locator, text):
        locator.fill(text)
        locator.press("Enter")
        self.count += 1


def russian_phone(browser):
    context = browser.new_context(viewport=PHONE, locale="ru-RU", extra_http_headers={"Accept-Language": "ru"})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


@pytest.fixture
def demo_accounts(live_seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DEMO = True
    call_command("create_demo_accounts", stdout=io.StringIO())
    return get_user_model().objects


@pytest.mark.slow
def test_a_coordinator_submits_an_update_with_a_pdf_in_six_interactions(browser, live_seed, demo_accounts):  # noqa: F811
    kg17 = Commitment.objects.get(identifier="KG0017")
    page, errors = russian_phone(browser)
    journey = Counted(page)
    page.goto(live_seed.url + "/ru/accounts/sign-in/")
    assert page.locator("html").get_attribute("lang") == "ru"

    journey.fill(page.locator("#id_username"), "chamber")
    journey.fill(page.locator("#id_password"), PASSWORDS["chamber"])
    journey.click(page.locator("main form button[type=submit]"))
    page.wait_for_url("**/ru/work/")
    # "My work": KG0017 needs an update this period, so it is open with a link per milestone.
    commitment = page.locator("details.work-commitment", has_text="KG0017")
    assert commitment.get_attribute("open") is not None
    link = commitment.locator("a.report-progress").first
    assert link.is_visible()
    journey.click(link)
    page.wait_for_url("**/progress/?period=*")
    # The form opens on the period "My work" named, with "as of" inside it.
    panel = page.locator("#progress-panel")
    period = page.url.rsplit("period=", 1)[1]
    assert period in panel.locator("h2").inner_text()
    journey.choose_file(page.locator("input[type=file]"), {"name": "audit-report.pdf", "mimeType": "application/pdf", "buffer": PDF})
    journey.click(page.locator("button[name=action][value=submit]"))
    panel.get_by_role("link", name="audit-report.pdf").wait_for()
    assert panel.locator("button[name=action]").count() == 0  # submitted: no longer editable

    assert journey.count <= 6, f"{journey.count} interactions"
    update = ProgressUpdate.objects.get(milestone__commitment=kg17, state="submitted")
    assert update.evidence.get().original_name == "audit-report.pdf"
    assert update.as_of and update.period_start <= update.as_of <= update.period_end
    assert fits(page)
    assert axe_violations(page) == []
    assert errors == []


@pytest.mark.slow
@pytest.mark.parametrize("start", ["/ru/", "/ru/compliance/", "{commitment}", "/ru/accounts/sign-in/"])
def test_search_is_one_interaction_from_any_page(browser, live_seed, start):  # noqa: F811
    page, errors = russian_phone(browser)
    page.goto(live_seed.url + start.format(commitment="/ru" + Commitment.objects.get(identifier="KG0008").get_absolute_url()))
    journey = Counted(page)
    journey.search(page.get_by_role("search").locator("input[type=search]"), "audit")
    page.wait_for_url("**/ru/commitments/?q=audit*")
    assert journey.count == 1
    assert "KG0017" in page.locator("main").inner_text()
    assert fits(page)
    assert errors == []
