"""A page's own query built and compiled once per process, then run with each request's values (issue #20).

The member, forum and compliance member pages read their object with one query on every visit,
signed in or not. Building that query through the ORM (the stored standing's annotations, the
``select_related``, the follow state) and compiling it to SQL cost about 1 ms of Python a visit,
more than running it. Its SQL is the same on every visit but for a few values (the code or the id
in the URL, the visitor's id), so it is compiled once per process, database and language (the
ORM orders and falls back by the active language's columns) and run with the request's values:
the same SQL, the same parameters, the same model instances (``select_related`` objects and
annotations included) as the queryset gives. ``commitments.filters.CompiledColumn`` does the same
for one column of the commitment list.

How the values are found in the compiled SQL: the queryset is built once with a placeholder for
each value (an integer or a text that no page uses), and the positions of the placeholders among
the compiled parameters are where each request's values go. A value the ORM would transform
(a ``LIKE`` pattern, a lower-cased text), so that its placeholder is not found as given, makes
the query run through the ORM every time, as before: never a wrong parameter.
"""

from __future__ import annotations

import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404
from django.utils import translation

_COMPILED: dict = {}
_LOCK = threading.Lock()
_NOT_COMPILABLE = object()
# Placeholders no request sends: integers far below any id, texts with a NUL byte (PostgreSQL refuses
# them in a query, so one could never come from a URL into a query of ours).
_INT_BASE = -7_300_000_000_000_000_000
_INT64 = (-(2**63) + 2**62, 2**63 - 1)  # values below the placeholders' range go through the ORM too


def _placeholders(values: dict) -> dict:
    out = {}
    for index, (name, value) in enumerate(sorted(values.items())):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"compiled queries take integers and texts, not {type(value).__name__} ({name})")
        out[name] = _INT_BASE - index if isinstance(value, int) else f"\x00{name}\x00"
    return out


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _Compiled:
    """The queryset built with placeholders, its SQL, and where each value goes among its parameters."""

    __slots__ = ("queryset", "sql", "params", "slots", "state")

    def __init__(self, queryset, alias, placeholders):
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        by_placeholder = {value: name for name, value in placeholders.items()}
        self.slots = [(index, by_placeholder[param]) for index, param in enumerate(params) if _hashable(param) and param in by_placeholder]
        if sorted({name for _index, name in self.slots}) != sorted(placeholders):
            raise LookupError("a value was transformed by the ORM")  # run through the ORM instead
        self.queryset, self.sql, self.params = queryset, sql, list(params)
        # What ``execute_sql`` and the model iterable read of the compiler after ``as_sql``.
        self.state = {
            name: getattr(compiler, name)
            for name in ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")
        }

    def queryset_for(self, values, alias):
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        sql, params = self.sql, tuple(params)
        queryset = self.queryset._chain()
        compiler = queryset.query.get_compiler(using=alias)
        compiler.__dict__.update(self.state)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


def compiled(name: str, build, **values):
    """Return ``build(**values)``: a queryset whose SQL was compiled once per process, database and language.

    ``name`` names the query's shape: everything ``build`` depends on besides ``values`` (integers
    and texts, each used as a parameter of the SQL as given) must be in it. The queryset returned
    is for reading only (iterate it, or ``list()`` it): do not filter, order or slice it further.
    """
    alias = DEFAULT_DB_ALIAS
    key = (name, alias, connections[alias].vendor, translation.get_language(), tuple(sorted(values)))
    entry = _COMPILED.get(key)
    if entry is None:
        placeholders = _placeholders(values)
        try:
            entry = _Compiled(build(**placeholders), alias, placeholders)
        except LookupError:
            entry = _NOT_COMPILABLE
        with _LOCK:
            _COMPILED[key] = entry
    if entry is _NOT_COMPILABLE or any(type(value) is int and not _INT64[0] <= value <= _INT64[1] for value in values.values()):
        return build(**values)  # an id no column holds (a URL's digits): the ORM answers it (no rows), as before
    return entry.queryset_for(values, alias)


def one_or_404(queryset):
    """The one row of ``queryset`` (read by a unique key), or 404: what ``get_object_or_404`` gives."""
    rows = list(queryset)
    if not rows:
        raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")
    return rows[0]
