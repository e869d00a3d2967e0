"""The site's pages that show compliance beside the domain: the home page, a member's page, its Atom feed and calendar.

They sit on top of the layers (README, "Layers"): the domain apps (``commitments``, ``forums``) never
import ``compliance``, so the pages that read its stored standing, deadlines and status events live
here. Their URLs keep their names in the domain's namespaces (``commitments:home``,
``commitments:member``, ``commitments:member_feed``, ``forums:member_calendar``; ``ogp_portal/urls.py``);
their templates stay under ``templates/commitments/``.

Each page loads in a small, fixed number of queries (asserted in ``tests/commitments/test_views.py``).
"""

import hashlib
from collections import Counter

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import timeline
from commitments.feeds import MAX_ITEMS, ProgressFeed, _newest, _reports, _updates
from commitments.figures import portal_figures, stored_or_counted
from commitments.filters import NO_UPDATE
from commitments.models import ActionPlan, Member, Milestone, PlanFigures
from compliance.models import Deadline, MemberStatus, StatusEvent
from compliance.presentation import members_with_standing
from forums import calendars
from forums.models import Meeting
from ogp_portal.cache import MAX_QUERY, derived, fragment

# ---------------------------------------------------------------- the home page and a member's page


def _members(today):
    # The stored standing (compliance.MemberStanding, written by the sweep): status, open findings, plan due.
    return members_with_standing(Member.objects.all(), today)


def _plan_figures():
    """Annotations of a plan: its commitments, how many are complete, how many contested (a dispute awaits a response).

    Read from the plan's stored figures (``commitments.figures``) in the plans' own query (a join, no extra query).
    """
    figures = stored_or_counted()
    return {
        "commitment_total": sum((figures[field] for field in PlanFigures.COMPLETION_FIELDS.values()), Value(0)),
        "complete_total": figures["complete"],
        "contested_total": figures["contested"],
    }


def _path_maker(name, marker="0"):
    """Return a function giving ``reverse(name, args=[value])``, reversing once: the value is put in place of a marker.

    The home page's rows link each member, its compliance record and its plan (about 400 reversals a
    page, issue #20); the paths are the same strings. A value that is not plainly alphanumeric is reversed.
    """
    head, _sep, tail = reverse(name, args=[marker]).rpartition(marker)

    def path(value):
        value = str(value)
        return f"{head}{value}{tail}" if value.isascii() and value.isalnum() else reverse(name, args=[value])

    return path


def _label_status(members, current_plans, today):
    member_path, compliance_path = _path_maker("commitments:member"), _path_maker("compliance:member")
    plan_path = _path_maker("commitments:plan")
    for member in members:
        member.status_label = MemberStatus(member.status).label
        member.current_plan = current_plans.get(member.pk)
        member.page_path, member.compliance_path = member_path(member.code), compliance_path(member.code)
        if member.current_plan is not None:
            member.current_plan.page_path = plan_path(member.current_plan.pk)


# The home page lists members a page at a time (issue #12: 3,000 members at scale 10).
MEMBERS_PER_PAGE = 25
HOME_VIEWS = ("all", "local")


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
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    render_content = lambda: _home_content(request, today)  # noqa: E731
    if len(query) > MAX_QUERY:
        content = render_content()
    else:
        digest = hashlib.sha256(query.encode()).hexdigest()[:32]
        content = fragment(f"home:{digest}:{today.isoformat()}", render_content)
    return render(request, "commitments/member_list.html", {"home_content": content})


