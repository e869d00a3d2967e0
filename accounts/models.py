"""What the portal remembers about an account beyond Django's user: the language to write to it in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """One row per account that chose something; an account without a row takes the portal's defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference", verbose_name=_("account")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language emails and notices are written in; the portal's default language if empty."),
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Your position, used when letters and notices address you.")
    )
    notices = models.CharField(
        _("notices"),
        max_length=10,
        blank=True,
        choices=[("immediate", _("Each notice at once")), ("daily", _("One daily digest")), ("none", _("No notices"))],
        help_text=_("How notices of work to do and of what you follow reach you; at once if empty."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("account preference")
        verbose_name_plural = _("account preferences")

    def __str__(self):
        return f"{self.user} ({self.language or '-'})"
