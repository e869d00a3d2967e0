"""``{% same_everywhere %}``: parts of the site's frame rendered once per process and language (issue #20).

The base template's navigation, search form and footer are the same on every page, for every
visitor, in a given language: a dozen address reversals and twenty translations that every page
(a signed-in one too, which no cache serves) rendered again. They are rendered once per process,
language, URL configuration and script prefix, then reused. Nothing per visitor or per page may be
inside (no user, request, CSRF token, CSP nonce, current path): those stay outside the tag.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import mark_safe

register = template.Library()

_rendered: dict[tuple, str] = {}


def _forget(**kwargs) -> None:
    _rendered.clear()  # a test's changed settings (languages, URLs, templates) render afresh


setting_changed.connect(_forget, dispatch_uid="ogp_portal_same_everywhere")


class SameEverywhereNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        key = (self.name, translation.get_language(), get_urlconf(), get_script_prefix())
        html = _rendered.get(key)
        if html is None:
            html = _rendered[key] = self.nodelist.render(context)
        return mark_safe(html)  # noqa: S308 - rendered by our own template (autoescaped)


@register.tag
def same_everywhere(parser, token):
    """``{% same_everywhere "site-nav" %}…{% endsame_everywhere %}``: see the module's docstring."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError("same_everywhere takes one quoted name")
    nodelist = parser.parse(("endsame_everywhere",))
    parser.delete_first_token()
    return SameEverywhereNode(nodelist, bits[1][1:-1])
