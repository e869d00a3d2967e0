"""R10 200 hostile strings in every text field, then every page, feed and export: 0 unescaped, and the
strict Content-Security-Policy on every HTML response.

Every text column of every model of the portal's apps (and people's names) gets one of 200 hostile strings,
written straight into the database (as if any write path had let it through). Then the site is crawled,
signed out and as an administrator, from every URL pattern without parameters and every object's own
page, following every link of the site (bounded). Link columns (URLField) get hostile strings their
validators accept (``https://…"><x-evil>``), since every write path refuses other schemes. A payload counts as unescaped when it turns into markup:
an element ``x-evil-*``, an attribute ``data-evil-*``, a script running ``evil…``, or a ``javascript:``
link; in Atom/RSS, when the feed no longer parses or holds such an element.
"""

import time
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.test import Client

from tests.api.conftest import generous_throttles, world  # noqa: F401 (fixtures)
from tests.api.test_fuzz import _one_of_each
from tests.reliability.urlwalk import every_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

APPS = ("commitments", "forums", "compliance", "engagement", "accounts", "apitokens")
TEMPLATES = [
    "<x-evil-{n}>", '"><x-evil-{n}>', "'><x-evil-{n}>", '" data-evil-{n}="1', "' data-evil-{n}='1",
    "<script>evil{n}()</script>", "</textarea><x-evil-{n}>", "</title><x-evil-{n}>", "<img src=x data-evil-{n}=1>",
    "javascript:evil{n}()", "]]><x-evil-{n}/>", "{{% debug %}}<x-evil-{n}>", "<svg><x-evil-{n}/></svg>",
    "&lt;x-evil-{n}&gt;", "\u202e<x-evil-{n}>", "--><x-evil-{n}>", '<a href="javascript:evil{n}()">x</a>',
    "=HYPERLINK(\"http://x/{n}\")<x-evil-{n}>", "%3Cx-evil-{n}%3E<x-evil-{n}>", "\\u003cx-evil-{n}\\u003e<x-evil-{n}>",
]
PAYLOADS = [t.format(n=n) for n in range(10) for t in TEMPLATES]
assert len(PAYLOADS) == 200
# Link columns hold hostile strings their validators accept (every write path checks http/https): markup in
# the path, query and fragment. A stored ``javascript:`` link is refused by those validators, and blocked by the CSP.
URL_PAYLOADS = [t.format(n=n) for n in range(10) for t in (
    'https://example.org/"><x-evil-{n}>', "https://example.org/?q='><x-evil-{n}>", 'https://example.org/#" data-evil-{n}="1',
    "https://example.org/</a><x-evil-{n}>",
)]
# Columns that name rows in URLs, or hold secrets, or are not free text.
SKIP = {"code", "identifier", "token", "digest", "prefix", "password", "username", "email", "kind", "state", "status",
        "session_key", "language", "preferred_language", "period", "period_label", "subject", "cycle", "stance", "source"}
MAX_PAGES = 1500
TIME_LIMIT = 900


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.links, self._script = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag.startswith("x-evil"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("data-evil"):
                self.problems.append(f"{name} on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "href" and value and tag in ("a", "link"):
                self.links.append(value)
        self._script = tag == "script"

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "evil" in data:
            self.problems.append(f"script running {data[:40]!r}")


def _fill(payloads):
    """Write a hostile string into every free-text column of every row; return the number of cells."""
    cells = 0
    index = 0
    targets = [m for m in apps.get_models() if m._meta.app_label in APPS and m._meta.managed and not m._meta.proxy]
    targets.append(get_user_model())
    with connection.cursor() as cursor:
        for model in targets:
            fields = [
                f for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField)) and not f.choices and not f.unique and not f.primary_key
                and f.name.split("_")[0] not in SKIP and f.name not in SKIP and not f.name.startswith("history_")
                and (f.max_length or 10**6) >= 24
            ]
            if not fields:
                continue
            for pk in model._base_manager.values_list("pk", flat=True):
                values = []
                for f in fields:
                    pool = URL_PAYLOADS if isinstance(f, models.URLField) else payloads
                    payload = pool[index % len(pool)]
                    index += 1
                    values.append(payload[: f.max_length] if f.max_length else payload)
                table = connection.ops.quote_name(model._meta.db_table)
                assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
                               [*values, pk])
                cells += len(fields)
    return cells


