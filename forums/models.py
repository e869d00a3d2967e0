"""Multi-stakeholder forums: membership, meetings, invitations, attendance, minutes and action items."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from commitments.models import Member
from ogp_portal.languages import language_for
from ogp_portal.text_limits import LONG_TEXT, MINUTES, bounded


class Forum(models.Model):
    """A member's multi-stakeholder forum, where government and civil society meet as equals."""

    class Cadence(models.TextChoices):
        QUARTERLY = "quarterly", _("Every quarter")
        SEMIANNUAL = "semiannual", _("Every six months")

    class QuorumRule(models.TextChoices):
        MAJORITY_BOTH_SECTORS = "majority_both", _("A majority present, with government and civil society both present")
        MAJORITY = "majority", _("A majority present")
        TWO_THIRDS_BOTH_SECTORS = "two_thirds_both", _("Two thirds present, with government and civil society both present")

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
    description = models.TextField(_("description"), blank=True, **bounded(LONG_TEXT))
    seats = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Members the founding act provides for; empty if it sets none.")
    )
    requires_parity = models.BooleanField(
        _("requires parity"), default=True, help_text=_("Government and civil society hold the same number of seats.")
    )
    quorum_rule = models.CharField(
        _("quorum rule"), max_length=24, choices=QuorumRule.choices, default=QuorumRule.MAJORITY_BOTH_SECTORS
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=8,
        default="KG",
        help_text=_("Country code (ISO 3166) whose public holidays suggested meeting dates avoid, such as KG."),
    )
    minutes_due_days = models.PositiveSmallIntegerField(
        _("minutes due within (days)"), default=30, help_text=_("Days after a meeting by which its minutes are published.")
    )
    # History: registered in forums/translation.py, after the name's per-language columns exist.

    class Meta:
        ordering = ["member", "name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forums:forum", args=[self.pk])

    def clean(self):
        import holidays

        if self.holiday_country and self.holiday_country.upper() not in holidays.list_supported_countries():
            raise ValidationError({"holiday_country": _("Holidays of this country are not known; use a code such as KG.")})
        self.holiday_country = self.holiday_country.upper()


class ForumMembershipQuerySet(models.QuerySet):
    def current(self, day):
        """Return the memberships whose term includes ``day`` (an open start or end counts as ongoing)."""
        return self.filter(Q(term_start__isnull=True) | Q(term_start__lte=day), Q(term_end__isnull=True) | Q(term_end__gte=day))


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
    email = models.EmailField(_("email"), blank=True, help_text=_("Where invitations go; the user account's email if empty."))
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=_("The language invitations are written in; the portal's default language if empty."),
    )
    alternate = models.CharField(
        _("alternate"), max_length=200, blank=True, help_text=_("Who attends in the member's place when they cannot (name and position).")
    )
    alternate_email = models.EmailField(_("alternate's email"), blank=True)
    history = HistoricalRecords()

    objects = ForumMembershipQuerySet.as_manager()

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

    def is_current(self, day) -> bool:
        return (self.term_start is None or self.term_start <= day) and (self.term_end is None or day <= self.term_end)

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id and self.user.is_active else "")

    @property
    def contact_language(self) -> str:
        """The language to write to this member in: the one recorded here, else the one known for their account."""
        if self.language:
            return self.language
        if self.user_id:
            with translation.override(settings.LANGUAGE_CODE):  # no account preference: the default, not the sender's
                return language_for(self.user)
        return settings.LANGUAGE_CODE


def minutes_storage():
    """Return where uploaded minutes are kept (``FORUM_MINUTES_ROOT``, default media/ in the project), read at start-up.

    Minutes files are served by a view (published minutes to everyone, drafts to the secretariat), never as static files.
    """
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=getattr(settings, "FORUM_MINUTES_ROOT", None) or settings.BASE_DIR / "media")


class MeetingQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=Meeting.Status.HELD)

    def planned(self):
        return self.filter(status=Meeting.Status.PLANNED)


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
    agenda = models.TextField(_("agenda"), blank=True, **bounded(LONG_TEXT))
    minutes = models.TextField(_("minutes"), blank=True, **bounded(MINUTES))
    minutes_file = models.FileField(_("minutes file"), upload_to="forums/minutes/%Y/", blank=True, storage=minutes_storage)
    minutes_published_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)
    private_notes = models.TextField(
        _("secretariat's private notes"), blank=True, help_text=_("Seen only by the secretariat; never published."),
        **bounded(MINUTES),
    )
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Raised at each reschedule, so calendars replace the old date.")
    )
    # Raised by every service that changes the meeting: the API's ETag. A change based on an older
    # version is refused (forums.services claims it with UPDATE … WHERE version = the one read).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["private_notes"])

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

    @property
    def web_link(self) -> str:
        """The online link if it is an http(s) URL, else "" (a row written around the validator is never a link)."""
        link = (self.online_link or "").strip()
        return link if link.lower().startswith(("https://", "http://")) else ""

    def get_absolute_url(self):
        return reverse("forums:meeting", args=[self.forum_id, self.pk])

    def display_title(self):
        return self.title or _("Forum meeting")

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes.strip() or self.minutes_file)

    def minutes_due_on(self, days: int, zone) -> "dt.date | None":
        """Return the day by which a held meeting's minutes are due; None unless held."""
        if self.status != self.Status.HELD:
            return None
        return self.starts_at.astimezone(zone).date() + dt.timedelta(days=days)

    def minutes_overdue(self, days: int, zone, today) -> bool:
        due = self.minutes_due_on(days, zone)
        return due is not None and self.minutes_published_at is None and today > due


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey(
        ForumMembership, verbose_name=_("member"), on_delete=models.CASCADE, related_name="attendances"
    )
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        REPRESENTED = "represented", _("Represented")

    status = models.CharField(_("attendance"), max_length=12, choices=Status.choices, default=Status.PRESENT)
    representative = models.CharField(
        _("represented by"), max_length=200, blank=True, help_text=_("Who attended in the member's place.")
    )
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
        if self.status == self.Status.REPRESENTED and not self.representative.strip():
            raise ValidationError({"representative": _("Name who represented the member.")})

    @property
    def present(self) -> bool:
        """Return True when the member was present in person."""
        return self.status == self.Status.PRESENT


class MeetingChange(models.Model):
    """A reschedule or a cancellation, with the reason the secretariat gave."""

    class Kind(models.TextChoices):
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    previous_starts_at = models.DateTimeField(_("previously at"))
    new_starts_at = models.DateTimeField(_("moved to"), null=True, blank=True)
    reason = models.TextField(_("reason"), **bounded(LONG_TEXT))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["meeting", "changed_at"]
        verbose_name = _("meeting change")
        verbose_name_plural = _("meeting changes")

    def __str__(self):
        return f"{self.meeting}: {self.get_kind_display()}"


class Invitation(models.Model):
    """One invitation email to one forum member for one revision of a meeting, sent at most once.

    The sender claims the row (``claimed_at``) with a conditional update before
    sending, so two runs of the task send it once.
    """

    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ACCEPTED = "accepted", _("Will attend")
        DECLINED = "declined", _("Will not attend")
        DELEGATED = "delegated", _("Sends a representative")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations")
    membership = models.ForeignKey(
        ForumMembership, verbose_name=_("member"), on_delete=models.CASCADE, related_name="invitations"
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    email = models.EmailField(_("email"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices, default=Response.PENDING)
    delegate = models.CharField(_("representative"), max_length=200, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "membership"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership", "sequence"], name="invitation_once_per_revision"),
        ]
        indexes = [
            # Used by the invitation task: unsent invitations of a meeting.
            models.Index(fields=["meeting"], condition=Q(sent_at__isnull=True), name="invitation_unsent"),
        ]

    def __str__(self):
        return f"{self.membership.person} → {self.meeting}"


class MinutesApproval(models.Model):
    """A co-chair's approval of a meeting's minutes; minutes are published once every co-chair approved."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="approvals")
    co_chair = models.ForeignKey(
        ForumMembership, verbose_name=_("co-chair"), on_delete=models.CASCADE, related_name="minutes_approvals"
    )
    approved_at = models.DateTimeField(_("approved at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["meeting", "approved_at"]
        verbose_name = _("minutes approval")
        verbose_name_plural = _("minutes approvals")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "co_chair"], name="minutes_approved_once_per_co_chair"),
        ]

    def __str__(self):
        return f"{self.co_chair.person} ✓ {self.meeting}"


class MeetingDecision(models.Model):
    """A decision the forum took at a meeting."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"), **bounded(LONG_TEXT))
    commitment = models.ForeignKey(
        "commitments.Commitment", verbose_name=_("commitment"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="forum_decisions",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("forum decision")
        verbose_name_plural = _("forum decisions")

    def __str__(self):
        return self.text[:80]


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionItem.Status.OPEN)


class ActionItem(models.Model):
    """Work a meeting gave someone, tracked until it is closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("owner"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    commitment = models.ForeignKey(
        "commitments.Commitment", verbose_name=_("commitment"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="forum_action_items",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self):
        return self.title[:80]
