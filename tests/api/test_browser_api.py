"""Swagger UI, ReDoc and the API pages in Chromium: they render under the strict CSP with no console error."""

import pytest

from tests.test_browser import DESKTOP, PHONE, axe_violations, browser, open_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def live(transactional_db, live_server):
    return live_server


def test_swagger_ui_renders_every_endpoint_without_a_csp_error(browser, live):  # noqa: F811
    page, errors = open_page(browser, DESKTOP)
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    response = page.goto(live.url + "/api/schema/swagger-ui/")
    assert response.status == 200
    page.wait_for_selector(".opblock-tag", timeout=20000)
    assert page.locator("#operations-tag-commitments").count() == 1  # (by id: "draft-commitments" also has the text)
    page.locator(".opblock-summary-path", has_text="/api/v1/members/").first.wait_for()
    assert errors == [] and violations == []


def test_redoc_renders_without_a_csp_error(browser, live):  # noqa: F811
    page, errors = open_page(browser, DESKTOP)
    response = page.goto(live.url + "/api/schema/redoc/")
    assert response.status == 200
    page.get_by_text("OGP action-plan portal API").first.wait_for(timeout=60000)  # ReDoc renders the whole schema in JavaScript: slow on a loaded machine
    page.get_by_text("/api/v1/commitments/", exact=False).first.wait_for(timeout=60000)  # ReDoc renders the whole schema in JavaScript: slow on a loaded machine
    assert errors == []


@pytest.mark.parametrize("path", ["/api/", "/api/tokens/"])
def test_api_pages_meet_wcag_aa_on_a_phone(browser, live, path):  # noqa: F811
    from django.contrib.auth import get_user_model

    from django.test import Client

    user = get_user_model().objects.create_user("reader", "reader@example.org", "reader-pass-123")
    page, errors = open_page(browser, PHONE)
    if path == "/api/tokens/":
        # Signed in as a civil-society account (the sign-in page itself is not this test's subject).
        session = Client()
        session.force_login(user)
        page.context.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live.url}])
        page.goto(live.url + path)
        page.fill("#id_name", "open-data sync")
        page.get_by_label("Read and write").check()
        page.get_by_role("button", name="Create token").click()
        assert page.locator("#new-token").input_value().startswith("ogp_")
    else:
        assert page.goto(live.url + path).status == 200
    assert axe_violations(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways on a phone by {overflow}px"
    assert errors == []
