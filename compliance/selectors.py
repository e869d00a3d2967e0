"""Compliance reads: members' data as the rules' snapshots, their evaluation, cycles and minimum requirements.

Nothing here writes. :func:`build_snapshots` reads what the pure rules (``compliance.engine``) need
about any number of members in a fixed number of queries; the sweep, the notices, the administrators'
records, the pages, the admin and the API read members' evaluations, cycles and OGP's minimum
requirements through these functions.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.models import ActionPlan, Member, StatusReport
from forums.models import Forum, Meeting
from ogp import policy

from . import engine
from .models import Cycle, Deadline, DeadlineExtension, Decision, Finding, PlanExtension, Policy


def portal_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today_for(now: dt.datetime | dt.date) -> dt.date:
    """Return the portal-local day of ``now`` (a date is taken as already local)."""
    return engine.local_date(now, settings.TIME_ZONE)

def build_snapshot(member: Member) -> engine.MemberSnapshot:
    """Return everything the rules need about ``member``, instants converted to Bishkek days."""
    return build_snapshots([member])[member.pk]


def _member_filter(members, field: str = "member") -> dict:
    """Return the filter selecting rows of ``members`` (a list of Member rows, or a queryset as a subquery)."""
    if isinstance(members, (list, tuple)):
        return {f"{field}_id__in": [m.pk for m in members]}
    return {f"{field}__in": members.values("pk")}


def _by_member(rows, key=lambda row: row.member_id) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def build_snapshots(members, where: dict | None = None) -> dict[int, engine.MemberSnapshot]:
    """Return {member id: snapshot} for ``members`` in a fixed number of queries (nine), whatever their number.

    ``members`` is a list of Member rows (or rows with their ``pk``, ``code``, ``joined_on`` and
    ``kind``) or a Member queryset. ``where`` selects the members' rows in the other tables
    (default: their ids); the sweep passes a range of ids when it reads every member. Every query
    selects the rows of all the members at once, as tuples (translated names read in the active
    language with its fallbacks, as the model's attribute gives them), and orders by member id
    without joins; the rows are then grouped per member in the order each member's own query used
    to give them. Meeting days are computed by the database (in the portal's zone) and read once a day.
    """
    members = list(members) if not isinstance(members, (list, tuple)) else members
    if not members:
        return {}
    where = where or _member_filter(list(members))
    zone = portal_zone()
    plans = _by_member(
        ActionPlan.objects.filter(**where).order_by("member_id", "-start_date", "pk")
        .values_list("member_id", "start_date", "end_date", "submitted_on", "title", "pk"),
        key=lambda row: row[0],
    )
    # One query for the administrator's plan deadlines and the self-assessment deadlines (issue 19.4).
    overrides: dict[int, list] = {}
    self_assessments: dict[int, list] = {}
    for row in (
        Deadline.objects.filter(
            Q(kind=Deadline.Kind.ACTION_PLAN, source=Deadline.Source.ADMINISTRATOR) | Q(kind=Deadline.Kind.SELF_ASSESSMENT),
            **where,
        ).order_by("member_id", "due_on", "pk")
        .values_list("member_id", "kind", "cycle", "due_on", "reason", "reference", "on_time_until", "delivered_on")
    ):
        member_id, kind, cycle, due_on, reason, reference, on_time_until, delivered_on = row
        if kind == Deadline.Kind.SELF_ASSESSMENT:
            self_assessments.setdefault(member_id, []).append((member_id, cycle, due_on, delivered_on, reference))
        else:
            overrides.setdefault(member_id, []).append((member_id, cycle, due_on, reason, reference, on_time_until))
    # The six-month obligation is met by a published status report, not by single milestone updates.
    # ``order_by()`` first: the default ordering would join the plan and member tables into the DISTINCT.
    published = _by_member(
        StatusReport.objects.filter(state=StatusReport.State.PUBLISHED, **where)
        .annotate(day=TruncDate("published_at", tzinfo=zone))
        .order_by()
        .values_list("member_id", "day")
        .distinct(),
        key=lambda row: row[0],
    )
    forums = _by_member(
        Forum.objects.filter(**where).order_by("member_id", "name", "pk").values_list("member_id", "pk", "name", "founded_on"),
        key=lambda row: row[0],
    )
    held: dict[int, list[dt.date]] = {}
    for forum_id, day in (
        Meeting.objects.held().filter(**{f"forum__{key}": value for key, value in where.items()})
        .annotate(day=TruncDate("starts_at", tzinfo=zone)).order_by().values_list("forum_id", "day").distinct()
    ):
        held.setdefault(forum_id, []).append(day)
    decisions = _by_member(
        Decision.objects.filter(**where).order_by("member_id", "decided_on", "pk")
        .values_list("member_id", "kind", "decided_on", "cycle", "document", "summary", "due_on", "met_on"),
        key=lambda row: row[0],
    )
    admin_findings = _by_member(
        Finding.objects.filter(source=Finding.Source.ADMINISTRATOR, **where).order_by("member_id", "-effective_on", "pk")
        .values_list("member_id", "pk", "effective_on", "period", "reason", "reference", "resolved_on", "resolution"),
        key=lambda row: row[0],
    )
    extensions = tuple(e.as_rule() for e in DeadlineExtension.objects.all())
    plan_extensions = tuple(e.as_rule() for e in PlanExtension.objects.all())
    stored_policies = list(
        Policy.objects.filter(Q(member__isnull=True) | Q(**where)).order_by("member_id", "effective_from", "pk")
    )
    shared_rules = tuple(p.as_rule() for p in stored_policies if p.member_id is None)
    own = _by_member(p for p in stored_policies if p.member_id is not None)
    snapshots = {}
    for member in members:
        # ``ogp.policy.versions_for``: the one definition (the same tuple for members of a kind without their own).
        policies = policy.versions_for(member.kind, shared_rules, tuple(p.as_rule() for p in own.get(member.pk, ())))
        snapshots[member.pk] = engine.MemberSnapshot(
            code=member.code,
            joined_on=member.joined_on,
            plans=tuple(engine.PlanInfo(*p[1:]) for p in plans.get(member.pk, ())),
            deadline_overrides=tuple(
                engine.DeadlineOverride(*d[1:]) for d in overrides.get(member.pk, ())
            ),
            update_published_on=tuple(sorted(day for _pk, day in published.get(member.pk, ()))),
            forums=tuple(
                engine.ForumInfo(f"forum:{pk}", name, tuple(sorted(held.get(pk, ()))), founded_on)
                for _member_id, pk, name, founded_on in forums.get(member.pk, ())
            ),
            decisions=tuple(engine.DecisionInfo(*d[1:]) for d in decisions.get(member.pk, ())),
            policies=policies,
            admin_findings=tuple(engine.AdminFinding(*f[1:]) for f in admin_findings.get(member.pk, ())),
            extensions=extensions,
            plan_extensions=plan_extensions,
            self_assessments=tuple(engine.SelfAssessment(*s[1:]) for s in self_assessments.get(member.pk, ())),
            kind=member.kind,
        )
    return snapshots


def evaluate_member(member: Member, now) -> engine.Evaluation:
    """Return the member's evaluation as of ``now`` without writing anything."""
    return engine.evaluate(build_snapshot(member), now, settings.TIME_ZONE)


def member_cycles(member: Member, now=None) -> list[str]:
    """Return the labels of ``member``'s cycles: the one source the admin, the API and the pages offer.

    The rules' cycles as of ``now`` (``engine.cycle_labels``: every plan has one, the first included),
    then any the sweep stored for a later day and those the member's action-plan deadlines open.
    """
    snapshot = build_snapshot(member)
    evaluation = engine.evaluate(snapshot, now or timezone.now(), settings.TIME_ZONE)
    labels = engine.cycle_labels(snapshot, evaluation.cycles)
    stored = list(Cycle.objects.filter(member=member).order_by("starts_on").values_list("label", flat=True))
    stored += Deadline.objects.filter(member=member, kind=Deadline.Kind.ACTION_PLAN).exclude(cycle="").order_by(
        "due_on").values_list("cycle", flat=True)
    for label in stored:
        if label not in labels:
            labels.append(label)
    return labels


_MEETING_COLUMNS = ("pk", "forum_id", "title", "starts_at", "status", "minutes_published_at")


def _requirement_meetings(member):
    """The member's meetings held or with published minutes, by start: the columns the requirements and documents read
    (``_MEETING_COLUMNS``, then the forum's name in every language), as plain values.

    Not a meeting's minutes, agenda or other texts, nor its forum's other columns (issue #20).
    """
    names = [f"forum__name_{code}" for code in settings.MODELTRANSLATION_LANGUAGES]
    return (
        Meeting.objects.filter(Q(status=Meeting.Status.HELD) | Q(minutes_published_at__isnull=False), forum__member=member)
        .order_by("starts_at")
        .values_list(*_MEETING_COLUMNS, *names)
    )


class _MeetingRow:
    """A meeting as the requirements and the member's documents read it (``forum.name`` in the active language, as
    django-modeltranslation answers it), made without ``Model.__init__`` (issue #20: ~0.2 ms a compliance page)."""

    __slots__ = (*_MEETING_COLUMNS, "forum")
    display_title = Meeting.display_title
    get_absolute_url = Meeting.get_absolute_url


def _meeting_rows(member_id) -> list:
    from types import SimpleNamespace

    from ogp_portal.compiled import rows
    from ogp_portal.translated import translated_columns

    name_of = translated_columns(Forum, "name")
    languages = list(settings.MODELTRANSLATION_LANGUAGES)
    width = len(_MEETING_COLUMNS)
    order = [width + languages.index(column.rsplit("_", 1)[1]) for column in name_of.columns]
    found = []
    for row in rows("requirements-meetings", _requirement_meetings, member=member_id):
        meeting = _MeetingRow()
        meeting.pk, meeting.forum_id, meeting.title, meeting.starts_at, meeting.status, meeting.minutes_published_at = row[:width]
        meeting.forum = SimpleNamespace(pk=meeting.forum_id, name=name_of([row[i] for i in order]))
        found.append(meeting)
    return found


def _requirement_attendance(meetings):
    """(meeting id, sector) of who attended ``meetings`` (their ids: ``ids_text``), present or represented."""
    from forums.models import Attendance
    from ogp_portal.compiled import among

    return Attendance.objects.filter(
        among('"forums_attendance"."meeting_id"', meetings), status__in=[Attendance.Status.PRESENT, Attendance.Status.REPRESENTED]
    ).values_list("meeting_id", "membership__sector")


def minimum_requirements(member: Member, now=None, evaluation: engine.Evaluation | None = None, stored_cycles=None,
                         forums=None) -> list:
    """Return OGP's minimum requirements checked per cycle of ``member`` (``compliance.requirements``) as of ``now``.

    Read from the recorded data: held forum meetings and which sectors attended, the forums' founding
    acts, and the dates of the member's published documents as its document repository lists them
    (``cocreation.documents.documents_for``: plans, status reports, meeting minutes, evidence of published
    updates, OGP letters, co-creation records). ``forums``: the member's forums, when the caller read them.
    """
    from django.urls import reverse

    from ogp_portal.compiled import ids_text, rows

    from . import requirements

    now = now or timezone.now()
    today = today_for(now)
    zone = portal_zone()
    evaluation = evaluation or evaluate_member(member, now)
    # One query for the meetings held (MR 1.1 and 5.1) and those with published minutes (the member's documents).
    # Both queries compiled once per process (``ogp_portal.compiled``): building them cost more than running them;
    # read as plain values (``rows``), not through the ORM's iterables.
    read = _meeting_rows(member.pk)
    meetings = [m for m in read if m.status == Meeting.Status.HELD]
    sectors: dict[int, set] = {}
    # None held: no query (as ``meeting__in=[]`` ran none).
    attended = rows("requirements-attendance", _requirement_attendance, meetings=ids_text(m.pk for m in meetings)) if meetings else ()
    for meeting_id, sector in attended:
        sectors.setdefault(meeting_id, set()).add(sector)
    # The member's document repository (``cocreation.documents``): the same rows its page, its Atom feed and
    # its "last updated" date show are what MR 2.2 counts (plans, status reports, minutes, evidence of
    # published updates, OGP letters, co-creation records).
    from cocreation.documents import documents_for

    # stored_cycles: the stored cycles, already read by the caller
    rows = documents_for(member, cycles=stored_cycles, minutes=[m for m in read if m.minutes_published_at is not None])
    plans = [(r.date, r.title) for r in rows if r.type == "plan"]
    reports = [(r.date, r.title) for r in rows if r.type == "status_report"]
    records = requirements.Records(
        member_page=reverse("commitments:member", args=[member.code]),
        # The page's forums (or prefetched ones): no query.
        forum_rules=tuple((f.name, f.founding_act) for f in (member.forums.all() if forums is None else forums)),
        meetings=tuple(requirements.MeetingRecord(m.starts_at.astimezone(zone).date(), m.forum.name,
                                                  frozenset(sectors.get(m.pk, ()))) for m in meetings),
        documents=tuple((r.date, r.title) for r in rows),
        plans=tuple(plans), status_reports=tuple(reports),
    )
    return requirements.check(records, evaluation.cycles, today)


def check_cycle(member: Member, cycle: str, *, field: str = "cycle", day: dt.date | None = None,
                due_on: dt.date | None = None, required: bool = False, keep: str = "") -> str:
    """Return the cycle an administrator's record names, or raise ValidationError saying which cycles there are.

    ``cycle`` must be one of :func:`member_cycles` (``keep``: a value the row already holds stays
    acceptable). Empty: a deadline's own cycle (``due_on``: the cycle it opens); a finding
    (``required``) is filed under the cycle the rules give for ``day``, and refused when there is none.
    """
    cycle = (cycle or "").strip()
    if not cycle:
        if due_on is not None:
            return policy.cycle_label(due_on)
        if not required:
            return ""
        snapshot = build_snapshot(member)
        found = engine.cycle_on(engine.evaluate(snapshot, timezone.now(), settings.TIME_ZONE).cycles, day) if day else ""
        if found:
            return found
        raise ValidationError({field: _(
            "Name the cycle this finding is about: the rules know no cycle of the member on that day "
            "(enter its joining date or its first plan first)."
        )})
    allowed = member_cycles(member)
    if cycle in allowed or cycle == keep or (due_on is not None and cycle == policy.cycle_label(due_on)):
        return cycle
    raise ValidationError({field: _("Choose one of the member's cycles: %(cycles)s.") % {
        "cycles": ", ".join(allowed) or _("none yet")
    }})
