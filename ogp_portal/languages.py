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


def per_language(build):
    """``build()``'s result kept per active language for the process: a page's fixed texts translated once (issue #20).

    The one mechanism the pages written in Python use for their labels (the catalogs do not change while a process
    runs). At most a few dozen languages are kept; the key is the active language, "" when none is active.
    """
    import functools

    kept: dict = {}

    @functools.wraps(build)
    def in_active_language():
        language = translation.get_language() or ""
        found = kept.get(language)
        if found is None:
            if len(kept) > 32:
                kept.clear()
            found = kept[language] = build()
        return found

    return in_active_language
