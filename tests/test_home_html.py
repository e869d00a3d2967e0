"""The home page's content written in Python (``ogp_portal.home_rows.home_html``) is what its template rendered.

``templates/commitments/_home.html`` (with ``_bar_chart.html`` and ``_pagination.html``) cost ~1 ms of every
first render (issue #20); ``home_html`` writes the same bytes. Compared here page by page, in English,
Russian and Kyrgyz, on every view and on first, middle and last pages, with figures, deadlines, a
query string kept by the pagination, and on an empty portal (no members, no deadline, no commitment).
"""

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string

from compliance.models import Deadline
from ogp_portal import pages

pytestmark = pytest.mark.django_db

PATHS = ["/", "/ru/", "/ky/", "/?view=local", "/ru/?view=local", "/?page=2", "/ky/?page=2", "/?page=3&view=all", "/?view=local&page=2"]


def _template(context):
    return render_to_string("commitments/_home.html", context)


def _page(client, path) -> bytes:
    """The page, its per-response secrets (the CSRF token's mask, the CSP nonce) blanked."""
    body = client.get(path).content
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"', b'name="csrfmiddlewaretoken" value=""', body)
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', body)


def _both(client, monkeypatch, path):
    written = _page(client, path)
    with monkeypatch.context() as patched:
        patched.setattr(pages, "_render_home", _template)
        rendered = _page(client, path)
    return written, rendered


def test_the_home_page_written_in_python_is_the_template_byte_for_byte(client, monkeypatch, seed_data):
    from commitments.models import Member
    from tests.factories import ActionPlanFactory, CommitmentFactory, LocalMemberFactory, MemberFactory

    for i in range(4):  # more members than a page: previous and next links, the query kept
        national = MemberFactory(name=f"Country {i} & Co", code=f"C{i}", country=f"Country {i}")
        ActionPlanFactory(member=national)
        CommitmentFactory(plan=ActionPlanFactory(member=LocalMemberFactory(name=f"City {i}", code=f"C{i}L", parent=national)))
    monkeypatch.setattr(pages, "MEMBERS_PER_PAGE", 2)
    member = Member.objects.order_by("pk").first()
    Deadline.objects.create(member=member, kind=Deadline.Kind.values[0], cycle="2024-H1", due_on=dt.date(2099, 1, 31))
    Deadline.objects.create(member=member, kind=Deadline.Kind.values[-1], due_on=dt.date(2099, 2, 28))
    for path in PATHS:
        written, rendered = _both(client, monkeypatch, path)
        assert b"Next deadlines" in rendered or b"<h3>" in rendered
        assert written == rendered, path
    written, _rendered = _both(client, monkeypatch, "/")
    assert b'rel="next"' in written and b"2099" in written


def test_an_empty_portal_too(client, monkeypatch):
    for path in ("/", "/ru/", "/?view=local"):
        written, rendered = _both(client, monkeypatch, path)
        assert written == rendered, path
    assert b'class="pagination"' not in written
