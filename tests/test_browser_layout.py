"""Layout in Chromium at 390 and 1280 px in English, Russian and Kyrgyz: no word broken inside, chart labels inside their charts.

A word's text is measured with ``Range.getClientRects()``: a word set on one line gives rects on
one line box; a word broken in the middle ("Mil|est|on|e") gives rects on two or more. Buttons,
headings and table headers are checked; identifiers, URLs and dates (a word holding a digit, a
slash, a dot, "@" or "_") may still wrap. Every text label of a server-side SVG chart must lie
inside the chart's box (an SVG clips what falls outside its viewBox).
"""

import json

import pytest
from django.core.management import call_command

from tests.test_browser import DESKTOP, PHONE, browser, live_seed, open_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

PAGES = [
    "/", "{plan}", "{member}", "/commitments/", "/commitments/?q=audit", "/commitments/KG0017/",
    "/commitments/KG0017/history/", "/compliance/", "/compliance/KG/", "{forum}", "/data/", "/accounts/sign-in/",
]

BROKEN_WORDS = """
() => {
  const selector = "button, [role=button], input[type=submit], h1, h2, h3, h4, h5, h6, th, summary";
  const skipped = /[0-9\\/._@:]/;
  function hidden(el) {
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === "none" || cs.visibility === "hidden") return true;
      if (cs.clip && cs.clip !== "auto") return true;
      const r = a.getBoundingClientRect();
      if (cs.overflow === "hidden" && (r.width <= 2 || r.height <= 2)) return true;
    }
    return false;
  }
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    if (hidden(el)) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      const re = /[^\\s\\u00a0\\u2013\\u2014\\-\\/]+/g;
      let m;
      while ((m = re.exec(text)) !== null) {
        const word = m[0];
        if (word.length < 2 || skipped.test(word)) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + word.length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        if (rects.length < 2) continue;
        const lines = new Set(rects.map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(`${el.tagName.toLowerCase()}: ${word} (${el.textContent.trim().slice(0, 60)})`);
      }
    }
  }
  return broken;
}
"""

WIDEST = """
() => {
  const width = document.documentElement.clientWidth;
  let found = [];
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) found.push(el);
  }
  found = found.filter(el => !found.some(other => other !== el && el.contains(other)));
  return found.slice(0, 5).map(el => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.trim().slice(0, 50)}`);
}
"""

CLIPPED_LABELS = """
() => {
  const clipped = [];
  for (const svg of document.querySelectorAll("main svg")) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    for (const label of svg.querySelectorAll("text")) {
      const r = label.getBoundingClientRect();
      if (r.width === 0 || !label.textContent.trim()) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        clipped.push(`${label.textContent.trim()} [${Math.round(r.left - box.left)}..${Math.round(r.right - box.left)} of ${Math.round(box.width)}]`);
      }
    }
  }
  return clipped;
}
"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_no_word_breaks_inside_and_chart_labels_are_not_clipped(browser, live_seed, viewport):  # noqa: F811
    from commitments.models import ActionPlan
    from forums.models import Forum

    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    plan = ActionPlan.objects.filter(member__code="KG").order_by("start_date").first()
    forum = Forum.objects.filter(member__code="KG").first()
    places = {"plan": plan.get_absolute_url(), "member": "/members/KG/", "forum": forum.get_absolute_url() if forum else "/"}
    page, errors = open_page(browser, viewport)
    broken, clipped = {}, {}
    for lang in ("en", "ru", "ky"):
        prefix = "" if lang == "en" else f"/{lang}"
        for path in PAGES:
            url = live_seed.url + prefix + path.format(**places)
            response = page.goto(url)
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == lang
            for details in page.locator("main details:not([open]) > summary").all():
                if details.is_visible():
                    details.click()  # the charts' data tables and folded sections are measured open too
            found = page.evaluate(BROKEN_WORDS)
            if found:
                broken[f"{lang} {path}"] = found
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                wide = page.evaluate(WIDEST)
                broken.setdefault(f"{lang} {path}", []).append(f"the page scrolls sideways by {overflow}px: {wide}")
            labels = page.evaluate(CLIPPED_LABELS)
            if labels:
                clipped[f"{lang} {path}"] = labels
    assert broken == {}, json.dumps(broken, ensure_ascii=False, indent=1)
    assert clipped == {}, json.dumps(clipped, ensure_ascii=False, indent=1)
    assert errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_no_word_breaks_inside_on_a_coordinators_pages(browser, live_seed, settings, viewport):  # noqa: F811
    """The buttons of "My work" and of the progress form ("Отправить на проверку") keep their words whole."""
    import io

    from django.contrib.auth import get_user_model
    from django.test import Client

    from commitments.models import Commitment

    settings.DEMO = True
    call_command("create_demo_accounts", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="chamber"))
    milestone = Commitment.objects.get(identifier="KG0017").milestones.order_by("pk").first()
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_seed.url}])
    page = context.new_page()
    broken = {}
    for lang in ("en", "ru", "ky"):
        prefix = "" if lang == "en" else f"/{lang}"
        for path in ("/work/", f"/commitments/KG0017/milestones/{milestone.pk}/progress/?period=2019-H1"):
            response = page.goto(live_seed.url + prefix + path)
            assert response.status == 200, path
            assert page.locator("header button", has_text="chamber").count() == 1  # signed in
            if "progress" in path:
                assert page.locator("main button").count() >= 2  # save draft, submit for review
            found = page.evaluate(BROKEN_WORDS)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                found.append(f"the page scrolls sideways by {overflow}px: {page.evaluate(WIDEST)}")
            if found:
                broken[f"{lang} {path}"] = found
    assert broken == {}, json.dumps(broken, ensure_ascii=False, indent=1)
