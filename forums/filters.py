"""FilterSets for forums, memberships, meetings and attendance (one per model)."""

import datetime as dt

import django_filters

from .models import Attendance, Forum, ForumMembership, Meeting


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, compared in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO allows."""

    def filter(self, qs, value):
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(dt.UTC)
            except OverflowError:  # beyond the calendar's ends in UTC: the nearest representable moment
                value = (dt.datetime.max if value.year > 1 else dt.datetime.min).replace(tzinfo=dt.UTC)
        return super().filter(qs, value)


class ForumFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")

    class Meta:
        model = Forum
        fields = {"member": ["exact"], "cadence": ["exact"]}


class ForumMembershipFilterSet(django_filters.FilterSet):
    class Meta:
        model = ForumMembership
        fields = {"forum": ["exact"], "sector": ["exact"], "role": ["exact"]}


class MeetingFilterSet(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="forum__member_id", label="Member id")
    starts_after = UtcDateTimeFilter(field_name="starts_at", lookup_expr="gte", label="Starts at or after")
    starts_before = UtcDateTimeFilter(field_name="starts_at", lookup_expr="lt", label="Starts before")

    class Meta:
        model = Meeting
        fields = {"forum": ["exact"], "status": ["exact"]}


class AttendanceFilterSet(django_filters.FilterSet):
    # A choice of forum (not a number filter): a huge or fractional id is a 400, not an overflow in the database.
    forum = django_filters.ModelChoiceFilter(field_name="meeting__forum", queryset=Forum.objects.all(), label="Forum id")

    class Meta:
        model = Attendance
        fields = {"meeting": ["exact"], "membership": ["exact"], "status": ["exact"]}