def _home_content(request, today) -> str:
    """Render the home page's content: headline figures, next deadlines, the page of members."""
    view = request.GET.get("view", "all")
    if view not in HOME_VIEWS:
        view = "all"
    counts = Member.objects.aggregate(
        all=Count("pk"),
        local=Count("pk", filter=Q(kind=Member.Kind.LOCAL)),
        top=Count("pk", filter=Q(parent__isnull=True)),
    )
    if view == "local":
        members = _members(today).filter(kind=Member.Kind.LOCAL).select_related("parent").order_by("name", "pk")
        total = counts["local"]
    else:
        # Top-level members: national members, then local members without one, each by name.
        members = (
            _members(today)
            .filter(parent__isnull=True)
            .prefetch_related(Prefetch("local_members", queryset=_members(today).order_by("name", "pk")))
            .order_by(Case(When(kind=Member.Kind.NATIONAL, then=Value(0)), default=Value(1)), "name", "pk")
        )
        total = counts["top"]
    paginator = Paginator(members, MEMBERS_PER_PAGE)
    paginator.count = total  # known from the aggregate above: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    nested = [local for member in shown if view == "all" for local in member.local_members.all()]
    rows = [*shown, *nested]
    # The current plan of each member shown: its latest by start (or submission), in one query.
    current_plans = {}
    plans = (
        ActionPlan.objects.filter(member__in=[m.pk for m in rows])
        .only("member_id", "start_date", "submitted_on", "title", *(f"title_{code}" for code in settings.MODELTRANSLATION_LANGUAGES))
        .annotate(**_plan_figures())  # each plan's commitments, complete and contested: stored, in the same query
    )
    for plan in plans.order_by("member_id", "-start_date", "-submitted_on", "-pk"):
        current_plans.setdefault(plan.member_id, plan)
    _label_status(rows, current_plans, today)
    figures = derived(f"home-figures-2:{today.isoformat()}", lambda: _headline_figures(today))
    commitments_chart = timeline.tally_chart(_("Commitments by completion"), _("commitments"), figures["completions"])
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "view": view,
        "page": page,
        "members": shown,
        "member_counts": counts,
        "query": params.urlencode(),
        "chart": commitments_chart,
        "overdue_milestones": figures["overdue"],
        "contested_commitments": figures["contested"],
        "next_deadlines": Deadline.objects.filter(met_on__isnull=True, due_on__gte=today)
        .select_related("member")
        .order_by("due_on", "member__name")[:5],
        "today": today,
    }
    return render_to_string("commitments/_home.html", context, request=request)


def _headline_figures(today):
    """Return the commitments by stored roll-up, the contested ones and the overdue milestones, portal-wide.

    Sums of the plans' stored figures (``commitments.figures.portal_figures``: two queries whatever
    the size of the portal), kept in the cache per day and generation (``ogp_portal.cache.derived``).
    """
    figures = portal_figures(today)
    return {
        "completions": Counter({(value or NO_UPDATE): n for value, n in figures["completions"].items() if n}),
        "overdue": figures["overdue"],
        "contested": figures["contested"],
    }


def member_detail(request, code):
    """Render one member: its compliance status (as stored), action plans, forums and OGP Local members."""
    member = get_object_or_404(
        members_with_standing(Member.objects.select_related("parent"), timezone.localdate()).prefetch_related(
            Prefetch(
                "plans",
                queryset=ActionPlan.objects.annotate(commitment_count=Count("commitments")).order_by("-start_date"),
            ),
            "forums",
            Prefetch("local_members", queryset=Member.objects.order_by("name")),
        ),
        code=code,
    )
    member.status_label = MemberStatus(member.status).label
    return render(request, "commitments/member_detail.html", {"member": member})


# ---------------------------------------------------------------- a member's Atom feed


class MemberFeed(ProgressFeed):
    """A member's published progress and status reports (``commitments.feeds``) and its compliance status events."""

    def get_object(self, request, code):
        return get_object_or_404(Member, code=code)

    def title(self, obj):
        return _("Progress and compliance of %(member)s") % {"member": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return _newest(
            _updates().filter(milestone__commitment__plan__member=obj)[:MAX_ITEMS],
            _reports().filter(member=obj)[:MAX_ITEMS],
            StatusEvent.objects.filter(member=obj).select_related("member").order_by("-effective_on")[:MAX_ITEMS],
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
            return reverse("compliance:member", args=[item.member.code]) + f"#event-{item.pk}"
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
