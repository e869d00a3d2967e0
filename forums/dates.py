"""Days of forum meetings: the portal's zone and today, public holidays, working days to suggest, warnings on a day.

Pure helpers (no writes): they take the day, the country or ``now`` as arguments.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ogp import policy

if TYPE_CHECKING:
    from .models import Forum


def portal_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today(now: dt.datetime) -> dt.date:
    return policy.local_date(now, settings.TIME_ZONE)


def public_holidays(country: str, years):
    """Return the public holidays of ``country`` (ISO code) in ``years``; none for an unknown code."""
    import holidays

    try:
        return holidays.country_holidays(country, years=list(years))
    except NotImplementedError:
        return {}


def suggest_dates(start: dt.date, end: dt.date, country: str, *, count: int = 3) -> list[dt.date]:
    """Return up to ``count`` working days from ``start`` to ``end``: no weekends, no public holidays of ``country``."""
    if end < start:
        return []
    off = public_holidays(country, range(start.year, end.year + 1))
    days, day = [], start
    while day <= end and len(days) < count:
        if day.weekday() < 5 and day not in off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def holiday_of(day: dt.date, country: str) -> str:
    """The name of the public holiday of ``country`` on ``day`` (in the active language where known), else ""."""
    import holidays

    try:
        supported = holidays.country_holidays(country, years=[]).supported_languages
    except NotImplementedError:
        return ""
    active = (translation.get_language() or "en").split("-")[0]
    language = next((code for code in supported if code.split("_")[0] == active), None)
    names = holidays.country_holidays(country, years=[day.year], language=language)
    return names.get(day, "") or ""


def date_warnings(forum: Forum, starts_at: dt.datetime) -> list[str]:
    """What the secretariat should know before choosing this day: a public holiday, a weekend."""
    day = starts_at.astimezone(portal_zone()).date()
    warnings = []
    name = holiday_of(day, forum.holiday_country)
    if name:
        warnings.append(
            _("%(date)s is a public holiday (%(name)s): many members will not come.") % {"date": day.isoformat(), "name": name}
        )
    elif day.weekday() >= 5:
        warnings.append(_("%(date)s is a weekend day.") % {"date": day.isoformat()})
    return warnings
