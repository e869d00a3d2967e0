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

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.models import ActionPlan, Evidence, Member, StatusReport
from compliance.models import Cycle, Letter
from forums.models import Meeting

from .models import CoCreationProcess, DraftCommitment

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

    for plan in ActionPlan.objects.filter(member=member):
        add(plan.submitted_on or plan.start_date, "plan", plan.title, plan.get_absolute_url(), plan_cycles.get(plan.pk))
    for report in StatusReport.objects.filter(member=member, state="published").select_related("plan"):
        add(report.published_at, "status_report", f"{report.plan.title}: {report.period_label}", report.get_absolute_url(),
            plan_cycles.get(report.plan_id))
    if minutes is None:
        minutes = Meeting.objects.filter(forum__member=member, minutes_published_at__isnull=False).select_related("forum")
    for meeting in minutes:
        add(meeting.minutes_published_at, "minutes", f"{meeting.forum.name}: {meeting.display_title()}", meeting.get_absolute_url())
    for evidence in Evidence.objects.filter(
        update__milestone__commitment__plan__member=member, update__state="published", update__published_at__isnull=False,
    ).select_related("update__milestone__commitment"):
        commitment = evidence.update.milestone.commitment
        title = evidence.original_name or evidence.url
        add(evidence.update.published_at, "evidence", f"{commitment.identifier} {evidence.update.milestone.number}: {title}",
            evidence.get_absolute_url())
    for letter in Letter.objects.filter(member=member):
        url = (reverse("compliance:letter", args=[member.code, letter.status_event_id]) if letter.status_event_id
               else reverse("compliance:member", args=[member.code]))
        add(letter.dated, "letter", letter.document, url)
    for process in CoCreationProcess.objects.filter(member=member).annotate(last_response=Max("proposals__response_published_at")):
        add(process.created_at, "cocreation", process.title, process.get_absolute_url(), process.cycle)
        if process.last_response:
            add(process.last_response, "cocreation", _("%(title)s: the forum's responses") % {"title": process.title},
                process.get_absolute_url() + "#responses", process.cycle)
    for draft in DraftCommitment.objects.filter(process__member=member, comment_opens_on__isnull=False).select_related("process"):
        add(draft.comment_opens_on, "cocreation", draft.title, draft.get_absolute_url(), draft.process.cycle)
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
