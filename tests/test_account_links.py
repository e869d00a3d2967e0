"""The header's account links written in Python (ogp_portal/templatetags/site.py ``account_links``; issue #20).

They replaced templates/accounts/_header_links.html (an include, two reversals, two translation tags and
the CSRF tag on every page): the same bytes in every language, for a signed-in visitor (their name
escaped, their CSRF token) and for anyone else, and nothing of one visitor kept for another.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.middleware.csrf import get_token
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

# The template the tag replaced, as it was.
REPLACED = (
    "{% load i18n %}{% if user.is_authenticated %}\n"
    "<li><a href=\"{% url 'work:my_work' %}\">{% translate \"My work\" %}</a></li>\n"
    "<li><form class=\"sign-out\" method=\"post\" action=\"{% url 'accounts:logout' %}\">{% csrf_token %}"
    "<button type=\"submit\" class=\"outline secondary\">{% blocktranslate with name=user.get_username %}"
    "Sign out ({{ name }}){% endblocktranslate %}</button></form></li>\n"
    "{% else %}\n"
    "<li><a href=\"{% url 'accounts:login' %}\">{% translate \"Sign in\" %}</a></li>\n"
    "{% endif %}\n"
)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("username", [None, "plain", "a&b<c>'\"ö"])
def test_the_account_links_are_the_bytes_the_template_rendered(language, username):
    engine = engines["django"]
    old, new = engine.from_string(REPLACED), engine.from_string("{% load site %}{% account_links %}")
    with translation.override(language):
        request = RequestFactory().get("/")
        request.user = AnonymousUser() if username is None else User(username=username)
        get_token(request)
        before, after = old.render({}, request), new.render({}, request)
    if username is not None:
        assert TOKEN.search(before) and TOKEN.search(after)
        assert "Sign out" in after if language == "en" else "/work/" in after
    else:
        assert reverse("accounts:login") in after
    assert TOKEN.sub("", after) == TOKEN.sub("", before)


@pytest.mark.django_db
def test_each_visitor_gets_their_own_name_and_token_in_the_header():
    first, second = (User.objects.create_user(name, f"{name}@example.org", "a-long-test-password-42") for name in ("aida", "bakyt"))
    pages = []
    for user in (first, second):
        client = Client()
        client.force_login(user)
        for path in ("/", "/ru/"):
            html = client.get(path).content.decode()
            pages.append((user.username, path, html))
    for username, path, html in pages:
        assert f"({username})</button>" in html, (username, path)
        other = "bakyt" if username == "aida" else "aida"
        assert f"({other})</button>" not in html
    tokens = {TOKEN.search(html).group(1) for _u, _p, html in pages}
    assert len(tokens) == len(pages)  # masked afresh on every page
    anonymous = Client().get("/").content.decode()
    assert "sign-out" not in anonymous and reverse("accounts:login") in anonymous
