"""The site's pages that show compliance beside the domain: the home page, a member's page, its Atom feed and calendar.

They sit on top of the layers (README, "Layers"): the domain apps (``commitments``, ``forums``) never
import ``compliance``, so the pages that read its stored standing, deadlines and status events live
here. Their URLs keep their names in the domain's namespaces (``commitments:home``,
``commitments:member``, ``commitments:member_feed``, ``forums:member_calendar``; ``ogp_portal/urls.py``);
their templates stay under ``templates/commitments/``.

Each page loads in a small, fixed number of queries (asserted in ``tests/commitments/test_views.py``).
"""

import datetime as dt
from collections import Counter
from types import SimpleNamespace

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS
from django.db.models import BooleanField, Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from ogp_portal.paths import path_of
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments import timeline
from commitments.feeds import MAX_ITEMS, ProgressFeed, _newest, newest_reports, newest_updates
from commitments.figures import checked_portal_figures, compiled_aggregate, plan_totals
from commitments.filters import NO_UPDATE
from commitments.models import ActionPlan, Member, Milestone
from commitments.views import following_sql
from compliance.models import Deadline, MemberStatus, StatusEvent
from compliance.presentation import members_with_standing
from forums import calendars
from forums.models import Forum, Meeting
from ogp_portal.compiled import _postgresql, compiled, one_or_404
from ogp_portal.home_rows import _fast_values, _MemberRows, _Row, _Values, home_html, member_rows  # noqa: F401 - _MemberRows, _Values: read by tests
from ogp_portal.compiled import among, ids_text
from ogp_portal.compiled import day as as_day
from ogp_portal.cache import derived, derived_across_publications, prefetch_fragments, query_fragment, scope_fragments

# ---------------------------------------------------------------- the home page and a member's page


def _members(today):
    # The stored standing (compliance.MemberStanding, written by the sweep): status, open findings, plan due.
    return members_with_standing(Member.objects.all(), today)


# The home page lists members a page at a time (issue #12: 3,000 members at scale 10).
MEMBERS_PER_PAGE = 25
HOME_VIEWS = ("all", "local")


# The home page's querysets, built once per process and language (issue #20): building them (the stored
# standing's annotations, the ordering, the prefetch, the plans' stored-or-counted totals with the
# contested rule's subqueries) cost about as much as running them. Never evaluated themselves: each
# request filters or slices a copy. Nothing in them depends on the request or the day (the standing is
# the stored one); the language is in the key (modeltranslation orders by the active language's column).
_HOME_QUERYSETS: dict = {}


def _home_queryset(name, build):
    key = (name, get_language())
    queryset = _HOME_QUERYSETS.get(key)
    if queryset is None:
        queryset = _HOME_QUERYSETS[key] = build()
    return queryset


_LANGUAGES = settings.MODELTRANSLATION_LANGUAGES
# What a row of the home page shows of a member (its stored standing is annotated): not its every column.
_MEMBER_VALUES = ("pk", "code", "kind", "name", *(f"name_{code}" for code in _LANGUAGES), "status", "open_findings", "next_plan_due")


def _home_members(view, today):
    """The members of one view of the home page: (their ids in the page's order, for the paginator to slice; the rows).

    The page's members are read as the rows whose ids are in the slice: the ids are ordered and cut
    from the members alone (national first, then by name), and only the page's rows are joined to
    their stored standing, not every top-level member before the cut (issue #20).
    """
    rows = _members(today)
    if view == "local":
        order = ("name", "pk")
        ids = Member.objects.filter(kind=Member.Kind.LOCAL)
        # The national member's name in every language: ``values()`` gives a related name's original column only.
        rows = rows.values(*_MEMBER_VALUES, "parent_id", *(f"parent__name_{code}" for code in _LANGUAGES))
    else:
        # Top-level members: national members, then local members without one, each by name.
        order = (Case(When(kind=Member.Kind.NATIONAL, then=Value(0)), default=Value(1)), "name", "pk")
        ids = Member.objects.filter(parent__isnull=True)
        rows = rows.values(*_MEMBER_VALUES)
    return ids.order_by(*order).values("pk"), _fast_values(rows.order_by(*order))


