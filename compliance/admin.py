"""Compliance admin: what administrators enter (deadlines, decisions, findings, letters, policies) and,
read-only, what the sweep owns (computed findings and deadlines, status events, cycles, standings).

Every form that refers to a member's cycle offers only that member's cycles
(``?member=<id>`` on the add form, or the row's member), and only that
member's plans and status events. Saving recomputes the member, so its cycles
and status follow at once.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from ogp_portal.admin_tools import GuardedHistoryAdmin, ServiceDeleteAdmin, ServiceOwnedAdmin, ServiceSaveAdmin

from commitments.models import ActionPlan, Member

from . import engine, records, selectors, signals, sweep
from .choices import JUDGED_DEADLINE_KINDS, DeadlineKind
from .models import (
    Cycle,
    Deadline,
    DeadlineExtension,
    Decision,
    Finding,
    Letter,
    LetterProfile,
    MemberStanding,
    Notification,
    PlanExtension,
    Policy,
    StatusEvent,
)


def _member_id(form):
    """Return the member the form is about: the posted one, the ``?member=`` initial, or the row's."""
    raw = form.data.get("member") if form.is_bound else None
    raw = raw or form.initial.get("member") or getattr(form.instance, "member_id", None)
    try:
        return int(raw) if raw else None
    except (TypeError, ValueError):
        return None


def member_cycle_labels(member_id) -> list[str]:
    """Return the member's cycles: ``selectors.member_cycles``, the one source the API and the pages read too."""
    if not member_id:
        return []
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return []
    return selectors.member_cycles(member)


class MemberScopedForm(forms.ModelForm):
    """A form whose ``cycle`` is chosen from the member's cycles, and whose plan/status event are the member's."""

    cycle_field = "cycle"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        member_id = _member_id(self)
        labels = member_cycle_labels(member_id)
        current = getattr(self.instance, self.cycle_field, "") if self.instance.pk else ""
        if current and current not in labels:
            labels.append(current)
        if self.cycle_field in self.fields:
            field = self.fields[self.cycle_field]
            self.fields[self.cycle_field] = forms.ChoiceField(
                label=field.label, required=False, help_text=_("The member's cycles, as the rules know them."),
                choices=[("", "—")] + [(label, label) for label in labels],
            )
        if "plan" in self.fields:
            self.fields["plan"].queryset = ActionPlan.objects.filter(member_id=member_id)
        if "status_event" in self.fields:
            self.fields["status_event"].queryset = StatusEvent.objects.filter(member_id=member_id)
        if "decision" in self.fields:
            self.fields["decision"].queryset = Decision.objects.filter(member_id=member_id)

    # How the cycle is checked when left empty (``selectors.check_cycle``): overridden per form.
    def cycle_check(self, data) -> dict:
        return {}

    def clean(self):
        data = super().clean()
        member = data.get("member") or (self.instance.member if self.instance.pk else None)
        if member is not None and self.cycle_field in self.fields and not self.errors.get(self.cycle_field):
            current = getattr(self.instance, self.cycle_field, "") if self.instance.pk else ""
            try:
                data[self.cycle_field] = selectors.check_cycle(
                    member, data.get(self.cycle_field, ""), field=self.cycle_field, keep=current, **self.cycle_check(data)
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


class RecomputeOnSave:
    """Recompute the member after an administrator's change, so cycles and status follow at once."""

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "recorded_by_id") and not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        sweep.recompute_member(obj.member_id)

    def delete_model(self, request, obj):
        member_id = obj.member_id
        super().delete_model(request, obj)
        sweep.recompute_member(member_id)


class RecomputeAfterCommit:
    """An input of the rules edited outside the services: the stored standing follows once saved (issue 19.3)."""

    def _members_of(self, obj):
        return [getattr(obj, "member_id", None) or signals.EVERY_MEMBER]

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "recorded_by_id") and not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        for member_id in self._members_of(obj):
            signals.schedule_recompute(member_id)

    def delete_model(self, request, obj):
        members = self._members_of(obj)
        super().delete_model(request, obj)
        for member_id in members:
            signals.schedule_recompute(member_id)


