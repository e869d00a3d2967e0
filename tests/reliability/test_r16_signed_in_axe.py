"""R16, signed in: axe (WCAG 2.1 A/AA) in Chromium on the working pages in Russian and Kyrgyz.

The public pages are in ``tests/test_browser_portal.py``; these are the pages people work in: the
coordinator's "My work" and progress form, the point of contact's review queue, and the secretariat's
work page, forum page and meeting scheduling form, on the real seed data (Kyrgyz Republic).
"""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.test_browser import PHONE, browser, live_seed, open_page  # noqa: F401 (fixtures)
from tests.test_browser_portal import serious_violations

pytestmark = pytest.mark.slow


def _people():
    """KG0017's coordinator with a submitted update, the point of contact, and the secretariat of KG."""
    from commitments import progress
    from commitments.models import Commitment, Role
    from compliance.engine import Period
    from forums.models import Forum

    users = get_user_model().objects
    kg17 = Commitment.objects.select_related("plan__member", "lead_agency").get(identifier="KG0017")
    member = kg17.plan.member
    coordinator = users.create_user("chamber", "chamber@example.org", "chamber-pass-2026")
    Role.objects.create(user=coordinator, member=member, kind=Role.Kind.COORDINATOR, agency=kg17.lead_agency)
    poc = users.create_user("kg-poc", "poc@example.org", "poc-pass-2026")
    Role.objects.create(user=poc, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    secretariat = users.create_user("kg-secretariat", "sec@example.org", "sec-pass-2026")
    Role.objects.create(user=secretariat, member=member, kind=Role.Kind.SECRETARIAT)
    milestone = kg17.milestones.order_by("id").first()
    period = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
    now = timezone.now()
    data = {"completion": "substantial", "narrative": "The audit reports are published on the Chamber's website."}
    update = progress.save_progress(milestone, period, by=coordinator, data=data, version=0, now=now)
    progress.submit_progress(update, by=coordinator, version=update.version, now=now)
    forum = Forum.objects.filter(member=member).order_by("pk").first()
    return {
        coordinator: [("work:my_work", []), ("commitments:progress", [kg17.identifier, milestone.pk])],
        poc: [("work:my_work", []), ("work:review_queue", [])],
        secretariat: [("forums:secretariat", []), ("forums:forum", [forum.pk]), ("forums:meeting_new", [forum.pk])],
    }


def _signed_in_page(browser, live_server, user):  # noqa: F811
    client = Client()
    client.force_login(user)
    page, errors = open_page(browser, PHONE)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
    )
    return page, errors


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_r16_signed_in_working_pages_have_no_serious_accessibility_violation(browser, live_seed, lang, record_property):  # noqa: F811
    pages = _people()
    problems, checked = {}, 0
    for user, names in pages.items():
        page, errors = _signed_in_page(browser, live_seed, user)
        for name, args in names:
            with translation.override(lang):
                path = reverse(name, args=args)
            response = page.goto(live_seed.url + path)
            assert response.status == 200, f"{user.username} {path}: {response.status}"
            assert page.url.startswith(live_seed.url + f"/{lang}/"), f"{path} went to {page.url}"
            assert "sign-in" not in page.url
            assert page.locator("html").get_attribute("lang") == lang
            if name in ("commitments:progress", "forums:meeting_new"):
                assert page.locator("main form textarea, main form input[type=date], main form select").count() >= 1, path
            if name == "work:review_queue":
                assert "KG0017" in page.locator("main").inner_text(), "the submitted update is in the queue"
            checked += 1
            found = serious_violations(page)
            if found:
                problems[f"{user.username} {page.url.removeprefix(live_seed.url)}"] = found
        assert errors == [], f"console errors for {user.username}: {errors}"
    record_property(
        "R16",
        f"axe in Chromium, signed in, {lang}, {checked} working pages: {sum(len(v) for v in problems.values())} serious or critical violations",
    )
    assert problems == {}
