"""Template tags for the portal's page layout."""

import datetime as dt
from urllib.parse import unquote, urlsplit, urlunsplit

from django import template
from django.template import defaultfilters
from django.conf import settings
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils.html import conditional_escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, override
from django.utils.translation import gettext as _

from ogp_portal.cache import fragment
from ogp_portal.templatetags.site import frame_key

register = template.Library()


@register.simple_tag(takes_context=True)
def default_language_path(context):
    """Return the current page's path and query in the default language (no language prefix).

    The language switcher posts this as ``next``. Django's ``set_language`` runs
    unprefixed, so in English, and can translate an English path into any
    language but cannot resolve a ``/ru/…`` path back to English.
    """
    return page_in_languages(context["request"])[settings.LANGUAGE_CODE]


def page_in_languages(request) -> dict[str, str]:
    """The current page's path and query in every language, as ``translate_url`` gives it, once per request.

    The language switcher and the alternate links of every rendered page need it (issue #20): the
    path is resolved once and reversed once per language, instead of resolved and reversed again by
    each ``translate_url``. The paths in each language depend on the path alone (not on the visitor,
    nor the query), so they are kept per process, URL configuration, script prefix and active language (a bounded
    dict, emptied when settings change): a page's reversals happen once, not on every render.
    """
    paths = getattr(request, "_page_in_languages", None)
    if paths is not None:
        return paths
    full_path = request.get_full_path()
    parsed = urlsplit(full_path)
    key = (get_urlconf(), get_script_prefix(), get_language(), parsed.path)  # i18n patterns resolve per language
    translated = _translated_paths.get(key)
    if translated is None:
        translated = _translate_path(request, parsed.path)
        if len(parsed.path) <= _LONGEST_PATH_KEPT:  # bounded memory, whatever addresses visitors make up
            if len(_translated_paths) >= _TRANSLATED_PATHS_KEPT:
                _translated_paths.clear()
            _translated_paths[key] = translated
    paths = {}
    for code, path in translated.items():
        if path is None:
            paths[code] = full_path
        else:
            paths[code] = urlunsplit((parsed.scheme, parsed.netloc, path, parsed.query, parsed.fragment))
    request._page_in_languages = paths
    return paths


_translated_paths: dict[tuple, dict[str, str | None]] = {}
_TRANSLATED_PATHS_KEPT = 4096
_LONGEST_PATH_KEPT = 200


def _forget_translated_paths(**kwargs) -> None:
    _translated_paths.clear()  # a test's changed settings (languages, URLs) translate afresh
    _alternate_links.clear()


setting_changed.connect(_forget_translated_paths, dispatch_uid="portal_translated_paths")


