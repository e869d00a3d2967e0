"""The public portal in Chromium: finding a commitment by search and filters, its timeline, axe in three languages."""

import pytest
from django.core.management import call_command

from tests.test_browser import DESKTOP, PHONE, browser, live_seed, open_page  # noqa: F401 (fixtures)

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
def test_public_pages_have_no_serious_accessibility_violation_in_each_language(browser, live_seed, lang):  # noqa: F811
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
    assert problems == {}
    assert errors == []
