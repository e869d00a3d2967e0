"""Co-creation in the admin: administrators read every row and its history; changes go through the pages and
the API (the services), so the admin offers no add, change or delete."""

from django.contrib import admin

from ogp_portal.admin_tools import GuardedHistoryAdmin

from .models import CoCreationProcess, Comment, DraftCommitment, Proposal


class ReadOnlyHistoryAdmin(GuardedHistoryAdmin):
    def has_module_permission(self, request):
        return request.user.has_perm("ogp.use_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("ogp.use_admin")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CoCreationProcess)
class ProcessAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "member", "cycle", "stage", "plan_deadline", "submitted_on"]
    list_filter = ["stage", "member"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "process", "sector", "visibility", "outcome", "response_published_at"]
    list_filter = ["sector", "visibility", "outcome"]
    search_fields = ["title", "problem", "proposed_commitment"]


@admin.register(DraftCommitment)
class DraftAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "process", "state", "version", "comment_closes_on"]
    list_filter = ["state"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "author", "proposal", "draft", "created_at"]
