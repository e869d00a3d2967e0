"""API viewsets for forums (routed in ``ogp_portal/api_urls.py``); read-only until the forum services exist."""

from rest_framework import viewsets

from . import filters, serializers
from .models import Attendance, Forum, ForumMembership, Meeting


class ForumViewSet(viewsets.ReadOnlyModelViewSet):
    """Multi-stakeholder forums."""

    queryset = Forum.objects.all()
    serializer_class = serializers.ForumSerializer
    filterset_class = filters.ForumFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]


class ForumMembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Who sits on each forum, for which sector and in which role."""

    queryset = ForumMembership.objects.all()
    serializer_class = serializers.ForumMembershipSerializer
    filterset_class = filters.ForumMembershipFilterSet
    member_code_path = "forum__member__code"
    search_fields = ["person", "organisation"]
    ordering_fields = ["id", "person"]
    ordering = ["id"]


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Forum meetings: planned, held, cancelled or postponed."""

    queryset = Meeting.objects.all()
    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilterSet
    search_fields = ["title", "place"]
    ordering_fields = ["id", "starts_at"]
    ordering = ["id"]


class AttendanceViewSet(viewsets.ReadOnlyModelViewSet):
    """Who attended each meeting."""

    queryset = Attendance.objects.all()
    serializer_class = serializers.AttendanceSerializer
    filterset_class = filters.AttendanceFilterSet
    member_code_path = "meeting__forum__member__code"
    ordering_fields = ["id"]
    ordering = ["id"]
