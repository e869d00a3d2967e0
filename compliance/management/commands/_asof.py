"""Shared option parsing for the compliance commands."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from commitments.models import Member


def parse_as_of(value):
    """Return the ``--as-of`` day (a portal-local date), or now when absent."""
    if not value:
        return timezone.now()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date like 2022-01-01, not {value!r}") from None


def members(code):
    """Return the members to work on: the one with ``code``, or all."""
    qs = Member.objects.order_by("kind", "code")
    if code:
        qs = qs.filter(code__iexact=code)
        if not qs.exists():
            raise CommandError(f"No member with code {code!r}.")
    return qs
