"""The columns of a translated field, read as plain rows (issue #20): what django-modeltranslation answers for an instance."""

from __future__ import annotations


def translated_columns(model, name):
    """The columns of the translated field ``name`` in the active language's fallback order, and a function
    giving its value from them: what django-modeltranslation's descriptor answers for an instance."""
    from modeltranslation.fields import NONE
    from modeltranslation.utils import build_localized_fieldname, fallbacks_enabled, resolution_order
    from django.utils.translation import get_language

    descriptor = model.__dict__[name]
    default = descriptor.field.get_default()
    undefined = default if descriptor.fallback_undefined is NONE else descriptor.fallback_undefined
    columns = [build_localized_fieldname(name, lang) for lang in resolution_order(get_language(), descriptor.fallback_languages)]
    otherwise = descriptor.fallback_value if fallbacks_enabled() and descriptor.fallback_value is not NONE else default

    def value(values):
        for v in values:
            if v is not None and v != undefined:
                return v
        return otherwise

    value.columns = columns
    return value
