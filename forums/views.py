"""Public, read-only forum page."""

from django.shortcuts import get_object_or_404, render

from .models import Forum, ForumMembership


def forum_detail(request, pk):
    """Render a forum: its founding, cadence, members grouped by sector, and meetings."""
    forum = get_object_or_404(
        Forum.objects.select_related("member").prefetch_related("memberships", "meetings"), pk=pk
    )
    memberships = list(forum.memberships.all())
    # Sectors in their declared order (government, civil society, other), empty ones left out.
    sectors = [
        (label, [m for m in memberships if m.sector == value])
        for value, label in ForumMembership.Sector.choices
    ]
    context = {
        "forum": forum,
        "member": forum.member,
        "sectors": [(label, people) for label, people in sectors if people],
        "meetings": forum.meetings.all(),
    }
    return render(request, "forums/forum_detail.html", context)
