"""A page's querysets compiled to SQL once per process, then run with each page's values (issue #20).

Building and compiling a queryset cost 0.2-0.4 ms a query on every first render of a plan or commitment page,
as much as running it: the SQL depends only on the page's object, whose id is a parameter. :class:`Compiled`
builds the queryset once per database and language with marker values in place of the page's, keeps the
SQL, and runs it with the page's values: rows of a ``values_list`` through the compiler's own converters
(dates on SQLite), model instances through ``Model.objects.raw`` (the ORM's ``from_db``, converters and
annotations, without ``select_related``, which a raw query cannot fill). The same statement, so the same
rows, in the same number of queries (tests/commitments/test_compiled.py compares them with the ORM's).
"""

from __future__ import annotations

from django.db import connections
from django.db.models.query import ModelIterable
from django.utils.translation import get_language
from modeltranslation.translator import translator

_TUPLES = {"ValuesListIterable", "FallbackValuesListIterable"}  # Django's values_list() rows, modeltranslation's

# Values no page passes (ids are positive), one per parameter of ``build``.
_MARKERS = (-904_711_301, -904_711_302, -904_711_303)


def _translated(model) -> set[str]:
    """The names of ``model``'s translated fields and of their language columns (modeltranslation)."""
    if model not in translator.get_registered_models():
        return set()
    fields = translator.get_options_for_model(model).all_fields
    return set(fields) | {column.name for columns in fields.values() for column in columns}


class Compiled:
    """``build(*values)``'s SQL kept per database and language; ``rows(*values)`` or ``objects(*values)`` runs it."""

    def __init__(self, build):
        self.build = build
        self._kept = {}

    def _sql(self, alias, count):
        key = (alias, get_language(), count)
        kept = self._kept.get(key)
        if kept is None:
            queryset = self.build(*_MARKERS[:count]).using(alias)
            if queryset.query.select_related:
                raise ValueError("A compiled queryset cannot select_related: a raw query does not fill relations.")
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            slots = []
            for i, marker in enumerate(_MARKERS[:count]):
                # A text column's lookup holds the marker as text.
                found = [n for n, value in enumerate(params) if value in (marker, str(marker))]
                if len(found) != 1:
                    raise ValueError(f"Value {i} of the compiled queryset appears {len(found)} times in its SQL.")
                slots.append((found[0], i))
            if queryset._fields is not None:  # values_list() (modeltranslation's iterable of it too)
                if queryset._iterable_class.__name__ not in _TUPLES:
                    raise ValueError("Compile a values_list() (not values(), flat or named) or a queryset of model instances.")
                wanted = list(getattr(queryset, "original_fields", None) or queryset._fields)
                if set(wanted) & _translated(queryset.model):
                    raise ValueError("A compiled values_list() cannot hold a translated field (its language fallback).")
                converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
                # The order values_list() was given (modeltranslation keeps it as original_fields), from the statement's.
                names = [alias for _column, _sql, alias in compiler.select]
                if sorted(names) != sorted(wanted):
                    raise ValueError(f"The statement's columns {names} are not the values_list()'s {wanted}.")
                order = tuple(names.index(name) for name in wanted)
                kind = ("rows", converters, order)
            elif issubclass(queryset._iterable_class, ModelIterable):
                kind = ("objects", queryset.model, None)
            else:
                raise ValueError("Compile a values_list() or a queryset of model instances.")
            kept = self._kept[key] = (sql, tuple(params), tuple(slots), kind)
        return kept

    def _run(self, values):
        connection = connections["default"]
        sql, params, slots, kind = self._sql(connection.alias, len(values))
        params = list(params)
        for position, i in slots:
            params[position] = values[i]
        return connection, sql, params, kind

    def rows(self, *values) -> list[tuple]:
        """The rows of the ``values_list`` queryset ``build(*values)``, as tuples."""
        connection, sql, params, (name, converters, order) = self._run(values)
        if name != "rows":
            raise TypeError("objects() for a queryset of model instances")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:  # as SQLCompiler.apply_converters does, with this thread's connection
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in converters.items():
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
        if order != tuple(range(len(order))):
            return [tuple(row[i] for i in order) for row in rows]
        return [tuple(row) for row in rows]

    def objects(self, *values) -> list:
        """The model instances of the queryset ``build(*values)``, annotations included."""
        connection, sql, params, (name, model, _none) = self._run(values)
        if name != "objects":
            raise TypeError("rows() for a values_list queryset")
        return list(model.objects.raw(sql, params).using(connection.alias))
