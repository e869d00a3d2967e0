"""Reverse a URL pattern once per page, and fill in its last argument per row (issue #20).

A page that links each of its rows (the home page's members, a list's commitments, the personal
slots of a commitment page, "My work"'s milestones) reversed the same pattern hundreds of times a
render. :func:`path_of` reverses it once with a marker and joins each value in its place: the same
strings ``reverse()`` gives (tests/test_paths.py). A value with characters that ``reverse()`` would
quote is reversed as before.
"""

import re

from django.urls import reverse

_MARKER = "9753186420"  # digits: a valid argument of <int:…>, <str:…> and <slug:…> alike
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")  # what reverse() leaves as it is in a path


def is_plain(value) -> bool:
    """Whether ``reverse()`` leaves ``value`` as it is in a path (and ``iri_to_uri`` too)."""
    return _PLAIN.fullmatch(str(value)) is not None


def path_of(name, *args):
    """Return a function ``value -> reverse(name, args=[*args, value])``, reversing ``name`` once."""
    prefix, suffix = reverse(name, args=[*args, _MARKER]).rsplit(_MARKER, 1)

    def path(value):
        text = str(value)
        if is_plain(text):
            return f"{prefix}{text}{suffix}"
        return reverse(name, args=[*args, value])

    return path
