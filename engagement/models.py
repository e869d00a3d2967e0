"""Civil-society reviews of published progress, following, and the emails sent once to followers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ogp_portal.text_limits import bounded

# The page forms and the API read these limits from the fields.
REVIEW_TEXT = 10_000
HIDE_REASON = 2_000


def validate_links(value):
    """Evidence is a list of http(s) links."""
    if not isinstance(value, list):
        raise ValidationError(_("Evidence must be a list of links."))
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        try:
            check(link)
        except ValidationError:
            raise ValidationError(_("“%(link)s” is not a valid web address.") % {"link": link}) from None


class ReviewQuerySet(models.QuerySet):
    def shown(self):
        return self.filter(hidden_at__isnull=True)

    def contested(self):
        """Disputes not yet answered and not hidden: they mark their update (and commitment) "contested"."""
        return self.filter(stance=Review.Stance.DISPUTE, responded_at__isnull=True, hidden_at__isnull=True)


class Review(models.Model):
    """A signed-in person's judgement of a published progress update, and the reasoned response to it.

    States: open (no response yet) → answered (a coordinator or the point of contact responded);
    an administrator may hide it at any time, keeping the reason. A dispute without a response
    makes its update "contested".
    """

    class Stance(models.TextChoices):
        AGREE = "agree", _("Agree")
        PARTLY = "partly", _("Partly agree")
        DISPUTE = "dispute", _("Dispute")

    update = models.ForeignKey(
        "commitments.ProgressUpdate", verbose_name=_("progress update"), on_delete=models.CASCADE, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE, related_name="engagement_reviews"
    )
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)
    comment = models.TextField(_("comment"), **bounded(REVIEW_TEXT))
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True, validators=[validate_links])
    created_at = models.DateTimeField(_("created at"))
    response = models.TextField(_("response"), blank=True, **bounded(REVIEW_TEXT))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True, **bounded(HIDE_REASON))
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("hidden by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["update", "created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "author"], name="review_one_per_author",
                violation_error_message=_("You have already reviewed this update."),
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="review_hidden_has_reason",
                violation_error_message=_("Give the reason for hiding."),
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | ~Q(response=""),
                name="review_response_has_text",
            ),
        ]
        indexes = [
            # The "contested" mark: open disputes.
            models.Index(
                fields=["update"], condition=Q(stance="dispute", responded_at__isnull=True, hidden_at__isnull=True),
                name="review_open_dispute",
            ),
        ]

    def __str__(self):
        return f"{self.get_stance_display()} — {self.update}"

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def is_answered(self):
        return self.responded_at is not None

    @property
    def is_contested(self):
        return self.stance == self.Stance.DISPUTE and not self.is_answered and not self.is_hidden


class Follow(models.Model):
    """A person following one commitment, plan or member (exactly one of the three)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="follows")
    commitment = models.ForeignKey(
        "commitments.Commitment", verbose_name=_("commitment"), null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    plan = models.ForeignKey(
        "commitments.ActionPlan", verbose_name=_("action plan"), null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    member = models.ForeignKey(
        "commitments.Member", verbose_name=_("member"), null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    TARGETS = ("commitment", "plan", "member")

    class Meta:
        ordering = ["user", "created_at"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(commitment__isnull=False, plan__isnull=True, member__isnull=True)
                    | Q(commitment__isnull=True, plan__isnull=False, member__isnull=True)
                    | Q(commitment__isnull=True, plan__isnull=True, member__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["user", "commitment"], condition=Q(commitment__isnull=False), name="follow_commitment_once"),
            models.UniqueConstraint(fields=["user", "plan"], condition=Q(plan__isnull=False), name="follow_plan_once"),
            models.UniqueConstraint(fields=["user", "member"], condition=Q(member__isnull=False), name="follow_member_once"),
        ]

    def __str__(self):
        return f"{self.user} → {self.target}"

    @property
    def target(self):
        return self.commitment or self.plan or self.member
