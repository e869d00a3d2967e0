"""Every URL pattern of the site, as a concrete path (shared by the reliability tests R9 and R10)."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _route(pattern, values):
    """Return the literal text of one pattern piece with its parameters filled from ``values``, or None."""
    if isinstance(pattern, LocalePrefixPattern):
        return ""
    if isinstance(pattern, RoutePattern):
        def fill(match):
            name, converter = match["name"], match["converter"] or "str"
            return str(values.get(name, values.get(converter, "1")))

        return _ROUTE_PARAM.sub(fill, str(pattern._route))
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.lstrip("^").rstrip("$").removesuffix("\\Z")
        # Admin-style alternatives "(?P<app_label>auth|commitments)": take the named value or the first choice.
        def group(match):
            name = match["name"]
            if name in values:
                return str(values[name])
            body = match.group(0)[len(f"(?P<{name}>"):-1]
            return body.split("|")[0] if "|" in body else "1"

        text = _REGEX_GROUP.sub(group, regex)
        if re.search(r"[\\()\[\]*+?{}]", text):
            return None  # a pattern this walker cannot write out
        return text
    return None


def every_url(values=None):
    """Yield (path, name, callback) for every pattern of the root URLconf (default language), ids from ``values``."""
    values = values or {}

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            piece = _route(entry.pattern, values)
            if piece is None:
                continue
            if isinstance(entry, URLResolver):
                ns = ":".join(filter(None, [namespace, entry.namespace]))
                yield from walk(entry.url_patterns, prefix + piece, ns)
            elif isinstance(entry, URLPattern):
                name = ":".join(filter(None, [namespace, entry.name or ""]))
                yield prefix + piece, name, entry.callback

    yield from walk(get_resolver().url_patterns, "/", "")
