"""Public, read-only pages: action plans, commitments, their history and open data.

The progress workflow's pages (progress entry, evidence, review, status reports) are in
``progress_views.py``; the home page and a member's page, which show compliance, are the site's
(``ogp_portal/pages.py``).

Each view loads its page in a small, fixed number of queries (asserted in
``tests/commitments/test_views.py``), whatever the number of rows shown.
"""

import functools

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ogp_portal import cache as page_cache
from ogp_portal.cache import fragment, prefetch_fragments, scope_fragments
from ogp_portal.paths import path_of
from ogp_portal.permissions import published_updates

from . import exports, services, timeline
from .compiled import Compiled
from .templatetags.portal import name_of, tr
from .marks import contested_commitments_q  # engagement's rule, registered at start-up
from .filters import NO_UPDATE
from .models import (
    ActionPlan,
    Activity,
    Agency,
    Commitment,
    Completion,
    Evidence,
    Member,
    Milestone,
    ProgressUpdate,
    StatusReport,
    StatusReportLine,
    ROLLUP_RULE,
    period_end,
)



# Commitment text fields shown in OGP's template order, under their model labels.
TEMPLATE_FIELDS = (
    "problem",
    "description",
    "contribution",
    "relevance",
    "additional_information",
    "expected_results",
)


# What the plan page shows of a commitment, a milestone and an update (issue #20: a plan's commitments
# carry their whole OGP template in three languages, of which the page shows the title).
PLAN_COMMITMENT_FIELDS = (
    "plan_id", "number", "identifier", "title", "start_date", "end_date", "lead_agency__name", "lead_agency__acronym",
)
PLAN_MILESTONE_FIELDS = ("commitment_id", "number", "start_date", "start_precision", "end_date", "end_precision")


