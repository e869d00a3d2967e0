"""The plan import in a real browser: a point of contact uploads the .docx, reads the preview and confirms."""

import re

import pytest
from django.contrib.auth import get_user_model

from commitments.models import Commitment, Milestone, Role
from tests.test_browser import DESKTOP, PHONE, axe_violations, browser, open_page  # noqa: F401 (fixture)

from .importing import kyrgyz_republic, seed_docx

pytestmark = pytest.mark.slow

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _sign_in(browser, live_server, username, password, viewport):  # noqa: F811
    """Sign in through the real form at /accounts/sign-in/ and land on My work."""
    page, errors = open_page(browser, viewport)
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/work/")
    return page, errors


def test_a_point_of_contact_uploads_the_docx_reads_the_preview_and_confirms(browser, transactional_db, live_server,  # noqa: F811
                                                                            settings, tmp_path):
    """On a phone: the harder layout (wide change tables must scroll inside their box, not the page)."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    viewport = PHONE
    data = seed_docx()
    kg = kyrgyz_republic()
    user = get_user_model().objects.create_user("poc", "poc@example.org", "pass-123-long")
    Role.objects.create(user=user, member=kg, kind=Role.Kind.POINT_OF_CONTACT)
    page, errors = _sign_in(browser, live_server, "poc", "pass-123-long", viewport)

    # The upload page is found from the point of contact's workspace.
    page.get_by_role("link", name="Import an action plan").click()
    page.wait_for_url("**/work/import/")
    assert page.get_by_role("heading", name="Import an action plan").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Member").select_option(label="Kyrgyz Republic")
    page.get_by_label("Action plan file").set_input_files(files=[{"name": "kg-nap-2018-2020.docx", "mimeType": DOCX,
                                                                  "buffer": data}])
    page.get_by_role("button", name="Preview the import").click()

    page.wait_for_url("**/work/import/")
    main = page.locator("main")
    assert page.get_by_role("heading", name="Preview of the import").is_visible()
    assert "193 rows to create" in main.inner_text()
    audit = main.locator("details", has_text="KG0017 — Implement an auditing system with public participation")
    assert "will be created" in audit.inner_text()
    assert "Accounts Chamber" in audit.inner_text()
    assert Commitment.objects.count() == 0  # the preview saved nothing
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    assert axe_violations(page) == []

    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_url("**/work/import/confirm/")
    assert page.get_by_role("heading", name="Plan imported").is_visible()
    assert Commitment.objects.filter(plan__member=kg).count() == 18
    assert Milestone.objects.filter(commitment__plan__member=kg).count() == 110
    page.get_by_role("link", name="Open the action plan").click()
    assert page.locator("main").get_by_text("KG0018").count() >= 1
    assert errors == []


@pytest.mark.slow
def test_the_preview_shows_a_warning_for_each_unreadable_cell_with_its_place(browser, transactional_db,  # noqa: F811
                                                                             live_server, settings, tmp_path):
    """A plan in Russian, with Word's numbering and tracked changes, and two dates nobody can read."""
    from commitments.seed_parser import parse_national_plan

    from .importing import seed_text, write_variant_docx

    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    plan = parse_national_plan(seed_text())
    plan["commitments"][1]["activities"][0]["milestones"][0]["end"] = "2019-99"  # written "99.2019"
    plan["commitments"][4]["activities"][0]["milestones"][1]["start"] = "2018-13"  # written "13.2018"
    data = write_variant_docx({"labels": "ru", "dates": "dotted", "numbering": True, "tracked": True},
                              commitments=plan["commitments"])
    kg = kyrgyz_republic()
    user = get_user_model().objects.create_user("poc", "poc@example.org", "pass-123-long")
    Role.objects.create(user=user, member=kg, kind=Role.Kind.POINT_OF_CONTACT)
    page, errors = _sign_in(browser, live_server, "poc", "pass-123-long", DESKTOP)
    page.goto(live_server.url + "/work/import/")
    page.get_by_label("Member").select_option(label="Kyrgyz Republic")
    page.get_by_label("Action plan file").set_input_files(files=[{"name": "plan-ru.docx", "mimeType": DOCX,
                                                                  "buffer": data}])
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_url("**/work/import/")
    warnings = page.locator(".import-warnings li")
    texts = warnings.all_inner_texts()
    unreadable = [t for t in texts if "could not be read" in t and ("“99.2019”" in t or "“13.2018”" in t)]
    assert len(unreadable) == 2, texts
    for text in unreadable:
        assert re.match(r"^table \d+, row \d+, column [34]: Commitment \d+, milestone \d\.\d: the date", text), text
    assert any("tracked changes" in t for t in texts)
    assert Commitment.objects.count() == 0  # the preview saved nothing
    assert axe_violations(page) == []
    assert errors == []
