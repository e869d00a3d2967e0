"""Reasons written by the sweep, kept in English, Russian and Kyrgyz (django-modeltranslation)."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import Finding, StatusEvent


@register(Finding)
class FindingTranslation(TranslationOptions):
    fields = ("reason",)


@register(StatusEvent)
class StatusEventTranslation(TranslationOptions):
    fields = ("reason",)


# History is registered after the per-language columns exist, so it keeps every language.
for _model in (Finding, StatusEvent):
    simple_history.register(_model, app="compliance")
