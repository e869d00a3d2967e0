from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Deadline, Decision, Finding, Notification, Policy, StatusEvent


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = [
        "effective_from", "member", "forum_cadence_months", "update_cadence_months", "deadline_rule",
        "under_review_after_cycles", "inactive_after_years_without_plan", "removal_after_inactive_months", "grace_days",
    ]
    list_filter = ["deadline_rule", "forum_cadence_months", ("member", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["member__name", "member__code", "reason"]
    date_hierarchy = "effective_from"


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "cycle", "due_on", "met_on", "source"]
    list_filter = ["kind", "source", "member"]
    search_fields = ["member__name", "member__code", "cycle", "reason", "reference"]
    date_hierarchy = "due_on"


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "decided_on", "cycle", "document", "recorded_by"]
    list_filter = ["kind", "member"]
    search_fields = ["member__name", "member__code", "document", "summary", "cycle"]
    date_hierarchy = "decided_on"
    readonly_fields = ["recorded_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "subject", "period", "effective_on", "resolved_on"]
    list_filter = ["kind", "member", ("resolved_on", admin.EmptyFieldListFilter)]
    search_fields = ["member__name", "member__code", "period", "subject", "reason", "reference"]
    date_hierarchy = "effective_on"


@admin.register(StatusEvent)
class StatusEventAdmin(SimpleHistoryAdmin):
    list_display = ["member", "status", "previous_status", "effective_on", "cycle", "reference"]
    list_filter = ["status", "member"]
    search_fields = ["member__name", "member__code", "cycle", "reason", "reference"]
    date_hierarchy = "effective_on"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "member", "email", "language", "claimed_at", "sent_at"]
    list_filter = ["kind", "language", "member", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "email", "subject", "member__code"]
    readonly_fields = [f.name for f in Notification._meta.fields]
