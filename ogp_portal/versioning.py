"""Object versions for conflict-safe writes: the portal's one optimistic lock and its one ETag format.

An object's version is its ``version`` column when it has one (an integer the service bumps
on every change), else a digest of its ``updated_at``, else a digest of every stored column.
Services take the version the client last read and refuse a change made against a stale one:
every write path (services, admin, importer, pages, API) claims the row with :func:`claim`, and the
API's ETag is :func:`etag` (the version in quotes, the same format on every resource).
"""

import hashlib

from django.db.models import F


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


def etag(obj) -> str:
    """The object's ETag: its version in quotes (``"7"``, ``"h3f…"``), on every API resource alike."""
    return f'"{current_version(obj)}"'


def has_version_column(model) -> bool:
    return any(f.attname == "version" for f in model._meta.concrete_fields)


# Claim whatever is stored (a page that re-reads the row under the lock and checks its state itself).
ANY_VERSION = object()


def claim(model, pk, version, *, fetch=True, queryset=None):
    """Claim the stored row ``pk`` for a change based on ``version`` in the caller's transaction.

    The portal's one optimistic lock. A model with a ``version`` column: one conditional UPDATE
    (``pk`` and ``version`` match → ``version + 1``); otherwise ``SELECT … FOR UPDATE`` and the
    row's digest (:func:`current_version`) compared under the lock. Either way the row stays locked
    until the transaction ends, and of two changes based on the same version one wins and the
    other raises :class:`StaleVersion` (nothing written; a row that is gone is stale too).
    ``version`` :data:`ANY_VERSION` claims whatever is stored. Returns the stored row, fresh and
    locked (read through ``queryset`` when given), or None with ``fetch=False``.
    """
    manager = model._default_manager
    if has_version_column(model):
        rows = manager.filter(pk=pk)
        if version is not ANY_VERSION:
            try:
                rows = rows.filter(version=int(version))
            except (TypeError, ValueError):
                raise StaleVersion from None
        if not rows.update(version=F("version") + 1):
            raise StaleVersion
        if not fetch:
            return None
        return (queryset if queryset is not None else manager).select_for_update().get(pk=pk)
    row = (queryset if queryset is not None else manager).select_for_update().filter(pk=pk).first()
    if row is None or (version is not ANY_VERSION and (version is None or current_version(row) != str(version))):
        raise StaleVersion
    return row


# ---------------------------------------------------------------------------
# Checked writes (h11): claim, write
# ---------------------------------------------------------------------------


def save_checked(obj, data, *, by, version, m2m=None):
    """Apply ``data`` (field → value) to ``obj`` as of ``version`` and save it; return the saved row.

    The row is claimed (:func:`claim`), so of two writes based on the same version one wins and
    the other raises :class:`StaleVersion` (nothing written). A new row (``obj.pk`` None) is
    simply inserted (``version`` None). The model's
    rules are checked (``full_clean``); the history records ``by``. ``m2m``: {field: objects}.
    """
    from django.db import transaction

    with transaction.atomic():
        row = claim(type(obj), obj.pk, version) if obj.pk is not None else obj
        for name, value in data.items():
            setattr(row, name, value)
        if row.pk is None:
            _fill_default_language(row)
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
