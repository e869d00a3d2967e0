"""Public, read-only pages: action plans, commitments, their history and open data.

The progress workflow's pages (progress entry, evidence, review, status reports) are in
``progress_views.py``; the home page and a member's page, which show compliance, are the site's
(``ogp_portal/pages.py``).

Each view loads its page in a small, fixed number of queries (asserted in
``tests/commitments/test_views.py``), whatever the number of rows shown.
"""

import functools
from urllib.parse import quote

from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ogp_portal.cache import enabled as page_cache_enabled
from ogp_portal.cache import derived_in_process, fragment, prefetch_fragments, scope_fragments
from ogp_portal.compiled import compiled
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.paths import path_of
from ogp_portal.permissions import published_updates

from . import commitment_page, exports, following, plan_page, services, timeline
from .filters import DONE_COMPLETIONS, NO_UPDATE
from .heads import following_sql, kept_page_object, page_object  # noqa: F401 - following_sql: ogp_portal.pages reads it here
from .models import (
    ROLLUP_RULE,
    Activity,
    Agency,
    Commitment,
    Completion,
    Evidence,
    Milestone,
    ProgressUpdate,
    StatusReport,
    StatusReportLine,
    period_end,
)
from .templatetags.portal import name_of, tr

# Commitment text fields shown in OGP's template order, under their model labels.
TEMPLATE_FIELDS = (
    "problem",
    "description",
    "contribution",
    "relevance",
    "additional_information",
    "expected_results",
)


# What the plan page shows of a milestone and an update (its commitments: plan_page.plan_commitments).
PLAN_MILESTONE_FIELDS = ("commitment_id", "number", "start_date", "start_precision", "end_date", "end_precision")


class PlanMilestone:
    """A milestone as the plan page reads it: its number and dates (``timeline`` adds where it stands)."""

    __slots__ = (
        "pk", *PLAN_MILESTONE_FIELDS, "published_updates", "latest_progress", "overdue", "state", "start_label", "end_label",
        "_ends_on",
    )

    def __init__(self, pk, commitment_id, number, start_date, start_precision, end_date, end_precision):
        self.pk, self.commitment_id, self.number = pk, commitment_id, number
        self.start_date, self.start_precision, self.end_date, self.end_precision = (
            start_date, start_precision, end_date, end_precision,
        )

    @property
    def ends_on(self):
        """The last day its end stands for, worked out once (the overdue rule and the timeline each ask, twice)."""
        try:
            return self._ends_on
        except AttributeError:
            self._ends_on = period_end(self.end_date, self.end_precision)
            return self._ends_on


class PublishedLevel:
    """A published update as the plan page reads it: its level and dates, not a model instance (hundreds a plan)."""

    __slots__ = ("milestone_id", "period_end", "published_at", "completion")

    def __init__(self, milestone_id, period_end, published_at, completion):
        self.milestone_id, self.period_end, self.published_at, self.completion = (
            milestone_id, period_end, published_at, completion,
        )


