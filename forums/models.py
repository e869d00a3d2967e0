"""Multi-stakeholder forums: membership, meetings and attendance."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from commitments.models import Member


class Forum(models.Model):
    """A member's multi-stakeholder forum, where government and civil society meet as equals."""

    class Cadence(models.TextChoices):
        QUARTERLY = "quarterly", _("Every quarter")
        SEMIANNUAL = "semiannual", _("Every six months")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="forums")
    name = models.CharField(_("name"), max_length=300)
    founding_act = models.CharField(_("founding act"), max_length=300, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    cadence = models.CharField(
        _("meeting cadence"),
        max_length=12,
        choices=Cadence.choices,
        default=Cadence.QUARTERLY,
        help_text=_("How often the forum plans to meet; the compliance policy sets what OGP requires."),
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forums:forum", args=[self.pk])


class ForumMembership(models.Model):
    class Sector(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        OTHER = "other", _("Other")

    class Role(models.TextChoices):
        CO_CHAIR = "co_chair", _("Co-chair")
        MEMBER = "member", pgettext_lazy("forum role", "Member")
        OBSERVER = "observer", _("Observer")

    forum = models.ForeignKey(Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="memberships")
    person = models.CharField(_("person"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    position = models.CharField(_("position"), max_length=300, blank=True)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "role", "person"]
        verbose_name = _("forum membership")
        verbose_name_plural = _("forum memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_start__isnull=True) | Q(term_end__gte=F("term_start")),
                name="membership_term_ordered",
                violation_error_message=_("The term cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_sector_display()}, {self.get_role_display()})"

    def clean(self):
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("The term cannot end before it starts.")})


class MeetingQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=Meeting.Status.HELD)


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        POSTPONED = "postponed", _("Postponed")

    forum = models.ForeignKey(Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True, validators=[URLValidator(schemes=["https", "http"])])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["forum", "-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="meeting_end_after_start",
                violation_error_message=_("The meeting cannot end before it starts."),
            ),
        ]
        indexes = [
            # Used by the missed-forum rule: the last held meeting of each forum.
            models.Index(fields=["forum", "status", "starts_at"], name="meeting_forum_status_start"),
        ]

    def __str__(self):
        return self.title or f"{self.forum} {self.starts_at:%Y-%m-%d}"

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The meeting cannot end before it starts.")})


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey(
        ForumMembership, verbose_name=_("member"), on_delete=models.CASCADE, related_name="attendances"
    )
    present = models.BooleanField(_("present"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once_per_meeting"),
        ]

    def __str__(self):
        return f"{self.membership.person} @ {self.meeting}"

    def clean(self):
        if self.meeting_id and self.membership_id and self.meeting.forum_id != self.membership.forum_id:
            raise ValidationError({"membership": _("This person is not a member of the meeting's forum.")})
