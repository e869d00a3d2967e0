"""Shared pieces of the Django admin: scoping through ``ogp_portal.permissions`` and readable constraint errors.

The admin is for administrators (active ``is_staff`` users) only. ``PermissionScopedAdmin`` makes
every ModelAdmin (and inline) ask the permissions module: who may open it (``ogp.use_admin``) and
which rows it lists (``editable_by``). ``ConstraintMessagesForm`` turns a database constraint the
form would otherwise report as "Constraint “…” is violated." into a translated sentence.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import permissions

# Constraint name → (form field the message belongs to, or None for the whole form; message).
CONSTRAINT_MESSAGES = {
    "role_unique_with_agency": ("agency", _("This person already has this role for this agency.")),
    "role_unique_without_agency": ("kind", _("This person already has this role for this member.")),
    "role_coordinator_has_agency": ("agency", _("A coordinator role needs an agency.")),
    "progress_published_has_date": ("published_at", _("A published update needs its publication date.")),
    "progress_period_ordered": ("period_end", _("The reporting period cannot end before it starts.")),
}
GENERIC_CONSTRAINT_MESSAGE = _("These values conflict with another record or with each other; please check them.")


class ConstraintMessagesForm(forms.ModelForm):
    """A ModelForm whose constraint errors are always sentences a person can act on."""

    def validate_constraints(self):
        exclude = self._get_validation_exclusions()
        using = router.db_for_write(type(self.instance), instance=self.instance)
        for model_class, constraints in self.instance.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self.instance, exclude=exclude, using=using)
                except ValidationError as error:
                    self._add_constraint_error(constraint, error)

    def _add_constraint_error(self, constraint, error):
        if constraint.name in CONSTRAINT_MESSAGES:
            field, message = CONSTRAINT_MESSAGES[constraint.name]
            self.add_error(field if field in self.fields else None, ValidationError(message, code=constraint.name))
        elif getattr(error, "code", None) in ("unique", "unique_together"):
            # Django's own "… with this … already exists.", translated; put it on the field if there is one.
            fields = getattr(constraint, "fields", ())
            field = fields[0] if len(fields) == 1 and fields[0] in self.fields else None
            self.add_error(field, error)
        elif constraint.violation_error_message == constraint.default_violation_error_message:
            self.add_error(None, ValidationError(GENERIC_CONSTRAINT_MESSAGE, code=constraint.name))
        else:
            self.add_error(None, error)


class PermissionScopedAdmin:
    """Mixin for ModelAdmin and InlineModelAdmin: administrators only, rows from ``editable_by``."""

    form = ConstraintMessagesForm

    def _may(self, request, obj=None):
        return request.user.has_perm("ogp.use_admin")

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, *args):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)

    def get_queryset(self, request):
        return permissions.editable_by(request.user, super().get_queryset(request))


class ServiceOwnedAdmin:
    """Mixin for a ModelAdmin of rows only the services write (the sweep's, the outbox's, stored figures).

    Visible; never added, changed or deleted by hand (an admin action may call the service that writes them).
    ``read_only`` tells the admin tests (``tests/test_project.py``) so.
    """

    read_only = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceSaveAdmin:
    """Mixin for a ModelAdmin whose saves go through the app's service functions (h11), like the API's.

    ``create_service(*, by, data)`` for a new row and ``update_service(obj, *, by, data, version)``
    for a change (the fields the form changed, applied to the stored row under its lock). The
    many-to-many fields are saved by the admin afterwards (``save_related``), as before.
    """

    create_service = None
    update_service = None

    def _service_data(self, form, obj, change):
        names = {f.name for f in obj._meta.concrete_fields if f.editable and not f.primary_key}
        fields = form.changed_data if change else list(form.cleaned_data)
        return {name: getattr(obj, name) for name in fields if name in names}

    def save_model(self, request, obj, form, change):
        from .versioning import current_version

        data = self._service_data(form, obj, change)
        if change:
            from django.contrib import messages
            from django.core.exceptions import PermissionDenied

            from .versioning import StaleVersion

            stored = type(obj)._default_manager.get(pk=obj.pk)
            try:
                saved = type(self).update_service(stored, by=request.user, data=data, version=current_version(stored))
            except (ValidationError, StaleVersion, PermissionDenied) as error:
                # The service's own rules, beyond the form's: nothing of this form is written; say why.
                self.message_user(request, " ".join(getattr(error, "messages", [str(error)])), level=messages.ERROR)
                return
        else:
            saved = type(self).create_service(by=request.user, data=data)
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db


class ServiceDeleteAdmin:
    """Mixin for a ModelAdmin whose deletes go through the app's service (``delete_service(obj, *, by, version)``).

    ``delete_refusal(obj)`` names why a row may not be deleted (the service's own rule, e.g. an activity
    that still has milestones): the admin then does not offer the delete at all, instead of failing
    after the confirmation page.
    """

    delete_service = None

    def delete_refusal(self, obj) -> str:
        return ""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.delete_refusal(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        from .versioning import current_version

        type(self).delete_service(obj, by=request.user, version=current_version(obj))

    def delete_queryset(self, request, queryset):
        from django.contrib import messages

        for obj in queryset:
            refusal = self.delete_refusal(obj)
            if refusal:
                self.message_user(request, f"{obj}: {refusal}", level=messages.ERROR)
                continue
            self.delete_model(request, obj)


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin (the History button), every app's base instead of ``SimpleHistoryAdmin``.

    simple-history's revert page (``<id>/history/<version>/``) saves the old version on POST after
    checking only the view permission, so it would write rows the admin shows read-only (a meeting, a
    finding) and take a progress update back past its workflow. Here a revert needs the change permission
    on the row as it is now, and a model whose workflow owns its state turns reverting off
    (``history_revert = False``); reading an old version stays open.
    """

    history_revert = True

    def revert_disabled(self, request, obj=None):
        return not self.history_revert or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if not self.history_revert or current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
