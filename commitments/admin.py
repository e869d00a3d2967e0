import re

from django.contrib import admin
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from ogp_portal.admin_tools import PermissionScopedAdmin

from .models import Activity, ActionPlan, Agency, Commitment, Member, Milestone, ProgressUpdate, Role


class HistoryTranslationAdmin(PermissionScopedAdmin, SimpleHistoryAdmin, TranslationAdmin):
    """Admin with per-language fields and a History button, for administrators only."""


class ScopedHistoryAdmin(PermissionScopedAdmin, SimpleHistoryAdmin):
    """Admin with a History button, for administrators only."""


@admin.register(Member)
class MemberAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "kind", "country", "parent", "joined_on"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "code", "country"]
    list_select_related = ["parent"]


@admin.register(Agency)
class AgencyAdmin(ScopedHistoryAdmin):
    list_display = ["name", "acronym", "kind", "member"]
    list_filter = ["kind", "member"]
    search_fields = ["name", "acronym", "member__code"]
    list_select_related = ["member"]


@admin.register(Role)
class RoleAdmin(ScopedHistoryAdmin):
    list_display = ["user", "user_email", "kind", "member", "agency"]
    list_filter = ["kind", "member"]
    search_fields = ["user__username", "user__email", "agency__name", "member__code"]
    list_select_related = ["user", "member", "agency"]
    autocomplete_fields = ["user", "agency"]

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, role):
        return role.user.email


@admin.register(ActionPlan)
class ActionPlanAdmin(HistoryTranslationAdmin):
    list_display = ["title", "member", "start_date", "end_date", "submitted_on"]
    list_filter = ["member", "submitted_on"]
    search_fields = ["title", "monitoring_body", "member__code"]
    list_select_related = ["member"]
    filter_horizontal = ["lead_institutions"]


class ActivityInline(PermissionScopedAdmin, TranslationTabularInline):
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
    autocomplete_fields = ["commitment"]


# "KG0017 2.1", "KG0017 - 2.1": a commitment identifier, then a milestone number.
IDENTIFIER_AND_NUMBER = re.compile(r"^\s*([A-Za-z]+\d+)\s*[-—–:]?\s*(\d+(?:\.\d+)*)\s*$")


@admin.register(Milestone)
class MilestoneAdmin(HistoryTranslationAdmin):
    list_display = ["commitment_identifier", "number", "short_deliverable", "start_date", "end_date", "activity"]
    list_display_links = ["commitment_identifier", "number"]
    list_filter = ["commitment__plan__member", "commitment__plan", "budget_development_partners", "budget_national"]
    search_fields = ["commitment__identifier", "number", "deliverable"]
    list_select_related = ["commitment", "activity"]
    ordering = ["commitment__identifier", "id"]
    # Picked by commitment and number ("KG0017 2.1") rather than by a raw id.
    autocomplete_fields = ["commitment", "activity"]

    @admin.display(description=_("commitment"), ordering="commitment__identifier")
    def commitment_identifier(self, milestone):
        return milestone.commitment.identifier

    @admin.display(description=_("deliverable"))
    def short_deliverable(self, milestone):
        return Truncator(milestone.deliverable).chars(90)

    def get_search_results(self, request, queryset, search_term):
        """Search "KG0017 2.1" as commitment KG0017's milestone 2.1; anything else as usual."""
        match = IDENTIFIER_AND_NUMBER.match(search_term or "")
        if match:
            identifier, number = match.groups()
            exact = queryset.filter(Q(commitment__identifier__iexact=identifier) & Q(number__startswith=number))
            return exact.select_related("commitment"), False
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return results.select_related("commitment"), may_have_duplicates


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["milestone", "period_start", "period_end", "completion", "state", "author", "published_at"]
    list_filter = ["state", "completion", "milestone__commitment__plan"]
    search_fields = ["narrative", "milestone__commitment__identifier"]
    list_select_related = ["milestone__commitment", "author"]
    raw_id_fields = ["milestone", "author"]
