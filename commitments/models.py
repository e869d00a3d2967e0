"""Members, agencies, action plans, commitments, activities, milestones, progress.

History for the translated models is registered in ``translation.py``, after
their translated columns exist, so that history keeps every language.

Text fields marked in ``translation.py`` hold an English, a Russian and a Kyrgyz
version (``title_en``, ``title_ru``, ``title_ky``); reading ``title`` gives the
active language, falling back to English.
"""

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Member(models.Model):
    """An OGP member: a national government or an OGP Local member."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("National")
        LOCAL = "local", _("OGP Local")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NATIONAL)
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("OGP identifier prefix, such as KG or KGBSK; commitment identifiers start with it."),
    )
    country = models.CharField(_("country"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("national member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_members",
        help_text=_("For an OGP Local member, the national member of its country."),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.NATIONAL and self.parent_id:
            raise ValidationError({"parent": _("A national member cannot belong to another member.")})
        if self.code and not self.code.isalnum():
            raise ValidationError({"code": _("The code may contain only letters and digits.")})

    def get_absolute_url(self):
        return reverse("commitments:member", args=[self.code])


class Agency(models.Model):
    """An implementing institution: a ministry, a city department, a CSO."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        MULTILATERAL = "multilateral", _("Multilateral")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STATE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["member", "name"], name="agency_unique_name_per_member"),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Role(models.Model):
    """What a user may do for a member: point of contact, agency coordinator, forum secretariat."""

    class Kind(models.TextChoices):
        POINT_OF_CONTACT = "point_of_contact", _("Point of contact")
        COORDINATOR = "coordinator", _("Agency coordinator")
        SECRETARIAT = "secretariat", _("Forum secretariat")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="ogp_roles")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "member", "kind", "agency"], name="role_unique_with_agency", condition=Q(agency__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["user", "member", "kind"], name="role_unique_without_agency", condition=Q(agency__isnull=True)
            ),
            models.CheckConstraint(
                condition=~Q(kind="coordinator") | Q(agency__isnull=False),
                name="role_coordinator_has_agency",
                violation_error_message=_("A coordinator role needs an agency."),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} ({self.agency or self.member})"

    def clean(self):
        if self.kind == self.Kind.COORDINATOR and not self.agency_id:
            raise ValidationError({"agency": _("A coordinator role needs an agency.")})
        if self.agency_id and self.member_id and self.agency.member_id != self.member_id:
            raise ValidationError({"agency": _("The agency belongs to another member.")})


def _validate_period(start, end, start_field="start_date", end_field="end_date"):
    if start and end and end < start:
        raise ValidationError({end_field: _("The end date cannot be before the start date.")})


class ActionPlanQuerySet(models.QuerySet):
    def delivered_by(self, day):
        """Return plans submitted on or before ``day``."""
        return self.filter(submitted_on__isnull=False, submitted_on__lte=day)


