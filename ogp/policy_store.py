"""Where the stored policy versions come from, without the domain importing compliance.

The versions are stored by ``compliance`` (``compliance.models.Policy``), which sits above the domain
apps. It registers its reader here at start-up, in its ``AppConfig.ready``; ``commitments`` (reporting
periods) and ``forums`` (the forum cadence) read the versions of their members through
:func:`versions_by_member`. Which versions apply to a member is decided in one place only,
``ogp.policy.versions_for`` (pure), which the registered reader calls.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

# The one reader: ``members`` (rows with ``pk`` and ``kind``) -> ``{member pk: policy versions}``.
_READERS: dict[str, Callable[[Iterable], dict]] = {}


def register_versions_reader(reader: Callable[[Iterable], dict]) -> None:
    """Register ``reader`` (members -> ``{member pk: versions}``, one query) as the source of the stored versions."""
    _READERS["versions"] = reader


def versions_by_member(members) -> dict:
    """Return ``{member pk: the policy versions that apply to it}`` for ``members``, as the compliance rules read them."""
    try:
        reader = _READERS["versions"]
    except KeyError:
        raise ImproperlyConfigured(
            "No installed app registered the reader of the stored policy versions (compliance does, in its AppConfig.ready)."
        ) from None
    return reader(members)


def versions_of(member) -> tuple:
    """Return the policy versions that apply to ``member`` (:func:`versions_by_member` for one)."""
    return versions_by_member([member])[member.pk]
