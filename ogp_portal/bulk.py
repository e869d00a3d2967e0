"""Bulk writes: the one module that inserts many rows at once, used by the compliance sweep and the scale generator.

* :func:`insert_rows`: rows as dicts, keyed by a unique constraint (``INSERT … ON CONFLICT DO NOTHING
  RETURNING``), with COPY into a temporary table on PostgreSQL; the sweep writes its findings,
  events, deadlines and cycles with it.
* :func:`write_history` / :func:`write_deleted_history`: the django-simple-history rows of such
  writes, in one statement.
* :func:`reserve_pks` and :func:`copy_objects`: model instances written with PostgreSQL's COPY (text
  format), primary keys reserved from the table's sequence first; the scale generator
  (``bench/scale_data.py``) loads its millions of rows with them.

Every COPY goes through :func:`copy_from`. Settings-free core (``ogp_portal`` ground layer).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json

from django.conf import settings
from django.db import connection as default_connection, connections, models, router, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone


def copy_from(cursor, table: str, columns: str, stream, *, csv_format: bool = False) -> None:
    """COPY ``stream`` into ``table`` (``columns``: quoted, comma-separated), in PostgreSQL's text or CSV format."""
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN" + (" WITH (FORMAT csv)" if csv_format else ""), stream)


# ---------------------------------------------------------------------------
# Rows as dicts, keyed by a unique constraint (the sweep). Every write of the sweep is a batch per
# chunk of members: ``INSERT … ON CONFLICT DO NOTHING RETURNING`` for new rows (a row another sweep
# inserted first is skipped by the database, and RETURNING says which rows this sweep inserted, so
# their history and notices are written once).
# ---------------------------------------------------------------------------


def insert_rows(model, rows: list[dict], *, key: tuple[str, ...] = (), ignore_conflicts: bool = False) -> list[dict]:
    """Insert ``rows`` (dicts by field attname; missing fields get their defaults) without model instances.

    With ``key`` (attnames of a unique constraint): ``INSERT … ON CONFLICT DO NOTHING RETURNING pk, key``
    (SQLite: ``INSERT OR IGNORE … RETURNING``), and only the rows this call inserted are returned,
    completed with their defaults and primary key, so that their history and notices are written
    once. Without ``key``: every row is returned (``ignore_conflicts`` skips taken keys silently).
    One statement per batch (all the rows on PostgreSQL). Rows are built as tuples: at thousands
    of rows, model instances and the ORM's per-value compilation cost far more than the INSERT.
    """
    if not rows:
        return []
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [f for f in opts.concrete_fields if not f.generated and not f.primary_key]
    now = timezone.now()
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        for f in fields
    }
    raw = connection.vendor == "postgresql"  # psycopg adapts dates, aware datetimes, str and int itself
    # ... but COPY reads a JSON column's text: written as JSON here (None stays NULL).
    as_json = {f.attname: f.encoder for f in fields if isinstance(f, models.JSONField)}
    prepared = []
    for row in rows:
        for name, value in defaults.items():
            row.setdefault(name, value)
        if raw:
            prepared.append(tuple(
                json.dumps(row[f.attname], cls=as_json[f.attname]) if f.attname in as_json and row[f.attname] is not None
                else row[f.attname]
                for f in fields
            ))
        else:
            prepared.append(tuple(f.get_db_prep_save(row[f.attname], connection) for f in fields))
    qn = connection.ops.quote_name
    conflict = OnConflict.IGNORE if key or ignore_conflicts else None
    head = "%s %s (%s) VALUES " % (
        connection.ops.insert_statement(on_conflict=conflict), qn(opts.db_table), ", ".join(qn(f.column) for f in fields)
    )
    tail = " " + (connection.ops.on_conflict_suffix_sql(fields, conflict, None, None) or "") if conflict else ""
    key_fields = [opts.get_field(name) for name in key]
    if key:
        tail += " RETURNING %s" % ", ".join(qn(f.column) for f in [opts.pk, *key_fields])
        pending = {tuple(row[f.attname] for f in key_fields): row for row in rows}
    one = "(%s)" % ", ".join(["%s"] * len(fields))
    batch = max(connection.ops.bulk_batch_size(fields, prepared), 1)
    returned = []
    with connection.cursor() as cursor:
        if raw and hasattr(cursor.cursor, "copy_expert"):
            # PostgreSQL: COPY into a temporary table, then one INSERT … SELECT (with the same conflict
            # clause and RETURNING). Half the time of a VALUES list of thousands of rows, which the
            # server parses value by value.
            table = qn(f"bulk_rows_{next(_TEMPORARY_TABLES)}")
            columns = ", ".join(qn(f.column) for f in fields)
            buffer = CsvRows(prepared)  # None: unquoted empty, i.e. NULL
            with transaction.atomic(using=connection.alias):
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS SELECT {columns} FROM {qn(opts.db_table)} WITH NO DATA"
                )
                copy_from(cursor, table, columns, buffer, csv_format=True)
                cursor.execute(head.replace(" VALUES ", f" SELECT {columns} FROM {table}") + tail)
                returned = cursor.fetchall() if key else []
        else:
            for start in range(0, len(prepared), batch):
                chunk = prepared[start:start + batch]
                cursor.execute(head + ", ".join([one] * len(chunk)) + tail, [v for values in chunk for v in values])
                if key:
                    returned.extend(cursor.fetchall())
    inserted = []
    for pk, *values in returned:
        row = pending[tuple(f.to_python(v) for f, v in zip(key_fields, values))]
        row[opts.pk.attname] = pk
        inserted.append(row)
    return inserted if key else rows


_TEMPORARY_TABLES = itertools.count()


