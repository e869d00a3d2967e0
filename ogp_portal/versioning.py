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


# ---------------------------------------------------------------------------
# Checked writes of rows without a ``version`` column (h11): lock, compare, write
# ---------------------------------------------------------------------------


def save_checked(obj, data, *, by, version, m2m=None):
    """Apply ``data`` (field → value) to ``obj`` as of ``version`` and save it; return the saved row.

    The row is locked (``SELECT … FOR UPDATE``) and its version compared under the lock, so of two
    writes based on the same version one wins and the other raises :class:`StaleVersion` (nothing
    written). ``version`` None (a new row: ``obj.pk`` is None) skips the comparison. The model's
    rules are checked (``full_clean``); the history records ``by``. ``m2m``: {field: objects}.
    """
    from django.db import transaction

    with transaction.atomic():
        if obj.pk is not None:
            row = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            if version is None or current_version(row) != str(version):
                raise StaleVersion
        else:
            row = obj
        for name, value in data.items():
            setattr(row, name, value)
        if row.pk is None:
            _fill_default_language(row)
        bump_version(row) if row.pk is not None else None
        row.full_clean()
        if by is not None and getattr(by, "is_authenticated", False):
            row._history_user = by
        row.save()
        for name, values in (m2m or {}).items():
            getattr(row, name).set(values)
    return row


def _fill_default_language(row) -> None:
    """A new row written in another language (the API writes ``name`` in the request's language):
    its default-language column, empty, takes that text, so every page falls back to something."""
    from django.conf import settings
    from modeltranslation.translator import NotRegistered, translator

    try:
        fields = translator.get_options_for_model(type(row)).all_fields
    except NotRegistered:
        return
    default = settings.LANGUAGE_CODE.split("-")[0]
    codes = [code for code, _name in settings.LANGUAGES]
    for name in fields:
        column = f"{name}_{default}"
        if getattr(row, column, None):
            continue
        for code in codes:
            value = getattr(row, f"{name}_{code}", None)
            if value:
                setattr(row, column, value)
                break
