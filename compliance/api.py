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