class PlanMilestone:
    """A milestone as the plan page reads it: its number and dates (``timeline`` adds where it stands)."""

    __slots__ = (
        "pk", *PLAN_MILESTONE_FIELDS, "published_updates", "latest_progress", "overdue", "state", "start_label", "end_label",
    )

    def __init__(self, pk, commitment_id, number, start_date, start_precision, end_date, end_precision):
        self.pk, self.commitment_id, self.number = pk, commitment_id, number
        self.start_date, self.start_precision, self.end_date, self.end_precision = (
            start_date, start_precision, end_date, end_precision,
        )

    @property
    def ends_on(self):
        return period_end(self.end_date, self.end_precision)


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
    contested = f' <strong class="contested-badge">{_("Contested")}</strong>'
    no_update = _("No approved update yet")
    url_of = path_of("commitments:commitment")
    parts = []
    for c in commitments:
        rollup = c.rollup
        if rollup.level:
            completion = f"{conditional_escape(rollup.get_level_display())} ({conditional_escape(rollup.percent)} %)"
        else:
            completion = no_update
        latest = c.latest_progress
        latest_day = timeline.date_label(timezone.localtime(latest.published_at).date()) if latest and latest.published_at else ""
        overdue = ""
        if c.overdue_count:
            text = ngettext("%(counter)s overdue", "%(counter)s overdue", c.overdue_count) % {"counter": c.overdue_count}
            overdue = f' <span class="overdue-badge">{text}</span>'
        parts.append(
            "\n      <tr>"
            f'\n        <td data-label="{l_identifier}">{conditional_escape(c.identifier)}</td>'
            f'\n        <th scope="row" data-label="{l_title}"><a href="{conditional_escape(url_of(c.identifier))}">'
            f"{tr(c, 'title')}</a>{contested if c.contested else ''}</th>"
            f'\n        <td data-label="{l_agency}">{name_of(c.lead_agency)}</td>'
            f'\n        <td data-label="{l_completion}"><span class="completion completion-{conditional_escape(rollup.level or "none")}">'
            f"{completion}</span></td>"
            f'\n        <td data-label="{l_latest}">{latest_day if latest else "—"}</td>'
            f'\n        <td data-label="{l_milestones}">{c.milestone_count}{overdue}</td>'
            "\n      </tr>\n      "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or our own markup


# The lead agency's columns a plan's commitments carry (what ``name_of`` shows), read in their query.
AGENCY_COLUMNS = ("id", "name_en", "name_ru", "name_ky", "acronym")


def _plan_commitments_query(plan):
    """The plan page's commitments: the columns shown, the contested mark, the lead agency's name (compiled once).

    Building it (the contested mark's subquery, the lead agency's join, the columns) cost a third of running it
    (issue #20). The agency comes as columns of the row (a compiled query fills no relation): ``_with_agency``.
    """
    agency_columns = {f"agency_{name}": F(f"lead_agency__{name}") for name in AGENCY_COLUMNS}
    return (
        Commitment.objects.filter(plan_id=plan)
        .only(*(name for name in PLAN_COMMITMENT_FIELDS if not name.startswith("lead_agency__")), "lead_agency_id")
        .annotate(contested=contested_commitments_q(), **agency_columns)
        .order_by("number", "identifier")
    )


_PLAN_COMMITMENTS = Compiled(_plan_commitments_query)


def _with_agency(commitment):
    """``commitment`` with its lead agency (or None) made from the agency columns its query read."""
    values = [getattr(commitment, f"agency_{name}") for name in AGENCY_COLUMNS]
    agency = None if values[0] is None else Agency.from_db(commitment._state.db, AGENCY_COLUMNS, values)
    Commitment._meta.get_field("lead_agency").set_cached_value(commitment, agency)
    return commitment


# The plan page's milestones and their published levels, by the plan (the rows of its commitments' milestones),
# compiled once per process (``compiled.Compiled``).
_PLAN_MILESTONES = Compiled(
    lambda plan: Milestone.objects.filter(commitment__plan_id=plan).order_by("id").values_list("pk", *PLAN_MILESTONE_FIELDS)
)
_PLAN_LEVELS = Compiled(
    lambda plan: published_updates(ProgressUpdate.objects.filter(milestone__commitment__plan_id=plan))
    .order_by("-period_end", "-published_at")
    .values_list("milestone_id", "period_end", "published_at", "completion")
)


def _plan_state(request, plan, today) -> str:
    """Render the plan page's shared part: headline figures, charts, the milestone timeline, the commitments."""
    # Explicit orders equal to the models' own for one plan or commitment: Meta orders by the parent
    # first, which joins each row up to its member (and, for many rows, hashes every member).
    commitments = [_with_agency(c) for c in _PLAN_COMMITMENTS.objects(plan.pk)]
    # The milestones and their published levels as plain rows (a plan has hundreds), grouped here.
    by_commitment, by_milestone = {}, {}
    if commitments:
        for row in _PLAN_MILESTONES.rows(plan.pk):
            milestone = PlanMilestone(*row)
            by_commitment.setdefault(milestone.commitment_id, []).append(milestone)
    if by_commitment:
        for row in _PLAN_LEVELS.rows(plan.pk):
            by_milestone.setdefault(row[0], []).append(PublishedLevel(*row))
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
    context = {
        "plan": plan,
        "commitments": commitments,
        "charts": [c for c in charts if c.total],
        "gantt": timeline.build_gantt(groups, today),
        "commitment_rows": commitment_rows(commitments),
        "milestone_count": len(all_milestones),
        "overdue_count": sum(1 for m in all_milestones if m.overdue),
        "today": today,
    }
    return render_to_string("commitments/_plan_state.html", context, request=request)


def _with_following(request, qs, field):
    """``qs`` with ``following``: whether the signed-in visitor follows the row, read in the page's own query.

    The follow button's state without a query of its own (``{% follow_button … following %}``); an
    anonymous visitor's query is unchanged.
    """
    user = request.user
    if not user.is_authenticated:
        return qs
    return qs.annotate(following=following_sql(qs.model, user, field))


def following_sql(model, user, field):
    """``EXISTS`` (the user follows the row of ``model`` through Follow's ``field``), as one SQL expression.

    The same condition as ``Exists(Follow.objects.filter(user=user, <field>=OuterRef("pk")))``,
    written as SQL: the ORM's subquery cost more to build and compile (about 0.4 ms, on every signed-in
    visit of a plan, commitment or member page) than it costs to run (issue #20).
    """
    return RawSQL(_following_condition(model, field), (user.pk,), output_field=BooleanField())  # noqa: S611 - our own table and column names


def _following_condition(model, field) -> str:
    """``following_sql``'s SQL, the user's id its one parameter."""
    follow = model._meta.get_field("follows").related_model  # engagement's Follow, without importing engagement
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {quote(follow._meta.db_table)} f"
        f" WHERE f.{quote(follow._meta.get_field('user').column)} = %s"
        f" AND f.{quote(follow._meta.get_field(field).column)} = {table}.{quote(model._meta.pk.column)})"
    )


