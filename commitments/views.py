"""Public, read-only pages: members, action plans and commitments.

Each view loads its page in a small, fixed number of queries (asserted in
``tests/commitments/test_views.py``), whatever the number of rows shown.
"""

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render

from .models import ActionPlan, Commitment, Member, Milestone, ProgressUpdate

# Commitment text fields shown in OGP's template order, under their model labels.
TEMPLATE_FIELDS = (
    "problem",
    "description",
    "contribution",
    "relevance",
    "additional_information",
    "expected_results",
)


def _members_with_plan_count():
    return Member.objects.annotate(plan_count=Count("plans", distinct=True))


def member_list(request):
    """Render national members with their OGP Local members nested under them."""
    nationals = (
        _members_with_plan_count()
        .filter(kind=Member.Kind.NATIONAL)
        .prefetch_related(Prefetch("local_members", queryset=_members_with_plan_count().order_by("name")))
        .order_by("name")
    )
    # A local member whose national member is not on the portal still gets listed.
    orphans = _members_with_plan_count().filter(kind=Member.Kind.LOCAL, parent__isnull=True).order_by("name")
    return render(request, "commitments/member_list.html", {"nationals": nationals, "orphans": orphans})


def member_detail(request, code):
    """Render one member: its action plans, forums and OGP Local members."""
    member = get_object_or_404(
        Member.objects.select_related("parent").prefetch_related(
            Prefetch(
                "plans",
                queryset=ActionPlan.objects.annotate(commitment_count=Count("commitments")).order_by("-start_date"),
            ),
            "forums",
            Prefetch("local_members", queryset=Member.objects.order_by("name")),
        ),
        code=code,
    )
    return render(request, "commitments/member_detail.html", {"member": member})


def plan_detail(request, pk):
    """Render an action plan with the table of its commitments."""
    plan = get_object_or_404(
        ActionPlan.objects.select_related("member").prefetch_related(
            "lead_institutions",
            Prefetch(
                "commitments",
                queryset=Commitment.objects.select_related("lead_agency").annotate(milestone_count=Count("milestones")),
            ),
        ),
        pk=pk,
    )
    return render(request, "commitments/plan_detail.html", {"plan": plan})


def commitment_detail(request, identifier):
    """Render every field of a commitment, its activities and milestones with their latest published progress."""
    commitment = get_object_or_404(
        Commitment.objects.select_related("plan__member", "lead_agency").prefetch_related(
            "activities",
            Prefetch(
                "milestones",
                queryset=Milestone.objects.prefetch_related(
                    Prefetch(
                        "progress_updates",
                        queryset=ProgressUpdate.objects.published().order_by("-period_end", "-published_at"),
                        to_attr="published_updates",
                    )
                ),
            ),
        ),
        identifier=identifier,
    )
    milestones = list(commitment.milestones.all())
    for milestone in milestones:
        milestone.latest_progress = milestone.published_updates[0] if milestone.published_updates else None
        # Month-precision dates read "December 2019", day-precision ones a full date.
        milestone.start_label = milestone.format_date("start")
        milestone.end_label = milestone.format_date("end")
    activities = list(commitment.activities.all())
    for activity in activities:
        activity.milestone_list = [m for m in milestones if m.activity_id == activity.pk]
    sections = [
        (Commitment._meta.get_field(name).verbose_name, getattr(commitment, name)) for name in TEMPLATE_FIELDS
    ]
    context = {
        "commitment": commitment,
        "plan": commitment.plan,
        "member": commitment.plan.member,
        "sections": sections,
        "activities": activities,
        "loose_milestones": [m for m in milestones if m.activity_id is None],
    }
    return render(request, "commitments/commitment_detail.html", context)
