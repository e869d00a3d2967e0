"""The coordinators' journey in a real browser (Debian's Chromium, Playwright), on the real Kyrgyz plan.

The Accounts Chamber's coordinator signs in through the sign-in form with the demo account ``make run``
prints, enters progress with a file on a milestone of KG0017 and submits it; the point of contact
signs in the same way, approves it and publishes the six-month report; an anonymous visitor then
sees the update, its file and the report on the public commitment page.
"""

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts.management.commands.create_demo_accounts import DEMO_ACCOUNTS
from commitments import progress
from commitments.models import Commitment
from compliance.engine import Period
from tests.commitments.test_progress import PDF
from tests.test_browser import DESKTOP, PHONE, axe_violations, browser, live_seed, open_page  # noqa: F401

pytestmark = pytest.mark.slow

H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
PASSWORDS = {username: password for username, password, _description, _roles in DEMO_ACCOUNTS}


def signed_in(browser, live_server, username, viewport, next_path):
    """Return a page signed in as ``username`` through the sign-in form (the demo password), now at ``next_path``."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    # A refused upload answers 400 on purpose; Chromium logs that as a console error, which is not a fault.
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and "status of 400" not in msg.text else None,
    )
    page.goto(f"{live_server.url}/accounts/sign-in/?next={quote(next_path)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + next_path)
    assert page.get_by_role("button", name=f"Sign out ({username})").count() == 1
    return page, errors


@pytest.fixture
def people(live_seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The demo accounts, as `make run` creates and prints them.
    settings.DEMO = True
    call_command("create_demo_accounts", stdout=io.StringIO())
    users = get_user_model().objects
    kg17 = Commitment.objects.select_related("plan__member", "lead_agency").get(identifier="KG0017")
    coordinator, poc = users.get(username="chamber"), users.get(username="kg-poc")
    assert coordinator.has_perm("commitments.enter_progress", kg17) and not coordinator.has_perm("commitments.review_progress", kg17)
    # Every other commitment already has an approved update for 2019-H1.
    admin = users.create_superuser("root", "root@example.org", "root-pass-123")
    now = timezone.now()
    for commitment in kg17.plan.commitments.exclude(pk=kg17.pk):
        milestone = commitment.milestones.order_by("id").first()
        update = progress.save_progress(milestone, H1_2019, by=admin, data={"completion": "limited"}, version=0, now=now)
        update = progress.submit_progress(update, by=admin, version=update.version, now=now)
        progress.approve_progress(update, by=admin, version=update.version, now=now)
    return kg17, coordinator, poc


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_progress_with_a_file_is_approved_and_the_six_month_report_published(browser, live_seed, people, viewport):  # noqa: F811
    kg17, coordinator, poc = people
    milestone = kg17.milestones.get(number="1.1")

    # 1. The coordinator signs in, finds the milestone on the public commitment page and enters progress.
    page, errors = signed_in(browser, live_seed, coordinator.username, viewport, kg17.get_absolute_url())
    page.get_by_role("link", name="Enter progress on 1.1").click()
    page.get_by_label("Reporting period").select_option("2019-H1")
    page.get_by_role("button", name="Show").click()
    # A text file under a PDF name is refused in place, and what was typed stays.
    page.get_by_label("Narrative").fill("Methodology drafted.")
    page.get_by_label("Add a file as evidence").set_input_files(
        {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": b"plain text, not a PDF"}
    )
    page.get_by_role("button", name="Save draft").click()
    page.locator("#progress-panel .form-errors").get_by_text("does not match its name").wait_for()
    assert page.get_by_label("Narrative").input_value() == "Methodology drafted."
    page.get_by_label("Completion").select_option("substantial")
    page.get_by_label("As of").fill("2019-06-28")
    page.get_by_label("Narrative").fill("The audit methodology with public participation was adopted.")
    page.get_by_label("Add a file as evidence").set_input_files(
        {"name": "audit-methodology.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Submit for review").click()
    panel = page.locator("#progress-panel")
    panel.locator("p.state strong", has_text="Submitted for review").wait_for()
    assert "audit-methodology.pdf" in panel.inner_text()
    assert axe_violations(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    assert errors == []  # includes CSP violations (htmx runs under the nonce)

    # 2. The point of contact signs in, approves it and publishes the six-month report.
    page, errors = signed_in(browser, live_seed, poc.username, viewport, "/review/")
    article = page.locator("article", has_text="KG0017")
    article.get_by_role("button", name="Approve and publish").click()
    page.get_by_text("Update approved").wait_for()
    page.goto(live_seed.url + kg17.plan.get_absolute_url())
    page.get_by_role("link", name="Prepare and publish status reports").click()
    page.get_by_role("button", name="Prepare the report for 2019-H1").click()
    page.get_by_role("button", name="Publish the status report").click()
    page.get_by_text("Status report published.").wait_for()
    assert axe_violations(page) == []
    assert errors == []

    # 3. Anyone sees the update, its file and the report on the public commitment page.
    page, errors = open_page(browser, viewport)
    page.goto(live_seed.url + kg17.get_absolute_url())
    main = page.locator("main")
    row = main.locator("table.milestones tr", has_text="1.1").first
    assert "Substantial" in row.inner_text() and "audit methodology" in row.inner_text()
    assert "Status report 2019-H1" in main.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name="audit-methodology.pdf").click()
    assert download.value.suggested_filename == "audit-methodology.pdf"
    assert axe_violations(page) == []
    assert errors == []
    assert milestone.progress_updates.get().state == "published"