# A page's head (issue #20): what a page shows of its object outside its shared parts (title, breadcrumb, follow
# button, per-visitor links), with the parents it names. ``(model, columns)`` from the object up to its member;
# a translated field brings its language columns (``tr`` falls back through them).
PAGE_HEADS = {
    "plan": ((ActionPlan, ("id", "member_id", "title")), (Member, ("id", "code", "name"))),
    "commitment": (
        (Commitment, ("id", "plan_id", "lead_agency_id", "identifier", "title")),
        (ActionPlan, ("id", "member_id", "title")),
        (Member, ("id", "code", "name")),
    ),
}

PAGE_KEYS = {"plan": "id", "commitment": "identifier"}  # what the page's URL names its object by
PARENTS = {"plan": "member", "commitment": "plan__member"}  # the head's parents, as select_related names them


def _head_columns(model, names):
    """The attnames of ``names`` and of their language columns, in the model's own order (what ``from_db`` takes)."""
    wanted = set(names) | {f"{name}_{code.replace('-', '_')}" for name in names for code, _label in settings.LANGUAGES}
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


@functools.lru_cache(maxsize=8)
def _head_sql(kind: str, alias: str, signed_in: bool):
    """The SQL of a page's head, its columns per model, and its parameters' order: written once per process.

    One join up the parents, the columns the head shows, and for a signed-in visitor whether they follow
    the object (``following_sql``): the ORM built and compiled the page's query with every column of three
    or four tables on every visit (about 2-3 ms of a signed-in plan or commitment page; this runs in 0.2-0.3).
    """
    quote = connection.ops.quote_name
    steps = PAGE_HEADS[kind]
    columns, select, joins = [], [], []
    for i, (model, names) in enumerate(steps):
        table = quote(model._meta.db_table)
        attnames = _head_columns(model, names)
        columns.append(attnames)
        select += [f"{table}.{quote(name)}" for name in attnames]
        if i:
            parent = steps[i - 1][0]
            link = next(f for f in parent._meta.concrete_fields if f.is_relation and f.related_model is model)
            joins.append(
                f" INNER JOIN {table} ON {table}.{quote(model._meta.pk.column)}"
                f" = {quote(parent._meta.db_table)}.{quote(link.column)}"
            )
    root = steps[0][0]
    params = []
    if signed_in:
        select.append(_following_condition(root, kind))
        params.append("user")
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(root._meta.db_table)}{''.join(joins)}"
        f" WHERE {quote(root._meta.db_table)}.{quote(root._meta.get_field(PAGE_KEYS[kind]).column)} = %s"
    )
    return sql, tuple(columns), (*params, "key")


def page_head(kind: str, key, user):
    """The page's object as its head shows it (``PAGE_HEADS``), its parents attached, or 404.

    Model instances with the other columns deferred: what a shared part shows of them is read when that
    part is rendered (``_whole``). ``following`` is set for a signed-in ``user``.
    """
    signed_in = bool(user and user.is_authenticated)
    sql, columns, order = _head_sql(kind, connection.alias, signed_in)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if name == "user" else key for name in order])
        row = cursor.fetchone()
    if row is None:
        raise Http404(f"No {PAGE_HEADS[kind][0][0]._meta.object_name} matches the given query.")  # get_object_or_404's
    objects, start = [], 0
    for (model, _names), attnames in zip(PAGE_HEADS[kind], columns):
        objects.append(model.from_db(connection.alias, attnames, row[start : start + len(attnames)]))
        start += len(attnames)
    for child, parent in zip(objects, objects[1:]):
        link = next(f for f in type(child)._meta.concrete_fields if f.is_relation and f.related_model is type(parent))
        link.set_cached_value(child, parent)
    if signed_in:
        objects[0].following = bool(row[-1])
    return objects[0]


def _whole(head, *select_related):
    """The whole row of ``head`` (a ``page_head`` object), with the parents the head read: for its shared parts."""
    model = type(head)
    queryset = model.objects.select_related(*select_related) if select_related else model.objects.all()
    whole = queryset.get(pk=head.pk)
    for field in model._meta.concrete_fields:
        if field.is_relation and field.is_cached(head) and not field.is_cached(whole):
            field.set_cached_value(whole, field.get_cached_value(head))
    return whole