def _translate_path(request, path_part: str) -> dict[str, str | None]:
    """{language: the path of this page in it, or None when it has none (the full path is kept then)}."""
    match = getattr(request, "resolver_match", None)  # the handler's own resolution of this path (issue #20)
    if match is None or unquote(path_part) != request.path_info:
        try:
            match = resolve(unquote(path_part))
        except Resolver404:
            match = None
    translated: dict[str, str | None] = {}
    for code, _name in settings.LANGUAGES:
        translated[code] = None
        if match is None:
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        with override(code):
            try:
                translated[code] = reverse(name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                continue
    return translated


_ABSENT = object()


@register.simple_tag
def tr(obj, field, block=False):
    """Return ``obj.field`` in the active language, marked up when it falls back to the original.

    modeltranslation falls back to English when the active language's column is empty; such
    text then carries ``lang="en"`` (so screen readers read it as English) and a discreet note.
    ``block=True`` renders paragraphs (``linebreaks``) in a ``div``; otherwise a ``span``.
    """
    value = getattr(obj, field, "") or ""
    text = linebreaks(value, autoescape=True) if block else conditional_escape(value)
    language = get_language() or settings.LANGUAGE_CODE
    original = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    # The column of the active language: absent (a field that is not translated), empty or NULL (not yet).
    own = getattr(obj, f"{field}_{language.replace('-', '_')}", _ABSENT)
    if not value or language == original or own is _ABSENT or own:
        return mark_safe(text)  # noqa: S308 (escaped above)
    tag = "div" if block else "span"
    info = get_language_info(original)
    note = _("(shown in %(language)s: not translated yet)") % {"language": info["name_translated"]}
    return format_html(
        '<{tag} lang="{lang}" class="fallback">{text}</{tag}> <small class="fallback-note">{note}</small>',
        tag=tag,
        lang=original,
        text=mark_safe(text),  # noqa: S308 (escaped above)
        note=note,
    )


@register.simple_tag
def name_of(obj, default="—"):
    """Return the name of a member, agency or forum in the active language (see :func:`tr`), ``default`` if none.

    An agency's acronym follows its name, as in ``str(agency)``.
    """
    if obj is None:
        return default
    name = tr(obj, "name")
    acronym = getattr(obj, "acronym", "")
    return format_html("{} ({})", name, acronym) if acronym else name


# Named formats that show a date only: a datetime is labelled by its (local) day.
DATE_ONLY_FORMATS = frozenset({"DATE_FORMAT", "SHORT_DATE_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"})


@register.filter(expects_localtime=True, is_safe=False)
def day(value, arg="DATE_FORMAT"):
    """``value|date:arg`` for a named date format, the label kept per day and language (issue #20).

    The ``date`` filter looks up the translated month names on every call (a forum or a commitment
    page shows dozens of dates); this gives the same text from ``commitments.timeline.date_label``.
    Any other format goes to the ``date`` filter.
    """
    if value in (None, ""):
        return ""
    if arg in DATE_ONLY_FORMATS and isinstance(value, dt.date):
        from commitments.timeline import date_label

        return date_label(value.date() if isinstance(value, dt.datetime) else value, arg)
    return defaultfilters.date(value, arg)


@register.simple_tag
def bar_chart(chart, key):
    """A ``commitments.timeline.BarChart`` with its data table (``_bar_chart.html``), written in Python."""
    return mark_safe(chart.html(key))  # noqa: S308 - BarChart.html escapes every value it writes


@register.filter
def completion_label(value):
    """Return the label of a completion value ('none' or empty: no published update)."""
    from commitments.timeline import completion_label as label

    return label(value)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """Return the current list URL at page ``number``, keeping every filter."""
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def attr(obj, name):
    """Return ``getattr(obj, name)`` (a field named in the view, such as a template section)."""
    return getattr(obj, name, "")


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """Return the links to this page in every language (``<link rel="alternate" hreflang>``).

    English, the default, has no prefix and is also the ``x-default`` version. Written here, the
    same bytes templates/_alternate_links.html rendered through an inclusion tag (issue #20: the
    frame of every rendered page; a template render of its own cost ~40 us).
    """
    request = context.get("request")
    if request is None:
        return mark_safe("\n")  # noqa: S308 - what the template rendered for no links
    # The links depend on the scheme and host (checked against ALLOWED_HOSTS as build_absolute_uri does), the
    # full path and the active language: kept per process like the translated paths (session 13, the shell).
    full_path = request.get_full_path()
    key = (request._current_scheme_host, *frame_key(context), full_path)
    kept = _alternate_links.get(key)
    if kept is not None:
        if getattr(request, "_page_in_languages", None) is None:
            request._page_in_languages = dict(kept[1])
        return mark_safe(kept[0])  # noqa: S308 - escaped when it was written
    paths = page_in_languages(request)
    html = []
    default = None
    for code, _name in settings.LANGUAGES:
        url = conditional_escape(request.build_absolute_uri(paths[code]))
        html.append(f'<link rel="alternate" hreflang="{conditional_escape(code)}" href="{url}">\n  ')
        if code == settings.LANGUAGE_CODE and default is None:
            default = url
    if default:
        html.append(f'<link rel="alternate" hreflang="x-default" href="{default}">')
    html.append("\n")
    html = "".join(html)
    if len(full_path) <= _LONGEST_PATH_KEPT:  # bounded memory, whatever addresses visitors make up
        if len(_alternate_links) >= _TRANSLATED_PATHS_KEPT:
            _alternate_links.clear()
        _alternate_links[key] = (html, dict(paths))
    return mark_safe(html)  # noqa: S308 - every value escaped above


_alternate_links: dict[tuple, tuple[str, dict[str, str]]] = {}


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist = nodelist
        self.parts = parts

    def render(self, context):
        name = ":".join(str(part.resolve(context)) for part in self.parts)
        return fragment(name, lambda: self.nodelist.render(context))


@register.tag
def shared_fragment(parser, token):
    """``{% shared_fragment "member" member.pk today %}…{% endshared_fragment %}``: a part of a page kept once for every visitor.

    The part is rendered once per generation, language and the values given (what it depends on
    besides the data a service, import or the admin changes: the object, the day when it shows
    one), then served to anonymous and signed-in visitors alike (``ogp_portal.cache.fragment``,
    issue #20). Nothing per visitor may be inside: no follow button, edit link, form, CSRF token
    or CSP nonce, no ``user`` nor ``request`` but its path.
    """
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("shared_fragment needs a name")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, [parser.compile_filter(bit) for bit in bits])