def _start_urls():
    urls = [path for path, _name, _callback in every_url() if "<" not in path and not path.startswith("/admin/")]
    urls = [u for u in urls if "/1" not in u.split("?")[0][1:] or u.endswith("/")]
    for model in apps.get_models():
        if model._meta.app_label in APPS and hasattr(model, "get_absolute_url"):
            for obj in model._base_manager.all()[:20]:
                try:
                    urls.append(obj.get_absolute_url())
                except Exception:  # noqa: BLE001 (a model whose URL needs more than the row)
                    continue
    return urls


def _crawl(client, start, counts, problems, missing_csp, started):
    seen, queue = set(), list(dict.fromkeys(start))
    while queue and len(seen) < MAX_PAGES and time.monotonic() - started < TIME_LIMIT:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or url in seen:
            continue
        if parts.path.startswith(("/admin/", "/accounts/sign-out", "/i18n/")) or "unsubscribe" in parts.path:
            continue
        seen.add(url)
        response = client.get(url)
        counts[response.status_code] += 1
        assert response.status_code < 500, (url, response.status_code)
        kind = response.get("Content-Type", "").split(";")[0]
        body = response.content.decode("utf-8", "replace") if not getattr(response, "streaming", False) else b"".join(response.streaming_content).decode("utf-8", "replace")
        if kind == "text/html":
            csp = response.get("Content-Security-Policy", "")
            if "default-src 'self'" not in csp or "unsafe-inline" in csp or "object-src 'none'" not in csp:
                missing_csp.append(url)
            scan = _Scan()
            scan.feed(body)
            problems.extend(f"{url}: {p}" for p in scan.problems)
            for link in scan.links:
                target = urljoin(url, link).split("#")[0]
                if urlsplit(target).netloc in ("", "testserver"):
                    target = urlsplit(target)._replace(scheme="", netloc="").geturl()
                    if target not in seen and "evil" not in target and "%3C" not in target:
                        queue.append(target)
        elif kind in ("application/atom+xml", "application/rss+xml", "application/xml", "text/xml"):
            counts["feeds"] += 1
            try:
                root = ET.fromstring(response.content)
            except ET.ParseError as error:
                problems.append(f"{url}: feed does not parse ({error})")
                continue
            problems.extend(f"{url}: <{el.tag}> in a feed" for el in root.iter() if "evil" in el.tag)
        elif kind in ("text/csv", "application/json", "text/calendar"):
            counts["exports"] += 1
            if response.get("X-Content-Type-Options") != "nosniff":
                problems.append(f"{url}: {kind} without X-Content-Type-Options: nosniff")
        else:
            counts[f"other {kind}"] += 1
    return seen


def test_r10_hostile_strings_are_escaped_everywhere_with_a_strict_csp(world, admin_user, settings, tmp_path, record_property):
    settings.MEDIA_ROOT = tmp_path
    _one_of_each(world)
    cells = _fill(PAYLOADS)
    started = time.monotonic()
    counts, problems, missing_csp = Counter(), [], []
    pages = 0
    for who in ("anonymous", "administrator"):
        client = Client()
        if who == "administrator":
            client.force_login(admin_user)
        pages += len(_crawl(client, _start_urls(), counts, problems, missing_csp, started))
    figure = (f"{cells} cells filled with 200 hostile strings; {pages} responses checked (anonymous and administrator; "
              f"{counts['feeds']} feeds, {counts['exports']} exports): {len(problems)} unescaped, "
              f"{len(missing_csp)} HTML responses without the strict CSP")
    record_property("R10", figure)
    print("\nR10", figure, dict(counts))
    print("\n".join(problems[:40]), missing_csp[:5])
    assert cells > 300 and pages > 200
    assert problems == []
    assert missing_csp == []
