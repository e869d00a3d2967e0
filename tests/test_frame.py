"""The page frame's per-request cost (templates/base.html; issue #20): the same bytes, less work.

The alternate links are written in Python (commitments/templatetags/portal.py ``alternate_links``) instead
of templates/_alternate_links.html through an inclusion tag; the paths of a page in every language are kept
per process and path; the head's and the frame's invariant text is kept per language by
``{% same_everywhere %}``. A page rendered from the kept parts is the page rendered afresh.
"""

import re

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import translation

from commitments.templatetags import portal
from ogp_portal.templatetags import site

pytestmark = pytest.mark.django_db

# The template the tag replaced, as it was, and the context its inclusion tag gave it.
REPLACED = (
    '{% for code, url in links %}<link rel="alternate" hreflang="{{ code }}" href="{{ url }}">\n'
    '  {% endfor %}{% if default %}<link rel="alternate" hreflang="x-default" href="{{ default }}">{% endif %}\n'
)


def replaced_context(request):
    if request is None:
        return {"links": []}
    paths = portal.page_in_languages(request)
    links = [(code, request.build_absolute_uri(paths[code])) for code, _name in settings.LANGUAGES]
    default = next((url for code, url in links if code == settings.LANGUAGE_CODE), None)
    return {"links": links, "default": default}


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("path", ["/", "/compliance/", "/commitments/?q=a%26b%3C%22x%22&page=2", "/members/KG/", "/no/such/page/?a=<b>"])
def test_the_alternate_links_are_the_bytes_the_template_rendered(language, path):
    engine = engines["django"]
    old, new = engine.from_string(REPLACED), engine.from_string("{% load portal %}{% alternate_links %}")
    prefixed = path if language == "en" else f"/{language}{path}"
    with translation.override(language):
        for _twice in range(2):  # the paths worked out, then kept
            request = RequestFactory().get(prefixed)
            expected = old.render(replaced_context(request))
            assert new.render({"request": request}) == expected
            assert expected.count('rel="alternate"') == len(settings.LANGUAGES) + 1
        assert new.render({}) == old.render(replaced_context(None)) == "\n"


@pytest.mark.parametrize("path", ["/", "/compliance/", "/accounts/login/", "/no/such/page/"])
def test_a_page_from_the_kept_frame_is_the_page_rendered_afresh(path):
    from tests.factories import UserFactory

    masked = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"|(nonce=")[^"]*"')
    signed_in = Client()
    signed_in.force_login(UserFactory(username="frame-reader"))
    for client in (Client(), signed_in):
        for prefix in ("", "/ru", "/ky"):
            site._rendered.clear()
            portal._translated_paths.clear()
            portal._alternate_links.clear()
            fresh = client.get(prefix + path)
            kept = client.get(prefix + path)
            assert site._rendered and fresh.status_code == kept.status_code
            fresh_html, kept_html = (masked.sub(r"\1\2X", r.content.decode()) for r in (fresh, kept))
            assert fresh_html == kept_html
            assert f'<html lang="{prefix[1:] or "en"}"' in kept_html
