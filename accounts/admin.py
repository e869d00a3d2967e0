"""Users in the admin, with their roles: administrators grant coordinator, point-of-contact and secretariat roles here."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from commitments.models import Role
from ogp_portal.admin_tools import PermissionScopedAdmin

from .models import Preference

User = get_user_model()


class RoleInline(PermissionScopedAdmin, admin.TabularInline):
    model = Role
    fk_name = "user"
    extra = 0
    fields = ["kind", "member", "agency"]
    autocomplete_fields = ["agency"]


class PreferenceInline(admin.StackedInline):
    """The language the account is written to in (set by the person through the language switcher)."""

    model = Preference
    extra = 0
    max_num = 1
    can_delete = False
    fields = ["language"]


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(PermissionScopedAdmin, UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "ogp_roles__kind", "ogp_roles__member"]
    inlines = [RoleInline, PreferenceInline]
    form = UserAdmin.form  # keep Django's user forms (the password field), not the mixin's

    def get_queryset(self, request):
        # Users are not scoped by member: only administrators reach this page at all.
        return super(PermissionScopedAdmin, self).get_queryset(request)
