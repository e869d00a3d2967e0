"""Length limits of free text, declared once on the model fields (issue 17.5).

``max_length`` on a ``TextField`` is what Django's model forms and DRF's model serializers use
(a ``maxlength`` attribute, a 400 with a message); the ``MaxLengthValidator`` beside it makes
``full_clean`` refuse it too (the services, the importer, the admin). Services that write a text
without ``full_clean`` call :func:`check_lengths`. The limits stay far below the CSV reader's field
size (131,072 characters), so a plan's own CSV always re-imports.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

LONG_TEXT = 20_000  # descriptions, narratives, decisions, comments: the API's limit since h11
MINUTES = 100_000  # a meeting's minutes and notes (never in a plan CSV)


def bounded(limit: int = LONG_TEXT) -> dict:
    """Keyword arguments of a ``TextField`` limited to ``limit`` characters everywhere."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


def check_lengths(model, **values) -> None:
    """Raise ValidationError for each value longer than its ``model`` field's ``max_length``."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if limit is not None and value is not None and len(value) > limit:
            try:
                MaxLengthValidator(limit)(value)
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
