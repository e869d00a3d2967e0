"""The forum page's per-visitor parts written in Python (issue #20): ``{% open_items_section %}``."""

from django import template

from forums.rows import open_items_section as _section

register = template.Library()


@register.simple_tag(takes_context=True)
def open_items_section(context):
    """The "Open action items" section for this visitor (``forums.rows.open_items_section``), with the page's own
    CSRF token (the language switcher's) in the secretariat's "Mark done" forms."""
    can_manage = context.get("can_manage", False)
    request = context.get("request")
    return _section(
        context.get("open_items") or (),
        forum_pk=context["forum"].pk,
        can_manage=can_manage,
        today=context["today"],
        csrf_token=str(context.get("csrf_token", "")) if can_manage else "",
        path=request.path if can_manage and request is not None else "",
    )
