"""Members, agencies, action plans, commitments, activities, milestones, progress.

History for the translated models is registered in ``translation.py``, after
their translated columns exist, so that history keeps every language.

Text fields marked in ``translation.py`` hold an English, a Russian and a Kyrgyz
version (``title_en``, ``title_ru``, ``title_ky``); reading ``title`` gives the
active language, falling back to English.

Over 600 lines as one cohesive thing: the models of one domain, an action plan and what hangs
from it (down to progress, evidence and status reports), with their validation.  Django looks for an
app's models in this module; split, the foreign keys and ``clean()`` rules that span them would be scattered.
"""

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, NullIf, Upper
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ogp.signals import member_record_checking
from ogp_portal.text_limits import LONG_TEXT, bounded



def shown_name_order(code, prefix=""):
    """The member's name as pages show it in language ``code``: its own, else the English one.

    The commitment list is ordered by it (``commitments/filters.py``), through ``member_shown_name_<code>``:
    ordering by the Russian or Kyrgyz column alone tied every member without a name in that language,
    and PostgreSQL sorted every commitment (issue #20: 330 ms at scale 10 for ``/ru/commitments/``).
    """
    english = models.F(f"{prefix}name_en")
    if code == "en":
        return english
    return Coalesce(NullIf(models.F(f"{prefix}name_{code}"), models.Value("")), english)


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
    # History: registered in translation.py, after the name's per-language columns exist.

    class Meta:
        ordering = ["kind", "name"]
        # The commitment list is ordered by member name (in the active language), then plan and number:
        # with these, PostgreSQL reads members in name order and stops after a page (issue #12).
        indexes = [
            *(models.Index(fields=[f"name_{code}"], name=f"member_name_{code}") for code in ("en", "ru", "ky")),
            # The name as shown in Russian and Kyrgyz (English where there is none: shown_name_order).
            *(models.Index(shown_name_order(code), name=f"member_shown_name_{code}") for code in ("ru", "ky")),
        ]
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
    # History: registered in translation.py, after the name's per-language columns exist.

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
    co_creation = models.TextField(_("co-creation"), blank=True, help_text=_("How the plan was co-created."), **bounded(LONG_TEXT))
    themes = models.JSONField(_("themes"), default=list, blank=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["member", "-start_date"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        indexes = [
            # The commitment list's order (member, newest plan first): walked member by member, not sorted.
            models.Index(fields=["member", "-start_date"], name="plan_member_start"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        _validate_period(self.start_date, self.end_date)
        if not self.start_date and not self.submitted_on:
            # The compliance rules date a plan by its submission (or its start): without either it would be ignored.
            raise ValidationError(
                {"submitted_on": _("Give the day the plan was submitted or the day its implementation starts.")}
            )
        errors = {}
        if self.submitted_on and self.end_date and self.submitted_on > self.end_date:
            # A plan delivered after its own end would meet a cycle it never served: refused, not mis-read.
            errors["submitted_on"] = _("A plan cannot be submitted after its implementation ends.")
        delivered = self.submitted_on or self.start_date
        joined = self.member.joined_on if self.member_id else None
        if delivered and joined and delivered < joined:
            # The compliance rules judge cycles from joining: a plan before it would be ignored.
            errors["submitted_on" if self.submitted_on else "start_date"] = _(
                "The plan is dated before the member joined OGP (%(joined)s): correct the plan's dates or the "
                "member's joining date."
            ) % {"joined": self.member.joined_on.isoformat()}
        if delivered and self.member_id and not errors:
            # Taken into account or refused, never ignored (issue 19.3): the compliance layer refuses a plan
            # the rules would ignore (one dated after the member's removal) with its reason.
            try:
                member_record_checking.send(
                    sender=ActionPlan, member=self.member, day=delivered,
                    field="submitted_on" if self.submitted_on else "start_date",
                )
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("commitments:plan", args=[self.pk])


class OGPValues(models.TextChoices):
    ACCESS_TO_INFORMATION = "access_to_information", _("Access to information")
    CIVIC_PARTICIPATION = "civic_participation", _("Civic participation")
    PUBLIC_ACCOUNTABILITY = "public_accountability", _("Public accountability")
    TECHNOLOGY_INNOVATION = "technology_innovation", _("Technology and innovation")


class Completion(models.TextChoices):
    """OGP's completion scale (IRM), plus Withdrawn as used by some trackers."""

    NO_EVIDENCE = "no_evidence", _("No evidence available")
    NOT_STARTED = "not_started", _("Not started")
    LIMITED = "limited", _("Limited")
    SUBSTANTIAL = "substantial", _("Substantial")
    COMPLETE = "complete", _("Complete")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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
    other_state_actors = models.TextField(_("other state actors involved"), blank=True, **bounded(LONG_TEXT))
    other_actors = models.TextField(_("CSOs, private sector, multilaterals, working groups"), blank=True, **bounded(LONG_TEXT))
    problem = models.TextField(_("What is the public problem that the commitment will address?"), blank=True, **bounded(LONG_TEXT))
    description = models.TextField(_("What is the commitment?"), blank=True, **bounded(LONG_TEXT))
    contribution = models.TextField(_("How will the commitment contribute to solve the public problem?"), blank=True, **bounded(LONG_TEXT))
    relevance = models.TextField(_("Why is this commitment relevant to OGP values?"), blank=True, **bounded(LONG_TEXT))
    additional_information = models.TextField(_("additional information"), blank=True, **bounded(LONG_TEXT))
    expected_results = models.TextField(_("expected results"), blank=True, **bounded(LONG_TEXT))
    ogp_values = models.JSONField(_("OGP values"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_title = models.CharField(_("title, department"), max_length=300, blank=True)
    contact_email = models.CharField(_("email"), max_length=300, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The completion roll-up (:func:`rollup_completion`), stored so that lists, filters, exports and the
    # API read it from the row. Written only by ``progress.refresh_completion`` (never by a person, and
    # outside history and ``version``: a review elsewhere must not make a coordinator's edit stale).
    completion = models.CharField(
        _("completion"),
        max_length=20,
        choices=Completion.choices,
        blank=True,
        default="",
        editable=False,
        help_text=_("Rolled up from the milestones' latest approved updates; empty while none is approved."),
    )
    completion_percent = models.PositiveSmallIntegerField(_("percent complete"), default=0, editable=False)
    # When the newest published update of any of its milestones (by period end, then publication) was
    # published; NULL while none is. Stored like the roll-up, by ``progress.refresh_completion`` only
    # (outside history and ``version``), so the list sorts by it from an index (issue #20: a sub-select
    # per commitment, every one sorted, took ~2 s at scale 10). The rule: ``filters._latest_update_at``.
    latest_update_at = models.DateTimeField(_("Last published update"), null=True, blank=True, editable=False)
    # How many of its milestones are overdue (``filters.overdue_milestones_q``), stored with the days it holds for:
    # from ``overdue_from`` (the day it was counted for; NULL: never counted) up to, not including, ``overdue_until``
    # (NULL: for good). Kept by ``commitments.overdue_counts`` (outside history and ``version``), so the list can sort
    # by it from an index (issue #20: counted for every commitment, 97 % have some, 1.1-4.3 s at scale 10).
    overdue_stored = models.PositiveIntegerField(_("Overdue milestones"), default=0, editable=False)
    overdue_from = models.DateField(null=True, blank=True, editable=False)
    overdue_until = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["plan", "number", "identifier"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [
            # Used by the completion filter of the commitment list, the export and the API.
            models.Index(fields=["completion"], name="commitment_completion"),
            # Used to sort by how far a commitment has come.
            models.Index(fields=["completion_percent"], name="commitment_completion_pct"),
            # The list's search finds a commitment by its identifier in any case (``identifier__iexact``).
            models.Index(Upper("identifier"), name="commitment_identifier_upper"),
            # The theme filter's options: the distinct theme lists, read by skipping through this index.
            models.Index(fields=["themes"], name="commitment_themes"),
            # The list's other sort orders (title in the visitor's language, end date, number): a page is
            # read from the index in order, not every commitment sorted (2.3 s by title at scale 10).
            models.Index(fields=["title_en"], name="commitment_title_en"),
            models.Index(fields=["title_ru"], name="commitment_title_ru"),
            models.Index(fields=["title_ky"], name="commitment_title_ky"),
            # End date and number, both ways, ties by identifier as ``filters.MemberNameOrdering`` orders them:
            # a few distinct numbers (and days) each hold thousands of commitments, so an index of the key alone
            # still sorted them all by identifier (scale 10, unsearched: by number 76 -> 19 ms, by end date
            # 69 -> 16 ms; searched "open data" 163 -> 38 and 202 -> 53 ms; issue #20).
            models.Index(fields=["end_date", "identifier"], name="commitment_end_identifier"),
            models.Index(fields=["-end_date", "identifier"], name="commitment_end_desc_ident"),
            models.Index(fields=["number", "identifier"], name="commitment_number_identifier"),
            models.Index(fields=["-number", "identifier"], name="commitment_number_desc_ident"),
            # The list's sort by last published update, both ways, ties by identifier (as
            # ``filters.MemberNameOrdering`` orders them): NULLs last ascending, first descending, as
            # PostgreSQL orders them by default, so a page is read from the index in order.
            models.Index(fields=["latest_update_at", "identifier"], name="commitment_latest_update"),
            models.Index(fields=["-latest_update_at", "identifier"], name="commitment_latest_update_desc"),
            # The list's sort by the stored overdue count, both ways, ties by identifier; and the daily refresh of
            # the counts whose window has ended (``overdue_counts.refresh_lapsed_counts``).
            models.Index(fields=["-overdue_stored", "identifier"], name="commitment_overdue_desc"),
            models.Index(fields=["overdue_stored", "identifier"], name="commitment_overdue_identifier"),
            models.Index(fields=["overdue_until"], name="commitment_overdue_until"),
            models.Index(fields=["overdue_from"], name="commitment_overdue_from"),
        ]

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

    @property
    def stored_rollup(self):
        """Return the stored completion roll-up (``completion``, ``completion_percent``) as a :class:`Rollup`."""
        return Rollup(self.completion or None, self.completion_percent)


class Activity(models.Model):
    """A numbered group of milestones ("Activity 1: …") with its expected results."""

    commitment = models.ForeignKey(Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="activities")
    number = models.PositiveIntegerField(_("number"))
    title = models.TextField(_("title"), blank=True, **bounded(LONG_TEXT))
    expected_results = models.TextField(_("expected results"), blank=True, **bounded(LONG_TEXT))

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
    deliverable = models.TextField(_("deliverable"), **bounded(LONG_TEXT))
    budget_development_partners = models.BooleanField(_("development partners' funds"), default=False)
    budget_national = models.BooleanField(_("within the national budget"), default=False)
    budget_text = models.CharField(_("budget as written"), max_length=300, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    start_precision = models.CharField(
        _("start precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(_("end precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Done: an approved (published) update says complete or withdrawn, so the milestone is never overdue
    # (``filters.overdue_milestones_q``). Derived, like the commitment's roll-up: written only by
    # ``progress.refresh_done_flags`` (never by a person, outside history and ``version``).
    done = models.BooleanField(_("done"), default=False, editable=False)

    class Meta:
        ordering = ["commitment", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="milestone_unique_number"),
        ]
        indexes = [
            # The overdue-milestones count (home page, list filter, exports): the milestones not done,
            # by end (issue #12: an anti-join with 2.7 million updates at scale 10 without the flag).
            models.Index(fields=["end_date", "end_precision"], condition=Q(done=False), name="milestone_open_end"),
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


def validate_evidence_links(value):
    """Validate the former ``evidence_links`` list (kept for migration 0001; evidence is now :class:`Evidence`)."""
    if not isinstance(value, list):
        raise ValidationError(_("Evidence must be a list of links."))
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        try:
            check(link)
        except ValidationError:
            raise ValidationError(_("“%(link)s” is not a valid web address.") % {"link": link}) from None


# Points on OGP's scale, used by the roll-up rule below (withdrawn milestones do not count).
COMPLETION_POINTS = {
    Completion.NO_EVIDENCE: 0,
    Completion.NOT_STARTED: 0,
    Completion.LIMITED: 1,
    Completion.SUBSTANTIAL: 2,
    Completion.COMPLETE: 3,
}


@dataclass(frozen=True)
class Rollup:
    """A commitment's completion rolled up from its milestones."""

    level: str | None  # a Completion value, or None when no milestone has an approved update
    percent: int  # 0–100
    reported: int | None = None  # milestones with an approved update (None: not known, as in the stored columns)
    counted: int | None = None  # milestones that count (not withdrawn)

    def get_level_display(self):
        return Completion(self.level).label if self.level else _("No approved update yet")


# The roll-up rule in words, for people: the open-data page and the API's field docs show this text.
ROLLUP_RULE = _(
    "A commitment's completion rolls up from its milestones: each milestone counts with the completion of its "
    "latest approved update (a milestone without one counts as not started; a withdrawn milestone does not count). "
    "Not started and no evidence earn 0 points, limited 1, substantial 2, complete 3; the percentage is the points "
    "earned out of 3 per milestone counted, rounded down. The level is complete when the percentage is 100, "
    "substantial from 50, limited above 0, otherwise not started; withdrawn when every milestone is withdrawn; "
    "empty while no milestone has an approved update."
)


def rollup_completion(milestone_levels):
    """Return the commitment's :class:`Rollup` from its milestones' latest approved completion levels.

    The one rule (:data:`ROLLUP_RULE` says it in words on the open-data page and in the API docs).
    The plan page, the commitment page and the status report compute it from the updates they show;
    it is also stored on each commitment (``Commitment.completion`` and ``completion_percent``, by
    ``progress.refresh_completion`` whenever an approved update or a milestone changes), and the
    commitment list, its completion filter, the exports and the API read those stored columns:

    * each milestone counts with the level of its latest approved update; a milestone without one
      counts as "not started"; a withdrawn milestone does not count;
    * points: not started / no evidence 0, limited 1, substantial 2, complete 3;
      ``percent`` = points earned / (3 × milestones counted), rounded down;
    * level: complete at 100 %, substantial from 50 %, limited above 0 %, otherwise not started;
      "withdrawn" when every milestone is withdrawn; ``None`` when no milestone has an approved update.
    """
    levels = list(milestone_levels)
    reported = sum(1 for level in levels if level)
    counted = [level for level in levels if level != Completion.WITHDRAWN]
    if not reported:
        return Rollup(None, 0, 0, len(counted))
    if not counted:
        return Rollup(Completion.WITHDRAWN, 0, reported, 0)
    points = sum(COMPLETION_POINTS.get(level, 0) for level in counted)
    percent = points * 100 // (3 * len(counted))
    if percent >= 100:
        level = Completion.COMPLETE
    elif percent >= 50:
        level = Completion.SUBSTANTIAL
    elif percent > 0:
        level = Completion.LIMITED
    else:
        level = Completion.NOT_STARTED
    return Rollup(level, percent, reported, len(counted))


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self):
        """Return approved updates: approved is public."""
        return self.filter(state=ProgressUpdate.State.PUBLISHED)


class ProgressUpdate(models.Model):
    """Progress on one milestone for one reporting period.

    States: a draft is kept until its author submits it; the point of contact approves a
    submitted update (it becomes public, ``published``) or returns it with a comment, after
    which it can be edited and submitted again. ``published`` is the stored value of
    "approved": ``ProgressUpdate.objects.published()`` is what the public sees.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        PUBLISHED = "published", _("Approved (public)")

    EDITABLE_STATES = (State.DRAFT, State.RETURNED)

    milestone = models.ForeignKey(Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="progress_updates")
    period_start = models.DateField(_("reporting period starts"))
    period_end = models.DateField(_("reporting period ends"))
    as_of = models.DateField(_("as of"), null=True, blank=True, help_text=_("The day this progress is reported as of."))
    completion = models.CharField(_("completion"), max_length=20, choices=Completion.choices)
    narrative = models.TextField(_("narrative"), blank=True, **bounded(LONG_TEXT))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("review comment"), blank=True, **bounded(LONG_TEXT))
    published_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    self_approved = models.BooleanField(
        _("approved by its author"),
        default=False,
        help_text=_("The member has a single point of contact, who approved their own update."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "milestone"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "period_start", "period_end"],
                name="progress_one_per_period",
                violation_error_message=_("This milestone already has an update for this reporting period."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="progress_period_ordered",
                violation_error_message=_("The reporting period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="progress_published_has_date",
                violation_error_message=_("An approved update needs the date it was approved."),
            ),
        ]
        indexes = [
            # Used by the six-month-update rule: latest published update per member.
            models.Index(fields=["state", "published_at"], name="progress_state_published"),
            # The overdue-milestones count (home page, list filter): the few updates that close a milestone
            # (issue #12: a sequential scan of 2.7 million updates at scale 10 without it).
            models.Index(
                fields=["milestone"],
                condition=Q(state="published", completion__in=["complete", "withdrawn"]),
                name="progress_done",
            ),
            # The commitment list's (and API's) latest-update and contested columns: a commitment's published
            # updates through its milestones, read from this index alone (issue #20: index-only, no visit to
            # the updates' wide rows).
            models.Index(
                fields=["milestone", "period_end", "published_at", "id"],
                condition=Q(state="published"),
                name="progress_published_milestone",
            ),
            # The review queue (and "My work"'s): a member's updates waiting for review, probed per milestone in
            # this small index instead of every update of each milestone (issue #20: ~0.95 -> ~0.45 ms at scale 10).
            models.Index(fields=["milestone"], condition=Q(state="submitted"), name="progress_submitted_milestone"),
            # "My work"'s totals: each milestone's latest update (by period, then change) and whether one covers the
            # period, read from this index alone rather than sorting each milestone's updates (issue #20: a point of
            # contact's totals ~1.0 -> ~0.75 ms at scale 10).
            models.Index(fields=["milestone", "-period_end", "-updated_at", "completion", "period_start"], name="progress_latest_milestone"),
        ]

    def __str__(self):
        return f"{self.milestone.number} {self.period_start}–{self.period_end}: {self.get_completion_display()}"

    @property
    def is_editable(self):
        return self.state in self.EDITABLE_STATES

    def clean(self):
        _validate_period(self.period_start, self.period_end, "period_start", "period_end")
        if self.state == self.State.PUBLISHED and not self.published_at:
            raise ValidationError({"published_at": _("An approved update needs the date it was approved.")})


def evidence_upload_to(instance, filename):
    """Return a random storage name: the uploaded name is kept only as ``original_name``."""
    return f"evidence/{secrets.token_hex(16)}"


class Evidence(models.Model):
    """A link or an uploaded file backing a progress update.

    Files are stored under random names in the private media root (``MEDIA_ROOT``, never served
    as static files) and downloaded through a view that checks permission.
    """

    class Kind(models.TextChoices):
        LINK = "link", _("Link")
        FILE = "file", _("File")

    update = models.ForeignKey(ProgressUpdate, verbose_name=_("progress update"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    url = models.URLField(_("web address"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "created_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="")) | (Q(kind="file") & ~Q(file="")),
                name="evidence_link_or_file",
                violation_error_message=_("Evidence is either a web address or a file."),
            ),
        ]

    def __str__(self):
        return self.url if self.kind == self.Kind.LINK else self.original_name

    def clean(self):
        if self.kind == self.Kind.LINK and not self.url:
            raise ValidationError({"url": _("Enter the web address of the evidence.")})
        if self.kind == self.Kind.FILE and not self.file:
            raise ValidationError({"file": _("Choose a file.")})

    def get_absolute_url(self):
        if self.kind == self.Kind.LINK:
            return self.url
        return reverse("commitments:evidence", args=[self.pk])


class StatusReport(models.Model):
    """A member's six-month status report on one plan for one reporting period.

    The period is the update cadence of the compliance policy (six months by default). The
    report owns one line per commitment of the plan; the point of contact publishes it once
    every commitment has an approved update for the period, and the published report is a
    dated, immutable snapshot. The compliance engine counts published reports.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        PUBLISHED = "published", _("Published")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="status_reports")
    plan = models.ForeignKey(ActionPlan, verbose_name=_("action plan"), on_delete=models.PROTECT, related_name="status_reports")
    period_label = models.CharField(_("period"), max_length=16)
    period_start = models.DateField(_("reporting period starts"))
    period_end = models.DateField(_("reporting period ends"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "-period_start"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period_start"],
                name="status_report_one_per_period",
                violation_error_message=_("This plan already has a status report for this period."),
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="status_report_published_has_date",
                violation_error_message=_("A published report needs its publication date."),
            ),
        ]
        indexes = [
            # Used by the compliance sweep: a member's published reports.
            models.Index(fields=["member", "state"], name="status_report_member_state"),
        ]

    def __str__(self):
        return f"{self.member} {self.period_label}"

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED

    def clean(self):
        _validate_period(self.period_start, self.period_end, "period_start", "period_end")
        if self.state == self.State.PUBLISHED and not self.published_at:
            raise ValidationError({"published_at": _("A published report needs its publication date.")})
        if self.plan_id and self.member_id and self.plan.member_id != self.member_id:
            raise ValidationError({"plan": _("The plan belongs to another member.")})

    def get_absolute_url(self):
        return reverse("commitments:status_report", args=[self.pk])


class StatusReportLine(models.Model):
    """One commitment's line in a status report; filled with a snapshot when the report is published."""

    report = models.ForeignKey(StatusReport, verbose_name=_("status report"), on_delete=models.CASCADE, related_name="lines")
    commitment = models.ForeignKey(Commitment, verbose_name=_("commitment"), on_delete=models.PROTECT, related_name="status_lines")
    completion = models.CharField(_("completion"), max_length=20, choices=Completion.choices, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent complete"), default=0)
    milestones = models.JSONField(
        _("milestones"), default=list, blank=True, help_text=_("The approved milestone updates as published.")
    )

    class Meta:
        ordering = ["report", "commitment"]
        verbose_name = _("status report line")
        verbose_name_plural = _("status report lines")
        constraints = [
            models.UniqueConstraint(fields=["report", "commitment"], name="status_line_one_per_commitment"),
        ]

    def __str__(self):
        return f"{self.report} — {self.commitment.identifier}"


class PlanFigures(models.Model):
    """A plan's stored figures, kept by ``commitments.figures.refresh_plan_figures`` (not user-edited, no history).

    Its commitments by stored roll-up (``Commitment.completion``; ``no_update`` for none yet), how
    many are contested (a published update has an open dispute) and how many of its milestones
    are overdue. The overdue count holds for the days ``overdue_from`` (the latest day one of the
    counted milestones became overdue) up to, not including, ``overdue_until`` (the first day
    another open milestone becomes overdue); then ``overdue_next`` up to ``overdue_next_until``,
    then ``overdue_later`` up to ``overdue_later_until`` (the counts on the next two days more
    milestones become overdue: a row stays right for days without the sweep, issue #20). Outside
    that window it is counted again from the milestones (the home page) and the daily sweep
    stores it again. The services that change an
    input (approving an update, importing, the admin, a milestone's dates, a dispute raised,
    answered or hidden) refresh the plan's row in the same transaction; the home page's headline
    figures are sums of these rows (issue #20).
    """

    plan = models.OneToOneField(
        ActionPlan, on_delete=models.CASCADE, primary_key=True, related_name="figures", verbose_name=_("action plan")
    )
    no_update = models.PositiveIntegerField(_("No published update"), default=0)
    no_evidence = models.PositiveIntegerField(Completion.NO_EVIDENCE.label, default=0)
    not_started = models.PositiveIntegerField(Completion.NOT_STARTED.label, default=0)
    limited = models.PositiveIntegerField(Completion.LIMITED.label, default=0)
    substantial = models.PositiveIntegerField(Completion.SUBSTANTIAL.label, default=0)
    complete = models.PositiveIntegerField(Completion.COMPLETE.label, default=0)
    withdrawn = models.PositiveIntegerField(Completion.WITHDRAWN.label, default=0)
    contested = models.PositiveIntegerField(_("Contested"), default=0)
    overdue = models.PositiveIntegerField(_("Overdue milestones"), default=0)
    overdue_from = models.DateField(_("overdue count holds from"), null=True, blank=True)
    overdue_until = models.DateField(_("overdue count holds until"), null=True, blank=True)
    overdue_next = models.PositiveIntegerField(_("Overdue milestones from that day"), default=0)
    overdue_next_until = models.DateField(_("that count holds until"), null=True, blank=True)
    overdue_later = models.PositiveIntegerField(_("Overdue milestones after that"), default=0)
    overdue_later_until = models.DateField(_("the last count holds until"), null=True, blank=True)

    COMPLETION_FIELDS = {
        "": "no_update",
        Completion.NO_EVIDENCE: "no_evidence",
        Completion.NOT_STARTED: "not_started",
        Completion.LIMITED: "limited",
        Completion.SUBSTANTIAL: "substantial",
        Completion.COMPLETE: "complete",
        Completion.WITHDRAWN: "withdrawn",
    }

    class Meta:
        verbose_name = _("plan figures")
        verbose_name_plural = _("plan figures")
        indexes = [
            # The home page's plans whose stored overdue count does not hold today (figures.lapsed_plans).
            models.Index(fields=["overdue_from"], name="planfigures_overdue_from"),
            models.Index(fields=["overdue_later_until"], name="planfigures_overdue_ends"),
            # The rows past their first window (figures.checked_portal_figures corrects the kept sums by them).
            models.Index(fields=["overdue_until"], name="planfigures_overdue_until"),
        ]

    @property
    def commitments(self) -> int:
        return sum(getattr(self, name) for name in self.COMPLETION_FIELDS.values())

    def overdue_holds_on(self, day) -> bool:
        """Whether ``overdue`` itself is the count on ``day`` (the row as stored that day)."""
        return (self.overdue_from is None or self.overdue_from <= day) and (self.overdue_until is None or day < self.overdue_until)

    def overdue_on(self, day):
        """The overdue count on ``day`` from the stored counts (``overdue``, ``overdue_next``, ``overdue_later``); ``None``: not stored for it."""
        if self.overdue_from is not None and day < self.overdue_from:
            return None
        for count, until in (
            (self.overdue, self.overdue_until),
            (self.overdue_next, self.overdue_next_until),
            (self.overdue_later, self.overdue_later_until),
        ):
            if until is None or day < until:
                return count
        return None

    def __str__(self):
        return f"{self.plan_id}"
