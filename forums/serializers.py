"""API representations of forums, memberships, meetings and attendance."""

from rest_framework import serializers

from ogp_portal.api_rows import FastRowsMixin

from .models import Attendance, Forum, ForumMembership, Meeting


class ForumSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Forum
        fields = [
            "id", "member", "name", "founding_act", "founded_on", "cadence", "description", "seats", "requires_parity",
            "quorum_rule", "holiday_country", "minutes_due_days",
        ]


class ForumMembershipSerializer(FastRowsMixin, serializers.ModelSerializer):
    """A seat on a forum (the portal account behind it, if any, is not shown)."""

    class Meta:
        model = ForumMembership
        fields = ["id", "forum", "person", "organisation", "position", "sector", "role", "term_start", "term_end"]


class MeetingSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "forum", "title", "starts_at", "ends_at", "place", "online_link", "status", "agenda", "minutes"]


class AttendanceSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "meeting", "membership", "status", "representative", "note"]


# ---------------------------------------------------------------------------
# Writes (h11): decisions, action items, and the bodies of the meeting actions
# ---------------------------------------------------------------------------

from ogp_portal.api import StrictSerializer  # noqa: E402
from ogp_portal.text_limits import LONG_TEXT  # noqa: E402

from .models import ActionItem, MeetingDecision  # noqa: E402

ID = {"min_value": 1, "max_value": 2**31 - 1}


class MeetingDecisionSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = MeetingDecision
        fields = ["id", "meeting", "text", "commitment"]
        read_only_fields = fields


class ActionItemSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "meeting", "title", "owner", "due_on", "status", "commitment", "closed_on"]
        read_only_fields = fields


class MeetingCreateSerializer(StrictSerializer):
    """Schedule a meeting of a forum (its secretariat or an administrator); members are invited."""

    forum = serializers.IntegerField(**ID)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    place = serializers.CharField(required=False, allow_blank=True, max_length=300)
    online_link = serializers.CharField(required=False, allow_blank=True, max_length=200)
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=LONG_TEXT)


class RescheduleSerializer(StrictSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=2000)


class CancelSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class AttendanceEntrySerializer(StrictSerializer):
    membership = serializers.IntegerField(**ID)
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    representative = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RecordSerializer(StrictSerializer):
    """Record the meeting as held, with each member's attendance."""

    attendance = AttendanceEntrySerializer(many=True, allow_empty=False, max_length=500)


class MeetingDecisionCreateSerializer(StrictSerializer):
    meeting = serializers.IntegerField(**ID)
    text = serializers.CharField(max_length=10000)
    commitment = serializers.IntegerField(required=False, allow_null=True, **ID)


class ActionItemCreateSerializer(StrictSerializer):
    meeting = serializers.IntegerField(**ID)
    title = serializers.CharField(max_length=500)
    owner = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)
    commitment = serializers.IntegerField(required=False, allow_null=True, **ID)


class ActionItemStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)


# Writes of forums and memberships (h11): bodies of POST and PATCH.

from ogp_portal.api import StrictWriteSerializer  # noqa: E402

FORUM_WRITABLE_FIELDS = [
    "member", "name", "founding_act", "founded_on", "cadence", "description", "seats", "requires_parity", "quorum_rule",
    "holiday_country", "minutes_due_days",
]


class ForumWriteSerializer(StrictWriteSerializer):
    class Meta:
        model = Forum
        fields = FORUM_WRITABLE_FIELDS


class ForumMembershipWriteSerializer(StrictWriteSerializer):
    """A seat on a forum; ``email`` and ``language`` (where invitations go, in which language) are written, never shown."""

    email = serializers.EmailField(required=False, allow_blank=True, write_only=True, max_length=254)
    language = serializers.ChoiceField(
        required=False, allow_blank=True, write_only=True, choices=ForumMembership._meta.get_field("language").choices
    )

    class Meta:
        model = ForumMembership
        fields = ["forum", "person", "organisation", "position", "sector", "role", "term_start", "term_end", "email", "language"]