def _page_object(kind, key, request, *select_related):
    """The page's object and ``whole()``, its whole row for the page's shared parts.

    With the shared parts kept (``PUBLIC_PAGE_CACHE``, production): the head alone (``page_head``), and the
    whole row read only when a part is rendered (the first visitor after a change). Without (every part is
    rendered): the whole row and its parents in the page's one query, as the parts need them.
    """
    if page_cache.enabled():
        head = page_head(kind, key, request.user)
        return head, functools.cache(lambda: _whole(head, *select_related))
    model = PAGE_HEADS[kind][0][0]
    queryset = model.objects.select_related(PARENTS[kind], *select_related)
    whole = get_object_or_404(_with_following(request, queryset, kind), **{PAGE_KEYS[kind]: key})
    return whole, lambda: whole


def plan_detail(request, pk):
    """Render an action plan, state first: progress charts, the milestone timeline, the commitments, then co-creation."""
    today = timezone.localdate()
    plan, whole = _page_object("plan", pk, request)
    scope_fragments(plan.member_id)  # its shared parts show this member's records only
    # The page's three shared parts (here and in the template) in one cache round trip.
    prefetch_fragments(f"plan-state:{plan.pk}:{today.isoformat()}", f"plan-reports:{plan.pk}", f"plan-about:{plan.pk}")
    context = {
        "plan": plan,
        "member": plan.member,
        # Read by the shared part of the reports ({% shared_fragment %} in the template): built only when it is
        # rendered (the template calls it; cached, so its two uses share one query).
        "status_reports": functools.cache(
            lambda: plan.status_reports.filter(state=StatusReport.State.PUBLISHED).order_by("-period_start")
        ),
        "can_publish": request.user.has_perm("commitments.publish_status_report", plan),
        "following": getattr(plan, "following", False),
        # The same for every visitor: rendered once per plan, day and language, shared by anonymous and
        # signed-in visitors until the next change (issue #20); the follow button and the status
        # reports' link stay outside it.
        "plan_state": fragment(f"plan-state:{plan.pk}:{today.isoformat()}", lambda: _plan_state(request, plan, today)),
        # Its dates, lead institutions and co-creation: the whole row, read only when the part is rendered.
        "plan_about": fragment(
            f"plan-about:{plan.pk}",
            lambda: render_to_string("commitments/_plan_about.html", {"plan": whole(), "member": plan.member}),
        ),
    }
    return render(request, "commitments/plan_detail.html", context)


def commitment_detail(request, identifier):
    """Render every field of a commitment, its activities and milestones with their published progress and timeline."""
    today = timezone.localdate()
    # Whether it is contested is read inside the shared part, from the reviews its panels show
    # ({% commitment_contested %}): a visit that reuses the part does not ask.
    commitment, whole = _page_object("commitment", identifier, request, "lead_agency")
    scope_fragments(commitment.plan.member_id)  # its shared part shows this member's records only
    context = {
        "commitment": commitment,
        "following": getattr(commitment, "following", False),
        "plan": commitment.plan,
        "member": commitment.plan.member,
        # The same for every visitor: rendered once per commitment, day and language, shared by anonymous
        # and signed-in visitors until the next change (issue #20). The follow button stays outside it;
        # the links to enter progress, review, respond and hide are slots the page fills per visitor.
        "commitment_state": fragment(
            # "slots2": its per-visitor slots carry their shared facts (engagement's PERSONAL_SLOT); a part kept by
            # code before them is never read by this code, nor this one by that (both may share a cache in a deploy).
            f"commitment:slots2:{commitment.pk}:{today.isoformat()}", lambda: _commitment_state(request, whole(), today)
        ),
    }
    return render(request, "commitments/commitment_detail.html", context)


def update_summary(update) -> str:
    """What the commitment page shows of a published update before its reviews: level, period, text, evidence.

    Written here rather than by the template's loop over every update of every milestone (issue #20),
    byte for byte what ``_milestone_table.html`` wrote (tests/commitments/test_gantt_rows.py). The
    update carries ``completion_label``, ``period_start_label``, ``period_end_label`` and
    ``evidence_items`` (``_commitment_state`` sets them).
    """
    period = _("Reporting period %(start)s – %(end)s") % {
        "start": conditional_escape(update.period_start_label),
        "end": conditional_escape(update.period_end_label),
    }
    narrative = linebreaks(update.narrative, autoescape=True) if update.narrative else ""
    self_approved = (
        f'<p class="self-approved"><small>{_("Approved by its author, the member's single point of contact.")}</small></p>'
        if update.self_approved
        else ""
    )
    evidence = ""
    if update.evidence_items:
        nofollow = ' rel="nofollow noopener noreferrer"'
        links = ";".join(
            f' <a href="{conditional_escape(item.get_absolute_url())}"{nofollow if item.kind == "link" else ""}>'
            f"{conditional_escape(Truncator(str(item)).chars(60))}</a>"
            for item in update.evidence_items
        )
        evidence = f'\n          <p class="evidence">{_("Evidence:")}{links}</p>\n          '
    return mark_safe(  # noqa: S308 - every value above is escaped or our own markup
        f'\n          <strong class="completion completion-{conditional_escape(update.completion)}">'
        f"{conditional_escape(update.completion_label)}</strong>"
        f'\n          <span class="progress">{period}</span>'
        f"\n          {narrative}"
        f"\n          {self_approved}"
        f"\n          {evidence}"
        "\n          "
    )