class CsvRows(io.RawIOBase):
    """A file COPY reads ``rows`` from as CSV in UTF-8 (``QUOTE_NOTNULL``: None is an unquoted empty field, NULL),
    written a few hundred rows at a time.

    Not one StringIO of every row: at a sweep's thousands of findings (a reason in every language each) that
    text, held as four bytes a character once a Cyrillic one is in it, was the largest thing a worker held.
    """

    ROWS = 500

    def __init__(self, rows):
        super().__init__()
        self._rows, self._next, self._text, self._at = rows, 0, b"", 0

    def readable(self):
        return True

    def read(self, size=-1):
        if self._at >= len(self._text):
            if self._next >= len(self._rows):
                return b""
            text = io.StringIO()
            csv.writer(text, quoting=csv.QUOTE_NOTNULL).writerows(self._rows[self._next:self._next + self.ROWS])
            self._next += self.ROWS
            self._text, self._at = text.getvalue().encode(), 0
        end = len(self._text) if size is None or size < 0 else self._at + size
        out = self._text[self._at:end]
        self._at += len(out)
        return out


def write_history(model, rows: list, history_type: str) -> None:
    """Write the history rows of ``rows`` (dicts of rows just written, with their ``id``) in one statement.

    The same rows as simple-history's ``bulk_history_create`` (who: the request's user when a
    request is running, else nobody, i.e. the sweep; when: now), copied by the database from the
    stored rows (``INSERT … SELECT … WHERE id IN …``): nothing is sent back and forth but the ids.
    """
    if not rows or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = model.history.model
    user = historical.get_default_history_user(object())
    connection = connections[router.db_for_write(historical)]
    qn = connection.ops.quote_name
    tracked = [f.column for f in historical.tracked_fields]
    extra = ["history_date", "history_user_id", "history_change_reason", "history_type"]
    extra_values = [
        connection.ops.adapt_datetimefield_value(timezone.now()), user.pk if user is not None else None, "", history_type,
    ]
    head = "INSERT INTO %s (%s) SELECT %s, %s FROM %s WHERE %s " % (
        qn(historical._meta.db_table), ", ".join(qn(c) for c in [*tracked, *extra]),
        ", ".join(qn(c) for c in tracked), ", ".join(["%s"] * len(extra)), qn(model._meta.db_table), qn(model._meta.pk.column),
    )
    ids = [row[model._meta.pk.attname] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(head + "= ANY(%s)", [*extra_values, ids])
            return
        batch = (connection.features.max_query_params or 999) - len(extra)
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            cursor.execute(head + "IN (%s)" % ", ".join(["%s"] * len(chunk)), [*extra_values, *chunk])


def write_deleted_history(model, rows) -> None:
    """Write the "-" history rows of ``rows`` (about to be deleted) in one INSERT, as ``delete()`` would one by one."""
    historical = model.history.model
    when = timezone.now()
    historical.objects.bulk_create([
        historical(
            history_date=when, history_user=None, history_change_reason="", history_type="-",
            **{f.attname: getattr(row, f.attname) for f in historical.tracked_fields},
        )
        for row in rows
    ])


# ---------------------------------------------------------------------------
# Model instances with COPY (the scale generator)
# ---------------------------------------------------------------------------


def reserve_pks(model, objs, *, connection=None) -> None:
    """Give ``objs`` primary keys from the table's sequence (PostgreSQL), so children can point at them before COPY."""
    connection = connection or default_connection
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk_value,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk_value
            obj._state.adding = False
            obj._state.db = connection.alias


_LAYOUTS: dict = {}


def _layout(model, connection):
    """Return (table, columns, [(attname, converter)], stamped fields) for ``model``, built once."""
    key = (model, connection.vendor)
    if key not in _LAYOUTS:
        meta = model._meta
        # Generated columns (GeneratedField) are computed by PostgreSQL, never written.
        fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False)]
        stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        _LAYOUTS[key] = (connection.ops.quote_name(meta.db_table), columns, [(f.attname, _converter(f)) for f in fields], stamped)
    return _LAYOUTS[key]


def copy_objects(model, objs, *, connection=None) -> None:
    """Write model instances (primary keys set, see :func:`reserve_pks`) with one COPY.

    Every column takes the value the instance holds (its default unless set); ``auto_now`` columns
    are stamped as ``save()`` would. Each column is formatted by a converter chosen once per model,
    not by type tests per value.
    """
    connection = connection or default_connection
    table, columns, layout, stamped = _layout(model, connection)
    lines = []
    for obj in objs:
        for f in stamped:
            f.pre_save(obj, add=True)
        # getattr, not __dict__: a translated field's own column reads through modeltranslation's descriptor.
        lines.append("\t".join([convert(getattr(obj, attname)) for attname, convert in layout]))
    lines.append("")
    with connection.cursor() as cursor:
        copy_from(cursor, table, columns, io.StringIO("\n".join(lines)))


def _escape(text: str) -> str:
    # str.replace runs in C; str.translate with a dict was 25 % of the load time.
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _converter(f):
    """Return a function formatting a value of field ``f`` in PostgreSQL's COPY text format."""

    def nullable(convert):
        return lambda value: "\\N" if value is None else convert(value)

    if isinstance(f, models.JSONField):
        return nullable(lambda value: _escape(json.dumps(value, ensure_ascii=False)))
    if isinstance(f, models.BooleanField):
        return nullable(lambda value: "t" if value else "f")
    if isinstance(f, (models.AutoField, models.IntegerField, models.ForeignKey)) and not f.choices:
        return nullable(str)
    return nullable(_copy_value)


def _copy_value(value) -> str:
    """Return ``value`` in PostgreSQL's COPY text format (not None)."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):  # dates and aware datetimes
        return value.isoformat()
    return _escape(str(value))
