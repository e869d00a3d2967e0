"""The language to write to a person in (emails, notices, invitations): one rule, in the core layer.

A person's choice is their account preference (``accounts.Preference``, reached through the user's
``preference`` relation, so this module imports no app); without one, the active language.
"""

from django.conf import settings
from django.utils import translation


def preferred_language(user) -> str:
    """The language ``user`` chose, or "" when they never chose one (or ``user`` is anonymous / None)."""
    preference = getattr(user, "preference", None) if getattr(user, "pk", None) else None
    return preference.language if preference is not None else ""


def language_for(user) -> str:
    """Return the language to write to ``user`` in: the one they chose (their account preference), else the active one."""
    return preferred_language(user) or translation.get_language() or settings.LANGUAGE_CODE
