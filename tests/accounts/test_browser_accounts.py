"""Sign-in and "My work" in Chromium, on a phone: WCAG 2.1 AA (axe), no sideways scrolling, no CSP errors."""

import pytest
from django.contrib.auth import get_user_model

from commitments.models import Commitment, Member, Role
from tests.test_browser import PHONE, axe_violations, browser, live_seed, open_page  # noqa: F401

pytestmark = pytest.mark.slow

PASSWORD = "a-long-test-password-42"


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


def test_a_coordinator_signs_in_on_a_phone_and_sees_their_work(browser, live_seed):  # noqa: F811
    user = get_user_model().objects.create_user("chamber", "chamber@example.org", PASSWORD)
    Role.objects.create(
        user=user,
        member=Member.objects.get(code="KG"),
        kind=Role.Kind.COORDINATOR,
        agency=Commitment.objects.get(identifier="KG0017").lead_agency,
    )
    page, errors = open_page(browser, PHONE)
    page.goto(live_seed.url + "/accounts/sign-in/")
    assert axe_violations(page) == []
    page.get_by_label("Username").fill("chamber")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/work/")
    main = page.locator("main")
    assert main.get_by_role("heading", name="My work").count() == 1
    assert "KG0017" in main.inner_text()
    assert "KG0008" not in main.inner_text()
    page.locator("details.work-commitment summary").first.click()
    assert axe_violations(page) == []
    assert _fits(page)
    page.get_by_role("button", name="Sign out (chamber)").click()
    assert page.get_by_role("heading", name="Signed out").count() == 1
    assert errors == []


@pytest.mark.parametrize("path", ["/accounts/sign-up/", "/accounts/password/reset/", "/ky/accounts/sign-in/"])
def test_account_pages_meet_wcag_aa_and_fit_a_phone(browser, live_seed, path):  # noqa: F811
    page, errors = open_page(browser, PHONE)
    response = page.goto(live_seed.url + path)
    assert response.status == 200
    assert axe_violations(page) == []
    assert _fits(page)
    assert errors == []
