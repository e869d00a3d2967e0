"""Public compliance pages: where every member stands with OGP, and the notification letters.

Status and next deadlines are computed live from the data with the pure rules
(as of the request's day); findings, status history and letters are the rows
the sweep recorded.
"""

import datetime as dt
from types import SimpleNamespace

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.utils.translation import gettext_noop

from accounts.services import addressee
from commitments.models import Member, Role
from forums.models import Forum
from ogp_portal.cache import fragment, prefetch_fragments, query_fragment, scope_fragments
from ogp_portal.compiled import compiled, one_or_404
from ogp_portal.paths import path_of

from . import engine, member_page, presentation, selectors
from .member_page import day as _day
from .member_page import text as _text
from .member_page import ymd as _ymd
from .sweep import stored_deadlines
from .models import (
    Cycle,
    Deadline,
    Decision,
    Finding,
    Letter,
    LetterProfile,
    MemberStanding,
    MemberStatus,
    StatusEvent,
)


OVERVIEW_PAGE_SIZE = 25


def overview(request):
    """Render every member with its stored status, open findings and next action-plan deadline.

    Filtered (``?status=``, ``?kind=``) and paginated in the database: a fixed number of queries
    whatever the number of members. The content is the same for every visitor: rendered once per
    query, day and language and shared by anonymous and signed-in visitors until the next change
    (issue #20; a query string longer than the page cache keeps is rendered, not kept).
    """
    today = timezone.localdate()
    content = query_fragment(request, "compliance-overview", lambda: _overview_content(request, today), today)
    return render(request, "compliance/overview.html", {"content": content})


def _overview_content(request, today) -> str:
    """Render the overview's content: the filter form, the page of members and their standing."""
    wanted = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    invalid_status = bool(wanted) and wanted not in MemberStatus.values
    invalid_kind = bool(kind) and kind not in Member.Kind.values
    members = presentation.members_with_standing(Member.objects.all(), today).order_by("kind", "name", "pk")
    if wanted and not invalid_status:
        members = members.filter(status=wanted)
    if kind and not invalid_kind:
        members = members.filter(kind=kind)
    page = Paginator(members, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for member in rows:
        member.status_label = MemberStatus(member.status).label
        member.days_left = (member.next_plan_due - today).days if member.next_plan_due else None
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "overview_rows": overview_rows(rows),
        "statuses": MemberStatus.choices,
        "kinds": Member.Kind.choices,
        "selected": "" if invalid_status else wanted,
        "selected_kind": "" if invalid_kind else kind,
        "invalid_status": wanted if invalid_status else "",
        "invalid_kind": kind if invalid_kind else "",
        "query": params.urlencode(),
    }
    # An unknown filter value shows everyone with a message (tests/compliance expects 200 here).
    return render_to_string("compliance/_overview.html", context, request=request)