class ActionPlan(models.Model):
    """A member's set of commitments for one cycle."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("title"), max_length=300)
    start_date = models.DateField(_("implementation starts"), null=True, blank=True)
    end_date = models.DateField(_("implementation ends"), null=True, blank=True)
    submitted_on = models.DateField(
        _("submitted on"), null=True, blank=True, help_text=_("The day the plan was delivered (uploaded to OGP).")
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approval_act = models.CharField(
        _("approval act"), max_length=300, blank=True, help_text=_("The act that adopted the plan, such as a government decree.")
    )
    lead_institutions = models.ManyToManyField(
        Agency, verbose_name=_("lead institutions"), blank=True, related_name="led_plans"
    )
    monitoring_body = models.CharField(
        _("monitoring body"), max_length=300, blank=True, help_text=_("For OGP Local: the independent monitoring body.")
    )
    co_creation = models.TextField(_("co-creation"), blank=True, help_text=_("How the plan was co-created."))
    themes = models.JSONField(_("themes"), default=list, blank=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["member", "-start_date"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self):
        return self.title

    def clean(self):
        _validate_period(self.start_date, self.end_date)
        if not self.start_date and not self.submitted_on:
            # The compliance rules date a plan by its submission (or its start): without either it would be ignored.
            raise ValidationError(
                {"submitted_on": _("Give the day the plan was submitted or the day its implementation starts.")}
            )

    def get_absolute_url(self):
        return reverse("commitments:plan", args=[self.pk])


class OGPValues(models.TextChoices):
    ACCESS_TO_INFORMATION = "access_to_information", _("Access to information")
    CIVIC_PARTICIPATION = "civic_participation", _("Civic participation")
    PUBLIC_ACCOUNTABILITY = "public_accountability", _("Public accountability")
    TECHNOLOGY_INNOVATION = "technology_innovation", _("Technology and innovation")


class Commitment(models.Model):
    """One commitment of an action plan, with every field of OGP's template."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("action plan"), on_delete=models.CASCADE, related_name="commitments")
    number = models.PositiveIntegerField(_("number in the plan"), null=True, blank=True)
    identifier = models.CharField(
        _("identifier"), max_length=32, unique=True, help_text=_("OGP's identifier, such as KG0012 or KGBSK0001.")
    )
    title = models.CharField(_("title"), max_length=500)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("lead implementing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_commitments",
    )
    other_state_actors = models.TextField(_("other state actors involved"), blank=True)
    other_actors = models.TextField(_("CSOs, private sector, multilaterals, working groups"), blank=True)
    problem = models.TextField(_("What is the public problem that the commitment will address?"), blank=True)
    description = models.TextField(_("What is the commitment?"), blank=True)
    contribution = models.TextField(_("How will the commitment contribute to solve the public problem?"), blank=True)
    relevance = models.TextField(_("Why is this commitment relevant to OGP values?"), blank=True)
    additional_information = models.TextField(_("additional information"), blank=True)
    expected_results = models.TextField(_("expected results"), blank=True)
    ogp_values = models.JSONField(_("OGP values"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_title = models.CharField(_("title, department"), max_length=300, blank=True)
    contact_email = models.CharField(_("email"), max_length=300, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "number", "identifier"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return f"{self.identifier} — {self.title}"

    def clean(self):
        _validate_period(self.start_date, self.end_date)
        errors = {}
        if self.plan_id and self.identifier:
            code = self.plan.member.code
            if not self.identifier.startswith(code):
                errors["identifier"] = _("The identifier must start with the member's code %(code)s.") % {"code": code}
            clash = Commitment.objects.filter(identifier=self.identifier, plan__member_id=self.plan.member_id)
            if clash.exclude(pk=self.pk).exists():
                errors["identifier"] = _("This member already has a commitment with identifier %(id)s.") % {
                    "id": self.identifier
                }
        if self.lead_agency_id and self.plan_id and self.lead_agency.member_id != self.plan.member_id:
            errors["lead_agency"] = _("The lead agency belongs to another member.")
        bad = [v for v in self.ogp_values or [] if v not in OGPValues.values]
        if bad:
            errors["ogp_values"] = _("Unknown OGP value: %(v)s.") % {"v": ", ".join(bad)}
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("commitments:commitment", args=[self.identifier])

    def get_ogp_values_display(self):
        labels = dict(OGPValues.choices)
        return [labels[v] for v in self.ogp_values or [] if v in labels]


class Activity(models.Model):
    """A numbered group of milestones ("Activity 1: …") with its expected results."""

    commitment = models.ForeignKey(Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="activities")
    number = models.PositiveIntegerField(_("number"))
    title = models.TextField(_("title"), blank=True)
    expected_results = models.TextField(_("expected results"), blank=True)

    class Meta:
        ordering = ["commitment", "number"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="activity_unique_number"),
        ]

    def __str__(self):
        return _("Activity %(n)s: %(title)s") % {"n": self.number, "title": self.title}


class DatePrecision(models.TextChoices):
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


def period_end(day, precision):
    """Return the last day a date of the given precision stands for (a month's last day)."""
    if day is None or precision == DatePrecision.DAY:
        return day
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def parse_partial_date(value):
    """Return (date, precision) for ``YYYY-MM`` or ``YYYY-MM-DD``."""
    if not value:
        return None, DatePrecision.DAY
    parts = value.split("-")
    if len(parts) == 2:
        return dt.date(int(parts[0]), int(parts[1]), 1), DatePrecision.MONTH
    return dt.date.fromisoformat(value), DatePrecision.DAY


class Milestone(models.Model):
    """A verifiable deliverable with budget source(s) and dates at month or day precision."""

    commitment = models.ForeignKey(Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="milestones")
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), null=True, blank=True, on_delete=models.CASCADE, related_name="milestones"
    )
    number = models.CharField(_("number"), max_length=16, help_text=_("As in the plan, such as 1.2."))
    deliverable = models.TextField(_("deliverable"))
    budget_development_partners = models.BooleanField(_("development partners' funds"), default=False)
    budget_national = models.BooleanField(_("within the national budget"), default=False)
    budget_text = models.CharField(_("budget as written"), max_length=300, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    start_precision = models.CharField(
        _("start precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(_("end precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)

    class Meta:
        ordering = ["commitment", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="milestone_unique_number"),
        ]

    def __str__(self):
        return f"{self.number} {self.deliverable[:80]}"

    @property
    def ends_on(self):
        """Return the last day the milestone's end stands for."""
        return period_end(self.end_date, self.end_precision)

    def budget_sources(self):
        sources = []
        if self.budget_development_partners:
            sources.append(_("Development partners' funds"))
        if self.budget_national:
            sources.append(_("Within the national budget"))
        return sources

    def clean(self):
        errors = {}
        for field in ("start", "end"):
            day, precision = getattr(self, f"{field}_date"), getattr(self, f"{field}_precision")
            if day and precision == DatePrecision.MONTH and day.day != 1:
                errors[f"{field}_date"] = _("A date of month precision must be the first of the month.")
        if self.start_date and self.end_date and self.ends_on < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.activity_id and self.commitment_id and self.activity.commitment_id != self.commitment_id:
            errors["activity"] = _("The activity belongs to another commitment.")
        c = self.commitment if self.commitment_id else None
        if c and c.start_date and self.start_date and period_end(self.start_date, self.start_precision) < c.start_date:
            errors["start_date"] = _("The milestone cannot start before its commitment (%(d)s).") % {
                "d": date_format(c.start_date, "DATE_FORMAT")
            }
        if c and c.end_date and self.start_date and self.end_date and self.end_date > c.end_date:
            errors["end_date"] = _("The milestone cannot end after its commitment (%(d)s).") % {
                "d": date_format(c.end_date, "DATE_FORMAT")
            }
        if errors:
            raise ValidationError(errors)

    def format_date(self, which):
        day, precision = getattr(self, f"{which}_date"), getattr(self, f"{which}_precision")
        if day is None:
            return ""
        return date_format(day, "YEAR_MONTH_FORMAT" if precision == DatePrecision.MONTH else "DATE_FORMAT")


class Completion(models.TextChoices):
    """OGP's completion scale (IRM), plus Withdrawn as used by some trackers."""

    NO_EVIDENCE = "no_evidence", _("No evidence available")
    NOT_STARTED = "not_started", _("Not started")
    LIMITED = "limited", _("Limited")
    SUBSTANTIAL = "substantial", _("Substantial")
    COMPLETE = "complete", _("Complete")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def validate_evidence_links(value):
    if not isinstance(value, list):
        raise ValidationError(_("Evidence must be a list of links."))
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        try:
            check(link)
        except ValidationError:
            raise ValidationError(_("“%(link)s” is not a valid web address.") % {"link": link}) from None


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=ProgressUpdate.State.PUBLISHED)


class ProgressUpdate(models.Model):
    """Progress on one milestone for one reporting period."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PUBLISHED = "published", _("Published")

    milestone = models.ForeignKey(Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="progress_updates")
    period_start = models.DateField(_("reporting period starts"))
    period_end = models.DateField(_("reporting period ends"))
    completion = models.CharField(_("completion"), max_length=20, choices=Completion.choices)
    narrative = models.TextField(_("narrative"), blank=True)
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True, validators=[validate_evidence_links])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "milestone"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.UniqueConstraint(fields=["milestone", "period_start", "period_end"], name="progress_one_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="progress_period_ordered",
                violation_error_message=_("The reporting period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="progress_published_has_date",
            ),
        ]
        indexes = [
            # Used by the six-month-update rule: latest published update per member.
            models.Index(fields=["state", "published_at"], name="progress_state_published"),
        ]

    def __str__(self):
        return f"{self.milestone.number} {self.period_start}–{self.period_end}: {self.get_completion_display()}"

    def clean(self):
        _validate_period(self.period_start, self.period_end, "period_start", "period_end")
