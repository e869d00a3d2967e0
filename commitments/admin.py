import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from ogp_portal.admin_tools import (
    ConstraintMessagesForm,
    GuardedHistoryAdmin,
    PermissionScopedAdmin,
    ServiceDeleteAdmin,
    ServiceOwnedAdmin,
    ServiceSaveAdmin,
)

from . import figures, progress, services
from .models import (
    Activity,
    ActionPlan,
    Agency,
    Commitment,
    Evidence,
    Member,
    Milestone,
    PlanFigures,
    ProgressUpdate,
    Role,
    StatusReport,
    StatusReportLine,
)


class HistoryTranslationAdmin(PermissionScopedAdmin, GuardedHistoryAdmin, TranslationAdmin):
    """Admin with per-language fields and a History button, for administrators only."""


class ScopedHistoryAdmin(PermissionScopedAdmin, GuardedHistoryAdmin):
    """Admin with a History button, for administrators only."""


class VersionedAdminForm(ConstraintMessagesForm):
    """Carries the version the page was loaded at; saving over a newer version is refused with what changed."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        base = cleaned.get("base_version")
        if self.instance.pk and base is not None:
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current is not None and current != base:
                raise forms.ValidationError(services.StaleVersion(self.instance, services.changes_since(self.instance, base)).message)
        return cleaned


class VersionedAdminMixin:
    """Admin of a versioned model: the form carries the version it was loaded at, and a save claims the
    next version with the same conditional UPDATE as the services (a stale save writes nothing)."""

    form = VersionedAdminForm

    def save_model(self, request, obj, form, change):
        if change:
            try:
                with transaction.atomic():
                    services.claim(obj, form.cleaned_data.get("base_version") or obj.version, refresh=False)
                    obj.save()
            except services.StaleVersion as error:
                # Lost a race after the form's check: nothing of this form is written.
                self.message_user(request, error.message, level=messages.ERROR)
        else:
            obj.save()


class RefreshesCompletionMixin:
    """Admin of a model the completion roll-up reads (milestones, progress updates): after a save or a
    delete, store the roll-up again on the commitments concerned (``progress.refresh_completion``)."""

    def _commitment_ids(self, objs):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        before = set()
        if change and obj.pk:
            before = self._commitment_ids(type(obj)._default_manager.filter(pk=obj.pk))
        super().save_model(request, obj, form, change)
        progress.refresh_completion(before | self._commitment_ids([obj]))

    def delete_model(self, request, obj):
        ids = self._commitment_ids([obj])
        super().delete_model(request, obj)
        progress.refresh_completion(ids)

    def delete_queryset(self, request, queryset):
        ids = self._commitment_ids(queryset)
        super().delete_queryset(request, queryset)
        progress.refresh_completion(ids)


@admin.register(Member)
class MemberAdmin(ServiceSaveAdmin, HistoryTranslationAdmin):
    create_service = services.create_member
    update_service = services.update_member
    list_display = ["name", "code", "kind", "country", "parent", "joined_on"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "code", "country"]
    list_select_related = ["parent"]


@admin.register(Agency)
class AgencyAdmin(ServiceSaveAdmin, HistoryTranslationAdmin):
    create_service = services.create_agency
    update_service = services.update_agency
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
class ActionPlanAdmin(ServiceSaveAdmin, HistoryTranslationAdmin):
    create_service = services.create_plan
    update_service = services.update_plan
    list_display = ["title", "member", "start_date", "end_date", "submitted_on"]
    list_filter = ["member", "submitted_on"]
    search_fields = ["title", "monitoring_body", "member__code"]
    list_select_related = ["member"]
    filter_horizontal = ["lead_institutions"]

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)

        class PlanForm(base):
            def clean(self):
                # Refused in the form, with the reason (the service refuses it too): another member's agency.
                data = super().clean()
                member = data.get("member") or (obj.member if obj else None)
                if member is not None and any(a.member_id != member.pk for a in data.get("lead_institutions") or ()):
                    self.add_error("lead_institutions", _("Every lead institution must be one of the member's agencies."))
                return data

        return PlanForm


class ActivityInline(PermissionScopedAdmin, TranslationTabularInline):
    model = Activity
    extra = 0
    fields = ["number", "title", "expected_results"]
    # Deleted on the activity's own page, through ``services.delete_activity`` (refused while it has milestones).
    can_delete = False


@admin.register(Commitment)
class CommitmentAdmin(VersionedAdminMixin, HistoryTranslationAdmin):
    list_display = ["identifier", "title", "plan", "lead_agency", "start_date", "end_date"]
    list_filter = ["plan__member", "plan", "lead_agency"]
    search_fields = ["identifier", "title", "description", "contact_name"]
    list_select_related = ["plan", "lead_agency"]
    autocomplete_fields = ["lead_agency"]
    inlines = [ActivityInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Deleting an activity deletes its milestones: the roll-up may change.
        progress.refresh_completion([form.instance.pk])

    def save_model(self, request, obj, form, change):
        before = set(Commitment.objects.filter(pk=obj.pk).values_list("plan_id", flat=True)) if change and obj.pk else set()
        super().save_model(request, obj, form, change)
        figures.refresh_plan_figures(before)  # a commitment moved to another plan: the plan it left

    def delete_model(self, request, obj):
        plan_id = obj.plan_id
        super().delete_model(request, obj)
        figures.refresh_plan_figures([plan_id])  # the plan's stored figures (commitments.figures)

    def delete_queryset(self, request, queryset):
        plan_ids = set(queryset.values_list("plan_id", flat=True))
        super().delete_queryset(request, queryset)
        figures.refresh_plan_figures(plan_ids)


@admin.register(Activity)
class ActivityAdmin(RefreshesCompletionMixin, ServiceDeleteAdmin, ServiceSaveAdmin, HistoryTranslationAdmin):
    create_service = services.create_activity
    update_service = services.update_activity
    delete_service = services.delete_activity

    def delete_refusal(self, obj):
        return _("This activity has milestones: move or delete them first.") if obj.milestones.exists() else ""
    list_display = ["commitment", "number", "title"]
    list_filter = ["commitment__plan"]
    search_fields = ["title", "commitment__identifier"]
    list_select_related = ["commitment"]
    autocomplete_fields = ["commitment"]

    def _commitment_ids(self, objs):
        # Deleting an activity deletes its milestones.
        return {a.commitment_id for a in objs}


# "KG0017 2.1", "KG0017 - 2.1": a commitment identifier, then a milestone number.
# "KG0017 2.1" or "KG0017: 2.1" — a separator is needed, so that "KG0017" alone is not read as "KG001" + "7".
IDENTIFIER_AND_NUMBER = re.compile(r"^\s*([A-Za-z]+\d+)(?:\s+|\s*[-—–:]\s*)(\d+(?:\.\d+)*)\s*$")


@admin.register(Milestone)
class MilestoneAdmin(RefreshesCompletionMixin, VersionedAdminMixin, HistoryTranslationAdmin):
    list_display = ["commitment_identifier", "number", "short_deliverable", "start_date", "end_date", "activity"]
    list_display_links = ["commitment_identifier", "number"]
    list_filter = ["commitment__plan__member", "commitment__plan", "budget_development_partners", "budget_national"]
    search_fields = ["commitment__identifier", "number", "deliverable"]
    list_select_related = ["commitment", "activity"]
    ordering = ["commitment__identifier", "id"]
    # Picked by commitment and number ("KG0017 2.1") rather than by a raw id.
    autocomplete_fields = ["commitment", "activity"]

    def _commitment_ids(self, objs):
        return {m.commitment_id for m in objs}

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


# --- Progress workflow (helper h6b): progress updates, evidence, status reports --------------


class EvidenceInline(PermissionScopedAdmin, admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["kind", "url", "download", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = ["download", "content_type", "size", "uploaded_by", "created_at"]
    verbose_name_plural = _("evidence (links can be added here; files through the progress page, where their type is checked)")

    @admin.display(description=_("file"))
    def download(self, obj):
        if obj.pk and obj.kind == Evidence.Kind.FILE:
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)
        return "—"


def _refusal(error):
    """The sentence a service's refusal says (ValidationError, StaleVersion, PermissionDenied)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, services.StaleVersion):
        return str(error.message)
    return str(error) or str(_("You may not make this change."))


class ReturnProgressForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("The coordinator reads this with the returned update."),
    )


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(RefreshesCompletionMixin, VersionedAdminMixin, ScopedHistoryAdmin):
    list_display = ["commitment_identifier", "milestone_number", "period_start", "period_end", "completion", "state", "author", "submitted_at", "published_at", "evidence_count"]
    list_filter = ["state", "completion", "milestone__commitment__plan__member", "milestone__commitment__plan"]
    search_fields = ["narrative", "milestone__commitment__identifier", "milestone__number"]
    list_select_related = ["milestone__commitment", "author"]
    autocomplete_fields = ["milestone", "author"]
    # The review workflow owns the state and its record: it changes only through the services
    # (``progress.submit_progress``, ``approve_progress``, ``return_progress``), here through the actions.
    readonly_fields = [
        "state", "submitted_at", "reviewed_by", "review_comment", "published_at", "self_approved", "version", "created_at", "updated_at",
    ]
    inlines = [EvidenceInline]
    actions = ["approve_selected", "return_selected"]
    history_revert = False  # an old version would bring back an old state, past the services

    def has_change_permission(self, request, obj=None):
        # Once submitted, an update belongs to the review workflow (``progress.save_progress`` refuses it
        # too): its content is what the point of contact reviews and, approved, what the public reads.
        # The admin shows it, its evidence included, and changes it only through the actions.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(evidence_total=Count("evidence"))

    def _commitment_ids(self, objs):
        milestone_ids = {u.milestone_id for u in objs}
        return set(Milestone.objects.filter(pk__in=milestone_ids).values_list("commitment_id", flat=True))

    @admin.display(description=_("commitment"), ordering="milestone__commitment__identifier")
    def commitment_identifier(self, obj):
        return obj.milestone.commitment.identifier

    @admin.display(description=_("milestone"), ordering="milestone__number")
    def milestone_number(self, obj):
        return obj.milestone.number

    @admin.display(description=_("evidence"), ordering="evidence_total")
    def evidence_count(self, obj):
        return obj.evidence_total

    @admin.action(description=_("Approve the selected submitted updates"))
    def approve_selected(self, request, queryset):
        done = 0
        for update in queryset.filter(state=ProgressUpdate.State.SUBMITTED):
            try:
                progress.approve_progress(update, by=request.user, version=update.version, now=timezone.now())
                done += 1
            except (ValidationError, services.StaleVersion, PermissionDenied) as error:
                self.message_user(request, f"{update}: {_refusal(error)}", level=messages.WARNING)
        self.message_user(request, _("%(n)d updates approved.") % {"n": done})

    @admin.action(description=_("Return the selected submitted updates to their coordinators"))
    def return_selected(self, request, queryset):
        """Ask what should change, then return each update through ``progress.return_progress``; say why any is not."""
        form = ReturnProgressForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for update in queryset.select_related("milestone"):
                try:
                    progress.return_progress(
                        update, by=request.user, version=update.version, now=timezone.now(), comment=form.cleaned_data["comment"]
                    )
                    done += 1
                except (ValidationError, services.StaleVersion, PermissionDenied) as error:
                    self.message_user(
                        request, _("%(update)s was not returned: %(reason)s") % {"update": update, "reason": _refusal(error)},
                        level=messages.WARNING,
                    )
            if done:
                self.message_user(
                    request,
                    ngettext("%(n)d update returned to its coordinator.", "%(n)d updates returned to their coordinators.", done) % {"n": done},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return to the coordinator"),
            "opts": self.model._meta,
            "form": form,
            "updates": queryset.select_related("milestone__commitment"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/commitments/progressupdate/return.html", context)


@admin.register(Evidence)
class EvidenceAdmin(ScopedHistoryAdmin):
    list_display = ["__str__", "kind", "update", "content_type", "size", "uploaded_by", "created_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["url", "original_name", "update__milestone__commitment__identifier"]
    list_select_related = ["update__milestone", "uploaded_by"]
    autocomplete_fields = ["update"]
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by", "created_at"]

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)

        class EvidenceForm(base):
            def clean(self):
                cleaned = super().clean()
                update = cleaned.get("update")
                if update is not None and not update.is_editable:  # the services' rule (``progress.add_evidence_link``)
                    raise forms.ValidationError(_("Evidence can be added only while the update is a draft or returned."))
                return cleaned

        return EvidenceForm

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.update.is_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.update.is_editable)


class StatusReportLineInline(PermissionScopedAdmin, admin.TabularInline):
    model = StatusReportLine
    extra = 0
    fields = ["commitment", "completion", "percent"]
    readonly_fields = ["commitment", "completion", "percent"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StatusReport)
class StatusReportAdmin(ScopedHistoryAdmin):
    form = VersionedAdminForm
    list_display = ["member", "period_label", "plan", "state", "published_at", "published_by", "line_count"]
    list_filter = ["state", "member"]
    search_fields = ["period_label", "plan__title", "member__name"]
    list_select_related = ["member", "plan", "published_by"]
    autocomplete_fields = ["plan", "member"]
    readonly_fields = ["state", "published_at", "published_by", "version", "created_at"]
    inlines = [StatusReportLineInline]
    actions = ["publish_selected"]
    history_revert = False  # an old version would bring back an old state, past ``progress.publish_status_report``

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lines_total=Count("lines"))

    @admin.display(description=_("lines"), ordering="lines_total")
    def line_count(self, obj):
        return obj.lines_total

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.is_published:
            # A published report is an immutable snapshot.
            return [f.name for f in obj._meta.concrete_fields]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)

    @admin.action(description=_("Publish the selected status reports"))
    def publish_selected(self, request, queryset):
        for report in queryset.filter(state=StatusReport.State.DRAFT):
            try:
                progress.publish_status_report(report, by=request.user, version=report.version, now=timezone.now())
                self.message_user(request, _("%(report)s published.") % {"report": report})
            except (ValidationError, services.StaleVersion, PermissionDenied) as error:
                self.message_user(request, f"{report}: {' '.join(getattr(error, 'messages', [str(error)]))}", level=messages.ERROR)


@admin.register(StatusReportLine)
class StatusReportLineAdmin(PermissionScopedAdmin, admin.ModelAdmin):
    """The lines of status reports, read-only: they are written when the point of contact publishes."""

    read_only = True

    list_display = ["report", "commitment", "completion", "percent"]
    list_filter = ["report__member", "completion"]
    search_fields = ["commitment__identifier", "report__member__name"]
    list_select_related = ["report__member", "commitment"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanFigures)
class PlanFiguresAdmin(ServiceOwnedAdmin, admin.ModelAdmin):
    """A plan's stored figures (the home page's sums): kept by ``figures.refresh_plan_figures``, never edited by hand."""

    list_display = [
        "plan", "no_update", "not_started", "limited", "substantial", "complete", "withdrawn", "contested", "overdue",
        "overdue_from", "overdue_until",
    ]
    list_select_related = ["plan__member"]
    search_fields = ["plan__title", "plan__member__name", "plan__member__code"]
    actions = ["recompute"]

    @admin.action(description=_("Recompute now"), permissions=["view"])
    def recompute(self, request, queryset):
        figures.refresh_plan_figures(list(queryset.values_list("plan_id", flat=True)))
        self.message_user(request, _("Recomputed."), messages.SUCCESS)
