"""API viewsets for forums (routed in ``ogp_portal/api_urls.py``); read-only until the forum services exist."""

import django_filters
from drf_spectacular.utils import extend_schema_view
from rest_framework import viewsets

from ogp_portal.api import ScopedPublicListMixin, ServiceWriteMixin, SharedPublicListMixin, service_write_schema
from ogp_portal.api_filters import member_code_filters

from . import filters, serializers, services
from .models import ActionItem, Attendance, Forum, ForumMembership, Meeting, MeetingDecision

# The API's FilterSets (ogp_portal/api_filters.py): ``member_code`` / ``member`` by the member's code.


class ForumApiFilterSet(filters.ForumFilterSet):
    member_code, member = member_code_filters("member__code")


class ForumMembershipApiFilterSet(filters.ForumMembershipFilterSet):
    member_code, member = member_code_filters("forum__member__code")


class MeetingApiFilterSet(filters.MeetingFilterSet):
    member_code, member = member_code_filters("forum__member__code")


class AttendanceApiFilterSet(filters.AttendanceFilterSet):
    member_code, member = member_code_filters("meeting__forum__member__code")


class MeetingDecisionApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("meeting__forum__member__code")

    class Meta:
        model = MeetingDecision
        fields = ["meeting", "commitment"]


class ActionItemApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("meeting__forum__member__code")

    class Meta:
        model = ActionItem
        fields = ["meeting", "status", "commitment"]


