"""Public, read-only pages: members, action plans and commitments.

Each view loads its page in a small, fixed number of queries (asserted in
``tests/commitments/test_views.py``), whatever the number of rows shown.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Deadline, MemberStatus
from compliance.presentation import members_with_standing
from ogp_portal.permissions import published_updates

from . import exports, timeline

from .filters import NO_UPDATE, CommitmentFilterSet, annotate_commitments, overdue_milestones_q
from .models import ActionPlan, Commitment, Member, Milestone, ProgressUpdate

PAGE_SIZE = 25

# Commitment text fields shown in OGP's template order, under their model labels.
TEMPLATE_FIELDS = (
    "problem",
    "description",
    "contribution",
    "relevance",
    "additional_information",
    "expected_results",
)


def _members(today):
    return members_with_standing(Member.objects.all(), today)


def _label_status(members, current_plans, today):
    for member in members:
        member.status_label = MemberStatus(member.status).label
        member.current_plan = current_plans.get(member.pk)


def member_list(request):
    """Render the home page: headline figures, then every member with its compliance status and current plan.

    National members come with their OGP Local members nested under them. Statuses are the
    ones the compliance sweep stored; nothing here evaluates the rules.
    """
    today = timezone.localdate()
    nationals = list(
        _members(today)
        .filter(kind=Member.Kind.NATIONAL)
        .prefetch_related(Prefetch("local_members", queryset=_members(today).order_by("name")))
        .order_by("name")
    )
    # A local member whose national member is not on the portal still gets listed.
    orphans = list(_members(today).filter(kind=Member.Kind.LOCAL, parent__isnull=True).order_by("name"))
    # The current plan of each member: its latest by start (or submission), in one query.
    current_plans = {}
    for plan in ActionPlan.objects.order_by("member_id", "-start_date", "-submitted_on", "-pk"):
        current_plans.setdefault(plan.member_id, plan)
    locals_ = [local for member in nationals for local in member.local_members.all()]
    _label_status([*nationals, *locals_, *orphans], current_plans, today)
    completions = annotate_commitments(Commitment.objects.order_by(), today).values_list("latest_completion", flat=True)
    commitments_chart = timeline.tally_chart(
        _("Commitments by completion"), _("commitments"), [value or NO_UPDATE for value in completions]
    )
    context = {
        "nationals": nationals,
        "orphans": orphans,
        "chart": commitments_chart,
        "overdue_milestones": Milestone.objects.filter(overdue_milestones_q(today)).count(),
        "next_deadlines": Deadline.objects.filter(met_on__isnull=True, due_on__gte=today)
        .select_related("member")
        .order_by("due_on", "member__name")[:5],
        "today": today,
    }
    return render(request, "commitments/member_list.html", context)


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


def _published_updates_prefetch():
    return Prefetch(
        "progress_updates",
        queryset=published_updates(ProgressUpdate.objects.all()).order_by("-period_end", "-published_at"),
        to_attr="published_updates",
    )


def plan_detail(request, pk):
    """Render an action plan, state first: progress charts, the milestone timeline, the commitments, then co-creation."""
    today = timezone.localdate()
    plan = get_object_or_404(ActionPlan.objects.select_related("member").prefetch_related("lead_institutions"), pk=pk)
    commitments = list(
        Commitment.objects.filter(plan=plan)
        .select_related("lead_agency")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.prefetch_related(_published_updates_prefetch())))
    )
    groups, all_milestones = [], []
    for commitment in commitments:
        milestones = timeline.annotate_milestone_progress(list(commitment.milestones.all()), today)
        timeline.annotate_commitment_progress(commitment, milestones)
        commitment.milestone_count = len(milestones)
        groups.append((commitment, milestones))
        all_milestones.extend(milestones)
    charts = [
        timeline.tally_chart(
            _("Commitments by completion"), _("commitments"), [c.completion for c in commitments]
        ),
        timeline.tally_chart(
            _("Milestones by completion"), _("milestones"), [m.state for m in all_milestones]
        ),
    ]
    context = {
        "plan": plan,
        "member": plan.member,
        "commitments": commitments,
        "charts": [c for c in charts if c.total],
        "gantt": timeline.build_gantt(groups, today),
        "milestone_count": len(all_milestones),
        "overdue_count": sum(1 for m in all_milestones if m.overdue),
        "today": today,
    }
    return render(request, "commitments/plan_detail.html", context)


def commitment_list(request):
    """Render the commitments, filtered, searched, sorted and paginated: every state is a GET URL."""
    filterset = CommitmentFilterSet(
        request.GET,
        queryset=Commitment.objects.select_related("plan__member", "lead_agency"),
        today=timezone.localdate(),
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for commitment in page.object_list:
        commitment.completion_label = timeline.completion_label(commitment.latest_completion)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "query": params.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    # A filter value that does not exist (a stale link): say so, show the rest, answer 400.
    return render(request, "commitments/commitment_list.html", context, status=400 if filterset.errors else 200)


def commitment_detail(request, identifier):
    """Render every field of a commitment, its activities and milestones with their published progress and timeline."""
    today = timezone.localdate()
    commitment = get_object_or_404(
        Commitment.objects.select_related("plan__member", "lead_agency").prefetch_related(
            "activities",
            Prefetch("milestones", queryset=Milestone.objects.prefetch_related(_published_updates_prefetch())),
        ),
        identifier=identifier,
    )
    milestones = timeline.annotate_milestone_progress(list(commitment.milestones.all()), today)
    timeline.annotate_commitment_progress(commitment, milestones)
    activities = list(commitment.activities.all())
    for activity in activities:
        activity.milestone_list = [m for m in milestones if m.activity_id == activity.pk]
    sections = [(Commitment._meta.get_field(name).verbose_name, name) for name in TEMPLATE_FIELDS]
    context = {
        "commitment": commitment,
        "plan": commitment.plan,
        "member": commitment.plan.member,
        "sections": sections,
        "activities": activities,
        "loose_milestones": [m for m in milestones if m.activity_id is None],
        "gantt": timeline.build_gantt([(commitment, milestones)], today),
        "today": today,
    }
    return render(request, "commitments/commitment_detail.html", context)


def open_data(request):
    """Render the open-data page: every dataset, its formats, every field and the licence."""
    context = {
        "datasets": [(d, exports.FILTER_HINTS.get(d.slug, "")) for d in exports.DATASETS.values()],
        "ogp_columns": {c.name for c in exports.OGP_COLUMNS},
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
