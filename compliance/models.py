"""Deadlines, findings and status events: where each member stands with OGP."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from commitments.models import ActionPlan, Member


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONTRARY_TO_PROCESS = "contrary_to_process", _("Acting contrary to process")
    UNDER_REVIEW = "under_review", _("Under procedural review")
    INACTIVE_RECOMMENDED = "inactive_recommended", _("Inactive recommended")
    INACTIVE = "inactive", _("Inactive")
    REMOVAL_RECOMMENDED = "removal_recommended", _("Removal recommended")
    # Only after a Steering Committee removal decision.
    REMOVED = "removed", _("Removed")


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
        pgettext_lazy("finding", "subject"), max_length=64, blank=True, default="", help_text=_("What the finding is about, such as forum:3.")
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

    class Meta:
        ordering = ["member", "effective_on"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        constraints = [
            models.UniqueConstraint(fields=["member", "status", "effective_on"], name="status_event_once"),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()} ({self.effective_on})"


class Policy(models.Model):
    """The compliance policy in force from a date, for every member (member empty) or for one member.

    The rules read the version in force on each day they judge: a member's own
    version wins over the default one while it is in force.
    """

    class DeadlineRule(models.TextChoices):
        CALENDAR_2019 = "calendar_2019", _("2019–2021 calendar: due 31 August, on time until 31 December")
        AFTER_PLAN_END_12M = "after_plan_end_12m", _("12 months after the end of the last plan")

    class Cadence(models.IntegerChoices):
        QUARTER = 3, _("Every quarter")
        HALF_YEAR = 6, _("Every six months")
        YEAR = 12, _("Every year")

    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="compliance_policies",
        help_text=_("Empty: the default for every member."),
    )
    effective_from = models.DateField(_("in force from"))
    forum_cadence_months = models.PositiveSmallIntegerField(
        _("forum meets"), choices=Cadence.choices, default=Cadence.QUARTER
    )
    update_cadence_months = models.PositiveSmallIntegerField(
        _("status update published"), choices=Cadence.choices, default=Cadence.HALF_YEAR
    )
    deadline_rule = models.CharField(
        _("action-plan deadline rule"), max_length=24, choices=DeadlineRule.choices, default=DeadlineRule.AFTER_PLAN_END_12M
    )
    under_review_after_cycles = models.PositiveSmallIntegerField(
        _("under review after consecutive cycles contrary to process"), default=2
    )
    inactive_after_years_without_plan = models.PositiveSmallIntegerField(
        _("inactive recommended after consecutive years without a plan"), default=3
    )
    removal_after_inactive_months = models.PositiveSmallIntegerField(
        _("removal recommended after months inactive"), default=12
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=0, help_text=_("Days after a period ends before a missed meeting or update is flagged.")
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("The OGP rule or decision this version follows."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "effective_from"]
        verbose_name = _("compliance policy")
        verbose_name_plural = _("compliance policies")
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from"], condition=Q(member__isnull=True), name="policy_one_default_per_date"
            ),
            models.UniqueConstraint(
                fields=["member", "effective_from"], condition=Q(member__isnull=False), name="policy_one_per_member_date"
            ),
            models.CheckConstraint(
                condition=Q(under_review_after_cycles__gte=1) & Q(inactive_after_years_without_plan__gte=1),
                name="policy_thresholds_positive",
            ),
        ]

    def __str__(self):
        who = self.member or _("all members")
        return f"{who} — {self.effective_from}"

    def as_rule(self):
        """Return the pure-rules version of this row."""
        from compliance.rules import PolicyVersion

        return PolicyVersion(
            effective_from=self.effective_from,
            forum_cadence_months=self.forum_cadence_months,
            update_cadence_months=self.update_cadence_months,
            deadline_rule=self.deadline_rule,
            under_review_after_cycles=self.under_review_after_cycles,
            inactive_after_years_without_plan=self.inactive_after_years_without_plan,
            removal_after_inactive_months=self.removal_after_inactive_months,
            grace_days=self.grace_days,
            member_specific=self.member_id is not None,
        )


class Decision(models.Model):
    """What only OGP decides, recorded by the administrator: IRM findings and Steering Committee decisions."""

    class Kind(models.TextChoices):
        IRM_MINIMUM_REQUIREMENTS = "irm_minimum_requirements", _("IRM: minimum requirements not met")
        IRM_NO_PROGRESS = "irm_no_progress", _("IRM: no progress on any commitment")
        SC_INACTIVE = "sc_inactive", _("Steering Committee: inactive")
        SC_REMOVAL = "sc_removal", _("Steering Committee: removal")
        SC_REACTIVATION = "sc_reactivation", _("Steering Committee: reactivation")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="ogp_decisions")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    decided_on = models.DateField(_("date"))
    cycle = models.CharField(_("cycle"), max_length=32, blank=True, help_text=_("Such as 2022-2024."))
    document = models.CharField(
        _("document"), max_length=500, help_text=_("The IRM report or the Steering Committee resolution: a title or a link.")
    )
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "decided_on"]
        verbose_name = _("OGP decision")
        verbose_name_plural = _("OGP decisions")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "decided_on"], name="decision_once_per_day"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()} ({self.decided_on})"

    def as_rule(self):
        from compliance.rules import DecisionInfo

        return DecisionInfo(self.kind, self.decided_on, self.cycle, self.document, self.summary)


class Notification(models.Model):
    """An email sent once: the unique key is claimed before sending, and ``sent_at`` set after."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Deadline reminder")
        FINDING = "finding", _("New finding")
        STATUS = "status", _("Status change")

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="compliance_notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    subject = models.CharField(pgettext_lazy("email", "subject"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # Used by the retry of claims whose sending crashed: unsent rows only.
            models.Index(fields=["claimed_at"], condition=Q(sent_at__isnull=True), name="notification_unsent"),
        ]

    def __str__(self):
        sent = self.sent_at or _("not sent")
        return f"{self.get_kind_display()} → {self.email} ({sent})"
