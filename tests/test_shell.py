"""The page shell (templates/base.html) as four kept parts with slots (issue #20, session 13).

Everything between two blocks of base.html is one ``{% same_everywhere %}`` node: its text is rendered
once per process, language, URL configuration and script prefix, and the per-request parts (the
alternate links, the account links, the CSRF token, the language switcher's ``next``) are slots
rendered for each request. A page is byte for byte the page the template before rendered
(tests/shell_reference/base.html, as it was), in every language, for anyone, with or without
messages, and nothing of one visitor reaches another.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware.csrf import _does_token_match
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from ogp_portal.templatetags import site
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parent / "shell_reference"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
NONCE = re.compile(r'(nonce=")[^"]*"')
PATHS = ["/", "/compliance/", "/commitments/?q=a%26b%3C%22x%22&page=2", "/accounts/login/", "/no/such/page/?a=<b>", "/work/"]


def _reference_templates():
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0] = {**templates[0], "DIRS": [REFERENCE, *templates[0]["DIRS"]]}
    return templates


def _client(username, with_messages):
    client = Client()
    if username:
        client.force_login(UserFactory(username=username))
    if with_messages:
        storage = CookieStorage(RequestFactory().get("/"))
        client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Saved <b>&</b>"), Message(constants.ERROR, "Ой")])
    return client


def _masked(html):
    return NONCE.sub(r"\1X", TOKEN.sub("TOKEN", html))


@pytest.mark.parametrize("with_messages", [False, True])
@pytest.mark.parametrize("username", [None, "shell-reader", "a&b<c>'\"ö"])
@pytest.mark.parametrize("prefix", ["", "/ru", "/ky"])
def test_every_page_is_the_bytes_the_template_before_rendered(prefix, username, with_messages):
    client = _client(username, with_messages)
    for path in PATHS:
        url = prefix + path
        for _twice in range(2):  # the kept parts made, then reused
            response = client.get(url)
            if with_messages:
                client.cookies["messages"] = _client(None, True).cookies["messages"]
            with override_settings(TEMPLATES=_reference_templates()):
                before = client.get(url)
            if with_messages:
                client.cookies["messages"] = _client(None, True).cookies["messages"]
            assert response.status_code == before.status_code, url
            after_html, before_html = response.content.decode(), before.content.decode()
            if response.status_code == 200 and "<html" in after_html:
                assert 'name="next" value="' in after_html
                secret = client.cookies[settings.CSRF_COOKIE_NAME].value
                tokens = TOKEN.findall(after_html)
                assert tokens and all(_does_token_match(token, secret) for token in tokens)
            assert _masked(after_html) == _masked(before_html), url


def test_nothing_of_one_visitor_reaches_another():
    site._rendered.clear()
    readers = ["first-<reader>", "second-reader", None]
    pages = {}
    for username in readers:
        client = _client(username, False)
        for path in ("/", "/ru/compliance/", "/ky/commitments/?q=x"):
            html = client.get(path).content.decode()
            secret = client.cookies[settings.CSRF_COOKIE_NAME].value
            assert all(_does_token_match(token, secret) for token in TOKEN.findall(html))
            pages[username, path] = (html, secret)
    for (username, path), (html, _secret) in pages.items():
        for other in readers:
            if other and other != username:
                assert other.replace("<", "&lt;").replace(">", "&gt;") not in html
                assert other not in html
        if username:
            assert username.replace("<", "&lt;").replace(">", "&gt;") in html
        else:
            assert reverse("accounts:logout") not in html
        # each page's language links carry its own path, not the first visitor's
        assert ('name="next" value="/compliance/"' in html) == (path == "/ru/compliance/")
        for (other_user, other_path), (_html, other_secret) in pages.items():
            if other_user != username:
                assert not any(_does_token_match(token, other_secret) for token in TOKEN.findall(html))
    kept = "".join(text for texts in site._rendered.values() for text in texts)
    assert "reader" not in kept and "csrfmiddlewaretoken" not in kept and "hreflang" not in kept
    assert "/compliance/" in kept  # the navigation is kept; the page's own path is not
    assert 'name="next"' in kept and 'name="next" value="/' not in kept


@pytest.mark.parametrize(
    "inside", ["{% if 1 %}{% csrf_token %}{% endif %}", "{% for x in '12' %}{% account_links %}{% endfor %}", "{% if 1 %}{% alternate_links %}{% endif %}"]
)
def test_a_per_request_tag_nested_inside_a_kept_part_is_refused(inside):
    from django.template import TemplateSyntaxError, engines

    with pytest.raises(TemplateSyntaxError, match="directly inside"):
        engines["django"].from_string('{% load site portal %}{% same_everywhere "x" %}<p>' + inside + "</p>{% endsame_everywhere %}")
    engines["django"].from_string('{% load site portal %}{% same_everywhere "x" %}<p>{% csrf_token %}{% account_links %}</p>{% endsame_everywhere %}')
