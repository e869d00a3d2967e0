"""Deadlines, findings and status events: where each member stands with OGP.

Over 600 lines as one cohesive thing: the models of one domain (policies, cycles, deadlines and their
extensions, findings, status events, decisions, letters, standings), which refer to each other; Django
looks for an app's models in this module.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from commitments.models import ActionPlan, Member

from .choices import (
    Cadence,
    DeadlineKind,
    DeadlineRule,
    DecisionKind,
    FindingKind,
    LetterKind,
    MemberStatus,
    Source,
)

__all__ = ["MemberStatus"]  # re-exported: ``from compliance.models import MemberStatus`` keeps working


class Deadline(models.Model):
    """A due date a member must meet; computed by rule, or set by an administrator with a reason."""

    Kind = DeadlineKind
    Source = Source

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
    delivered_on = models.DateField(
        _("delivered on"), null=True, blank=True,
        help_text=_("A self-assessment report: the day it was published (empty: not delivered)."),
    )
    on_time_until = models.DateField(
        _("on time until"), null=True, blank=True,
        help_text=_("The last day a plan still meets this deadline, as the era in force on its date reads it "
                    "(2014 rule and 2015 calendar: four months more; from the 2019 calendar: the date itself)."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "due_on"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # The home page's next deadlines portal-wide: the open ones from today on, soonest first (issue #20).
            models.Index(fields=["due_on"], condition=Q(met_on__isnull=True), name="deadline_open_due_on"),
            # The same, for the members read in name order: is a member's deadline due on a given day (issue #20).
            models.Index(fields=["member", "due_on"], condition=Q(met_on__isnull=True), name="deadline_open_member_due"),
        ]
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
        if self.plan_id and self.member_id and self.plan.member_id != self.member_id:
            raise ValidationError({"plan": _("The plan belongs to another member.")})
        if self.delivered_on and self.kind != self.Kind.SELF_ASSESSMENT:
            raise ValidationError({"delivered_on": _("Only a self-assessment report has a delivery day here.")})


class Finding(models.Model):
    """A missed obligation or an IRM finding, for one subject and period; resolved once met later."""

    Kind = FindingKind
    Source = Source

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    subject = models.CharField(
        pgettext_lazy("finding", "subject"), max_length=64, blank=True, default="", help_text=_("What the finding is about, such as forum:3.")
    )
    period = models.CharField(_("cycle or period"), max_length=32, help_text=_("Such as 2022-Q2, 2022-H1 or 2021-2023."))
    effective_on = models.DateField(_("effective on"))
    resolved_on = models.DateField(
        _("resolved on"), null=True, blank=True, help_text=_("An administrator's resolution of their finding, with its reason.")
    )
    met_again_on = models.DateField(
        _("met again on"), null=True, blank=True,
        help_text=_("The obligation was next met on this day: the run of missed ones ended; this one stays missed."),
    )
    withdrawn_on = models.DateField(
        _("withdrawn on"), null=True, blank=True, help_text=_("The corrected data no longer supports this finding.")
    )
    withdrawal_reason = models.TextField(_("why withdrawn"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    source = models.CharField(
        _("recorded by"), max_length=16, choices=Source.choices, default=Source.RULE,
        help_text=_("Findings set by an administrator count in the ladder and only an administrator resolves them."),
    )
    resolution = models.TextField(_("resolution"), blank=True, help_text=_("Why an administrator resolved the finding."))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
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
            models.UniqueConstraint(
                fields=["member", "kind", "subject", "period"], condition=Q(source="rule"), name="finding_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(source="rule") | Q(resolved_on__isnull=True) | ~Q(resolution=""),
                name="finding_admin_resolution_has_reason",
                violation_error_message=_("Resolving an administrator's finding needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["member", "resolved_on"], name="finding_open_by_member"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()} {self.period}"

    @property
    def is_open(self) -> bool:
        """Part of the current run: not resolved, not met again since, not withdrawn."""
        return self.resolved_on is None and self.met_again_on is None and self.withdrawn_on is None

    def clean(self):
        if self.resolved_on and self.effective_on and self.resolved_on < self.effective_on:
            raise ValidationError({"resolved_on": _("A finding cannot be resolved before it takes effect.")})
        joined = self.member.joined_on if self.member_id else None
        if self.source == Source.ADMINISTRATOR and joined and self.effective_on and self.effective_on < joined:
            raise ValidationError({"effective_on": _("A finding cannot take effect before the member joined OGP (%(joined)s).") % {
                "joined": joined.isoformat()}})


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


class PolicyQuerySet(models.QuerySet):
    def versions_for(self, members) -> dict:
        """Return ``{member pk: the policy versions that apply to it}`` for ``members`` in one query.

        The one reading of the stored versions; which apply is ``ogp.policy.versions_for`` (pure).
        ``members``: rows with ``pk`` and ``kind``.
        """
        from ogp.policy import versions_for

        from ogp_portal.compiled import compiled

        members = list(members)
        model = self.model

        def build(members):
            return model._default_manager.filter(Q(member__isnull=True) | Q(member_id__in=members)).order_by("member_id", "effective_from", "pk")

        # Compiled once per process and number of members (issue #20: building it cost more than running it).
        stored = list(compiled("policy-versions", build, members=[int(m.pk) for m in members]) if self._db is None and not self.query.where
                      else self.filter(Q(member__isnull=True) | Q(member_id__in=[m.pk for m in members])).order_by("member_id", "effective_from", "pk"))
        shared = tuple(p.as_rule() for p in stored if p.member_id is None)
        own: dict = {}
        for p in stored:
            if p.member_id is not None:
                own.setdefault(p.member_id, []).append(p.as_rule())
        return {m.pk: versions_for(m.kind, shared, tuple(own.get(m.pk, ()))) for m in members}


class Policy(models.Model):
    """The compliance policy in force from a date, for every member (member empty) or for one member.

    The rules read the version in force on each day they judge: a member's own
    version wins over the default one while it is in force.
    """

    DeadlineRule = DeadlineRule
    Cadence = Cadence

    class AppliesTo(models.TextChoices):
        ALL = "", _("Every member")
        NATIONAL = "national", _("National members")
        LOCAL = "local", _("OGP Local members")

    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="compliance_policies",
        help_text=_("Empty: the default for every member (or every member of the kind below)."),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=10, choices=AppliesTo.choices, default="", blank=True,
        help_text=_("OGP Local members are judged by their own rules when a version for them exists."),
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
    first_plan_months = models.PositiveSmallIntegerField(
        _("first plan due months after joining"), default=12, help_text=_("0: the first plan is not judged.")
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=0, help_text=_("Days after a period ends before a missed meeting or update is flagged.")
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("The OGP rule or decision this version follows."))
    history = HistoricalRecords()

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["member", "effective_from"]
        verbose_name = _("compliance policy")
        verbose_name_plural = _("compliance policies")
        constraints = [
            models.UniqueConstraint(
                fields=["applies_to", "effective_from"], condition=Q(member__isnull=True), name="policy_one_default_per_date"
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
        who = self.member or (self.get_applies_to_display() if self.applies_to else _("all members"))
        return f"{who} — {self.effective_from}"

    def clean(self):
        # A member's own version applies to that member whatever its kind: "applies to" would be ignored.
        if self.member_id and self.applies_to:
            raise ValidationError({"applies_to": _("A member's own policy applies to that member only: leave this empty.")})

    def as_rule(self):
        """Return the pure-rules version of this row."""
        from ogp.policy import PolicyVersion

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
            applies_to="" if self.member_id else self.applies_to,
            first_plan_months=self.first_plan_months,
        )


class Decision(models.Model):
    """What only OGP decides, recorded by the administrator: IRM findings and Steering Committee decisions."""

    Kind = DecisionKind

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="ogp_decisions")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    decided_on = models.DateField(_("date"))
    cycle = models.CharField(_("cycle"), max_length=32, blank=True, help_text=_("Such as 2022-2024."))
    document = models.CharField(
        _("document"), max_length=500, help_text=_("The IRM report or the Steering Committee resolution: a title or a link.")
    )
    summary = models.TextField(_("reason"), blank=True, help_text=_("Why OGP decided this, as stated in the document."))
    due_on = models.DateField(
        _("remedial deadline"), null=True, blank=True, help_text=_("For a remedial deadline: the day the remedy is due.")
    )
    met_on = models.DateField(
        _("remedy done on"), null=True, blank=True,
        help_text=_("For a remedial deadline: the day the member did what was asked (a plan delivered in time also counts)."),
    )
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
        from compliance.engine import DecisionInfo

        return DecisionInfo(self.kind, self.decided_on, self.cycle, self.document, self.summary, self.due_on, self.met_on)

    def clean(self):
        errors = {}
        if self.kind == DecisionKind.SC_REMEDIAL_DEADLINE and not self.due_on:
            errors["due_on"] = _("A remedial deadline needs its date.")
        if self.kind != DecisionKind.SC_REMEDIAL_DEADLINE and (self.due_on or self.met_on):
            errors["due_on"] = _("Only a remedial deadline has a due date.")
        if self.due_on and self.decided_on and self.due_on < self.decided_on:
            errors["due_on"] = _("The remedial deadline cannot be before the decision.")
        if self.met_on and self.due_on and not (self.decided_on and self.decided_on <= self.met_on <= self.due_on):
            # A remedy after the deadline would be ignored by the rules: refuse it, saying what counts instead.
            errors["met_on"] = _(
                "A remedial deadline is met between the decision and its date; a plan delivered later is entered as "
                "an action plan."
            )
        if not (self.summary or "").strip():
            errors["summary"] = _("Give the reason OGP stated for this decision.")
        if errors:
            raise ValidationError(errors)


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


class MemberStanding(models.Model):
    """Where a member stands today, written by the sweep only, so pages, filters and the API need not evaluate the rules.

    The healthchecks ``alert_after`` pattern: indexed columns read with a plain
    query (``Member.objects.filter(standing__status=...)``, ``order_by("standing__next_deadline")``).
    """

    member = models.OneToOneField(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="standing")
    status = models.CharField(_("status"), max_length=24, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    next_deadline = models.DateField(_("next deadline"), null=True, blank=True)
    next_deadline_kind = models.CharField(_("next deadline kind"), max_length=20, choices=DeadlineKind.choices, blank=True)
    plan_deadline = models.DateField(_("next action plan due"), null=True, blank=True)
    open_findings = models.PositiveIntegerField(_("open findings"), default=0)
    swept_at = models.DateTimeField(_("swept at"))
    # The portal-local day the rules were evaluated for: the reminders trust the stored deadlines of today's sweep only.
    # Emptied when the member's record changes (``signals``) until the member is swept again.
    evaluated_on = models.DateField(_("evaluated for"), null=True, blank=True)
    # Every upcoming deadline of the evaluation, [kind, due (ISO), subject, period, source, reason], soonest first
    # (the reason only for an administrator's: the one the compliance page shows); empty (null) until swept.
    upcoming = models.JSONField(_("upcoming deadlines"), null=True, blank=True)

    class Meta:
        verbose_name = _("member standing")
        verbose_name_plural = _("member standings")
        indexes = [
            models.Index(fields=["status"], name="standing_status"),
            models.Index(fields=["next_deadline"], name="standing_next_deadline"),
            # What the home page's rows read of a member's standing, from the index alone: the rows are ~1 KB
            # (``upcoming``), so without it PostgreSQL scanned all 3,000 to hash them for 75 members (issue #20).
            models.Index(fields=["member", "status", "open_findings", "plan_deadline"], name="standing_home_row"),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()}"


class Cycle(models.Model):
    """One action-plan cycle of a member: its deadline and the plan that met it; kept by the sweep from the rules.

    Findings, deadlines and decisions refer to a cycle by its label, chosen from
    the member's cycles in the admin.
    """

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="cycles")
    label = models.CharField(_("cycle"), max_length=32)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("plan due on"))
    late_until = models.DateField(_("still on time until"), null=True, blank=True)
    source = models.CharField(_("deadline set by"), max_length=16, choices=Source.choices, default=Source.RULE)
    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("action plan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cycles"
    )
    met_on = models.DateField(_("met on"), null=True, blank=True)
    missed = models.BooleanField(_("missed"), default=False)

    class Meta:
        ordering = ["member", "starts_on"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [models.UniqueConstraint(fields=["member", "label"], name="cycle_label_once")]

    def __str__(self):
        return f"{self.label} ({self.due_on})"


# The status each status letter announces (a caution, a decision notice or another letter announces none).
LETTER_STATUS = {
    LetterKind.CONTRARY_TO_PROCESS: MemberStatus.CONTRARY_TO_PROCESS,
    LetterKind.UNDER_REVIEW: MemberStatus.UNDER_REVIEW,
    LetterKind.INACTIVE_RECOMMENDATION: MemberStatus.INACTIVE_RECOMMENDED,
}


class Letter(models.Model):
    """A dated OGP letter, attached to the status event it announces (or the decision it notifies)."""

    Kind = LetterKind

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="ogp_letters")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    dated = models.DateField(_("dated"))
    document = models.CharField(_("document"), max_length=500, help_text=_("The letter's title or a link to it."))
    status_event = models.ForeignKey(
        StatusEvent, verbose_name=_("announces"), null=True, blank=True, on_delete=models.SET_NULL, related_name="letters",
        help_text=_("The status event the letter announces."),
    )
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "dated"]
        verbose_name = _("OGP letter")
        verbose_name_plural = _("OGP letters")

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()} ({self.dated})"

    def clean(self):
        errors = {}
        if self.status_event_id and self.member_id and self.status_event.member_id != self.member_id:
            errors["status_event"] = _("The status event belongs to another member.")
        if self.decision_id and self.member_id and self.decision.member_id != self.member_id:
            errors["decision"] = _("The decision belongs to another member.")
        if self.status_event_id and self.dated and self.status_event.effective_on > self.dated:
            errors["status_event"] = _("A letter cannot announce a status that takes effect after it is dated.")
        announces = LETTER_STATUS.get(self.kind)
        if announces and not errors.get("status_event"):
            # A status letter takes effect through the status the rules give: without it, it would be stored for nothing.
            if not self.status_event_id or self.status_event.status != announces:
                errors["status_event"] = _(
                    "Choose the status event this letter announces (%(status)s): the rules give the member's status; "
                    "if they do not give this one, correct the record (deadlines, decisions, findings) first."
                ) % {"status": MemberStatus(announces).label}
        if errors:
            raise ValidationError(errors)


class DeadlineExtension(models.Model):
    """A global extension of action-plan deadlines, such as the 2020 COVID-19 one (one record for every member)."""

    name = models.CharField(_("name"), max_length=200)
    due_from = models.DateField(_("for deadlines from"))
    due_to = models.DateField(_("for deadlines until"))
    until = models.DateField(_("plans accepted until"))
    cohort_switch = models.BooleanField(
        _("may switch cohort"), default=True,
        help_text=_("Nothing delivered by then moves the member to the next year's cohort without acting contrary to process."),
    )
    reason = models.TextField(_("reason"), help_text=_("The OGP decision behind the extension."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_from"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self):
        return self.name

    def clean(self):
        if self.due_from and self.due_to and self.due_to < self.due_from:
            raise ValidationError({"due_to": _("The end of the range cannot be before its start.")})
        if self.due_from and self.due_to:
            # The rules apply the first extension whose range holds a deadline: an overlapping one would be ignored.
            overlapping = DeadlineExtension.objects.filter(due_from__lte=self.due_to, due_to__gte=self.due_from).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError({"due_from": _("This range overlaps the extension “%(name)s”: change that one instead.") % {
                    "name": overlapping.first().name}})

    def as_rule(self):
        from compliance.engine import Extension

        return Extension(self.due_from, self.due_to, self.until, self.cohort_switch, self.reason)


class PlanExtension(models.Model):
    """A resolution extending every plan of a period by a stated time (the COVID-19 one: 2018–2020 plans by 12 months).

    The rules move the end of each plan ending in the range by ``months``: the next plan's deadline and the
    plan's implementation period (its status updates) follow.
    """

    name = models.CharField(_("name"), max_length=200)
    ends_from = models.DateField(_("for plans ending from"))
    ends_to = models.DateField(_("for plans ending until"))
    months = models.PositiveSmallIntegerField(_("extended by (months)"))
    reason = models.TextField(_("reason"), help_text=_("The OGP decision behind the extension."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["ends_from"]
        verbose_name = _("plan extension")
        verbose_name_plural = _("plan extensions")

    def __str__(self):
        return self.name

    def clean(self):
        if self.ends_from and self.ends_to and self.ends_to < self.ends_from:
            raise ValidationError({"ends_to": _("The end of the range cannot be before its start.")})
        if self.months == 0:
            raise ValidationError({"months": _("Give the time the plans are extended by.")})
        if self.ends_from and self.ends_to:
            overlapping = PlanExtension.objects.filter(ends_from__lte=self.ends_to, ends_to__gte=self.ends_from).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError({"ends_from": _("This range overlaps the extension “%(name)s”: change that one instead.") % {
                    "name": overlapping.first().name}})

    def as_rule(self):
        from compliance.engine import PlanExtension as Rule

        return Rule(self.ends_from, self.ends_to, self.months, self.reason)


class LetterProfile(models.Model):
    """How letters address a member: its point of contact, and its name in the forms each language needs.

    ``name_in_letters`` and ``name_genitive`` are kept per language (modeltranslation):
    English "the Kyrgyz Republic" / "the Kyrgyz Republic's", Russian
    "Кыргызская Республика" / "Кыргызской Республики".
    """

    member = models.OneToOneField(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="letter_profile")
    contact_name = models.CharField(_("point of contact"), max_length=200, blank=True)
    contact_title = models.CharField(_("title"), max_length=300, blank=True, help_text=_("Such as Minister of Digital Development."))
    name_in_letters = models.CharField(
        _("name in letters"), max_length=200, blank=True, help_text=_("With its article where the language needs one: the Kyrgyz Republic.")
    )
    name_genitive = models.CharField(
        _("name, possessive"), max_length=200, blank=True, help_text=_("The Kyrgyz Republic's; in Russian the genitive case.")
    )
    # History is registered in translation.py, after the per-language columns exist.

    class Meta:
        verbose_name = _("letter profile")
        verbose_name_plural = _("letter profiles")

    def __str__(self):
        return str(self.member)
