from django.contrib import admin

from ogp_portal.admin_tools import ServiceOwnedAdmin

from .models import Message


@admin.register(Message)
class MessageAdmin(ServiceOwnedAdmin, admin.ModelAdmin):
    """Read-only, for administrators: what went out, what waits for its next attempt, what failed."""

    list_display = ("key", "email", "subject", "created_at", "sent_at", "attempts", "next_attempt_at", "gave_up_at", "held_for_digest")
    list_filter = ("kind", "held_for_digest", ("sent_at", admin.EmptyFieldListFilter), ("gave_up_at", admin.EmptyFieldListFilter))
    search_fields = ("key", "email", "subject")

    def has_module_permission(self, request):
        return request.user.has_perm("ogp.use_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("ogp.use_admin")