@extend_schema_view(**service_write_schema(
    serializers.ForumSerializer, serializers.ForumWriteSerializer, serializers.ForumWriteSerializer,
    what="a forum of a member (its secretariat, administrators)",
))
class ForumViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Multi-stakeholder forums; the member's forum secretariat and administrators add and change them."""

    queryset = Forum.objects.all()
    serializer_class = serializers.ForumSerializer
    create_serializer_class = write_serializer_class = serializers.ForumWriteSerializer
    write_permission = "forums.manage_forum"
    create_service = services.create_forum
    update_service = services.update_forum
    filterset_class = ForumApiFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema_view(**service_write_schema(
    serializers.ForumMembershipSerializer, serializers.ForumMembershipWriteSerializer, serializers.ForumMembershipWriteSerializer,
    what="a seat on a forum (the forum's secretariat, administrators)",
    destroy={"status": 200, "description": "End the seat's term today: the membership stays on record (past attendance refers to it)."},
))
class ForumMembershipViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Who sits on each forum, for which sector and in which role; the forum's secretariat keeps the seats."""

    queryset = ForumMembership.objects.all()
    serializer_class = serializers.ForumMembershipSerializer
    create_serializer_class = write_serializer_class = serializers.ForumMembershipWriteSerializer
    write_permission = "forums.manage_forum"
    create_service = services.add_membership
    update_service = services.update_membership
    destroy_service = services.end_membership
    versioned_actions = ("destroy",)
    filterset_class = ForumMembershipApiFilterSet
    search_fields = ["person", "organisation"]
    ordering_fields = ["id", "person"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.select_related("forum") if self.action in ("partial_update", "destroy") else qs


class MeetingViewSet(SharedPublicListMixin, viewsets.ReadOnlyModelViewSet):
    """Forum meetings: planned, held, cancelled or postponed."""

    queryset = Meeting.objects.all()
    serializer_class = serializers.MeetingSerializer
    filterset_class = MeetingApiFilterSet
    search_fields = ["title", "place"]
    ordering_fields = ["id", "starts_at"]
    ordering = ["id"]


class AttendanceViewSet(SharedPublicListMixin, viewsets.ReadOnlyModelViewSet):  # the same for everyone: shared
    """Who attended each meeting."""

    queryset = Attendance.objects.all()
    serializer_class = serializers.AttendanceSerializer
    filterset_class = AttendanceApiFilterSet
    ordering_fields = ["id"]
    ordering = ["id"]


# ---------------------------------------------------------------------------
# Writes (h11): each through ``forums.services``; the forum's secretariat and administrators
# ---------------------------------------------------------------------------

from django.core.exceptions import PermissionDenied  # noqa: E402
from django.utils import timezone  # noqa: E402
from drf_spectacular.utils import extend_schema, extend_schema_view  # noqa: E402
from rest_framework import mixins, status  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from commitments.models import Commitment  # noqa: E402
from ogp_portal import permissions  # noqa: E402
from ogp_portal.api import ETAG, action_schema, int_version, require_if_match, versioned_retrieve_schema, with_etag  # noqa: E402

from .services import (  # noqa: E402
    add_action_item,
    add_decision,
    cancel_meeting,
    record_meeting,
    reschedule_meeting,
    schedule_meeting,
    set_action_item_status,
)


def _named(queryset, pk, field):
    from commitments.api import _object_or_400

    return _object_or_400(queryset, pk, field)


def _require(user, perm, obj):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


class MeetingSerializerWithPrivacy(serializers.MeetingSerializer):
    """Minutes not yet published are shown only to those who may read them (``permissions.can_read_minutes``)."""

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if obj.minutes_published_at is not None:
            return data
        # Asked once per request (a list shows many meetings), with the rule of can_read_minutes.
        if "_forums_with_readable_minutes" not in self.context:
            user = self.context["request"].user if self.context.get("request") else None
            self.context["_forums_with_readable_minutes"] = permissions.forums_with_readable_minutes(user)
        readable = self.context["_forums_with_readable_minutes"]
        if readable is not None and obj.forum_id not in readable:
            data["minutes"] = ""
        return data


@extend_schema_view(retrieve=versioned_retrieve_schema())
class MeetingWriteViewSet(mixins.CreateModelMixin, MeetingViewSet):
    """Forum meetings: planned, held, cancelled or postponed. The forum's secretariat schedules, moves, cancels and records them."""

    serializer_class = MeetingSerializerWithPrivacy
    write_permissions = {
        "reschedule": "forums.manage_forum",
        "cancel": "forums.manage_forum",
        "record": "forums.record_meeting",
    }
    versioned_actions = ("reschedule", "cancel", "record")
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        # The write rules read the meeting's forum; a list shows the forum's id only.
        return qs if self.action == "list" else qs.select_related("forum")

    def shares_public_copy(self, request) -> bool:
        # The anonymous copy is this user's answer unless the user may read minutes in preparation
        # that are not empty (the only field that differs, MeetingSerializerWithPrivacy). One query.
        readable = permissions.meetings_with_readable_minutes(request.user)
        if readable is None:  # every meeting's (administrators)
            return False
        return not readable.filter(minutes_published_at__isnull=True).exclude(minutes="").exists()

    def retrieve(self, request, *args, **kwargs):
        return with_etag(super().retrieve(request, *args, **kwargs), self.get_object())

    def _answer(self, meeting, status_code=200):
        meeting = self.get_queryset().get(pk=meeting.pk)
        return with_etag(Response(self.get_serializer(meeting).data, status=status_code), meeting)

    @extend_schema(
        request=serializers.MeetingCreateSerializer,
        responses={201: MeetingSerializerWithPrivacy},
        parameters=[ETAG],
        description="Schedule a meeting in the future; the forum's members are invited by email.",
    )
    def create(self, request, *args, **kwargs):
        body = serializers.MeetingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        forum = _named(Forum.objects.all(), data.pop("forum"), "forum")
        _require(request.user, "forums.manage_forum", forum)
        meeting = schedule_meeting(forum, by=request.user, now=timezone.now(), **data)
        return self._answer(meeting, status.HTTP_201_CREATED)

    @action_schema(serializers.RescheduleSerializer, MeetingSerializerWithPrivacy, description="Move a planned meeting, giving the reason.")
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        meeting = self.get_object()
        version = int_version(require_if_match(request, meeting))
        body = serializers.RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        moved = reschedule_meeting(
            meeting, starts_at=data["starts_at"], ends_at=data.get("ends_at"), reason=data["reason"], by=request.user, now=timezone.now(),
            version=version,
        )
        return self._answer(moved)

    @action_schema(serializers.CancelSerializer, MeetingSerializerWithPrivacy, description="Cancel a planned meeting, giving the reason.")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        version = int_version(require_if_match(request, meeting))
        body = serializers.CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            cancel_meeting(meeting, reason=body.validated_data["reason"], by=request.user, now=timezone.now(), version=version)
        )

    @action_schema(serializers.RecordSerializer, MeetingSerializerWithPrivacy, description="Record a meeting that has started as held, with each member's attendance.")
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        meeting = self.get_object()
        version = int_version(require_if_match(request, meeting))
        body = serializers.RecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attendance = {
            row["membership"]: (row["status"], row.get("representative", "")) for row in body.validated_data["attendance"]
        }
        return self._answer(record_meeting(meeting, attendance=attendance, by=request.user, now=timezone.now(), version=version))


