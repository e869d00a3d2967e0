"""The one email outbox: every email the portal sends is a row here first, then delivered with one retry policy.

In-house rather than django-post-office (3.12 supports Django 6.1): its queue has no idempotency key, so
"each notice once, even when a job runs twice or on two workers" would need a second claim table
beside it, and it has no per-recipient daily digest; this model is one table for both.
Account emails with secrets (sign-up confirmation, password reset) are not stored here: they are sent
at once by ``accounts`` so that no reset link rests in the database.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True, gave_up_at__isnull=True)


class Message(models.Model):
    """One rendered email to one address.

    ``key`` names what it is about and for whom (``reminder:KG:…:12``): a second post with the same key
    is ignored, so a job run twice writes one email. Delivery claims the row with a conditional update,
    sends, and sets ``sent_at``; a failure sets ``next_attempt_at`` by the backoff in ``outbox.services``
    until ``MAX_ATTEMPTS``. ``held_for_digest`` rows wait for the recipient's daily digest.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # [{"name": ..., "content": ..., "mimetype": ...}] (text attachments such as the .ics of an invitation)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    held_for_digest = models.BooleanField(_("held for the daily digest"), default=False)
    created_at = models.DateTimeField(_("created at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("gave up at"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(sent_at__isnull=True, gave_up_at__isnull=True),
                name="outbox_due",
            ),
        ]

    def __str__(self):
        return self.key
