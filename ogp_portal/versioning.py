"""Object versions for conflict-safe writes (the API's ETag / If-Match).

An object's version is its ``version`` column when it has one (an integer the service bumps
on every change), else a digest of its ``updated_at``, else a digest of every stored column.
Services take the version the client last read and refuse a change made against a stale one.
"""

import hashlib


class StaleVersion(Exception):
    """The object changed since the client read it (HTTP 412)."""


def current_version(obj) -> str:
    """Return the object's version as an opaque string (the ETag's value, without quotes)."""
    version = getattr(obj, "version", None)
    if version is not None:
        return str(version)
    updated_at = getattr(obj, "updated_at", None)
    if updated_at is not None:
        payload = updated_at.isoformat()
    else:
        payload = repr([(f.attname, f.value_to_string(obj)) for f in obj._meta.concrete_fields])
    return "h" + hashlib.sha256(payload.encode()).hexdigest()[:24]


def check_version(obj, version) -> None:
    """Raise StaleVersion unless ``version`` is the object's current version."""
    if version is None or str(version) != current_version(obj):
        raise StaleVersion


def bump_version(obj) -> None:
    """Advance the ``version`` column, when the model has one, before saving a change."""
    if getattr(obj, "version", None) is not None:
        obj.version += 1