class ReadOnlyForRule:
    """Rows the sweep owns (source = rule) are read-only; an administrator's rows stay editable."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "source", "administrator") == "rule":
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "source", "administrator") == "rule":
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Policy)
class PolicyAdmin(RecomputeAfterCommit, GuardedHistoryAdmin):
    list_display = [
        "effective_from", "member", "applies_to", "forum_cadence_months", "update_cadence_months", "deadline_rule",
        "under_review_after_cycles", "inactive_after_years_without_plan", "removal_after_inactive_months",
        "first_plan_months", "grace_days",
    ]
    list_filter = ["deadline_rule", "applies_to", "forum_cadence_months", ("member", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["member__name", "member__code", "reason"]
    date_hierarchy = "effective_from"


@admin.register(PlanExtension)
class PlanExtensionAdmin(RecomputeAfterCommit, GuardedHistoryAdmin):
    """A resolution extending every plan of a period (issue 19.4); every member is recomputed after a change."""

    list_display = ["name", "ends_from", "ends_to", "months"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(RecomputeAfterCommit, GuardedHistoryAdmin):
    list_display = ["name", "due_from", "due_to", "until", "cohort_switch"]


class DeadlineForm(MemberScopedForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[(k, DeadlineKind(k).label) for k in JUDGED_DEADLINE_KINDS],
        help_text=_("Only the deadlines the rules judge can be set by hand."),
    )

    class Meta:
        model = Deadline
        fields = ["member", "kind", "cycle", "due_on", "delivered_on", "reason", "reference"]
        help_texts = {"due_on": _(
            "How the rules read this date depends on the era in force on it: under the 2014 rule and the 2015 "
            "calendar a plan up to four months late is still on time; from the 2019 calendar this is the last day "
            "on time. The reading is stored with the deadline (on time until)."
        )}

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("A deadline set by an administrator needs a reason."))
        return reason

    def cycle_check(self, data) -> dict:
        return {"due_on": data.get("due_on")}

    def clean(self):
        data = super().clean()
        if not self.instance.pk and data.get("member") and data.get("cycle"):
            # The cycle's rule-computed row is taken over (the sweep recorded it; the administrator now sets it).
            computed = Deadline.objects.filter(
                member=data["member"], kind=data.get("kind"), cycle=data["cycle"], source=Deadline.Source.RULE
            ).first()
            if computed:
                self.instance = computed
        # The source is never chosen: whatever an administrator enters is the administrator's.
        self.instance.source = Deadline.Source.ADMINISTRATOR
        return data


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyForRule, ServiceDeleteAdmin, ServiceSaveAdmin, GuardedHistoryAdmin):
    create_service = records.set_deadline
    update_service = records.update_deadline
    delete_service = records.delete_deadline
    form = DeadlineForm
    list_display = ["member", "kind", "cycle", "due_on", "on_time_until", "met_on", "source"]
    list_filter = ["kind", "source", "member"]
    search_fields = ["member__name", "member__code", "cycle", "reason", "reference"]
    date_hierarchy = "due_on"

    def get_readonly_fields(self, request, obj=None):
        return ["source", "met_on", "on_time_until"] if obj else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        saved = Deadline.objects.filter(pk=obj.pk).values_list("due_on", "on_time_until").first()
        if saved and saved[1] and saved[1] != saved[0]:
            # Say which reading the era gives the date (the 2014 rule and the 2015 calendar allow four months more).
            self.message_user(request, _(
                "Under the rule in force on %(due)s a plan up to four months late is on time: this deadline is met "
                "by a plan delivered until %(until)s."
            ) % {"due": saved[0].isoformat(), "until": saved[1].isoformat()}, messages.INFO)
        # Nothing accepted is silently ignored: say so when the rules use this deadline for no cycle up to today.
        used = Cycle.objects.filter(member_id=obj.member_id, due_on=obj.due_on, source=Deadline.Source.ADMINISTRATOR)
        if obj.kind == DeadlineKind.ACTION_PLAN and not used.exists():
            self.message_user(
                request,
                _(
                    "The rules use this deadline for none of the member's cycles up to today (it falls before the "
                    "cycle it names, or another deadline of yours already holds that cycle): check its day and cycle "
                    "on the member's compliance record."
                ),
                messages.WARNING,
            )


class DecisionForm(MemberScopedForm):
    class Meta:
        model = Decision
        fields = ["member", "kind", "decided_on", "cycle", "document", "summary", "due_on", "met_on"]

    def cycle_check(self, data) -> dict:
        return {"day": data.get("decided_on"), "required": data.get("kind") in engine.IRM_KINDS}

    def clean(self):
        data = super().clean()
        if data.get("member") or self.instance.pk:
            # The service's own rules, checked here so a refusal is a form error with its reason (never a 500).
            fields = ("member", "kind", "decided_on", "cycle")
            values = {k: data[k] for k in fields if k in data and (not self.instance.pk or k in self.changed_data)}
            try:
                records.decision_values(values, self.instance if self.instance.pk else None)
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Decision)
class DecisionAdmin(ServiceDeleteAdmin, ServiceSaveAdmin, GuardedHistoryAdmin):
    create_service = records.record_decision
    update_service = records.update_decision
    delete_service = records.delete_decision
    form = DecisionForm
    list_display = ["member", "kind", "decided_on", "cycle", "document", "due_on", "recorded_by"]
    list_filter = ["kind", "member"]
    search_fields = ["member__name", "member__code", "document", "summary", "cycle"]
    date_hierarchy = "decided_on"
    readonly_fields = ["recorded_by", "created_at"]


class FindingForm(MemberScopedForm):
    """An administrator's "contrary to process" finding; resolving it is a separate, reasoned step."""

    cycle_field = "period"
    kind = forms.ChoiceField(label=_("kind"), choices=[(Finding.Kind.CONTRARY_TO_PROCESS, Finding.Kind.CONTRARY_TO_PROCESS.label)])

    class Meta:
        model = Finding
        fields = ["member", "kind", "period", "effective_on", "reason", "reference"]

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("Say why the member acted contrary to process."))
        return reason

    def cycle_check(self, data) -> dict:
        return {"day": data.get("effective_on"), "required": True}

    def clean(self):
        data = super().clean()
        self.instance.source = Finding.Source.ADMINISTRATOR
        return data


