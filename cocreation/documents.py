"""The member's document repository (OGP's MR 2.2): every public document the portal holds for a member.

``documents_for(member)`` returns rows ``Document(date, type, title, url, cycle)``, newest first: plans,
published status reports, published minutes, evidence of published progress, OGP's letters, and the
co-creation records (processes, drafts opened for comment, the forum's responses). The repository page,
its Atom feed and the MR 2.2 check (``compliance.selectors.minimum_requirements``) read the same rows; the newest date is the repository's
"last updated".
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import NamedTuple

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import get_language as mt_language

from commitments.models import Evidence, Member, ProgressUpdate, StatusReport
from compliance.models import Cycle
from forums.models import Meeting
from ogp_portal.compiled import execute_kept

TYPES = {
    "plan": _("Action plan"),
    "status_report": _("Status report"),
    "minutes": _("Forum minutes"),
    "evidence": _("Evidence"),
    "letter": _("OGP letter"),
    "cocreation": _("Co-creation record"),
}


class Document(NamedTuple):
    date: dt.date
    type: str
    title: str
    url: str
    cycle: str

    @property
    def type_label(self):
        return TYPES[self.type]


def _day(value) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


# Every document but the minutes, in one statement (issue #20: six queries, each compiled by the ORM, were
# most of the compliance member page's first render). Columns: type, day (a date), at (a timestamp), the
# row's id, a reference (the report's plan, the letter's status event), five texts, a second timestamp
# (a co-creation process's latest published response). The plan's title is read in every language and
# chosen in Python (modeltranslation's fallback: the active language, else English). Static text: the
# tables are this project's own; the member and the states are parameters.
_DOCUMENTS_SQL = """
SELECT 'plan', COALESCE(p.submitted_on, p.start_date), CAST(NULL AS TIMESTAMP WITH TIME ZONE), p.id, CAST(NULL AS BIGINT),
       CAST(p.title_en AS TEXT), CAST(p.title_ru AS TEXT), CAST(p.title_ky AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),
       CAST(NULL AS TIMESTAMP WITH TIME ZONE)
  FROM commitments_actionplan p WHERE p.member_id = %s
UNION ALL
SELECT 'status_report', CAST(NULL AS DATE), r.published_at, r.id, r.plan_id,
       p.title_en, p.title_ru, p.title_ky, r.period_label, CAST(NULL AS TEXT), CAST(NULL AS TIMESTAMP WITH TIME ZONE)
  FROM commitments_statusreport r JOIN commitments_actionplan p ON p.id = r.plan_id
 WHERE r.member_id = %s AND r.state = %s
UNION ALL
SELECT 'evidence', CAST(NULL AS DATE), u.published_at, e.id, CAST(NULL AS BIGINT),
       c.identifier, m.number, e.original_name, e.url, e.kind, CAST(NULL AS TIMESTAMP WITH TIME ZONE)
  FROM commitments_evidence e
  JOIN commitments_progressupdate u ON u.id = e.update_id
  JOIN commitments_milestone m ON m.id = u.milestone_id
  JOIN commitments_commitment c ON c.id = m.commitment_id
  JOIN commitments_actionplan p ON p.id = c.plan_id
 WHERE p.member_id = %s AND u.state = %s AND u.published_at IS NOT NULL
UNION ALL
SELECT 'letter', l.dated, CAST(NULL AS TIMESTAMP WITH TIME ZONE), l.id, l.status_event_id,
       l.document, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),
       CAST(NULL AS TIMESTAMP WITH TIME ZONE)
  FROM compliance_letter l WHERE l.member_id = %s
UNION ALL
SELECT 'process', CAST(NULL AS DATE), pr.created_at, pr.id, CAST(NULL AS BIGINT),
       pr.title, pr.cycle, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),
       (SELECT MAX(q.response_published_at) FROM cocreation_proposal q WHERE q.process_id = pr.id)
  FROM cocreation_cocreationprocess pr WHERE pr.member_id = %s
UNION ALL
SELECT 'draft', d.comment_opens_on, CAST(NULL AS TIMESTAMP WITH TIME ZONE), d.id, CAST(NULL AS BIGINT),
       d.title, pr.cycle, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TIMESTAMP WITH TIME ZONE)
  FROM cocreation_draftcommitment d JOIN cocreation_cocreationprocess pr ON pr.id = d.process_id
 WHERE pr.member_id = %s AND d.comment_opens_on IS NOT NULL
