"""How the public compliance pages present what the sweep recorded (pure functions, no queries, no clock).

* :func:`group_findings` folds the many near-identical findings (one per missed quarter)
  into one line per kind and subject: "Missed forum meeting: 31 quarters, 2018-Q4 – 2026-Q3".
* :func:`status_timeline` turns status events into the segments of an SVG timeline.
* :func:`members_with_standing` is the one place the overview reads each member's status
  from stored rows, filterable and paginated in the database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import ngettext

from .models import MemberStatus


def _unit(period: str, n: int) -> str:
    if re.fullmatch(r"\d{4}-Q[1-4]", period):
        return ngettext("%(n)d quarter", "%(n)d quarters", n) % {"n": n}
    if re.fullmatch(r"\d{4}-H[12]", period):
        return ngettext("%(n)d half-year", "%(n)d half-years", n) % {"n": n}
    if re.fullmatch(r"\d{4}-\d{4}", period):
        return ngettext("%(n)d cycle", "%(n)d cycles", n) % {"n": n}
    return ngettext("%(n)d period", "%(n)d periods", n) % {"n": n}


@dataclass
class FindingGroup:
    kind: str
    label: str
    subject: str
    subject_name: str
    findings: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.findings)

    @property
    def open_count(self):
        return sum(1 for f in self.findings if f.is_open)

    @property
    def first(self):
        return self.findings[0]

    @property
    def last(self):
        return self.findings[-1]

    @property
    def amount(self):
        """Return "31 quarters" (the unit read from the period's form)."""
        return _unit(self.first.period, self.count)

    @property
    def span(self):
        """Return "2018-Q4 – 2026-Q3", or the one period."""
        if self.count == 1:
            return self.first.period
        return f"{self.first.period} – {self.last.period}"


def group_findings(findings, subject_names=None) -> list[FindingGroup]:
    """Return findings grouped by kind and subject, each group oldest first; groups with open findings first."""
    subject_names = subject_names or {}
    groups: dict[tuple[str, str], FindingGroup] = {}
    for f in sorted(findings, key=lambda f: (f.effective_on, f.period)):
        key = (f.kind, f.subject)
        if key not in groups:
            groups[key] = FindingGroup(
                kind=f.kind, label=str(f.get_kind_display()), subject=f.subject, subject_name=subject_names.get(f.subject, "")
            )
        groups[key].findings.append(f)
    return sorted(groups.values(), key=lambda g: (g.open_count == 0, -g.last.effective_on.toordinal(), g.label))


@dataclass
class Segment:
    status: str
    label: str
    start: dt.date
    end: dt.date
    x: float
    width: float

    @property
    def start_label(self):
        return date_format(self.start, "DATE_FORMAT")

    @property
    def end_label(self):
        return date_format(self.end, "DATE_FORMAT")


@dataclass
class StatusTimeline:
    segments: list[Segment]
    ticks: list[tuple[float, str]]
    width: float
    start: dt.date
    end: dt.date


def status_timeline(events, start, today, *, width=640.0, left=4.0) -> StatusTimeline | None:
    """Return the segments of a member's status from ``start`` (joining OGP) to ``today``.

    ``events`` are StatusEvent-like objects (status, effective_on), in any order; before the
    first of them the member was active.
    """
    events = sorted(events, key=lambda e: e.effective_on)
    if start is None:
        start = events[0].effective_on if events else None
    if start is None or start >= today:
        return None
    total = (today - start).days

    def x_of(day):
        return left + round(width * (day - start).days / total, 1)

    before = [e.status for e in events if e.effective_on <= start]
    changes = [(start, before[-1] if before else MemberStatus.ACTIVE.value)]
    changes += [(e.effective_on, e.status) for e in events if start < e.effective_on < today]
    segments = []
    for i, (day, status) in enumerate(changes):
        end = changes[i + 1][0] if i + 1 < len(changes) else today
        segments.append(
            Segment(
                status=status,
                label=str(MemberStatus(status).label),
                start=day,
                end=end,
                x=x_of(day),
                width=max(x_of(end) - x_of(day), 1.0),
            )
        )
    ticks = [(x_of(dt.date(y, 1, 1)), str(y)) for y in range(start.year + 1, today.year + 1)]
    return StatusTimeline(segments=segments, ticks=ticks, width=width + 2 * left, start=start, end=today)


def members_with_standing(qs, today):
    """Annotate members with ``status``, ``status_since``, ``open_findings`` and ``next_plan_due``.

    Read from the standing the sweep stores (``compliance.MemberStanding``, indexed), so the
    overview filters and paginates in the database. ``today`` is kept for callers that pass it; a
    member never swept yet reads as active with nothing due.
    """
    return qs.annotate(
        status=Coalesce(F("standing__status"), Value(MemberStatus.ACTIVE.value)),
        status_since=F("standing__status_since"),
        open_findings=Coalesce(F("standing__open_findings"), Value(0)),
        next_plan_due=F("standing__plan_deadline"),
    )
