"""OGP's minimum requirements (2021 Participation & Co-Creation Standards) as checks per member and cycle.

Pure functions of (the member's records, its cycles, today): ``services.minimum_requirements`` reads the
records. Each check says what it counted and the period it covers, and gives a verdict only where the
requirement's wording is known (docs ogp-rules.md §3):

* MR 1.1: the forum meets at least every six months with government and civil society, and its rules
  are public (the forum's founding act is recorded);
* MR 2.1: a public page dedicated to the member's OGP participation (the portal's member page);
* MR 2.2: a public repository updated at least twice a year (the member's published documents: plans,
  status reports, meeting minutes, evidence, letters, with their dates);
* MR 5.1: at least two meetings a year with civil society to present implementation results (held forum
  meetings civil society attended; the portal does not record an agenda, so the count says so).

Standards 3 and 4: OGP's wording was not retrieved, so no threshold is invented: the records, no verdict.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ogp.policy import period_of

MET, NOT_MET, NOT_YET_DUE, RECORDS_ONLY = "met", "not_met", "not_yet_due", "records_only"
VERDICTS = {
    MET: _("Met"),
    NOT_MET: _("Not met"),
    NOT_YET_DUE: _("Not yet due"),
    RECORDS_ONLY: _("Records only (OGP's wording not retrieved)"),
}
GOVERNMENT, CIVIL_SOCIETY = "government", "civil_society"


@dataclass(frozen=True)
class MeetingRecord:
    day: dt.date
    forum: str
    sectors: frozenset = frozenset()  # the sectors that attended (present or represented)


@dataclass(frozen=True)
class Records:
    member_page: str
    forum_rules: tuple[tuple[str, str], ...] = ()  # (forum name, founding act) for each forum
    meetings: tuple[MeetingRecord, ...] = ()
    documents: tuple[tuple[dt.date, str], ...] = ()  # (published on, what)
    plans: tuple[tuple[dt.date, str], ...] = ()
    status_reports: tuple[tuple[dt.date, str], ...] = ()


@dataclass
class Check:
    code: str
    title: str
    cycle: str
    start: dt.date
    end: dt.date
    verdict: str
    counted: int
    evidence: list[tuple[dt.date | None, str]] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)  # the windows that lack what the requirement asks

    @property
    def verdict_label(self):
        return VERDICTS[self.verdict]


def _windows(start: dt.date, end: dt.date, months: int) -> list:
    """Return the calendar periods of ``months`` (half-years, years) overlapping ``start``–``end``."""
    windows, day = [], start
    while day <= end:
        p = period_of(day, months)
        windows.append(p)
        day = p.end + dt.timedelta(days=1)
    return windows


def _per_window(start, end, today, months, days, needed):
    """Return (verdict, shortfalls): each ended window overlapping the period holds ``needed`` of ``days``.

    A window is judged whole (a half-year that straddles two cycles is met by a meeting in either part).
    ``days`` sorted: each window's days are counted by bisection (every cycle's windows against every
    record's day was most of the page's checks, issue #20).
    """
    due = [w for w in _windows(start, end, months) if w.end < today]
    if not due:
        return NOT_YET_DUE, []
    short = [w.label for w in due if bisect.bisect_right(days, w.end) - bisect.bisect_left(days, w.start) < needed]
    return (NOT_MET if short else MET), short


def cycle_periods(cycles, today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Return (label, first day, last day) of each cycle: from its start to the day before the next one starts."""
    periods = []
    for i, c in enumerate(cycles):
        end = cycles[i + 1].starts_on - dt.timedelta(days=1) if i + 1 < len(cycles) else today
        periods.append((c.label, c.starts_on, max(c.starts_on, min(end, today))))
    return periods


def _titles() -> dict:
    """The requirements' titles in the active language."""
    return {
        "MR 1.1": str(_("The forum meets at least every six months with government and civil society; its rules are public")),
        "MR 2.1": str(_("A public page dedicated to the member's OGP participation")),
        "MR 2.2": str(_("A public document repository updated at least twice a year")),
        "MR 5.1": str(_("At least two meetings a year with civil society to present implementation results "
                        "(held forum meetings civil society attended)")),
        "Standard 3": str(_("Co-creation: the plans delivered and the forum's meetings (records, no verdict)")),
        "Standard 4": str(_("Implementation: the status reports published (records, no verdict)")),
    }


def check(records: Records, cycles, today: dt.date) -> list[Check]:
    """Return the checks of every cycle of the member (the rules' cycles, ``engine.Evaluation.cycles``)."""
    results = []
    titles = _titles()  # translated once, not once per cycle
    both = [m for m in records.meetings if {GOVERNMENT, CIVIL_SOCIETY} <= m.sectors]
    with_cso = [m for m in records.meetings if CIVIL_SOCIETY in m.sectors]
    # The days each requirement counts, sorted once for every cycle (:func:`_per_window`).
    both_days = sorted(m.day for m in both)
    document_days = sorted(d for d, _what in records.documents)
    cso_days = sorted(m.day for m in with_cso)
    for label, start, end in cycle_periods(cycles, today):
        def within(rows):
            return [r for r in rows if start <= r[0] <= end]

        met_both = [m for m in both if start <= m.day <= end]
        verdict, short = _per_window(start, end, today, 6, both_days, 1)
        rules = [(None, f"{name}: {act}") for name, act in records.forum_rules if act]
        if verdict == MET and not rules:
            verdict, short = NOT_MET, [str(_("the forum's rules (founding act) are not recorded"))]
        results.append(Check(
            "MR 1.1", titles["MR 1.1"],
            label, start, end, verdict, len(met_both),
            [(m.day, f"{m.forum}") for m in met_both] + rules, short,
        ))
        results.append(Check(
            "MR 2.1", titles["MR 2.1"], label, start, end, MET, 1,
            [(None, records.member_page)],
        ))
        docs = within(records.documents)
        verdict, short = _per_window(start, end, today, 6, document_days, 1)
        results.append(Check(
            "MR 2.2", titles["MR 2.2"], label, start, end, verdict,
            len(docs), sorted(docs), short,
        ))
        cso = [m for m in with_cso if start <= m.day <= end]
        verdict, short = _per_window(start, end, today, 12, cso_days, 2)
        results.append(Check(
            "MR 5.1", titles["MR 5.1"],
            label, start, end, verdict, len(cso), [(m.day, m.forum) for m in cso], short,
        ))
        plans = within(records.plans)
        results.append(Check(
            "Standard 3", titles["Standard 3"],
            label, start, end, RECORDS_ONLY, len(plans) + len(met_both), sorted(plans) + [(m.day, m.forum) for m in met_both],
        ))
        reports = within(records.status_reports)
        results.append(Check(
            "Standard 4", titles["Standard 4"],
            label, start, end, RECORDS_ONLY, len(reports), sorted(reports),
        ))
    return results
