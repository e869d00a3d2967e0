"""The forum page's per-visitor parts written in Python (issue #20): ``{% open_items_section %}``."""

from django import template

from forums.page_parts import fill

register = template.Library()


@register.simple_tag(takes_context=True)
def open_items_section(context):
    """The "Open action items" section for this visitor (the view's ``open_items_html``: ``forums.page_parts``), with
    the page's own CSRF token (the language switcher's) in the secretariat's "Mark done" forms."""
    return fill(context["open_items_html"](), context.get("csrf_token", ""))