def commitment_rows(commitments) -> str:
    """The rows of the plan page's table of commitments, one per commitment.

    Written here rather than by a template loop, as the timeline's rows (``timeline.Gantt.table_rows``):
    a plan's table is its hottest loop after them (issue #20). Byte for byte what the loop in
    ``_plan_state.html`` wrote (tests/commitments/test_gantt_rows.py); each commitment carries what
    ``timeline.annotate_commitment_progress`` sets, ``milestone_count`` and ``contested``.
    """
    # Translated literals, as {% translate %} writes them (a template's literal text is not escaped).
    l_identifier, l_title, l_agency, l_completion, l_latest, l_milestones = (
        _("Identifier"), _("Title"), _("Lead agency"), _("Completion"), _("Last published update"), _("Milestones"),
    )
    contested = _("Contested")
    contested = f' <strong class="contested-badge">{contested}</strong>'
    no_update = _("No approved update yet")
    url_of = path_of("commitments:commitment")
    parts = []
    levels, agencies = {}, {}  # each level's label and each lead agency's name, written once per call
    for c in commitments:
        rollup = c.rollup
        if rollup.level:
            level = levels.get(rollup.level)
            if level is None:
                level = levels[rollup.level] = timeline.escape_text(rollup.get_level_display())
            completion = f"{level} ({timeline.escape_text(rollup.percent)} %)"
        else:
            completion = no_update
        key = getattr(c, "lead_agency_id", None)  # None: no agency, or a row that does not say (written each time)
        agency = agencies.get(key) if key is not None else None
        if agency is None:
            agency = name_of(c.lead_agency)
            if key is not None:
                agencies[key] = agency
        latest = c.latest_progress
        latest_day = timeline.date_label(timezone.localtime(latest.published_at).date()) if latest and latest.published_at else ""
        overdue = ""
        if c.overdue_count:
            text = ngettext("%(counter)s overdue", "%(counter)s overdue", c.overdue_count) % {"counter": c.overdue_count}
            overdue = f' <span class="overdue-badge">{text}</span>'
        parts.append(
            "\n      <tr>"
            f'\n        <td data-label="{l_identifier}">{timeline.escape_text(c.identifier)}</td>'
            f'\n        <th scope="row" data-label="{l_title}"><a href="{timeline.escape_text(url_of(c.identifier))}">'
            f"{tr(c, 'title')}</a>{contested if c.contested else ''}</th>"
            f'\n        <td data-label="{l_agency}">{agency}</td>'
            f'\n        <td data-label="{l_completion}"><span class="completion completion-{timeline.escape_text(rollup.level or "none")}">'
            f"{completion}</span></td>"
            f'\n        <td data-label="{l_latest}">{latest_day if latest else "—"}</td>'
            f'\n        <td data-label="{l_milestones}">{c.milestone_count}{overdue}</td>'
            "\n      </tr>\n      "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or our own markup


# The plan page's milestones and their published levels, by the plan (the rows of its commitments' milestones),
# compiled once per process (``ogp_portal.compiled``).
def _plan_milestones(plan):
    return Milestone.objects.filter(commitment__plan_id=plan).order_by("id").values_list("pk", *PLAN_MILESTONE_FIELDS)


def _plan_levels(plan):
    return (
        published_updates(ProgressUpdate.objects.filter(milestone__commitment__plan_id=plan))
        .order_by("-period_end", "-published_at")
        .values_list("milestone_id", "period_end", "published_at", "completion")
    )


def _plan_state(request, plan, today) -> str:
    """Render the plan page's shared part: headline figures, charts, the milestone timeline, the commitments."""
    # Explicit orders equal to the models' own for one plan or commitment: Meta orders by the parent
    # first, which joins each row up to its member (and, for many rows, hashes every member).
    commitments = plan_page.plan_commitments(plan.pk)  # plain rows
    # The milestones and their published levels as plain rows (a plan has hundreds), grouped here.
    by_commitment, by_milestone = {}, {}
    if commitments:
        for row in compiled_rows("plan-milestones", _plan_milestones, plan=plan.pk, generic_plan=True):
            milestone = PlanMilestone(*row)
            by_commitment.setdefault(milestone.commitment_id, []).append(milestone)
    if by_commitment:
        # The rows come latest first for each milestone (period end, then publication, descending): the page needs of a
        # milestone its latest level and whether any level is done (the overdue rule), not every one (~4 a milestone).
        for row in compiled_rows("plan-levels", _plan_levels, plan=plan.pk, generic_plan=True):
            kept = by_milestone.get(row[0])
            if kept is None:
                by_milestone[row[0]] = [PublishedLevel(*row)]
            elif len(kept) == 1 and kept[0].completion not in DONE_COMPLETIONS and row[3] in DONE_COMPLETIONS:
                kept.append(PublishedLevel(*row))  # not the latest (max keeps the first of equals): overdue reads it
    groups, all_milestones = [], []
    for commitment in commitments:
        milestones = by_commitment.get(commitment.pk, [])
        for m in milestones:
            m.published_updates = by_milestone.get(m.pk, [])
        timeline.annotate_milestone_progress(milestones, today)
        timeline.annotate_commitment_progress(commitment, milestones)
        commitment.milestone_count = len(milestones)
        groups.append((commitment, milestones))
        all_milestones.extend(milestones)
    charts = [
        timeline.tally_chart(
            _("Commitments by completion"), _("commitments"), [c.rollup.level or NO_UPDATE for c in commitments]
        ),
        timeline.tally_chart(
            _("Milestones by completion"), _("milestones"), [m.state for m in all_milestones]
        ),
    ]
    charts = [c for c in charts if c.total]
    # _bar_chart.html's bytes for each chart (key: its place), without an include per chart; the part written in
    # Python, byte for byte what _plan_state.html wrote (commitments/plan_page.py).
    return plan_page.state_html(
        plan,
        commitments,
        "".join(c.html(i) + "\n" for i, c in enumerate(charts, 1)),
        timeline.build_gantt(groups, today),
        commitment_rows(commitments),
        len(all_milestones),
        sum(1 for m in all_milestones if m.overdue),
        today,
    )


def _plan_status_reports(plan):
    return StatusReport.objects.filter(plan_id=plan, state=StatusReport.State.PUBLISHED).order_by("-period_start")


def _lead_institutions(plan):
    """The plan's lead institutions: the query of ``plan.lead_institutions.all()`` (tests/test_compiled.py)."""
    return Agency.objects.filter(led_plans=plan)


def plan_detail(request, pk):
    """Render an action plan, state first: progress charts, the milestone timeline, the commitments, then co-creation."""
    today = timezone.localdate()
    if page_cache_enabled():
        # The head kept in the process, whether the reader follows it kept beside the shared parts, as the
        # commitment page does (commitments/following.py): a visit that finds them kept reads no head.
        plan, whole = kept_page_object("plan", pk)
    else:
        plan, whole = page_object("plan", pk, request)
    scope_fragments(plan.member_id)  # its shared parts show this member's records only
    follow_state = following.part_name(request.user.pk, plan.pk, "plan") if request.user.is_authenticated and page_cache_enabled() else None
    # The page's three shared parts (here and in the template) and the follow state in one cache round trip.
    prefetch_fragments(f"plan-state:{plan.pk}:{today.isoformat()}", f"plan-reports:{plan.pk}", f"plan-about:{plan.pk}",
                       *([follow_state] if follow_state else []))
    context = {
        "plan": plan,
        "member": plan.member,
        # Read by the shared part of the reports ({% shared_fragment %} in the template): built only when it is
        # rendered (the template calls it; cached, so its two uses share one query).
        # Its query compiled once per process (``ogp_portal.compiled``).
        "status_reports": functools.cache(lambda: list(compiled("plan-status-reports", _plan_status_reports, plan=plan.pk))),
        "can_publish": request.user.has_perm("commitments.publish_status_report", plan),
        "following": following.follows(request.user, plan) if follow_state else getattr(plan, "following", False),
        # The same for every visitor: rendered once per plan, day and language, shared by anonymous and
        # signed-in visitors until the next change (issue #20); the follow button and the status
        # reports' link stay outside it.
        "plan_state": fragment(f"plan-state:{plan.pk}:{today.isoformat()}", lambda: _plan_state(request, plan, today)),
        # Its dates, lead institutions and co-creation: the whole row, read only when the part is rendered.
        "plan_about": fragment(
            f"plan-about:{plan.pk}",
            # Written in Python, byte for byte what _plan_about.html wrote (commitments/plan_page.py); the lead
            # institutions: ``plan.lead_institutions.all()``'s query, compiled once per process (``ogp_portal.compiled``).
            lambda: plan_page.about_html(whole(), plan.member, compiled("plan-lead-institutions", _lead_institutions, plan=plan.pk)),
        ),
    }
    return render(request, "commitments/plan_detail.html", context)


def commitment_detail(request, identifier):
    """Render every field of a commitment, its activities and milestones with their published progress and timeline."""
    today = timezone.localdate()
    # Whether it is contested is read inside the shared part, from the reviews its panels show
    # ({% commitment_contested %}): a visit that reuses the part does not ask.
    if page_cache_enabled():
        # The head kept in the process, whether the reader follows it kept beside the shared part: a visit that
        # finds them kept runs no query (commitments/following.py).
        commitment, whole = kept_page_object("commitment", identifier, "lead_agency")
    else:
        commitment, whole = page_object("commitment", identifier, request, "lead_agency")
    scope_fragments(commitment.plan.member_id)  # its shared part shows this member's records only
    # "slots2": its per-visitor slots carry their shared facts (engagement's PERSONAL_SLOT); a part kept by
    # code before them is never read by this code, nor this one by that (both may share a cache in a deploy).
    state = f"commitment:slots2:{commitment.pk}:{today.isoformat()}"
    # The member's scope tokens and the shared part in one cache round trip (issue #20: it was asked for alone).
    signed_in = request.user.is_authenticated
    follow_state = following.part_name(request.user.pk, commitment.pk) if signed_in and page_cache_enabled() else None
    prefetch_fragments(state, *([follow_state] if follow_state else []))
    context = {
        "commitment": commitment,
        "following": following.follows(request.user, commitment) if follow_state else getattr(commitment, "following", False),
        "plan": commitment.plan,
        "member": commitment.plan.member,
        # The same for every visitor: rendered once per commitment, day and language, shared by anonymous
        # and signed-in visitors until the next change (issue #20). The follow button stays outside it;
        # the links to enter progress, review, respond and hide are slots the page fills per visitor.
        "commitment_state": fragment(state, lambda: _commitment_state(request, whole(), today)),
        # Its breadcrumb and heading: the head's names only, the same for every visitor, kept in the process with
        # the head under the generation, per language (issue #20: ~20 template nodes on every visit).
        "frame": derived_in_process(("commitment-frame", commitment.pk, get_language()), lambda: render_to_string(
            "commitments/_commitment_frame.html",
            {"commitment": commitment, "plan": commitment.plan, "member": commitment.plan.member},
        )),
    }
    return render(request, "commitments/commitment_detail.html", context)


_REPORTING_PERIOD: dict = {}  # per language: update_summary's translated period, its %(start)s and %(end)s to fill


def update_summary(update) -> str:
    """What the commitment page shows of a published update before its reviews: level, period, text, evidence.

    Written here rather than by the template's loop over every update of every milestone (issue #20),
    byte for byte what ``_milestone_table.html`` wrote (tests/commitments/test_gantt_rows.py). The
    update carries ``completion_label``, ``period_start_label``, ``period_end_label`` and
    ``evidence_items`` (``_commitment_state`` sets them).
    """
    language = get_language()
    period = _REPORTING_PERIOD.get(language)
    if period is None:  # translated once per language (a page has dozens of updates)
        period = _REPORTING_PERIOD[language] = _("Reporting period %(start)s – %(end)s")
    period = period % {"start": timeline.escape_text(update.period_start_label), "end": timeline.escape_text(update.period_end_label)}
    narrative = linebreaks(update.narrative, autoescape=True) if update.narrative else ""
    self_approved = ""
    if update.self_approved:
        self_approved = _("Approved by its author, the member's single point of contact.")
        self_approved = f'<p class="self-approved"><small>{self_approved}</small></p>'
    evidence = ""
    if update.evidence_items:
        nofollow = ' rel="nofollow noopener noreferrer"'
        links = ";".join(
            f' <a href="{conditional_escape(item.get_absolute_url())}"{nofollow if item.kind == "link" else ""}>'
            f"{conditional_escape(Truncator(str(item)).chars(60))}</a>"
            for item in update.evidence_items
        )
        evidence = _("Evidence:")
        evidence = f'\n          <p class="evidence">{evidence}{links}</p>\n          '
    return mark_safe(  # noqa: S308 - every value above is escaped or our own markup
        f'\n          <strong class="completion completion-{timeline.escape_text(update.completion)}">'
        f"{timeline.escape_text(update.completion_label)}</strong>"
        f'\n          <span class="progress">{period}</span>'
        f"\n          {narrative}"
        f"\n          {self_approved}"
        f"\n          {evidence}"
        "\n          "
    )


# The review panels of a page's published updates ({% review_panel %}: engagement's, a layer above), rendered by
# its tag in one template pass for the page, each followed by this mark (never in escaped text).
_PANEL_END = "<!--/panel-->"


@functools.cache
def _panels_template():
    return engines["django"].from_string(
        "{% load engagement %}{% for p in updates %}{% review_panel p %}" + _PANEL_END + "{% endfor %}"
    )


def review_panels(updates, context) -> dict:
    """Each update's review panel (by its id), as ``{% review_panel %}`` writes it with ``context`` (request, commitment)."""
    if not updates:
        return {}
    html = _panels_template().render({**context, "updates": updates})
    return dict(zip((p.pk for p in updates), html.split(_PANEL_END)))


def milestone_rows(milestones, panels) -> str:
    """The rows of a commitment page's table of milestones (``_milestone_table.html``), one per milestone.

    Written here rather than by the template's loop (issue #20: about half of the commitment page's shared part),
    byte for byte what the loop wrote (tests/commitments/test_gantt_rows.py). Each milestone carries what
    ``_commitment_state`` sets (``overdue``, the date labels, ``published_updates`` with their ``summary``);
    ``panels``: each update's review panel (``review_panels``). The link to enter progress stays a per-visitor
    slot, as in the template.
    """
    # Translated literals, as {% translate %} writes them (a template's literal text is not escaped).
    l_milestone, l_deliverable, l_budget, l_start, l_end, l_progress, l_none = (
        _("Milestone"), _("Deliverable"), _("Budget source"), _("Start"), _("End"), _("Published progress"),
        _("No published update yet"),
    )
    overdue_badge = _("Overdue")
    overdue_badge, overdue_class = f'<br><span class="overdue-badge">{overdue_badge}</span>', ' class="overdue"'
    parts = ["\n    \n    "]  # what the template's {% translate … as … %} line left
    for m in milestones:
        sources = m.budget_sources()
        budget = "; ".join(timeline.escape_text(s) for s in sources) if sources else timeline.escape_text(m.budget_text or "—")
        updates = "".join(
            f'\n        <div class="update">{p.summary}{panels[p.pk]}\n        </div>\n        '
            for p in m.published_updates
        )
        parts.append(
            f'\n    <tr id="milestone-{m.pk}"{overdue_class if m.overdue else ""}>'
            f'\n      <th scope="row" data-label="{l_milestone}">{timeline.escape_text(m.number)}</th>'
            f'\n      <td data-label="{l_deliverable}">{tr(m, "deliverable")}</td>'
            f'\n      <td data-label="{l_budget}">{budget}</td>'
            f'\n      <td data-label="{l_start}">{timeline.escape_text(m.start_label or "—")}</td>'
            f'\n      <td data-label="{l_end}">{timeline.escape_text(m.end_label or "—")}{overdue_badge if m.overdue else ""}</td>'
            f'\n      <td data-label="{l_progress}">'
            f"\n        {updates or l_none}"
            f'\n        <!--personal:enter:{m.pk}:{timeline.escape_text(quote(str(m.number), safe=""))}-->'
            "\n      </td>"
            "\n    </tr>\n    "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or our own markup


# The commitment page's activities, milestones, published updates and their evidence, by the commitment,
# compiled once per process (``ogp_portal.compiled``).
def _activities(pk):
    return Activity.objects.filter(commitment_id=pk).order_by("number")


def _milestones(pk):
    return Milestone.objects.filter(commitment_id=pk).order_by("id")


def _updates(pk):
    return ProgressUpdate.objects.published().filter(milestone__commitment_id=pk).order_by("-period_end", "-published_at")


def _evidence(pk):
    return Evidence.objects.filter(update__milestone__commitment_id=pk, update__state=ProgressUpdate.State.PUBLISHED).order_by(
        "update_id", "created_at", "pk"
    )


def _report_lines(pk):
    """The commitment's lines in published status reports, latest first, each with its report."""
    return (
        StatusReportLine.objects.filter(commitment_id=pk, report__state=StatusReport.State.PUBLISHED)
        .select_related("report")
        .order_by("-report__period_start")
    )


def _commitment_state(request, commitment, today) -> str:
    """Render the commitment page's shared part: where it stands, its fields, activities and milestones, reports."""
    # Orders equal to the models' own within one commitment (see _plan_state), without the joins up to the member.
    # Read level by level and grouped here (the queries prefetch_related would make, without its machinery).
    activities = list(compiled("commitment-activities", _activities, pk=commitment.pk))
    milestones = list(compiled("commitment-milestones", _milestones, pk=commitment.pk))
    by_milestone = {m.pk: m for m in milestones}
    for m in milestones:
        m.commitment = commitment
        m.published_updates = []
    updates = list(compiled("commitment-updates", _updates, pk=commitment.pk)) if milestones else []
    by_update = {}
    for p in updates:
        p.milestone = by_milestone[p.milestone_id]
        p.milestone.published_updates.append(p)
        p.evidence_items = []  # a list, not a manager: the table asks each update for its evidence
        by_update[p.pk] = p
    if updates:
        for item in compiled("commitment-evidence", _evidence, pk=commitment.pk):
            item.update = by_update[item.update_id]
            item.update.evidence_items.append(item)
    timeline.annotate_milestone_progress(milestones, today)
    timeline.annotate_commitment_progress(commitment, milestones)
    # What the table shows of each update, worked out once here (issue #20): a model's get_FOO_display
    # translates every choice to find one, and the date filter looks up translated month names.
    completion_labels = {value: str(label) for value, label in Completion.choices}
    day_labels = {}  # each day labelled once (reporting periods recur across milestones)
    for m in milestones:
        for p in m.published_updates:
            p.completion_label = completion_labels.get(p.completion, p.completion)
            for day, attribute in ((p.period_start, "period_start_label"), (p.period_end, "period_end_label")):
                label = day_labels.get(day)
                if label is None:
                    label = day_labels[day] = timeline.date_label(day)
                setattr(p, attribute, label)
            p.summary = update_summary(p)
    panels = review_panels(updates, {"request": request, "commitment": commitment})
    for activity in activities:
        activity.milestone_list = [m for m in milestones if m.activity_id == activity.pk]
        activity.milestone_rows = milestone_rows(activity.milestone_list, panels)
    loose_milestones = [m for m in milestones if m.activity_id is None]
    sections = [(Commitment._meta.get_field(name).verbose_name, name) for name in TEMPLATE_FIELDS]
    # The roll-up rule, from the same latest approved updates the table shows.
    rollup = commitment.rollup
    report_lines = compiled("commitment-report-lines", _report_lines, pk=commitment.pk)
    # Whether it is contested: engagement's rule (a layer above), asked through its tag from the reviews the panels
    # read (no query of its own); without a published update there is nothing to dispute.
    contested = any(m.published_updates for m in milestones) and _contested_template().render(
        {"request": request, "commitment": commitment}
    ) == "1"
    # Written in Python, byte for byte what _commitment_state.html wrote (commitments/commitment_page.py).
    head = commitment_page.head_html(commitment, rollup, contested, timeline.build_gantt([(commitment, milestones)], today))
    body = commitment_page.body_html(
        commitment, rollup, sections, activities, loose_milestones, milestone_rows(loose_milestones, panels), report_lines,
    )
    return mark_safe(f"{head}{body}\n")  # noqa: S308 - both parts are safe HTML


@functools.cache
def _contested_template():
    return engines["django"].from_string(
        "{% load engagement %}{% commitment_contested commitment as contested %}{% if contested %}1{% endif %}"
    )


def commitment_history(request, identifier):
    """Show the commitment's and its milestones' change history as readable diffs, in the visitor's language."""
    commitment = get_object_or_404(Commitment.objects.select_related("plan__member"), identifier=identifier)
    sections = [(commitment.identifier, services.history_entries(commitment))]
    for milestone in commitment.milestones.all():
        entries = services.history_entries(milestone)
        sections.append((_("Milestone %(number)s") % {"number": milestone.number}, entries))
    return render(
        request,
        "commitments/commitment_history.html",
        {"commitment": commitment, "plan": commitment.plan, "member": commitment.plan.member, "sections": sections},
    )
def open_data(request):
    """Render the open-data page: every dataset, its formats, every field and the licence."""
    context = {
        "datasets": [(d, exports.FILTER_HINTS.get(d.slug, "")) for d in exports.DATASETS.values()],
        "ogp_columns": {c.name for c in exports.OGP_COLUMNS},
        "rollup_rule": ROLLUP_RULE,
        "licence_name": exports.LICENCE_NAME,
        "licence_url": exports.LICENCE_URL,
    }
    return render(request, "commitments/open_data.html", context)


def export(request, dataset, fmt):
    """Stream one dataset as CSV or JSON, filtered by the same parameters as the pages (``?member=KG``)."""
    spec = exports.DATASETS.get(dataset)
    if spec is None or fmt not in ("csv", "json"):
        raise Http404(_("No such dataset."))
    day = exports.today()
    key = exports.kept_key(request, dataset, fmt, day)  # kept per query, language, day and scope (issue #20)
    kept = exports.kept_answer(key)
    if kept is not None:
        response = HttpResponse(kept, content_type=_EXPORT_TYPES[fmt])
        return _export_headers(response, dataset, fmt)
    rows, errors = spec.rows(request.GET, day)
    if errors:
        message = "\n".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    stream = exports.stream_csv(spec, rows) if fmt == "csv" else exports.stream_json(spec, rows)
    response = StreamingHttpResponse(exports.keeping(stream, key), content_type=_EXPORT_TYPES[fmt])
    return _export_headers(response, dataset, fmt)


_EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _export_headers(response, dataset, fmt):
    if fmt == "csv":
        response["Content-Disposition"] = f'attachment; filename="{dataset}.csv"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response
