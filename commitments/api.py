"""API viewsets for the commitments app (routed in ``ogp_portal/api_urls.py``)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_view
from rest_framework import viewsets

from ogp_portal import permissions
from ogp_portal.api import CursorPagination, VersionedUpdateMixin, versioned_retrieve_schema, versioned_update_schema

from . import filters, serializers, services
from .models import Activity, ActionPlan, Agency, Commitment, Member, Milestone, ProgressUpdate


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """OGP members: national governments and OGP Local members."""

    queryset = Member.objects.all()
    serializer_class = serializers.MemberSerializer
    filterset_class = filters.MemberFilterSet
    search_fields = ["name", "code", "country"]
    ordering_fields = ["id", "name", "code"]
    ordering = ["id"]


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Implementing institutions: ministries, city departments, civil-society organisations."""

    queryset = Agency.objects.all()
    serializer_class = serializers.AgencySerializer
    filterset_class = filters.AgencyFilterSet
    search_fields = ["name", "acronym"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]


class ActionPlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Action plans, with their lead institutions."""

    queryset = ActionPlan.objects.select_related("member").prefetch_related(
        Prefetch("lead_institutions", queryset=Agency.objects.only("id"))
    )
    serializer_class = serializers.ActionPlanSerializer
    filterset_class = filters.ActionPlanFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "start_date", "end_date", "submitted_on"]
    ordering = ["id"]


@extend_schema_view(
    retrieve=versioned_retrieve_schema(),
    partial_update=versioned_update_schema(serializers.CommitmentSerializer, serializers.CommitmentWriteSerializer)
)
class CommitmentViewSet(VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Commitments with every field of OGP's template; their lead agency's coordinators may edit the texts."""

    queryset = Commitment.objects.select_related("plan__member")
    serializer_class = serializers.CommitmentSerializer
    write_serializer_class = serializers.CommitmentWriteSerializer
    write_permission = "commitments.edit_commitment"
    update_service = services.update_commitment
    filterset_class = filters.CommitmentFilterSet
    pagination_class = CursorPagination
    search_fields = ["identifier", "title"]
    ordering_fields = ["id", "identifier"]
    ordering = ["id"]
    http_method_names = ["get", "patch", "head", "options"]


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Numbered groups of a commitment's milestones."""

    queryset = Activity.objects.all()
    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "number"]
    ordering = ["id"]


@extend_schema_view(
    retrieve=versioned_retrieve_schema(),
    partial_update=versioned_update_schema(serializers.MilestoneSerializer, serializers.MilestoneWriteSerializer)
)
class MilestoneViewSet(VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Milestones (deliverables with budget and dates); their lead agency's coordinators may edit them."""

    queryset = Milestone.objects.all()
    serializer_class = serializers.MilestoneSerializer
    write_serializer_class = serializers.MilestoneWriteSerializer
    write_permission = "commitments.edit_commitment"
    update_service = services.update_milestone
    filterset_class = filters.MilestoneFilterSet
    pagination_class = CursorPagination
    search_fields = ["number", "deliverable"]
    ordering_fields = ["id"]
    ordering = ["id"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        # The write permission rule reads the milestone's commitment.
        return super().get_queryset().select_related("commitment")


class ProgressUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """Progress on milestones: published updates for everyone; drafts for those who may enter progress."""

    queryset = ProgressUpdate.objects.all()
    serializer_class = serializers.ProgressUpdateSerializer
    filterset_class = filters.ProgressUpdateFilterSet
    pagination_class = CursorPagination
    search_fields = ["narrative"]
    ordering_fields = ["id", "period_end", "updated_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return permissions.visible_progress_updates(self.request.user, super().get_queryset()).prefetch_related("evidence")
