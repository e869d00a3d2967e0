from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from ogp_portal.admin_tools import GuardedHistoryAdmin, ServiceSaveAdmin

from . import services

from .models import (
    ActionItem,
    Attendance,
    Forum,
    ForumMembership,
    Invitation,
    Meeting,
    MeetingChange,
    MeetingDecision,
    MinutesApproval,
)


class WorkflowOwned:
    """Rows the forum services own (a meeting's state, its attendance, changes, invitations, approvals,
    decisions and action items): the admin shows them and changes them only through actions that call the
    services; the secretariat changes them on the forum pages and the API, which call the same services."""

    read_only = True

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = ForumMembership
    extra = 0
    fields = ["person", "organisation", "position", "sector", "role", "term_start", "term_end", "email", "language"]
    # A seat is ended (its term end set), never deleted: past meetings' attendance refers to it.
    can_delete = False


@admin.register(Forum)
class ForumAdmin(ServiceSaveAdmin, GuardedHistoryAdmin, TranslationAdmin):  # the name in English, Russian and Kyrgyz
    create_service = services.create_forum
    update_service = services.update_forum
    list_display = ["name", "member", "founded_on", "cadence", "seats", "requires_parity"]
    list_filter = ["member", "cadence", "requires_parity"]
    search_fields = ["name", "founding_act"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        """Seats added or changed here go through the membership services, as in the API."""
        if formset.model is not ForumMembership:
            return super().save_formset(request, form, formset, change)
        from ogp_portal.versioning import current_version

        for row in formset.save(commit=False):
            changed = next((f for f in formset.forms if f.instance is row), None)
            names = changed.changed_data if changed is not None and row.pk else [n for n in formset.form.base_fields]
            data = {n: getattr(row, n) for n in names if n in {f.name for f in ForumMembership._meta.concrete_fields}}
            if row.pk:
                stored = ForumMembership.objects.get(pk=row.pk)
                services.update_membership(stored, by=request.user, data=data, version=current_version(stored))
            else:
                services.add_membership(by=request.user, data={**data, "forum": form.instance})


@admin.register(ForumMembership)
class ForumMembershipAdmin(ServiceSaveAdmin, GuardedHistoryAdmin):
    create_service = services.add_membership
    update_service = services.update_membership
    list_display = ["person", "organisation", "sector", "role", "forum", "term_start", "term_end"]
    list_filter = ["forum", "sector", "role"]
    search_fields = ["person", "organisation", "position", "email"]
    raw_id_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        # A seat is ended by setting its term end (``services.end_membership`` in the API), never deleted:
        # past meetings' attendance refers to it.
        return False


class AttendanceInline(WorkflowOwned, admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["membership"]


class ChangeInline(WorkflowOwned, admin.TabularInline):
    model = MeetingChange
    extra = 0
    raw_id_fields = ["changed_by"]


class InvitationInline(WorkflowOwned, admin.TabularInline):
    model = Invitation
    extra = 0
    raw_id_fields = ["membership"]
    readonly_fields = ["claimed_at", "sent_at", "responded_at"]


class ApprovalInline(WorkflowOwned, admin.TabularInline):
    model = MinutesApproval
    extra = 0
    raw_id_fields = ["co_chair", "recorded_by"]


class DecisionInline(WorkflowOwned, admin.TabularInline):
    model = MeetingDecision
    extra = 0
    raw_id_fields = ["commitment"]


class ActionItemInline(WorkflowOwned, admin.TabularInline):
    model = ActionItem
    extra = 0
    raw_id_fields = ["commitment"]


@admin.register(Meeting)
class MeetingAdmin(WorkflowOwned, GuardedHistoryAdmin):
    """Meetings are scheduled, moved, cancelled, held and minuted through the forum services only."""

    list_display = ["__str__", "forum", "starts_at", "status", "minutes_published_at"]
    list_filter = ["forum", "status"]
    search_fields = ["title", "agenda", "minutes", "place"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline, ChangeInline, InvitationInline, ApprovalInline, DecisionInline, ActionItemInline]
    actions = ["cancel_selected", "publish_minutes_selected"]

    @admin.action(description=_("Cancel the selected planned meetings"))
    def cancel_selected(self, request, queryset):
        done = 0
        for meeting in queryset.filter(status=Meeting.Status.PLANNED):
            try:
                services.cancel_meeting(meeting, reason=str(_("Cancelled by an administrator.")), by=request.user, now=timezone.now())
                done += 1
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{meeting}: {' '.join(getattr(error, 'messages', [str(error)]))}", level=messages.WARNING)
        self.message_user(request, ngettext("%(n)d meeting cancelled.", "%(n)d meetings cancelled.", done) % {"n": done})

    @admin.action(description=_("Publish the minutes of the selected held meetings of forums without co-chairs"))
    def publish_minutes_selected(self, request, queryset):
        done = 0
        for meeting in queryset.filter(status=Meeting.Status.HELD, minutes_published_at__isnull=True):
            try:
                services.publish_minutes_without_co_chairs(meeting, by=request.user, now=timezone.now())
                done += 1
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{meeting}: {' '.join(getattr(error, 'messages', [str(error)]))}", level=messages.WARNING)
        self.message_user(
            request, ngettext("The minutes of %(n)d meeting published.", "The minutes of %(n)d meetings published.", done) % {"n": done}
        )


@admin.register(Attendance)
class AttendanceAdmin(WorkflowOwned, GuardedHistoryAdmin):
    list_display = ["membership", "meeting", "status"]
    list_filter = ["status", "meeting__forum"]
    search_fields = ["membership__person", "meeting__title"]
    raw_id_fields = ["meeting", "membership"]


@admin.register(MeetingChange)
class MeetingChangeAdmin(WorkflowOwned, admin.ModelAdmin):
    list_display = ["meeting", "kind", "previous_starts_at", "new_starts_at", "changed_at"]
    list_filter = ["kind", "meeting__forum"]
    search_fields = ["reason", "meeting__title"]
    raw_id_fields = ["meeting", "changed_by"]


@admin.register(Invitation)
class InvitationAdmin(WorkflowOwned, GuardedHistoryAdmin):
    list_display = ["membership", "meeting", "sequence", "sent_at", "response"]
    list_filter = ["response", "meeting__forum"]
    search_fields = ["membership__person", "email", "meeting__title"]
    raw_id_fields = ["meeting", "membership"]
    readonly_fields = ["claimed_at", "sent_at", "responded_at"]


@admin.register(MinutesApproval)
class MinutesApprovalAdmin(WorkflowOwned, admin.ModelAdmin):
    list_display = ["meeting", "co_chair", "approved_at"]
    search_fields = ["co_chair__person", "meeting__title"]
    raw_id_fields = ["meeting", "co_chair", "recorded_by"]


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(WorkflowOwned, GuardedHistoryAdmin):
    list_display = ["__str__", "meeting", "commitment"]
    list_filter = ["meeting__forum"]
    search_fields = ["text", "meeting__title"]
    raw_id_fields = ["meeting", "commitment"]


@admin.register(ActionItem)
class ActionItemAdmin(WorkflowOwned, GuardedHistoryAdmin):
    list_display = ["title", "owner", "due_on", "status", "meeting"]
    list_filter = ["status", "meeting__forum"]
    search_fields = ["title", "owner", "meeting__title"]
    raw_id_fields = ["meeting", "commitment"]