def finding_groups_html(groups, resolved=False) -> str:
    """The member page's findings, grouped (``presentation.group_findings``), as the HTML of their old include.

    Built here rather than by ``_finding_groups.html``'s loops (issue #20): labels translated once,
    dates formatted once per day, every value escaped as the template engine escapes it
    (tests/compliance/test_requirements_html.py compares with the include). ``resolved``: the
    past findings' table, with the outcome of each.
    """
    if not groups:
        none = escape(_("None."))
        return mark_safe(f"\n<p>{none}</p>\n\n")  # noqa: S308 - escaped
    l_period, l_effective, l_outcome, l_reason = (escape(_(text)) for text in (gettext_noop("Cycle or period"), gettext_noop("Effective"), gettext_noop("Outcome"), gettext_noop("Reason")))
    outcome_head = f'<th scope="col">{l_outcome}</th>' if resolved else ""
    days: dict = {}

    def day(value):
        if value not in days:
            days[value] = _day(value)
        return days[value]

    out = ['\n<ul class="finding-groups">\n  ']
    for group in groups:
        title = _text(group.label) + (f" — {_text(group.subject_name)}" if group.subject_name else "")
        out.append(
            f"\n  <li>\n    <details>\n      <summary><strong>{title}</strong>: {_text(group.amount)}, {_text(group.span)}</summary>"
            f'\n      <table class="compliance-table stack">\n        <caption class="visually-hidden">{title}</caption>'
            f'\n        <thead><tr>\n          <th scope="col">{l_period}</th>\n          <th scope="col">{l_effective}</th>'
            f'\n          {outcome_head}\n          <th scope="col">{l_reason}</th>\n        </tr></thead>\n        <tbody>\n          '
        )
        for f in group.findings:
            outcome = ""
            if resolved:
                if f.withdrawn_on:
                    text = _("Withdrawn on %(date)s") % {"date": day(f.withdrawn_on)}
                    if f.withdrawal_reason:  # {% translate f.withdrawal_reason %}: the reason as a message id (its % doubled, then restored)
                        text += f": {_text(gettext_lazy(f.withdrawal_reason.replace('%', '%%'))).replace('%%', '%')}"
                elif f.resolved_on:
                    text = _("Resolved on %(date)s") % {"date": day(f.resolved_on)}
                elif f.met_again_on:
                    text = _("Missed; met again on %(date)s") % {"date": day(f.met_again_on)}
                else:
                    text = ""
                outcome = f'<td data-label="{l_outcome}" data-outcome>{text}</td>'
            reference = f"<br><small>{_text(f.reference)}</small>" if f.reference else ""
            out.append(
                f'\n          <tr>\n            <th scope="row" data-label="{l_period}">{_text(f.period)}</th>'
                f'\n            <td data-label="{l_effective}">{day(f.effective_on)}</td>'
                f'\n            {outcome}\n            <td data-label="{l_reason}">{_text(f.reason or "—")}{reference}</td>'
                "\n          </tr>\n          "
            )
        out.append("\n        </tbody>\n      </table>\n    </details>\n  </li>\n  ")
    out.append("\n</ul>\n\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def status_history_html(timeline, events, member_code) -> str:
    """The member page's status history (the SVG timeline, its legend, the list of status events), built here.

    The HTML the template gave (``templates/compliance/_member_detail.html`` before issue #20's change;
    tests/compliance/test_requirements_html.py compares them in en, ru and ky): a template node per
    year mark, segment and event, and their filters, were the largest part of the page's own template.
    The SVG's numbers are written unlocalized (the template's ``{% localize off %}``).
    """
    out = []
    if timeline:
        width = int(timeline.width) - 16  # the template's ``timeline.width|add:'-16'``
        title = _("Status from %(start)s to %(end)s; the list below gives each change.") % {
            "start": _day(timeline.start), "end": _day(timeline.end),
        }
        out.append(
            f'\n  <figure class="status-timeline">\n    <svg viewBox="0 0 {conditional_escape(str(localize(timeline.width, use_l10n=False)))} 46"'
            f' role="img" aria-labelledby="status-timeline-title" focusable="false">'
            f'\n      <title id="status-timeline-title">{title}</title>\n      '
        )
        # Each segment's days labelled once (``presentation.Segment.start_label``'s text, kept per process: ``_day``).
        spans = {id(segment): (_span_day(segment.start), _span_day(segment.end)) for segment in timeline.segments}
        for segment in timeline.segments:
            start, end = spans[id(segment)]
            label = f"{escape(segment.label)}: {start} – {end}"
            out.append(
                f'\n      <rect class="segment status-{escape(segment.status)}" x="{segment.x:.1f}" y="4" width="{segment.width:.1f}"'
                f' height="20"><title>{label}</title></rect>\n      '
            )
        out.append("\n      ")
        for x, year in timeline.ticks:
            anchor = "start" if x < 16 else "end" if x > width else "middle"
            out.append(
                f'\n      <line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="2" y2="30"></line>\n      \n'
                f'      <text x="{x:.1f}" y="42" text-anchor="{anchor}">{escape(year)}</text>\n      '
            )
        out.append('\n    </svg>\n    <figcaption>\n      <ul class="legend">\n        ')
        previous = None
        for segment in timeline.segments:
            if segment.status != previous:
                previous = segment.status
                start, end = spans[id(segment)]
                out.append(
                    f'<li><span class="swatch status-{escape(segment.status)}" aria-hidden="true"></span>{escape(segment.label)}'
                    f" ({start} – {end})</li>"
                )
        out.append("\n      </ul>\n    </figcaption>\n  </figure>\n  ")
    out.append("\n  ")
    if events:
        letter = path_of("compliance:letter", member_code)
        notification = _("Notification letter")  # {% translate %}: the catalog's text as it is
        out.append('\n  <ol class="status-history">\n    ')
        for event in events:
            cycle = f"({_text(event.cycle)})" if event.cycle else ""
            reason = f"<br><small>{_text(event.reason)}</small>" if event.reason else ""
            out.append(
                f'\n    <li id="event-{_text(event.pk)}">\n      <strong>{_day(event.effective_on)}</strong>:'
                f'\n      <span class="status status-{_text(event.status)}">{_text(event.get_status_display())}</span>'
                f'\n      {cycle}\n      — <a href="{conditional_escape(letter(event.pk))}">{notification}</a>'
                f"\n      {reason}\n    </li>\n    "
            )
        out.append("\n  </ol>\n  ")
    else:
        active = _("The member has been active throughout.")
        out.append(f"\n  <p>{active}</p>\n  ")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def _span_day(value) -> str:
    """A status segment's start or end as its label writes it (``date_format(value, "DATE_FORMAT")``), escaped."""
    return _day(value) if type(value) is dt.date else escape(date_format(value, "DATE_FORMAT"))


def overview_rows(members) -> str:
    """The overview table's rows, one per member: the HTML the template's loop gave, built here (issue #20).

    Each row cost a reversal, two date filters, a plural translation and a dozen variables through
    the template engine. Labels are translated once, dates formatted once per day, paths reversed
    once (:func:`path_of`); every value is escaped as the template engine escapes it
    (tests/compliance/test_requirements_html.py compares with the template's loop). Each member
    carries ``status_label`` and ``days_left`` (:func:`_overview_content` sets them).
    """
    l_member, l_status, l_since, l_open, l_due = (
        escape(_(text)) for text in (gettext_noop("Member"), gettext_noop("Status"), gettext_noop("Since"), gettext_noop("Open findings"), gettext_noop("Next action plan due"))
    )
    member_path = path_of("compliance:member")
    days: dict = {}

    def day(value):
        if value not in days:
            days[value] = _day(value)
        return days[value]

    out = []
    for member in members:
        since = day(member.status_since) if member.status_since else "—"
        if member.next_plan_due:
            left = ngettext("%(days)s day left", "%(days)s days left", member.days_left) % {"days": _text(member.days_left)}
            due = f"{day(member.next_plan_due)}\n        <small>({left})</small>"
        else:
            due = "—"
        out.append(
            "\n    <tr>"
            f'\n      <th scope="row" data-label="{l_member}"><a href="{escape(member_path(member.code))}">{_text(member.name)}</a>'
            f" <small>{_text(member.code)}</small></th>"
            f'\n      <td data-label="{l_status}"><span class="status status-{_text(member.status)}">{_text(member.status_label)}</span></td>'
            f'\n      <td data-label="{l_since}">{since}</td>'
            f'\n      <td data-label="{l_open}">{_text(member.open_findings)}</td>'
            f'\n      <td data-label="{l_due}">{due}</td>'
            "\n    </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def _member_page_query(code):
    return Member.objects.select_related("standing").filter(code=code).order_by()


def member_detail(request, code):
    """Render one member: status, status history, next deadlines with days left, open and resolved findings."""
    # Its forums are read by the shared part only, when it is rendered (a visit that reuses it reads the member alone).
    # The page's query is compiled once per process (``ogp_portal.compiled``): building it cost more than running it.
    member = one_or_404(compiled("compliance-member-page", _member_page_query, code=code))
    scope_fragments(member.pk)  # its shared part shows this member's records only
    now = timezone.now()
    name = f"compliance-member:{member.pk}:{timezone.localdate(now).isoformat()}"
    prefetch_fragments(name)  # with the member's scope tokens: one cache round trip
    # The same for every visitor: rendered once per member, day and language and shared by anonymous and
    # signed-in visitors until the next change (issue #20).
    content = fragment(name, lambda: _member_content(request, member, now))
    return render(request, "compliance/member_detail.html", {"member": member, "content": content})


# The page's reads, each compiled once per process (``ogp_portal.compiled``): building them cost more than running them.
def _member_findings(member):
    return Finding.objects.filter(member=member).order_by("-effective_on", "kind", "period")


def _member_events(member):
    return StatusEvent.objects.filter(member=member).order_by("-effective_on", "-pk")


def _member_forums(member):
    return Forum.objects.filter(member=member)  # what ``member.forums.all()`` reads


def _member_cycles(member):
    return Cycle.objects.filter(member=member).order_by("starts_on", "pk")


def _stored_evaluation(member, today):
    """The member's evaluation as the sweep stored it for ``today`` (standing, next deadlines, cycles), or None.

    None when the stored standing is not today's (the daily sweep has not run yet), when the member's
    record changed since it was swept (``signals.schedule_recompute`` empties ``evaluated_on`` in the
    change's transaction, until the member is swept again) or before the sweep stored its deadlines:
    the page then evaluates the rules live. The sweep stores exactly what the rules give on that day
    (``sweep.standing_values``, ``plan_cycles``), so both ways show the same page (issue #20).
    """
    try:
        standing = member.standing
    except MemberStanding.DoesNotExist:
        return None
    if standing.evaluated_on != today or standing.upcoming is None:
        return None
    cycles = list(compiled("compliance-member-cycles", _member_cycles, member=member.pk))
    return SimpleNamespace(
        status=standing.status, status_since=standing.status_since, cycles=cycles,
        next_deadlines=stored_deadlines(standing.upcoming, today),
    )


def _member_content(request, member, now) -> str:
    """Render the compliance member page's content (everything but the page frame)."""
    ev = _stored_evaluation(member, selectors.today_for(now))
    stored_cycles = None
    if ev is None:
        ev = selectors.evaluate_member(member, now)
    else:  # the member's documents are filed under the same stored cycles: read once
        stored_cycles = [(c.starts_on, c.label, c.plan_id) for c in ev.cycles]
    # Read once: the deadlines and findings name them, and the minimum requirements read their founding acts.
    member_forums = list(compiled("compliance-member-forums", _member_forums, member=member.pk))
    forums = {f"forum:{f.pk}": f for f in member_forums}
    deadlines = [
        {"deadline": d, "kind_label": Deadline.Kind(d.kind).label, "forum": forums.get(d.subject)}
        for d in ev.next_deadlines
    ]
    findings = list(compiled("compliance-member-findings", _member_findings, member=member.pk))
    for f in findings:
        f.forum = forums.get(f.subject)
    events = list(compiled("compliance-member-events", _member_events, member=member.pk))
    today = timezone.localdate()
    subject_names = {key: forum.name for key, forum in forums.items()}
    # Written in Python, byte for byte what _member_detail.html wrote (compliance/member_page.py).
    return member_page.content_html(
        member,
        ev,
        MemberStatus(ev.status).label,
        deadlines,
        status_history_html(presentation.status_timeline(events, member.joined_on, today), events, member.code),
        finding_groups_html(presentation.group_findings([f for f in findings if f.is_open], subject_names)),
        finding_groups_html(presentation.group_findings([f for f in findings if not f.is_open], subject_names), resolved=True),
        # Issue 19.5: OGP's minimum requirements per cycle, latest cycle first.
        _requirements_html(
            _by_cycle(selectors.minimum_requirements(member, now, evaluation=ev, stored_cycles=stored_cycles, forums=member_forums))
        ),
    )


def _requirements_html(requirements) -> str:
    """The minimum requirements' tables, one per cycle: the HTML the template's loop gave, built here (issue #20).

    About 130 rows of checks and evidence dates a page, each through a dozen template nodes, were the
    largest part of the page's first render. Labels are translated once; every value is escaped as the
    template engine escapes it (tests/compliance/test_requirements_html.py compares with the template).
    """
    labels = [escape(_(text)) for text in (gettext_noop("Requirement"), gettext_noop("Status"), gettext_noop("Records counted"), gettext_noop("Evidence"))]
    head = (
        f'\n    <table class="compliance-table stack">\n      <thead><tr><th scope="col">{labels[0]}</th><th scope="col">{labels[1]}</th>'
        f'\n        <th scope="col">{labels[2]}</th><th scope="col">{labels[3]}</th></tr></thead>\n      <tbody>'
    )
    lacking = escape(_("Lacking in:"))
    # The requirements' titles and verdicts are the same few translatable labels on every cycle: each
    # translated and escaped once (keyed by the object: every check, so every label, lives during the call).
    shown_labels: dict = {}

    def label(value):
        key = id(value)
        if key not in shown_labels:
            shown_labels[key] = _text(value)
        return shown_labels[key]

    out = []
    for c in requirements:
        checks = c["checks"]
        first = checks[0] if checks else None
        start = _ymd(first.start) if first is not None else ""
        end = _ymd(first.end) if first is not None else ""
        out.append(f"\n  <h3>{_text(c['cycle'])} <small>({start} – {end})</small></h3>{head}")
        for r in checks:
            shortfalls = ""
            if r.shortfalls:
                shortfalls = f"<br><small>{lacking} {', '.join(conditional_escape(s) for s in r.shortfalls)}</small>"
            shown = list(r.evidence)[:12]
            evidence = "; ".join(f"{_ymd(day) + ': ' if day else ''}{_text(what)}" for day, what in shown) if shown else "—"
            more = " …" if len(r.evidence) > 12 else ""
            out.append(
                f'\n        <tr data-mr="{_text(r.code)}" data-cycle="{_text(r.cycle)}" data-verdict="{_text(r.verdict)}">'
                f'\n          <th scope="row" data-label="{labels[0]}">{_text(r.code)}: {label(r.title)}</th>'
                f'\n          <td data-label="{labels[1]}">{label(r.verdict_label)}{shortfalls}</td>'
                f'\n          <td data-label="{labels[2]}">{_text(r.counted)}</td>'
                f'\n          <td data-label="{labels[3]}"><small>{evidence}{more}</small></td>'
                "\n        </tr>"
            )
        out.append("</tbody>\n    </table>\n  ")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def _by_cycle(checks):
    cycles: dict[str, list] = {}
    for check in checks:
        cycles.setdefault(check.cycle, []).append(check)
    return [{"cycle": label, "checks": rows} for label, rows in reversed(cycles.items())]


def letter(request, code, event_id):
    """Render the notification letter of one status event, filled from the data, ready to print."""
    member = get_object_or_404(
        Member.objects.prefetch_related(
            Prefetch("roles", queryset=Role.objects.filter(kind=Role.Kind.POINT_OF_CONTACT).select_related("user", "agency"))
        ),
        code=code,
    )
    event = get_object_or_404(StatusEvent, member=member, pk=event_id)
    # The rules as of the event's day give the deadline the letter announces.
    ev = selectors.evaluate_member(member, event.effective_on)
    next_deadline = next((d.due for d in ev.next_deadlines if d.kind == engine.DEADLINE_ACTION_PLAN), None)
    missed = Finding.objects.filter(
        member=member, kind=Finding.Kind.CONTRARY_TO_PROCESS, effective_on=event.effective_on
    ).first()
    contrary_cycles = [
        f.period
        for f in Finding.objects.filter(
            member=member,
            kind__in=[Finding.Kind.CONTRARY_TO_PROCESS, Finding.Kind.IRM_MINIMUM_REQUIREMENTS, Finding.Kind.IRM_NO_PROGRESS],
            effective_on__lt=event.effective_on,
        ).order_by("effective_on")
    ]
    # The point of contact is the addressee (a coordinator's role is not the government's voice).
    contact = member.roles.filter(kind=Role.Kind.POINT_OF_CONTACT).select_related("user__preference", "agency", "member").first()
    profile = LetterProfile.objects.filter(member=member).first()
    name = (profile.name_in_letters if profile else "") or member.name
    possessive = (profile.name_genitive if profile else "") or _("%(name)s's") % {"name": name}
    # Dated the day it was issued: OGP's own letter attached to the event, else the day it is generated.
    issued = event.letters.order_by("dated").first()
    context = {
        "member": member,
        "name": name,
        "possessive": possessive,
        "letter_date": issued.dated if issued else timezone.localdate(),
        "issued": issued,
        "generated_on": timezone.localdate(),
        # Name and title from the letter profile, else from the account (never its login name); with no
        # name the letter greets the role ("Dear Point of contact, …").
        "contact_name": (profile.contact_name if profile else "") or (contact.user.get_full_name().strip() if contact else ""),
        "contact_title": (profile.contact_title if profile else "") or (_contact_title(contact) if contact else ""),
        "contact_role": addressee(contact.user, member) if contact else "",
        "event": event,
        "next_deadline": next_deadline,
        "missed_deadline": (event.effective_on - dt.timedelta(days=1)) if missed else None,
        "previous_cycles": contrary_cycles,
        "contact": contact,
        "policy": engine.policy_at(selectors.build_snapshot(member).policies, event.effective_on),
    }
    return render(request, "compliance/letter.html", context)


def _contact_title(role) -> str:
    preference = getattr(role.user, "preference", None)
    return (getattr(preference, "title", "") or "").strip() or (role.agency.name if role.agency_id else "")


@staff_member_required
def admin_member(request, code):
    """Render a member's compliance record for administrators, and a what-if: its status as of a chosen day.

    The what-if is the same computation as ``compliance_report --as-of`` (same
    entry builder), so the page and the command always agree.
    """
    from .management.commands.compliance_report import Command as Report

    member = get_object_or_404(Member, code=code)
    as_of_raw = request.GET.get("as_of", "").strip()
    error, what_if = "", None
    if as_of_raw:
        try:
            as_of = dt.date.fromisoformat(as_of_raw)
        except ValueError:
            error = _("Enter a date like 2023-02-24.")
        else:
            ev = selectors.evaluate_member(member, as_of)
            what_if = Report.entry(member, ev)
            what_if["status_label"] = MemberStatus(ev.status).label
            what_if["changes"] = ev.changes
    context = {
        "member": member,
        "standing": MemberStanding.objects.filter(member=member).first(),
        "cycles": Cycle.objects.filter(member=member).select_related("plan").order_by("starts_on"),
        "cycle_vocabulary": selectors.member_cycles(member),
        "deadlines": Deadline.objects.filter(member=member).order_by("due_on"),
        "plans": member.plans.order_by("submitted_on", "start_date"),
        "findings": Finding.objects.filter(member=member).order_by("effective_on", "kind"),
        "decisions": Decision.objects.filter(member=member).order_by("decided_on"),
        "letters": Letter.objects.filter(member=member).select_related("status_event").order_by("dated"),
        "events": StatusEvent.objects.filter(member=member).order_by("effective_on", "pk"),
        "as_of": as_of_raw,
        "error": error,
        "what_if": what_if,
    }
    return render(request, "compliance/admin_member.html", context, status=400 if error else 200)