class _MeetingRecordViewSet(ScopedPublicListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rows of a meeting's record: public once the minutes are published, before that for the forum's keepers.

    A reader who may see no row of a meeting whose minutes are in preparation is served the anonymous copy.
    """

    ordering_fields = ["id"]
    ordering = ["id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return permissions.visible_to(self.request.user, super().get_queryset())

    def beyond_public(self, reader):
        # The rows of meetings whose minutes are in preparation that the reader may read (their forum's keepers).
        model = self.queryset.model
        return permissions.visible_to(reader, model.objects.all()).filter(meeting__minutes_published_at__isnull=True)

    def _meeting_and_commitment(self, request, data):
        meeting = _named(Meeting.objects.select_related("forum"), data.pop("meeting"), "meeting")
        _require(request.user, "forums.record_meeting", meeting)
        commitment_id = data.pop("commitment", None)
        commitment = _named(Commitment.objects.select_related("plan"), commitment_id, "commitment") if commitment_id else None
        return meeting, commitment


class MeetingDecisionViewSet(_MeetingRecordViewSet):
    """Decisions a forum took at its meetings."""

    queryset = MeetingDecision.objects.all()
    serializer_class = serializers.MeetingDecisionSerializer
    filterset_class = MeetingDecisionApiFilterSet
    search_fields = ["text"]

    @extend_schema(request=serializers.MeetingDecisionCreateSerializer, responses={201: serializers.MeetingDecisionSerializer})
    def create(self, request, *args, **kwargs):
        body = serializers.MeetingDecisionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        meeting, commitment = self._meeting_and_commitment(request, data)
        row = add_decision(meeting, text=data["text"], commitment=commitment, by=request.user)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class ActionItemViewSet(_MeetingRecordViewSet):
    """Work a meeting gave someone, tracked until it is closed."""

    queryset = ActionItem.objects.all()
    serializer_class = serializers.ActionItemSerializer
    filterset_class = ActionItemApiFilterSet
    search_fields = ["title", "owner"]
    write_permissions = {"set_status": "forums.record_meeting"}

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.select_related("meeting__forum") if self.action == "set_status" else qs

    @extend_schema(request=serializers.ActionItemCreateSerializer, responses={201: serializers.ActionItemSerializer})
    def create(self, request, *args, **kwargs):
        body = serializers.ActionItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        meeting, commitment = self._meeting_and_commitment(request, data)
        row = add_action_item(
            meeting, title=data["title"], owner=data["owner"], due_on=data.get("due_on"), commitment=commitment, by=request.user
        )
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)

    @action_schema(serializers.ActionItemStatusSerializer, serializers.ActionItemSerializer, versioned=False, description="Close (done, dropped) or reopen an action item.")
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk=None):
        item = self.get_object()
        body = serializers.ActionItemStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(set_action_item_status(item, status=body.validated_data["status"], by=request.user, now=timezone.now())).data)
