"""Days formatted once a process (issue #20): what ``date_format`` answers for a day, kept per language and format."""

from __future__ import annotations

import datetime as dt
import functools

from django.utils.formats import date_format
from django.utils.translation import get_language


def formatted_day(day: dt.date, format_name: str) -> str:
    """``date_format(day, format_name)`` for a ``datetime.date`` (not a datetime), each (language, format, day) formatted once.

    The text depends on nothing else (a day has no time zone; the format and the month names are the
    language's), so it is the same for every visitor: milestones' end days and reporting periods recur
    across pages and people, and Django's formatting was a tenth of "My work".
    """
    return _formatted_day(get_language(), format_name, day)


@functools.lru_cache(maxsize=8192)
def _formatted_day(language, format_name, day):
    return date_format(day, format_name)
