from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Attendance, Forum, ForumMembership, Meeting


class MembershipInline(admin.TabularInline):
    model = ForumMembership
    extra = 0
    fields = ["person", "organisation", "position", "sector", "role", "term_start", "term_end"]


@admin.register(Forum)
class ForumAdmin(SimpleHistoryAdmin):
    list_display = ["name", "member", "founded_on", "cadence"]
    list_filter = ["member", "cadence"]
    search_fields = ["name", "founding_act"]
    inlines = [MembershipInline]


@admin.register(ForumMembership)
class ForumMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "organisation", "sector", "role", "forum", "term_start", "term_end"]
    list_filter = ["forum", "sector", "role"]
    search_fields = ["person", "organisation", "position"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "forum", "starts_at", "status"]
    list_filter = ["forum", "status"]
    search_fields = ["title", "agenda", "minutes", "place"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["membership", "meeting", "present"]
    list_filter = ["present", "meeting__forum"]
    search_fields = ["membership__person", "meeting__title"]
    raw_id_fields = ["meeting", "membership"]
