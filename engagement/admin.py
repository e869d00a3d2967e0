"""Administrators see reviews, follows and deliveries; a review is hidden through the hide page (reason kept)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ogp_portal.admin_tools import GuardedHistoryAdmin

from .models import Follow, Review


class _AdministratorsOnly:
    read_only = True

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


@admin.register(Review)
class ReviewAdmin(_AdministratorsOnly, GuardedHistoryAdmin):
    list_display = ["update", "author", "stance", "created_at", "responded_at", "hidden_at", "hide_link"]
    list_filter = ["stance", ("hidden_at", admin.EmptyFieldListFilter), ("responded_at", admin.EmptyFieldListFilter)]
    search_fields = ["comment", "response", "hidden_reason", "author__username", "update__milestone__commitment__identifier"]
    list_select_related = ["update__milestone__commitment", "author"]

    @admin.display(description=_("moderation"))
    def hide_link(self, obj):
        if obj.is_hidden:
            return obj.hidden_reason
        return format_html('<a href="{}">{}</a>', reverse("engagement:hide", args=[obj.pk]), _("Hide…"))


@admin.register(Follow)
class FollowAdmin(_AdministratorsOnly, GuardedHistoryAdmin):
    list_display = ["user", "commitment", "plan", "member", "created_at"]
    search_fields = ["user__username", "user__email", "commitment__identifier", "member__name"]
    list_select_related = ["user", "commitment", "plan", "member"]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("ogp.use_admin")
