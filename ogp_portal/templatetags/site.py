"""``{% same_everywhere %}``: parts of the site's frame rendered once per process and language (issue #20).

The base template's navigation, search form and footer are the same on every page, for every
visitor, in a given language: a dozen address reversals and twenty translations that every page
(a signed-in one too, which no cache serves) rendered again. They are rendered once per process,
language, URL configuration and script prefix, then reused. Nothing per visitor or per page may be
inside (no user, request, CSRF token, CSP nonce, current path), except in a slot.

Slots (session 13): a ``{% csrf_token %}`` or a simple tag (``{% account_links %}``, ``{% alternate_links %}``,
``{% default_language_path %}``) placed directly inside the tag is not kept: the text around the slots is
rendered once, and each render joins it with what the slots render for this request. So the whole frame
between two blocks is one node (base.html: four), not a dozen nodes rendered on every page.
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
    _account_parts.clear()


setting_changed.connect(_forget, dispatch_uid="ogp_portal_same_everywhere")


class SameEverywhereNode(template.Node):
    # Not searched for blocks ({% extends %} walks the parent's nodes on every render): none may be inside.
    child_nodelists = ()

    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

        # The nodes rendered for every request (see the module's docstring), in order, between the kept texts.
        self.slots = [node for node in nodelist if _is_slot(node)]

    def render(self, context):
        key = (self.name, *frame_key(context))
        texts = _rendered.get(key)
        if texts is None:
            texts = _rendered[key] = self._kept_texts(context)
        if not self.slots:
            return mark_safe(texts[0])  # noqa: S308 - rendered by our own template (autoescaped)
        html = [texts[0]]
        for slot, text in zip(self.slots, texts[1:]):
            html.append(slot.render_annotated(context))
            html.append(text)
        return mark_safe("".join(html))  # noqa: S308 - our own template's text; the slots render as they would in it

    def _kept_texts(self, context) -> list[str]:
        """The texts before, between and after the slots (one more than the slots), rendered as the template would."""
        texts, current = [], []
        for node in self.nodelist:
            if _is_slot(node):
                texts.append("".join(current))
                current = []
            else:
                current.append(str(node.render_annotated(context)))
        texts.append("".join(current))
        return texts


def frame_key(context) -> tuple:
    """The language, URL configuration and script prefix, looked up once per render (~10 µs each time), not per part.

    The kept parts, the account links and the alternate links (commitments/templatetags/portal.py) are keyed by it.
    """
    render_context = context.render_context
    key = render_context.get(frame_key)
    if key is None:
        key = render_context[frame_key] = (translation.get_language(), get_urlconf(), get_script_prefix())
    return key


def _is_slot(node) -> bool:
    from django.template.defaulttags import CsrfTokenNode
    from django.template.library import SimpleNode

    return isinstance(node, (CsrfTokenNode, SimpleNode))


@register.tag
def same_everywhere(parser, token):
    """``{% same_everywhere "site-nav" %}…{% endsame_everywhere %}``: see the module's docstring."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError("same_everywhere takes one quoted name")
    nodelist = parser.parse(("endsame_everywhere",))
    parser.delete_first_token()
    from django.template.defaulttags import CsrfTokenNode
    from django.template.library import SimpleNode

    nested = [node for kind in (CsrfTokenNode, SimpleNode) for node in nodelist.get_nodes_by_type(kind) if node not in nodelist]
    if nested:  # it would be kept with the text: one visitor's token or path shown to the next
        raise template.TemplateSyntaxError(f"same_everywhere: {nested[0].token.contents!r} must be directly inside, as a slot")
    return SameEverywhereNode(nodelist, bits[1][1:-1])


# --- the frame's personal part: the header's account links (issue #20: the fixed cost of a signed-in page) ---
#
# What templates/accounts/_header_links.html rendered through an include, two reversals, two translation
# tags and the CSRF tag (~0.12 ms on every page): the same bytes, written here. Its text and addresses are
# kept per language, URL configuration and script prefix like the frame's parts above; the visitor's
# name and CSRF token are put in at each render and never kept.


_account_parts: dict[tuple, dict[str, str]] = {}


def _account_links(key: tuple | None = None) -> dict[str, str]:
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.translation import gettext

    def translated(text):  # as {% translate "…" %}: the translation is not escaped, doubled percent signs restored
        return text.replace("%%", "%")

    key = key or (translation.get_language(), get_urlconf(), get_script_prefix())
    parts = _account_parts.get(key)
    if parts is None:
        my_work, sign_in = translated(gettext("My work")), translated(gettext("Sign in"))
        parts = _account_parts[key] = {
            "signed_in": (
                f'\n<li><a href="{escape(reverse("work:my_work"))}">{my_work}</a></li>\n'
                f'<li><form class="sign-out" method="post" action="{escape(reverse("accounts:logout"))}">'
            ),
            "button": '<button type="submit" class="outline secondary">',
            "sign_out": gettext("Sign out (%(name)s)"),
            "end": "</button></form></li>\n\n",
            "anonymous": f'\n<li><a href="{escape(reverse("accounts:login"))}">{sign_in}</a></li>\n\n',
        }
    return parts


@register.simple_tag(takes_context=True)
def account_links(context):
    """The header's "My work" and "Sign out (name)" for a signed-in visitor, "Sign in" for anyone else."""
    from django.utils.html import conditional_escape

    parts = _account_links(frame_key(context))
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return mark_safe(parts["anonymous"])  # noqa: S308 - our own text and addresses, escaped above
    token = context.get("csrf_token")
    csrf = ""
    if token and token != "NOTPROVIDED":
        csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{conditional_escape(token)}">'
    name = conditional_escape(user.get_username())
    try:
        sign_out = parts["sign_out"] % {"name": name}
    except (KeyError, ValueError):  # a broken translation: the English text, as {% blocktranslate %} falls back to
        sign_out = "Sign out (%(name)s)" % {"name": name}
    return mark_safe(f"{parts['signed_in']}{csrf}{parts['button']}{sign_out}{parts['end']}")  # noqa: S308 - escaped above
