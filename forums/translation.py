"""Forum names in English, Russian and Kyrgyz (django-modeltranslation)."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import Forum


@register(Forum)
class ForumTranslation(TranslationOptions):
    # Official names: "Open Government National Forum", "Национальный форум Открытого правительства".
    fields = ("name",)


# History is registered after the per-language columns exist, so it keeps every language.
simple_history.register(Forum, app="forums")