class ResolveFindingForm(forms.Form):
    resolved_on = forms.DateField(label=_("resolved on"), widget=forms.DateInput(attrs={"type": "date"}))
    resolution = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Finding)
class FindingAdmin(ReadOnlyForRule, RecomputeOnSave, GuardedHistoryAdmin):
    form = FindingForm
    list_display = ["member", "kind", "subject", "period", "effective_on", "resolved_on", "source"]
    list_filter = ["kind", "source", "member", ("resolved_on", admin.EmptyFieldListFilter)]
    search_fields = ["member__name", "member__code", "period", "subject", "reason", "reference"]
    date_hierarchy = "effective_on"
    change_form_template = "admin/compliance/finding/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.resolved_on:
            return ["member", "kind", "period", "effective_on", "reason", "reference"]
        return ["member"] if obj else []

    def get_urls(self):
        from django.urls import path

        return [
            path("<int:pk>/resolve/", self.admin_site.admin_view(self.resolve_view), name="compliance_finding_resolve"),
        ] + super().get_urls()

    def resolve_view(self, request, pk):
        """Resolve an administrator's finding with a date and a reason (``records.resolve_admin_finding``)."""
        from django.template.response import TemplateResponse

        finding = Finding.objects.select_related("member").get(pk=pk)
        if not self.has_change_permission(request, finding):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = ResolveFindingForm(request.POST or None, initial={"resolved_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                records.resolve_admin_finding(
                    finding.pk, resolved_on=form.cleaned_data["resolved_on"],
                    reason=form.cleaned_data["resolution"], user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("The finding is resolved."), messages.SUCCESS)
                return redirect(reverse("admin:compliance_finding_change", args=[finding.pk]))
        context = {
            **self.admin_site.each_context(request), "title": _("Resolve the finding"), "finding": finding,
            "form": form, "opts": self.model._meta,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/compliance/finding/resolve.html", context, status=status)


class LetterForm(MemberScopedForm):
    class Meta:
        model = Letter
        fields = ["member", "kind", "dated", "document", "status_event", "decision", "summary"]


@admin.register(Letter)
class LetterAdmin(RecomputeAfterCommit, GuardedHistoryAdmin):
    form = LetterForm
    list_display = ["member", "kind", "dated", "document", "status_event"]
    list_filter = ["kind", "member"]
    search_fields = ["member__name", "member__code", "document", "summary"]
    date_hierarchy = "dated"


@admin.register(LetterProfile)
class LetterProfileAdmin(GuardedHistoryAdmin, TranslationAdmin):
    """The member's name per language (with its article; the Russian genitive) and its point of contact."""

    list_display = ["member", "contact_name", "contact_title", "name_in_letters"]
    search_fields = ["member__name", "member__code", "contact_name"]


class SweepOwned(ServiceOwnedAdmin, admin.ModelAdmin):
    """Rows only the sweep writes: visible, never edited by hand."""


@admin.register(StatusEvent)
class StatusEventAdmin(SweepOwned, GuardedHistoryAdmin):
    list_display = ["member", "status", "previous_status", "effective_on", "cycle", "reference"]
    list_filter = ["status", "member"]
    search_fields = ["member__name", "member__code", "cycle", "reason", "reference"]
    date_hierarchy = "effective_on"


@admin.register(Cycle)
class CycleAdmin(SweepOwned):
    list_display = ["member", "label", "starts_on", "due_on", "source", "plan", "met_on", "missed"]
    list_filter = ["missed", "source", "member"]


@admin.register(MemberStanding)
class MemberStandingAdmin(SweepOwned):
    list_display = ["member", "status", "status_since", "next_deadline", "next_deadline_kind", "open_findings", "swept_at", "page"]
    list_filter = ["status", "next_deadline_kind"]
    search_fields = ["member__name", "member__code"]
    actions = ["recompute"]

    @admin.display(description=_("Compliance record"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("compliance:admin_member", args=[obj.member.code]), _("Timeline"))

    @admin.action(description=_("Recompute now"), permissions=["view"])
    def recompute(self, request, queryset):
        for standing in queryset:
            sweep.recompute_member(standing.member_id)
        self.message_user(request, _("Recomputed."), messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "member", "email", "language", "claimed_at", "sent_at"]
    list_filter = ["kind", "language", "member", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "email", "subject", "member__code"]
    readonly_fields = [f.name for f in Notification._meta.fields]

