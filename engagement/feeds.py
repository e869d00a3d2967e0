"""Atom 1.0 feeds of published progress updates and status reports, per member, plan and commitment."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from commitments.models import ActionPlan, Commitment, Member, ProgressUpdate, StatusReport
from ogp_portal.permissions import published_updates

LIMIT = 50


class _Item:
    def __init__(self, title, description, link, when, guid):
        self.title, self.description, self.link, self.when, self.guid = title, description, link, when, guid


def _update_items(qs):
    qs = published_updates(qs).select_related("milestone__commitment").order_by("-published_at", "-pk")[:LIMIT]
    items = []
    for u in qs:
        c = u.milestone.commitment
        items.append(_Item(
            title=_("%(commitment)s, milestone %(milestone)s: %(completion)s")
            % {"commitment": c.identifier, "milestone": u.milestone.number, "completion": u.get_completion_display()},
            description=u.narrative,
            link=f"{c.get_absolute_url()}#update-{u.pk}",
            when=u.published_at,
            guid=f"progress-update-{u.pk}",
        ))
    return items


def _report_items(qs):
    items = []
    for r in qs.filter(state=StatusReport.State.PUBLISHED).select_related("member").order_by("-published_at")[:LIMIT]:
        items.append(_Item(
            title=_("Status report %(period)s of %(member)s") % {"period": r.period_label, "member": r.member.name},
            description="",
            link=r.get_absolute_url(),
            when=r.published_at,
            guid=f"status-report-{r.pk}",
        ))
    return items


class _BaseFeed(Feed):
    feed_type = Atom1Feed

    def items(self, obj):
        items = _update_items(self.updates(obj)) + _report_items(self.reports(obj))
        items.sort(key=lambda item: item.when, reverse=True)
        return items[:LIMIT]

    def link(self, obj):
        return obj.get_absolute_url()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.link

    def item_pubdate(self, item):
        return item.when

    def item_updateddate(self, item):
        return item.when

    def item_guid(self, item):
        return item.guid

    item_guid_is_permalink = False


class MemberFeed(_BaseFeed):
    def get_object(self, request, code):
        return get_object_or_404(Member, code=code)

    def title(self, obj):
        return _("%(name)s: published progress and status reports") % {"name": obj.name}

    def feed_url(self, obj):
        return reverse("engagement:feed_member", args=[obj.code])

    def updates(self, obj):
        return ProgressUpdate.objects.filter(milestone__commitment__plan__member=obj)

    def reports(self, obj):
        return StatusReport.objects.filter(member=obj)


class PlanFeed(_BaseFeed):
    def get_object(self, request, pk):
        return get_object_or_404(ActionPlan.objects.select_related("member"), pk=pk)

    def title(self, obj):
        return _("%(plan)s: published progress and status reports") % {"plan": obj.title}

    def feed_url(self, obj):
        return reverse("engagement:feed_plan", args=[obj.pk])

    def updates(self, obj):
        return ProgressUpdate.objects.filter(milestone__commitment__plan=obj)

    def reports(self, obj):
        return StatusReport.objects.filter(plan=obj)


class CommitmentFeed(_BaseFeed):
    def get_object(self, request, identifier):
        return get_object_or_404(Commitment, identifier=identifier)

    def title(self, obj):
        return _("Commitment %(identifier)s: published progress and status reports") % {"identifier": obj.identifier}

    def feed_url(self, obj):
        return reverse("engagement:feed_commitment", args=[obj.identifier])

    def updates(self, obj):
        return ProgressUpdate.objects.filter(milestone__commitment=obj)

    def reports(self, obj):
        return StatusReport.objects.filter(lines__commitment=obj)