"""


_TITLE_COLUMNS = {"en": 0, "ru": 1, "ky": 2}  # the plan's title columns in the texts of a row


_MEMBER_PARAMS = frozenset({0, 1, 3, 5, 6, 7})  # the positions of the member among :func:`_params`


def _params(member_id) -> list:
    published = ProgressUpdate.State.PUBLISHED
    return [member_id, member_id, str(StatusReport.State.PUBLISHED), member_id, str(published), member_id, member_id, member_id]


def _as_date(value) -> dt.date:
    """A date column as a date (SQLite returns the text of a column read through a UNION)."""
    return parse_date(value) if isinstance(value, str) else value


def _as_datetime(value) -> dt.datetime | None:
    """A timestamp column as an aware datetime (SQLite: the text of the UTC time, as Django stores it)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.timezone.utc)
    return value


def documents_for(member: Member, *, kind: str = "", cycle: str = "", cycles=None, minutes=None) -> list[Document]:
    """Every public document of ``member`` as (date, type, title, url, cycle) rows, newest first.

    When the caller already read them: ``cycles``, the member's stored cycles as (starts_on, label, plan id)
    by start; ``minutes``, the member's meetings with published minutes (with their forum).
    """
    if cycles is None:
        cycles = list(Cycle.objects.filter(member=member).order_by("starts_on").values_list("starts_on", "label", "plan_id"))
    starts = [c[0] for c in cycles]
    plan_cycles = {plan_id: label for _starts_on, label, plan_id in cycles if plan_id is not None}  # the same query

    def cycle_of(day):
        i = bisect.bisect_right(starts, day) - 1
        return cycles[i][1] if i >= 0 else ""

    rows: list[Document] = []

    def add(day, type_, title, url, label=None):
        day = _day(day)
        if day is not None:
            rows.append(Document(day, type_, str(title), url, label if label is not None else cycle_of(day)))

    if minutes is None:
        minutes = Meeting.objects.filter(forum__member=member, minutes_published_at__isnull=False).select_related("forum")
    for meeting in minutes:
        add(meeting.minutes_published_at, "minutes", f"{meeting.forum.name}: {meeting.display_title()}", meeting.get_absolute_url())
    # Plans, status reports, evidence, letters, co-creation processes and drafts: one statement (issue #20).
    title_column = _TITLE_COLUMNS.get(mt_language(), 0)
    # Kept (``ogp_portal.compiled.execute_kept``): PostgreSQL planned this six-part UNION on every run, ~1.1 ms of
    # planning against ~0.15 ms of running (issue #20). The states are written in, the member is the statement's value.
    with connection.cursor() as cursor:
        execute_kept(cursor, _DOCUMENTS_SQL, _params(member.pk), _MEMBER_PARAMS)
        read = cursor.fetchall()
    for type_, day, at, pk, ref, *texts, at2 in read:
        when = _as_date(day) if day is not None else _as_datetime(at)
        if type_ in ("plan", "status_report"):
            title = texts[title_column] or texts[0] or ""  # modeltranslation's fallback: the active language, else English
            if type_ == "plan":
                add(when, "plan", title, reverse("commitments:plan", args=[pk]), plan_cycles.get(pk))
            else:
                add(when, "status_report", f"{title}: {texts[3]}", reverse("commitments:status_report", args=[pk]),
                    plan_cycles.get(ref))
        elif type_ == "evidence":
            identifier, number, original_name, url, evidence_kind = texts
            link = url if evidence_kind == Evidence.Kind.LINK else reverse("commitments:evidence", args=[pk])
            add(when, "evidence", f"{identifier} {number}: {original_name or url}", link)
        elif type_ == "letter":
            link = (reverse("compliance:letter", args=[member.code, ref]) if ref is not None
                    else reverse("compliance:member", args=[member.code]))
            add(when, "letter", texts[0], link)
        elif type_ == "process":
            title, process_cycle = texts[0], texts[1]
            add(when, "cocreation", title, reverse("cocreation:process", args=[pk]), process_cycle)
            if at2 is not None:
                add(_as_datetime(at2), "cocreation", _("%(title)s: the forum's responses") % {"title": title},
                    reverse("cocreation:process", args=[pk]) + "#responses", process_cycle)
        else:  # a draft opened for comment
            add(when, "cocreation", texts[0], reverse("cocreation:draft", args=[pk]), texts[1])
    if kind:
        rows = [r for r in rows if r.type == kind]
    if cycle:
        rows = [r for r in rows if r.cycle == cycle]
    rows.sort(key=lambda r: (r.date, r.type, r.title), reverse=True)
    return rows


def last_updated(member: Member) -> dt.date | None:
    """The date of the member's newest document (what MR 2.2 reads: updated at least twice a year)."""
    rows = documents_for(member)
    return rows[0].date if rows else None
