"""Atom feeds of published progress (and, for a member, compliance status changes).

One feed per member, action plan and commitment, linked from their pages. Only
what the public may read is in them: published progress updates and the status
events the compliance sweep recorded.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from compliance.models import StatusEvent
from ogp_portal.permissions import published_updates

from .models import ActionPlan, Commitment, Member, ProgressUpdate

MAX_ITEMS = 50


def _updates():
    return published_updates(ProgressUpdate.objects.select_related("milestone__commitment")).order_by(
        "-published_at", "-pk"
    )


class ProgressFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, item):
        if isinstance(item, StatusEvent):
            return _("Compliance status: %(status)s") % {"status": item.get_status_display()}
        return _("%(commitment)s, milestone %(milestone)s: %(completion)s") % {
            "commitment": item.milestone.commitment.identifier,
            "milestone": item.milestone.number,
            "completion": item.get_completion_display(),
        }

    def item_description(self, item):
        if isinstance(item, StatusEvent):
            return item.reason
        period = _("Reporting period %(start)s – %(end)s") % {"start": item.period_start, "end": item.period_end}
        return f"{period}. {item.narrative}".strip()

    def item_link(self, item):
        if isinstance(item, StatusEvent):
            return reverse("compliance:member", args=[item.member.code]) + f"#event-{item.pk}"
        return item.milestone.commitment.get_absolute_url() + f"#milestone-{item.milestone_id}"

    def item_guid(self, item):
        kind = "status" if isinstance(item, StatusEvent) else "update"
        return f"{self.link_for_guid}{kind}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return getattr(item, "published_at", None) or getattr(item, "created_at", None)

    def item_updateddate(self, item):
        return getattr(item, "updated_at", None) or self.item_pubdate(item)

    def __call__(self, request, *args, **kwargs):
        self.link_for_guid = request.build_absolute_uri("/")
        return super().__call__(request, *args, **kwargs)


class CommitmentFeed(ProgressFeed):
    def get_object(self, request, identifier):
        return get_object_or_404(Commitment, identifier=identifier)

    def title(self, obj):
        return _("Progress of %(commitment)s") % {"commitment": obj}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return _updates().filter(milestone__commitment=obj)[:MAX_ITEMS]


class PlanFeed(ProgressFeed):
    def get_object(self, request, pk):
        return get_object_or_404(ActionPlan, pk=pk)

    def title(self, obj):
        return _("Progress of %(plan)s") % {"plan": obj.title}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return _updates().filter(milestone__commitment__plan=obj)[:MAX_ITEMS]


class MemberFeed(ProgressFeed):
    def get_object(self, request, code):
        return get_object_or_404(Member, code=code)

    def title(self, obj):
        return _("Progress and compliance of %(member)s") % {"member": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        updates = list(_updates().filter(milestone__commitment__plan__member=obj)[:MAX_ITEMS])
        events = list(StatusEvent.objects.filter(member=obj).select_related("member").order_by("-effective_on")[:MAX_ITEMS])
        items = updates + events
        items.sort(key=lambda i: self.item_pubdate(i), reverse=True)
        return items[:MAX_ITEMS]
