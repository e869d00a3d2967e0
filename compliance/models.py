"""Deadlines, findings and status events: where each member stands with OGP."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import ActionPlan, Member


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONTRARY_TO_PROCESS = "contrary_to_process", _("Acting contrary to process")
    UNDER_REVIEW = "under_review", _("Under procedural review")
    INACTIVE_RECOMMENDED = "inactive_recommended", _("Inactive recommended")
    INACTIVE = "inactive", _("Inactive")
    REMOVAL_RECOMMENDED = "removal_recommended", _("Removal recommended")


class Deadline(models.Model):
    """A due date a member must meet; computed by rule, or set by an administrator with a reason."""

    class Kind(models.TextChoices):
        ACTION_PLAN = "action_plan", _("Action plan delivery")
        STATUS_UPDATE = "status_update", _("Six-month status update")
        FORUM_MEETING = "forum_meeting", _("Forum meeting")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment report")

    class Source(models.TextChoices):
        RULE = "rule", _("Computed by rule")
        ADMINISTRATOR = "administrator", _("Set by an administrator")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="deadlines")
    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("action plan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines"
    )
    cycle = models.CharField(_("cycle"), max_length=32, blank=True, help_text=_("Such as 2021-2023."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    met_on = models.DateField(_("met on"), null=True, blank=True)
    source = models.CharField(_("set by"), max_length=16, choices=Source.choices, default=Source.RULE)
    reason = models.TextField(_("reason"), blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True, help_text=_("A letter or decision."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "due_on"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "cycle"], name="deadline_one_per_cycle"),
            models.CheckConstraint(
                condition=Q(source="rule") | ~Q(reason=""),
                name="deadline_admin_has_reason",
                violation_error_message=_("A deadline set by an administrator needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()} {self.cycle} ({self.due_on})"

    def clean(self):
        if self.source == self.Source.ADMINISTRATOR and not self.reason.strip():
            raise ValidationError({"reason": _("A deadline set by an administrator needs a reason.")})


class Finding(models.Model):
    """A missed obligation or an IRM finding, for one subject and period; resolved once met later."""

    class Kind(models.TextChoices):
        MISSED_STATUS_UPDATE = "missed_status_update", _("Missed six-month status update")
        MISSED_FORUM_MEETING = "missed_forum_meeting", _("Missed forum meeting")
        CONTRARY_TO_PROCESS = "contrary_to_process", _("Acting contrary to process")
        IRM_MINIMUM_REQUIREMENTS = "irm_minimum_requirements", _("IRM: minimum requirements not met")
        IRM_NO_PROGRESS = "irm_no_progress", _("IRM: no progress on any commitment")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    subject = models.CharField(
        _("subject"), max_length=64, blank=True, default="", help_text=_("What the finding is about, such as forum:3.")
    )
    period = models.CharField(_("cycle or period"), max_length=32, help_text=_("Such as 2022-Q2, 2022-H1 or 2021-2023."))
    effective_on = models.DateField(_("effective on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "-effective_on"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            # At most one finding per kind, subject and period: the sweep relies on this to stay idempotent.
            models.UniqueConstraint(fields=["member", "kind", "subject", "period"], name="finding_once_per_period"),
        ]
        indexes = [
            models.Index(fields=["member", "resolved_on"], name="finding_open_by_member"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()} {self.period}"

    def clean(self):
        if self.resolved_on and self.effective_on and self.resolved_on < self.effective_on:
            raise ValidationError({"resolved_on": _("A finding cannot be resolved before it takes effect.")})


class StatusEvent(models.Model):
    """A change of a member's OGP status, with its date, reason and the letter or decision behind it."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(_("status"), max_length=24, choices=MemberStatus.choices)
    previous_status = models.CharField(_("previous status"), max_length=24, choices=MemberStatus.choices, blank=True)
    effective_on = models.DateField(_("effective on"))
    cycle = models.CharField(_("cycle"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True, help_text=_("The letter or decision."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "effective_on"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        constraints = [
            models.UniqueConstraint(fields=["member", "status", "effective_on"], name="status_event_once"),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()} ({self.effective_on})"
