"""API representations of forums, memberships, meetings and attendance."""

from rest_framework import serializers

from .models import Attendance, Forum, ForumMembership, Meeting


class ForumSerializer(serializers.ModelSerializer):
    class Meta:
        model = Forum
        fields = ["id", "member", "name", "founding_act", "founded_on", "cadence", "description"]


class ForumMembershipSerializer(serializers.ModelSerializer):
    """A seat on a forum (the portal account behind it, if any, is not shown)."""

    class Meta:
        model = ForumMembership
        fields = ["id", "forum", "person", "organisation", "position", "sector", "role", "term_start", "term_end"]


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "forum", "title", "starts_at", "ends_at", "place", "online_link", "status", "agenda", "minutes"]


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "meeting", "membership", "status", "representative", "note"]
