"""API viewsets for compliance (routed in ``ogp_portal/api_urls.py``): public, read-only records."""

from rest_framework import viewsets

from ogp_portal.api import CursorPagination

from . import filters, serializers
from .models import Deadline, Decision, Finding, StatusEvent


class DeadlineViewSet(viewsets.ReadOnlyModelViewSet):
    """Due dates members must meet: computed by rule or set by OGP with a reason."""

    queryset = Deadline.objects.all()
    serializer_class = serializers.DeadlineSerializer
    filterset_class = filters.DeadlineFilterSet
    search_fields = ["cycle", "reason", "reference"]
    ordering_fields = ["id", "due_on"]
    ordering = ["id"]


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Missed obligations and IRM findings, open or resolved."""

    queryset = Finding.objects.all()
    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilterSet
    pagination_class = CursorPagination
    search_fields = ["period", "reason", "reference"]
    ordering_fields = ["id", "effective_on"]
    ordering = ["-id"]


class StatusEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Changes of a member's OGP status, with the letter or decision behind each."""

    queryset = StatusEvent.objects.all()
    serializer_class = serializers.StatusEventSerializer
    filterset_class = filters.StatusEventFilterSet
    search_fields = ["reason", "reference"]
    ordering_fields = ["id", "effective_on"]
    ordering = ["id"]


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """What only OGP decides: IRM findings and Steering Committee decisions."""

    queryset = Decision.objects.all()
    serializer_class = serializers.DecisionSerializer
    filterset_class = filters.DecisionFilterSet
    search_fields = ["document", "summary"]
    ordering_fields = ["id", "decided_on"]
    ordering = ["id"]


# ---------------------------------------------------------------------------
# Writes (h11): administrators' records that have a service in ``compliance.services``
# ---------------------------------------------------------------------------

from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from ogp_portal.api import action_schema  # noqa: E402

from .services import resolve_admin_finding  # noqa: E402


class FindingWriteViewSet(FindingViewSet):
    """Missed obligations and IRM findings, open or resolved; an administrator resolves the findings they recorded."""

    write_permissions = {"resolve": "ogp.use_admin"}
    http_method_names = ["get", "post", "head", "options"]

    @action_schema(
        serializers.ResolveFindingSerializer, serializers.FindingSerializer, versioned=False,
        description="Resolve a finding an administrator recorded (the sweep resolves the others), with the day and the reason.",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        finding = self.get_object()
        body = serializers.ResolveFindingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        resolved = resolve_admin_finding(finding.pk, resolved_on=data["resolved_on"], reason=data["reason"], user=request.user)
        return Response(self.get_serializer(resolved).data)