def _local_members(today):
    """OGP Local members with their stored standing, by name: the nested rows of the home page's members."""
    return _fast_values(_members(today).order_by("name", "pk").values(*_MEMBER_VALUES, "parent_id"))


def _translated(row, prefix):
    """The related object's text in the active language, else the original language's, as modeltranslation's field gives it."""
    language = (get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    for code in (language, settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        value = row.get(f"{prefix}_{code}")
        if value is not None and value != "":
            return value
    return ""


def _current_plans(stored=False):
    """Plans that are their member's current one (latest by start, or submission), with their figures.

    ``stored``: every plan is known to have its stored figures (``checked_portal_figures``): read them alone.
    """
    latest = ActionPlan.objects.filter(member=OuterRef("member")).order_by("-start_date", "-submitted_on", "-pk").values("pk")[:1]
    return _fast_values(
        ActionPlan.objects.filter(pk=Subquery(latest))
        .annotate(**plan_totals(stored=stored))  # its commitments, complete and contested: stored, in the same query
        .order_by()
        .values("pk", "member_id", "title", *(f"title_{code}" for code in _LANGUAGES), "commitment_total", "complete_total", "contested_total")
    )


def member_list(request):
    """Render the home page: headline figures, then the members, a page at a time, with status and current plan.

    ``?view=all`` (the default): national members first, each with its OGP Local members nested
    under it, then the OGP Local members whose national member is not on the portal.
    ``?view=local``: the OGP Local members alone. ``?page=N`` pages through either; every state
    is a shareable URL. Statuses are the ones the compliance sweep stored; nothing here
    evaluates the rules. The page runs the same queries whatever the number of members.
    """
    today = timezone.localdate()
    # The content is the same for every visitor: rendered once per query, day and language and shared
    # by anonymous and signed-in visitors until the next change (issue #20). A query string longer
    # than the page cache keeps is rendered, not kept (a bounded key space).
    content = query_fragment(request, "home", lambda: _home_content(request, today), today)
    return render(request, "commitments/member_list.html", {"home_content": content})


def _home_content(request, today) -> str:
    """Render the home page's content: headline figures, next deadlines, the page of members."""
    view = request.GET.get("view", "all")
    if view not in HOME_VIEWS:
        view = "all"
    # The members, their names and stored standing (the sweep's) change only by a change not scoped to members:
    # kept across publications (``derived_across_publications``), so the first visitor after one reads them from
    # the cache and queries only the current plans and the figures, which a publication does change (issue #20).
    counts = derived_across_publications("home-member-counts", lambda: _member_counts(today))
    ids, members = _home_queryset(f"members-{view}", lambda: _home_members(view, today))
    total = counts["local"] if view == "local" else counts["top"]
    paginator = Paginator(ids, MEMBERS_PER_PAGE)
    paginator.count = total  # known from the aggregate above: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    # The page's list with a slot per member for its current plan, and the members in it: kept across publications.
    listing = derived_across_publications(
        f"home-member-list:{view}:{page.number}:{get_language()}:{today.isoformat()}",
        lambda: _member_list(view, today, ids, members, page),
    )
    figures = derived(f"home-figures-3:{today.isoformat()}", lambda: _headline_figures(today))
    # The current plan of each member shown: its latest by start (or submission), with its figures, in one query
    # (the stored rows alone when the figures found every plan with its row: kept under the same generation).
    stored = figures["every_plan_stored"]
    current_plans = {plan["member_id"]: _Row(plan) for plan in _plans_of(listing["members"], stored)}
    commitments_chart = timeline.tally_chart(_("Commitments by completion"), _("commitments"), figures["completions"])
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "view": view,
        "page": page,
        "members": listing["members"],
        "member_rows": member_rows().fill(listing["segments"], current_plans),
        "member_counts": counts,
        "query": params.urlencode(),
        "chart": commitments_chart,
        "overdue_milestones": figures["overdue"],
        "contested_commitments": figures["contested"],
        # The same on every page and language of the home page: read once per day and generation (issue #20).
        # Written by the sweep and the administrators only (unscoped changes): kept across publications.
        "next_deadlines": derived_across_publications(f"home-deadlines:{today.isoformat()}", lambda: _next_deadlines(today)),
        "today": today,
    }
    return _render_home(context)


def _render_home(context) -> str:
    """The content's HTML: ``home_html`` writes what ``templates/commitments/_home.html`` renders (tests/test_home_html.py)."""
    return home_html(
        view=context["view"],
        page=context["page"],
        members=context["members"],
        rows_html=context["member_rows"],
        member_counts=context["member_counts"],
        query=context["query"],
        chart=context["chart"],
        overdue=context["overdue_milestones"],
        contested=context["contested_commitments"],
        next_deadlines=context["next_deadlines"],
    )


def _member_counts(today) -> dict:
    """How many members, OGP Local members and top-level members the portal has: one query, compiled once a day."""
    aggregates = {
        "all": Count("pk"),
        "local": Count("pk", filter=Q(kind=Member.Kind.LOCAL)),
        "top": Count("pk", filter=Q(parent__isnull=True)),
    }
    return compiled_aggregate("home-member-counts", today, lambda: Member.objects.order_by(), aggregates)


def _plans_of(members, stored):
    """The current plans (:func:`_current_plans`) of ``members`` (ids): their query compiled once per process (issue #20)."""
    if not members:
        return []  # no query, as ``member__in=[]`` ran none
    name = "plans-stored" if stored else "plans"

    def build(ids):
        # Each member's latest plan numbered first by a window over the members' plans alone (~330 rows), then read
        # with its figures: the same plans as :func:`_current_plans`' sub-select per plan (tests/test_home_compiled.py),
        # ~0.25 ms less at scale 10 (issue #20).
        plans = _home_queryset(f"{name}-totals", lambda: _plans_with_totals(stored))
        if _postgresql():  # each member's latest plan looked up in ``plan_member_start``: ~0.07 ms less than the window
            return plans.filter(RawSQL(_LATEST_PLANS, (ids,), output_field=BooleanField()))
        return plans.filter(pk__in=_latest_plans(ids))

    return compiled(f"home-{name}", build, ids=ids_text(members))


def _plans_with_totals(stored):
    """Plans with their figures (``plan_totals``), as the home page's rows read them (:func:`_current_plans`' columns)."""
    return _fast_values(
        ActionPlan.objects.annotate(**plan_totals(stored=stored))
        .order_by()
        .values("pk", "member_id", "title", *(f"title_{code}" for code in _LANGUAGES), "commitment_total", "complete_total", "contested_total")
    )


# The latest plan of each member among the ids (``%s``: :func:`ids_text`) on PostgreSQL: one index lookup a member (index
# ``plan_member_start``), the plans' ids as an array (a join on them, not a hashed semi-join). The same plans as
# :func:`_latest_plans`' window (tests/test_home_compiled.py).
_LATEST_PLANS = (
    '"commitments_actionplan"."id" = ANY(ARRAY(SELECT (SELECT p."id" FROM "commitments_actionplan" p WHERE p."member_id" = m.id '
    'ORDER BY p."start_date" DESC, p."submitted_on" DESC, p."id" DESC LIMIT 1) FROM unnest(CAST(%s AS bigint[])) AS m(id)))'
)


def _latest_plans(ids):
    """The ids of the latest plan (by start, submission, id) of each member among ``ids`` (:func:`ids_text`): a sub-select."""
    table = ActionPlan._meta.db_table
    of_members = among('"member_id"', ids)
    return RawSQL(
        f'SELECT "id" FROM (SELECT "id", ROW_NUMBER() OVER (PARTITION BY "member_id" ORDER BY "start_date" DESC, '
        f'"submitted_on" DESC, "id" DESC) AS "latest" FROM "{table}" WHERE {of_members.sql}) AS "plans" WHERE "latest" = 1',
        of_members.params,
    )


def _page_members(view, today, ids, members, page):
    """The rows of ``page`` (``members`` whose ids ``ids`` orders): one query, compiled once per process and view.

    The page's ids are the ordered ids' query cut by ``LIMIT`` and ``OFFSET`` given as parameters (the
    ORM writes a slice's bounds into the SQL, so each page would be built and compiled again).
    """

    def build(limit, offset):
        sql, params = ids.query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
        if _postgresql():  # the page's ids as an array: looked up by primary key, not a hash of every member (~0.09 ms less)
            table = Member._meta.db_table
            return members.filter(RawSQL(f'"{table}"."id" = ANY(ARRAY({sql} LIMIT %s OFFSET %s))', (*params, limit, offset), output_field=BooleanField()))
        return members.filter(pk__in=RawSQL(f"{sql} LIMIT %s OFFSET %s", (*params, limit, offset)))

    offset = (page.number - 1) * page.paginator.per_page
    return compiled(f"home-members-{view}", build, limit=page.paginator.per_page, offset=offset, generic_plan=True)


def _member_list(view, today, ids, members, page) -> dict:
    """A page's list of members: ``segments`` (:meth:`_MemberRows.segments`) and ``members``, the ids of its rows.

    One query for the page's members (the page's ids are its subquery), one for their OGP Local members
    (``view == "all"``: nested under each).
    """
    shown = [_Row(row) for row in _page_members(view, today, ids, members, page)]
    nested = []
    if view == "all":  # each member's OGP Local members, nested under it: one query
        for member in shown:
            member.local_rows = []
        by_pk = {member.pk: member for member in shown}
        if by_pk:
            locals_ = lambda parents: _home_queryset("locals", lambda: _local_members(today)).filter(  # noqa: E731
                among('"commitments_member"."parent_id"', parents)
            )
            for row in compiled("home-locals", locals_, parents=ids_text(by_pk)):
                local = _Row(row)
                by_pk[local.parent_id].local_rows.append(local)
        nested = [local for member in shown for local in member.local_rows]
    else:
        for member in shown:
            has_parent = member.parent_id is not None
            member.parent = _Row({"name": _translated(member.__dict__, "parent__name")}) if has_parent else None
    return {"segments": member_rows().segments(shown, view), "members": [member.pk for member in [*shown, *nested]]}


def _next_deadlines(today) -> list:
    """The five open deadlines due soonest, portal-wide (the partial index ``deadline_open_due_on``)."""
    return list(compiled("home-next-deadlines", _next_deadlines_query, day=today.isoformat()))


def _next_deadlines_query(day: str):
    """:func:`_next_deadlines`'s query for ``day`` (its ISO text: the query is compiled once per process)."""
    today = as_day(day)
    # The columns the page shows only: the join reads every open deadline of the first day (about 2,000 at scale 10)
    # before it keeps five, so narrow rows are most of its cost (issue #20).
    names = [f"member__name_{code}" for code in settings.MODELTRANSLATION_LANGUAGES]
    # Only the deadlines due by the fifth soonest day (read from the index: five entries; none past the last when
    # there are fewer), and ordered by an expression of the day rather than the indexed column: PostgreSQL then
    # joins them to the members by hashing (about 1.7 ms at scale 10) instead of one member lookup per deadline
    # of the first day in the index's order (about 4 ms). The same five; the primary key orders exact ties.
    open_ = Deadline.objects.filter(met_on__isnull=True, due_on__gte=today)
    fifth_day = Coalesce(Subquery(open_.order_by("due_on").values("due_on")[4:5]), Value(dt.date.max))
    # The five are picked joined to the members' names alone; only they are read with the columns shown (the join
    # hashed every member's names in every language: ~0.3 ms more at scale 10).
    if _postgresql():
        five = RawSQL(_SOONEST_FIVE, (day,) * _SOONEST_FIVE.count("%s"))
    else:
        five = open_.filter(due_on__lte=fifth_day).order_by(Coalesce("due_on", "due_on"), "member__name", "pk").values("pk")[:5]
    return (
        Deadline.objects.filter(pk__in=five)
        .select_related("member")
        .only("due_on", "kind", "cycle", "member", "member__code", "member__name", *names)
        .order_by("due_on", "member__name", "pk")
    )


# The five next deadlines' ids on PostgreSQL (each ``%s``: the day, as ISO text). The same five as the query above
# (tests/test_home_deadlines.py), without sorting every deadline of the fifth soonest day by member name: at scale
# 10 about 2,250 fall due on one day, and joining and sorting them all was ~1.5 ms of every first render (issue #20).
# The deadlines due before that day are fewer than five: all of them. That day's are found by reading the members
# in name order (index ``member_stored_name``) and looking up each one's deadline on the day (index
# ``deadline_open_member_due``), stopping at five, when the day has at least a hundred (about 5 x 3,000 / 100
# lookups at most); a day with fewer is joined and sorted (cheap: few rows, and the lookups would read most members).
_FIFTH_DAY = (
    'COALESCE((SELECT "due_on" FROM "compliance_deadline" WHERE "met_on" IS NULL AND "due_on" >= CAST(%s AS date) '
    "ORDER BY \"due_on\" LIMIT 1 OFFSET 4), DATE '9999-12-31')"
)
_DENSE = (
    f'COALESCE((SELECT "due_on" FROM "compliance_deadline" WHERE "met_on" IS NULL AND "due_on" >= {_FIFTH_DAY} '
    f'ORDER BY "due_on" LIMIT 1 OFFSET 99) = {_FIFTH_DAY}, false)'
)
_SOONEST_FIVE = f"""SELECT "id" FROM (
  SELECT d."id", d."due_on", m."name" FROM "compliance_deadline" d INNER JOIN "commitments_member" m ON m."id" = d."member_id"
   WHERE d."met_on" IS NULL AND d."due_on" >= CAST(%s AS date) AND d."due_on" < {_FIFTH_DAY}
  UNION ALL
  (SELECT d."id", d."due_on", m."name" FROM "commitments_member" m CROSS JOIN LATERAL (
     SELECT "id", "due_on" FROM "compliance_deadline" WHERE "member_id" = m."id" AND "met_on" IS NULL AND "due_on" = {_FIFTH_DAY} OFFSET 0
   ) d WHERE {_DENSE} ORDER BY m."name", d."id" LIMIT 5)
  UNION ALL
  (SELECT d."id", d."due_on", m."name" FROM "compliance_deadline" d INNER JOIN "commitments_member" m ON m."id" = d."member_id"
   WHERE d."met_on" IS NULL AND d."due_on" = {_FIFTH_DAY} AND NOT {_DENSE} ORDER BY m."name", d."id" LIMIT 5)
) AS "soonest" ORDER BY "due_on", "name", "id" LIMIT 5"""


def _headline_figures(today):
    """Return the commitments by stored roll-up, the contested ones and the overdue milestones, portal-wide.

    Sums of the plans' stored figures (``commitments.figures.portal_figures``: two queries whatever
    the size of the portal), kept in the cache per day and generation (``ogp_portal.cache.derived``).
    """
    figures, every_plan_stored = checked_portal_figures(today)
    return {
        "completions": Counter({(value or NO_UPDATE): n for value, n in figures["completions"].items() if n}),
        "overdue": figures["overdue"],
        "contested": figures["contested"],
        "every_plan_stored": every_plan_stored,
    }


def _member_page_query(code, user=None):
    """The member page's member: its stored standing, its national member, and whether ``user`` (an id) follows it."""
    members = members_with_standing(Member.objects.select_related("parent"), None).filter(code=code).order_by()
    if user is not None:
        members = members.annotate(followed=following_sql(Member, SimpleNamespace(pk=user), "member"))
    return members


def _member_plans(member):
    return ActionPlan.objects.filter(member=member).annotate(
        commitment_count=plan_totals("commitment_total")["commitment_total"]
    ).order_by("-start_date")


def _member_forums(member):
    return Forum.objects.filter(member=member)  # what ``member.forums.all()`` reads


def _member_locals(member):
    return Member.objects.filter(parent=member).order_by("name")


def member_detail(request, code):
    """Render one member: its compliance status (as stored), action plans, forums and OGP Local members.

    The plans, forums and OGP Local members are read only where the page renders them: inside its
    shared fragments, so a signed-in visitor served the fragments from the cache reads the member
    alone (issue #20). Each plan's commitments are counted from its stored figures (``PlanFigures``).
    """
    # The page's query is compiled once per process (``ogp_portal.compiled``): building it cost more than running it.
    if request.user.is_authenticated:  # the follow button's state, in the same query
        found = compiled("member-page-followed", _member_page_query, code=code, user=request.user.pk)
    else:
        found = compiled("member-page", _member_page_query, code=code)
    member = one_or_404(found)
    scope_fragments(member.pk)  # its shared parts show this member's records (and its local members' names) only
    # The template's two shared parts ({% shared_fragment %}) in one cache round trip.
    prefetch_fragments(f"member:{member.pk}:{timezone.localdate().isoformat()}", f"member-locals:{member.pk}")
    member.status_label = MemberStatus(member.status).label
    member.followed = getattr(member, "followed", False)
    context = {
        "member": member,
        # Built, not only evaluated, by the template inside the fragments only (a template calls a callable):
        # the plans' stored-figures annotation alone cost about 1 ms of Python to build (issue #20).
        # Each compiled once per process (``ogp_portal.compiled``), as the member's own query.
        "plans": lambda: compiled("member-page-plans", _member_plans, member=member.pk),
        "forums": lambda: compiled("member-page-forums", _member_forums, member=member.pk),
        "local_members": lambda: compiled("member-page-locals", _member_locals, member=member.pk),
    }
    return render(request, "commitments/member_detail.html", context)


# ---------------------------------------------------------------- a member's Atom feed


def _status_events(pk):
    return StatusEvent.objects.filter(member=pk).select_related("member").order_by("-effective_on")[:MAX_ITEMS]


class MemberFeed(ProgressFeed):
    """A member's published progress and status reports (``commitments.feeds``) and its compliance status events."""

    def __call__(self, request, *args, **kwargs):
        self.compliance_path = path_of("compliance:member")  # per request (the language): reversed once
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, code):
        return one_or_404(compiled("feed-member", lambda code: Member.objects.filter(code=code), code=code))

    def title(self, obj):
        return _("Progress and compliance of %(member)s") % {"member": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return _newest(
            newest_updates("milestone__commitment__plan__member", obj.pk),
            newest_reports("member", obj.pk),
            compiled("feed-status-events", _status_events, pk=obj.pk),
        )

    def item_title(self, item):
        if isinstance(item, StatusEvent):
            return _("Compliance status: %(status)s") % {"status": item.get_status_display()}
        return super().item_title(item)

    def item_description(self, item):
        if isinstance(item, StatusEvent):
            return item.reason
        return super().item_description(item)

    def item_link(self, item):
        if isinstance(item, StatusEvent):
            return self.compliance_path(item.member.code) + f"#event-{item.pk}"
        return super().item_link(item)

    def item_guid(self, item):
        if isinstance(item, StatusEvent):
            return f"{self.link_for_guid}status-{item.pk}"
        return super().item_guid(item)


# ---------------------------------------------------------------- a member's calendar (forums' calendar feeds)


def member_calendar(request, code):
    member = get_object_or_404(Member, code=code)
    body = calendars.member_calendar(
        member,
        meetings=Meeting.objects.filter(forum__member=member).select_related("forum").order_by("starts_at"),
        deadlines=Deadline.objects.filter(member=member).order_by("due_on"),
        milestones=Milestone.objects.filter(commitment__plan__member=member, end_date__isnull=False)
        .select_related("commitment")
        .order_by("end_date"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{member.code}-ogp.ics"'
    return response
