"""Co-creation of a member's next action plan (issue 22).

A process per member and cycle goes through four stages (proposals open, drafts under discussion,
forum decision, submitted to OGP), dated back from the plan deadline the compliance engine knows.
The public submits proposals; the forum secretariat moderates them, drafts commitments in OGP's
template fields from them, and records the forum's decision and a reasoned response to every
proposal. Every state change is a function in ``services.py``; these models import no services.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import ActionPlan, Agency, Member
from forums.models import Meeting


class Stage(models.TextChoices):
    PROPOSALS = "proposals", _("Proposals open")
    DRAFTS = "drafts", _("Drafts under discussion")
    DECISION = "decision", _("Forum decision")
    SUBMITTED = "submitted", _("Submitted to OGP")


STAGE_ORDER = [Stage.PROPOSALS, Stage.DRAFTS, Stage.DECISION, Stage.SUBMITTED]


class Sector(models.TextChoices):
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    GOVERNMENT = "government", _("Government")
    BUSINESS = "business", _("Business")
    ACADEMIA = "academia", _("Academia")
    CITIZEN = "citizen", _("Citizen")


class CoCreationProcess(models.Model):
    """The making of one member's plan for one cycle."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="cocreation_processes")
    cycle = models.CharField(_("cycle"), max_length=32, help_text=_("Such as 2023-2025."))
    title = models.CharField(_("title"), max_length=300)
    plan_deadline = models.DateField(_("plan deadline"), help_text=_("The deadline the compliance engine gives for the plan."))
    proposals_open_on = models.DateField(_("proposals open on"))
    proposals_close_on = models.DateField(_("proposals close on"))
    drafts_close_on = models.DateField(_("drafts' discussion ends on"))
    decision_by = models.DateField(_("forum decision by"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.PROPOSALS)
    comment_days = models.PositiveSmallIntegerField(_("days a draft is open for comment"), default=21)
    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("action plan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cocreation_processes"
    )
    submitted_on = models.DateField(_("submitted to OGP on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "-plan_deadline"]
        verbose_name = _("co-creation process")
        verbose_name_plural = _("co-creation processes")
        constraints = [models.UniqueConstraint(fields=["member", "cycle"], name="cocreation_process_once_per_cycle")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cocreation:process", args=[self.pk])

    def days_left(self, today) -> int:
        return (self.plan_deadline - today).days

    def stage_dates(self):
        """(stage, label, starts on, ends on) for the four stages."""
        return [
            (Stage.PROPOSALS, Stage.PROPOSALS.label, self.proposals_open_on, self.proposals_close_on),
            (Stage.DRAFTS, Stage.DRAFTS.label, self.proposals_close_on, self.drafts_close_on),
            (Stage.DECISION, Stage.DECISION.label, self.drafts_close_on, self.decision_by),
            (Stage.SUBMITTED, Stage.SUBMITTED.label, self.decision_by, self.plan_deadline),
        ]


class ProcessFollower(models.Model):
    process = models.ForeignKey(CoCreationProcess, verbose_name=_("co-creation process"), on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["process", "user"], name="cocreation_follow_once")]


class Proposal(models.Model):
    """A proposal from the public for a commitment of the next plan."""

    class Visibility(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by the secretariat")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting the forum's decision")
        ACCEPTED = "accepted", _("Accepted")
        MERGED = "merged", _("Merged into a draft commitment")
        REJECTED = "rejected", _("Rejected")

    process = models.ForeignKey(CoCreationProcess, verbose_name=_("co-creation process"), on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="cocreation_proposals")
    title = models.CharField(_("title"), max_length=300)
    problem = models.TextField(_("What is the problem?"))
    proposed_commitment = models.TextField(_("What should the commitment do?"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency concerned"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency_text = models.CharField(_("agency concerned (as written)"), max_length=300, blank=True)
    sector = models.CharField(_("proposer's sector"), max_length=16, choices=Sector.choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED)
    moderation_reason = models.TextField(_("moderation reason"), blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moderated by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    draft = models.ForeignKey(
        "DraftCommitment", verbose_name=_("draft commitment"), null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_proposals"
    )
    decision_meeting = models.ForeignKey(
        Meeting, verbose_name=_("decided at"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(_("the forum's reasoned response"), blank=True)
    response_published_at = models.DateTimeField(_("response published at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("submitted at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["process", "created_at", "pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cocreation:proposal", args=[self.pk])

    @property
    def hidden(self) -> bool:
        return self.visibility == self.Visibility.HIDDEN

    @property
    def answered(self) -> bool:
        return self.response_published_at is not None


class Support(models.Model):
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="cocreation_support_once")]


class DraftCommitment(models.Model):
    """A draft commitment in OGP's template fields, made by the secretariat from one or more proposals."""

    class State(models.TextChoices):
        PREPARING = "preparing", _("In preparation")
        OPEN = "open", _("Open for comment")
        CLOSED = "closed", _("Comment closed")
        ACCEPTED = "accepted", _("Accepted by the forum")
        REJECTED = "rejected", _("Rejected by the forum")

    process = models.ForeignKey(CoCreationProcess, verbose_name=_("co-creation process"), on_delete=models.CASCADE, related_name="drafts")
    title = models.CharField(_("title"), max_length=500)
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("lead implementing agency"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    problem = models.TextField(_("What is the public problem that the commitment will address?"), blank=True)
    description = models.TextField(_("What is the commitment?"), blank=True)
    contribution = models.TextField(_("How will the commitment contribute to solve the public problem?"), blank=True)
    relevance = models.TextField(_("Why is this commitment relevant to OGP values?"), blank=True)
    expected_results = models.TextField(_("expected results"), blank=True)
    other_state_actors = models.TextField(_("other state actors involved"), blank=True)
    other_actors = models.TextField(_("CSOs, private sector, multilaterals, working groups"), blank=True)
    milestones = models.TextField(_("milestones"), blank=True, help_text=_("One milestone a line."))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    sources = models.ManyToManyField(Proposal, verbose_name=_("made from the proposals"), blank=True, related_name="drafts_made")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PREPARING)
    comment_opens_on = models.DateField(_("open for comment from"), null=True, blank=True)
    comment_closes_on = models.DateField(_("open for comment until"), null=True, blank=True)
    decision_meeting = models.ForeignKey(
        Meeting, verbose_name=_("decided at"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("the forum's reasons"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"))
    history = HistoricalRecords()

    TEXT_FIELDS = ("title", "problem", "description", "contribution", "relevance", "expected_results",
                   "other_state_actors", "other_actors", "milestones")

    class Meta:
        ordering = ["process", "pk"]
        verbose_name = _("draft commitment")
        verbose_name_plural = _("draft commitments")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cocreation:draft", args=[self.pk])

    def milestone_lines(self) -> list[str]:
        return [line.strip() for line in self.milestones.splitlines() if line.strip()]


class DraftVersion(models.Model):
    """The text of a draft commitment as published at one version (for the diff between versions)."""

    draft = models.ForeignKey(DraftCommitment, verbose_name=_("draft commitment"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["draft", "number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="cocreation_draft_version_once")]


class Merge(models.Model):
    """A proposal merged into a draft commitment: who merged it and when."""

    draft = models.ForeignKey(DraftCommitment, verbose_name=_("draft commitment"), on_delete=models.CASCADE, related_name="merges")
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="merges")
    merged_at = models.DateTimeField(_("merged at"))
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["merged_at", "pk"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [models.UniqueConstraint(fields=["draft", "proposal"], name="cocreation_merge_once")]


class Comment(models.Model):
    """A public comment on a proposal or on a draft commitment."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    draft = models.ForeignKey(DraftCommitment, verbose_name=_("draft commitment"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="cocreation_comments")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(proposal__isnull=False, draft__isnull=True) | models.Q(proposal__isnull=True, draft__isnull=False)),
                name="cocreation_comment_on_one_thing",
            )
        ]

    def __str__(self):
        return self.text[:60]
