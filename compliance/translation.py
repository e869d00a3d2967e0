"""Reasons written by the sweep, kept in English, Russian and Kyrgyz (django-modeltranslation)."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import Finding, LetterProfile, StatusEvent


@register(Finding)
class FindingTranslation(TranslationOptions):
    fields = ("reason",)


@register(StatusEvent)
class StatusEventTranslation(TranslationOptions):
    fields = ("reason",)


@register(LetterProfile)
class LetterProfileTranslation(TranslationOptions):
    fields = ("name_in_letters", "name_genitive")


# History is registered after the per-language columns exist, so it keeps every language.
for _model in (Finding, StatusEvent, LetterProfile):
    simple_history.register(_model, app="compliance")