# The commitment page's activities, milestones, published updates and their evidence, by the commitment,
# compiled once per process (``compiled.Compiled``).
_ACTIVITIES = Compiled(lambda pk: Activity.objects.filter(commitment_id=pk).order_by("number"))
_MILESTONES = Compiled(lambda pk: Milestone.objects.filter(commitment_id=pk).order_by("id"))
_UPDATES = Compiled(
    lambda pk: ProgressUpdate.objects.published().filter(milestone__commitment_id=pk).order_by("-period_end", "-published_at")
)
_EVIDENCE = Compiled(
    lambda pk: Evidence.objects.filter(update__milestone__commitment_id=pk, update__state=ProgressUpdate.State.PUBLISHED)
    .order_by("update_id", "created_at", "pk")
)


def _commitment_state(request, commitment, today) -> str:
    """Render the commitment page's shared part: where it stands, its fields, activities and milestones, reports."""
    # Orders equal to the models' own within one commitment (see _plan_state), without the joins up to the member.
    # Read level by level and grouped here (the queries prefetch_related would make, without its machinery).
    activities = _ACTIVITIES.objects(commitment.pk)
    milestones = _MILESTONES.objects(commitment.pk)
    by_milestone = {m.pk: m for m in milestones}
    for m in milestones:
        m.commitment = commitment
        m.published_updates = []
    updates = _UPDATES.objects(commitment.pk) if milestones else []
    by_update = {}
    for p in updates:
        p.milestone = by_milestone[p.milestone_id]
        p.milestone.published_updates.append(p)
        p.evidence_items = []  # a list, not a manager: the table asks each update for its evidence
        by_update[p.pk] = p
    if updates:
        for item in _EVIDENCE.objects(commitment.pk):
            item.update = by_update[item.update_id]
            item.update.evidence_items.append(item)
    timeline.annotate_milestone_progress(milestones, today)
    timeline.annotate_commitment_progress(commitment, milestones)
    # What the table shows of each update, worked out once here (issue #20): a model's get_FOO_display
    # translates every choice to find one, and the date filter looks up translated month names.
    completion_labels = {value: str(label) for value, label in Completion.choices}
    for m in milestones:
        for p in m.published_updates:
            p.completion_label = completion_labels.get(p.completion, p.completion)
            p.period_start_label = timeline.date_label(p.period_start)
            p.period_end_label = timeline.date_label(p.period_end)
            p.summary = update_summary(p)
    for activity in activities:
        activity.milestone_list = [m for m in milestones if m.activity_id == activity.pk]
    sections = [(Commitment._meta.get_field(name).verbose_name, name) for name in TEMPLATE_FIELDS]
    # The roll-up rule, from the same latest approved updates the table shows.
    rollup = commitment.rollup
    report_lines = (
        StatusReportLine.objects.filter(commitment=commitment, report__state=StatusReport.State.PUBLISHED)
        .select_related("report")
        .order_by("-report__period_start")
    )
    context = {
        "commitment": commitment,
        "plan": commitment.plan,
        "member": commitment.plan.member,
        "sections": sections,
        "activities": activities,
        "loose_milestones": [m for m in milestones if m.activity_id is None],
        "any_published": any(m.published_updates for m in milestones),  # else not contested, nothing to read
        "rollup": rollup,
        "report_lines": report_lines,
        "gantt": timeline.build_gantt([(commitment, milestones)], today),
        "today": today,
    }
    return render_to_string("commitments/_commitment_state.html", context, request=request)


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
    rows, errors = spec.rows(request.GET, exports.today())
    if errors:
        message = "\n".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.stream_csv(spec, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{dataset}.csv"'
    else:
        response = StreamingHttpResponse(exports.stream_json(spec, rows), content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response
