from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, ActionPlan, Agency, Commitment, Member, Milestone, ProgressUpdate, Role


class HistoryTranslationAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """Admin with per-language fields and a History button."""


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "country", "parent", "joined_on"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "code", "country"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "member"]
    list_filter = ["kind", "member"]
    search_fields = ["name", "acronym"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "kind", "member", "agency"]
    list_filter = ["kind", "member"]
    search_fields = ["user__username", "user__email", "agency__name"]
    autocomplete_fields = ["user", "agency"]


@admin.register(ActionPlan)
class ActionPlanAdmin(HistoryTranslationAdmin):
    list_display = ["title", "member", "start_date", "end_date", "submitted_on"]
    list_filter = ["member", "submitted_on"]
    search_fields = ["title", "monitoring_body"]
    filter_horizontal = ["lead_institutions"]


class ActivityInline(TranslationTabularInline):
    model = Activity
    extra = 0
    fields = ["number", "title", "expected_results"]


@admin.register(Commitment)
class CommitmentAdmin(HistoryTranslationAdmin):
    list_display = ["identifier", "title", "plan", "lead_agency", "start_date", "end_date"]
    list_filter = ["plan__member", "plan", "lead_agency"]
    search_fields = ["identifier", "title", "description", "contact_name"]
    list_select_related = ["plan", "lead_agency"]
    autocomplete_fields = ["lead_agency"]
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(HistoryTranslationAdmin):
    list_display = ["commitment", "number", "title"]
    list_filter = ["commitment__plan"]
    search_fields = ["title", "commitment__identifier"]
    list_select_related = ["commitment"]


@admin.register(Milestone)
class MilestoneAdmin(HistoryTranslationAdmin):
    list_display = ["commitment", "number", "start_date", "end_date", "budget_development_partners", "budget_national"]
    list_filter = ["commitment__plan", "budget_development_partners", "budget_national", "end_precision"]
    search_fields = ["number", "deliverable", "commitment__identifier"]
    list_select_related = ["commitment"]
    raw_id_fields = ["commitment", "activity"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["milestone", "period_start", "period_end", "completion", "state", "author", "published_at"]
    list_filter = ["state", "completion", "milestone__commitment__plan"]
    search_fields = ["narrative", "milestone__commitment__identifier"]
    list_select_related = ["milestone__commitment", "author"]
    raw_id_fields = ["milestone", "author"]
