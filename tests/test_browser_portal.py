"""The public portal in Chromium: finding a commitment by search and filters, its timeline, axe in three languages."""

import pytest
from django.core.management import call_command

from tests.test_browser import DESKTOP, PHONE, browser, live_seed, open_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

PAGES = ["/", "{plan}", "/commitments/?member=KG&q=audit", "/commitments/KG0017/", "/compliance/", "/compliance/KG/"]


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    return [(v["id"], v["impact"], v["help"]) for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_visitor_finds_a_kyrgyz_commitment_by_search_and_filters_and_reads_its_timeline(browser, live_seed, viewport):  # noqa: F811
    page, errors = open_page(browser, viewport)
    page.goto(live_seed.url + "/")
    page.locator("header").get_by_role("link", name="Commitments").click()
    page.get_by_label("Search titles, descriptions and milestones").fill("audit")
    page.get_by_label("Member").select_option("KG")
    page.get_by_label("OGP value").select_option("civic_participation")
    assert page.get_by_label("Overdue milestones").input_value() == ""  # "Any" until chosen
    page.get_by_label("Overdue milestones").select_option("true")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**ogp_value=civic_participation**")
    page.locator("#results-heading").wait_for()
    # Every choice is in the address: the list can be shared as it is.
    for part in ("q=audit", "member=KG", "ogp_value=civic_participation", "overdue=true"):
        assert part in page.url
    results = page.locator("main table tbody tr")
    assert results.count() >= 1
    page.get_by_role("link", name="Implement an auditing system with public participation").click()
    page.wait_for_url("**/commitments/KG0017/")
    timeline = page.locator("figure.gantt svg")
    assert timeline.count() == 1
    # The plan ended in 2020 and no update is published: its milestones are marked overdue.
    assert page.locator("figure.gantt .overdue-mark").count() >= 1
    page.get_by_text("Timeline as a table").click()
    table = page.locator("details.gantt-data table")
    assert table.is_visible()
    assert "KG0017 · 2.2" in table.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_public_pages_have_no_serious_accessibility_violation_in_each_language(browser, live_seed, lang, record_property):  # noqa: F811
    from commitments.models import ActionPlan

    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    plan = ActionPlan.objects.get(member__code="KG").get_absolute_url()
    prefix = "" if lang == "en" else f"/{lang}"
    page, errors = open_page(browser, PHONE)
    problems = {}
    for path in PAGES:
        url = live_seed.url + prefix + path.format(plan=plan)
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator("html").get_attribute("lang") == lang
        found = serious_violations(page)
        if found:
            problems[path] = found
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{url} scrolls sideways on a phone by {overflow}px"
    record_property("R16", f"axe in Chromium, {lang}, {len(PAGES)} pages: {sum(len(v) for v in problems.values())} serious or critical violations")
    assert problems == {}
    assert errors == []


def _sign_in(page, username, password):
    """Fill in the sign-in form (/accounts/sign-in/) the page shows and send it."""
    page.wait_for_url("**/accounts/sign-in/**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_reviewer_disputes_an_update_the_coordinator_responds_and_the_visitor_sees_both(browser, live_seed, viewport):  # noqa: F811
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from commitments import progress
    from commitments.models import Commitment, Role
    from compliance.engine import Period

    # The Accounts Chamber's coordinator enters progress on KG0017 (Kyrgyz NAP 2018–2020); the point of contact approves it.
    users = get_user_model().objects
    kg17 = Commitment.objects.select_related("plan__member", "lead_agency").get(identifier="KG0017")
    coordinator = users.create_user("chamber", "chamber@example.org", "chamber-pass-2026")
    Role.objects.create(user=coordinator, member=kg17.plan.member, kind=Role.Kind.COORDINATOR, agency=kg17.lead_agency)
    poc = users.create_user("kg-poc", "poc@example.org", "poc-pass-2026")
    Role.objects.create(user=poc, member=kg17.plan.member, kind=Role.Kind.POINT_OF_CONTACT)
    users.create_user("citizen", "citizen@example.org", "citizen-pass-2026", first_name="Aigul", last_name="Osmonova")
    now = timezone.now()
    milestone = kg17.milestones.order_by("id").first()
    period = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
    data = {"completion": "complete", "narrative": "The audit reports are published on the Chamber's website."}
    update = progress.save_progress(milestone, period, by=coordinator, data=data, version=0, now=now)
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=now)
    progress.approve_progress(update, by=poc, version=update.version, now=now)
    commitment_url = live_seed.url + kg17.get_absolute_url()
    contested_list = live_seed.url + "/commitments/?member=KG&contested=true"

    # 1. The civil-society reviewer signs in from the commitment page and disputes the update.
    reviewer, reviewer_errors = open_page(browser, viewport)
    reviewer.goto(commitment_url)
    reviewer.locator(f"#update-{update.pk}").get_by_role("link", name="Sign in to review this update").click()
    _sign_in(reviewer, "citizen", "citizen-pass-2026")
    reviewer.wait_for_url(f"**{kg17.get_absolute_url()}")
    reviewer.locator(f"#update-{update.pk}").get_by_role("link", name="Review this update").click()
    reviewer.get_by_label("Dispute").check()
    reviewer.get_by_label("Comment").fill("The website has no audit report for 2019; the link is broken.")
    reviewer.get_by_label("Evidence links (one per line)").fill("https://www.esep.kg/")
    reviewer.get_by_role("button", name="Publish your review").click()
    reviewer.wait_for_url(f"**{kg17.get_absolute_url()}**")
    assert reviewer.locator(f"#update-{update.pk} .contested-badge").count() == 1

    # 2. A visitor sees the commitment marked contested, in the list and on its page.
    visitor, visitor_errors = open_page(browser, viewport)
    visitor.goto(contested_list)
    rows = visitor.locator("main table tbody tr")
    assert rows.count() == 1 and "KG0017" in rows.first.inner_text() and "Contested" in rows.first.inner_text()
    visitor.goto(commitment_url)
    assert visitor.locator(".commitment-state .contested-badge").count() == 1

    # 3. The coordinator of the lead agency signs in and answers with a reasoned response.
    agency, agency_errors = open_page(browser, viewport)
    agency.goto(live_seed.url + "/accounts/sign-in/?next=" + kg17.get_absolute_url())
    _sign_in(agency, "chamber", "chamber-pass-2026")
    agency.wait_for_url(f"**{kg17.get_absolute_url()}")
    panel = agency.locator(f"#update-{update.pk}")
    panel.locator("summary").click()
    panel.get_by_role("link", name="Respond").click()
    agency.get_by_label("Reasoned response").fill(
        "The 2019 reports moved to esep.kg/audit-2019 when the site was rebuilt; the old link now redirects there."
    )
    agency.get_by_role("button", name="Publish the response").click()
    agency.wait_for_url(f"**{kg17.get_absolute_url()}**")

    # 4. The visitor sees the dispute and the response; the contested mark is gone everywhere.
    visitor.goto(commitment_url)
    panel = visitor.locator(f"#update-{update.pk}")
    panel.locator("summary").click()
    text = panel.inner_text()
    assert "Dispute" in text and "the link is broken" in text
    assert "Response" in text and "esep.kg/audit-2019" in text
    assert visitor.locator(".contested-badge").count() == 0
    visitor.goto(contested_list)
    assert visitor.locator("main table tbody tr").count() == 0
    visitor.goto(live_seed.url + kg17.plan.get_absolute_url())
    assert visitor.locator(".contested-badge").count() == 0
    assert reviewer_errors == visitor_errors == agency_errors == []
