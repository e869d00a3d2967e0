"""A queryset built and compiled to SQL once per process, then run with each request's values (issue #20).

The one copy of this mechanism: every page's own queries use it (the member, forum, compliance member,
plan and commitment pages, the pages' heads, "My work"). Building a queryset through the ORM (its
annotations, ``select_related``, columns, sub-selects) and compiling it to SQL cost 0.2-1 ms of Python a
query, often more than running it. Its SQL is the same on every visit but for a few values (the code or
the id in the URL, the visitor's id, the page's commitments), so it is compiled once per process, shape,
database and language (the ORM orders and falls back by the active language's columns) and run with the
request's values: the same SQL, the same parameters, the same rows as the queryset gives.

- :func:`compiled` returns a read-only queryset whose compiler answers the kept SQL: model instances
  (``select_related`` objects and annotations included), ``values_list`` tuples, each through Django's
  own iterables and converters, and modeltranslation's language fallback.
- :func:`rows` gives the tuples of a ``values_list`` straight from the cursor, through the compiler's
  converters (SQLite's dates and moments), in the order ``values_list`` was given: for pages of
  hundreds of rows. A ``values_list`` the fast path cannot read as Django would (a translated field's
  fallback, ``flat``/``named``, columns renamed) goes through Django's iterable instead.
- :func:`compiled_sql` gives the kept ``(sql, params)`` itself, to be used inside another statement.
- :func:`ids_text` with :func:`among`, and :func:`day`: a list of ids of any length, or a day, as ONE
  parameter (``column__in=[…]`` gives one parameter per id, so a list's length is part of the shape, and
  the ORM turns a day into a date not found among the parameters as given): for lists whose length varies
  with every request (the home page's members), one shape serves them all.

A shape is ``name`` (anything hashable: it must hold everything ``build`` depends on besides the values,
e.g. a person's scope) and the values' names, kinds and, for a list, its length. At most ``MOST_SHAPES``
shapes are kept (each a few kilobytes of SQL); all are forgotten when that many are, and compiled again.

How the values are found in the compiled SQL: the queryset is built once with a placeholder for each value
(an integer or a text that no page uses; for a list of integers one placeholder per item) and the positions
of the placeholders among the compiled parameters (or inside a list parameter: an array) are where each
request's values go, however many times each appears. A value the ORM would transform (a ``LIKE``
pattern, a lower-cased text), so that its placeholder is not found as given, makes the query run through
the ORM every time, as before: never a wrong parameter. A query that can select nothing whatever the
values (``EmptyResultSet``: an empty list, nobody's scope) is answered with no query, as the ORM does.

On PostgreSQL each kept statement is also prepared on the server once per connection (``PREPARE`` /
``EXECUTE``: no parsing or planning per request; only the request's values are its parameters, the statement's
fixed values written in): see "Server-side prepared statements" below and tests/test_prepared_statements.py.

``commitments.filters.CompiledColumn`` is a different thing on the same idea: one column expression (a
sub-select of the commitment list) whose SQL is compiled once and pasted into queries the ORM still builds
and compiles each time (the list's filters and orders vary); this module keeps whole statements.
"""

from __future__ import annotations

import itertools
import operator
import re
import threading

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import BooleanField, CharField, DateField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI
from django.http import Http404
from django.utils import translation

MOST_SHAPES = 4096
_COMPILED: dict = {}
_LOCK = threading.Lock()


def keep_shape(store: dict, key, entry, most: int | None = None) -> None:
    """Keep ``entry`` under ``key`` in a per-process store of compiled shapes: at most ``most``, all forgotten when
    full (shapes are few; a flood of new ones costs a recompile, never memory)."""
    with _LOCK:
        if len(store) >= (MOST_SHAPES if most is None else most):
            store.clear()
        store[key] = entry
_NOT_COMPILABLE = object()
# Placeholders no request sends: integers far below any id, texts with a NUL byte (PostgreSQL refuses
# them in a query, so one could never come from a URL into a query of ours).
_INT_BASE = -7_300_000_000_000_000_000
_INT64 = (-(2**63) + 2**62, 2**63 - 1)  # values below the placeholders' range go through the ORM too
# Django's values_list() rows and modeltranslation's (which falls back across languages for a translated field).
_TUPLES = {"ValuesListIterable", "FallbackValuesListIterable"}


def _shape(value):
    if isinstance(value, (list, tuple)):
        return len(value)
    return type(value).__name__


def _placeholders(values: dict) -> dict:
    out, count = {}, 0
    for name, value in sorted(values.items()):
        if isinstance(value, (list, tuple)):
            if not all(type(item) is int for item in value):
                raise TypeError(f"compiled queries take lists of integers ({name})")
            out[name] = [_INT_BASE - count - i for i in range(len(value))]
            count += len(value)
        elif isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"compiled queries take integers, texts and lists of integers, not {type(value).__name__} ({name})")
        else:
            out[name] = _INT_BASE - count if isinstance(value, int) else f"\x00{name}\x00"
            count += 1
    return out


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _out_of_range(values) -> bool:
    """Whether an integer (or a list's) is one no column holds (a URL's digits): the ORM answers it, no rows."""
    for value in values.values():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if type(item) is int and not _INT64[0] <= item <= _INT64[1]:
                return True
    return False


class _Compiled:
    """The queryset built with placeholders, its SQL, and where each value goes among its parameters."""

    __slots__ = ("queryset", "sql", "params", "slots", "state", "fast", "prepared")

    def __init__(self, queryset, alias, placeholders, generic_plan=False):
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # (EmptyResultSet: the caller keeps that)
        where = {}  # placeholder -> (value's name, item of a list or None)
        for name, placeholder in placeholders.items():
            if isinstance(placeholder, list):
                where.update({item: (name, i) for i, item in enumerate(placeholder)})
            else:
                where[placeholder] = (name, None)
        slots, found = [], set()
        for index, param in enumerate(params):
            if isinstance(param, (list, tuple)):  # an array parameter: the placeholders inside it
                for inner, item in enumerate(param):
                    if _hashable(item) and item in where:
                        slots.append((index, inner, *where[item]))
                        found.add(item)
            elif _hashable(param) and param in where:
                slots.append((index, None, *where[param]))
                found.add(param)
        if found != set(where):
            raise LookupError("a value was transformed by the ORM")  # run through the ORM instead
        self.queryset, self.sql, self.params, self.slots = queryset, sql, tuple(params), tuple(slots)
        # What ``execute_sql`` and the iterables read of the compiler after ``as_sql``.
        self.state = {
            name: getattr(compiler, name)
            for name in ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")
        }
        self.fast = self._fast_rows(queryset, compiler)
        variable = {index for index, *_rest in slots}
        self.prepared = prepared_statement(sql, self.params, variable, connections[alias].vendor, generic_plan)

    @staticmethod
    def _fast_rows(queryset, compiler):
        """(converters, order) to read a ``values_list``'s tuples from the cursor as Django would, or None."""
        if queryset._fields is None or queryset._iterable_class.__name__ not in _TUPLES:
            return None
        wanted = list(getattr(queryset, "original_fields", None) or queryset._fields)
        if queryset._iterable_class.__name__ == "FallbackValuesListIterable":
            from modeltranslation.translator import NotRegistered, translator

            try:
                translated = set(translator.get_options_for_model(queryset.model).all_fields)
            except NotRegistered:
                translated = set()
            if set(wanted) & translated:
                return None  # a translated field's language fallback: modeltranslation's iterable
        names = [alias for _column, _sql, alias in compiler.select]
        if sorted(names) != sorted(wanted) or compiler.has_extra_select:
            return None
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        order = tuple(names.index(name) for name in wanted)
        return converters, (None if order == tuple(range(len(order))) else operator.itemgetter(*order))

    def params_for(self, values):
        params = list(self.params)
        copied = set()
        for index, inner, name, item in self.slots:
            value = values[name] if item is None else values[name][item]
            if inner is None:
                params[index] = value
            else:
                if index not in copied:
                    params[index] = list(params[index])
                    copied.add(index)
                params[index][inner] = value
        for index in copied:
            params[index] = type(self.params[index])(params[index])
        return tuple(params)

    def queryset_for(self, values, alias):
        sql, params = self.sql, self.params_for(values)
        # Shallow copies of the kept queryset and its query (never evaluated, never changed: read-only),
        # not ``_chain()``'s clone of the whole query tree, which cost as much as the rest of a run.
        kept = self.queryset
        query = object.__new__(type(kept.query))
        query.__dict__ = kept.query.__dict__.copy()
        queryset = object.__new__(type(kept))
        queryset.__dict__ = kept.__dict__.copy()
        queryset._query = query
        connection = connections[alias]
        compiler = connection.ops.compiler(query.compiler)(query, connection, alias, True)
        compiler.__dict__.update(self.state)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        if self.prepared is not None:
            execute_sql = compiler.execute_sql

            def prepared_execute_sql(result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE):
                # A server-side cursor (``iterator()``) declares a SELECT: the kept SQL as given there.
                execute = None if chunked_fetch else prepared_execute(self, connection)
                if execute is not None:
                    compiler.as_sql = lambda *args, **kwargs: (execute[0], execute[1](params))
                try:
                    return execute_sql(result_type, chunked_fetch, chunk_size)
                except DatabaseError:
                    if execute is not None:
                        prepare_afresh(self)
                    raise
                finally:
                    compiler.as_sql = lambda *args, **kwargs: (sql, params)

            compiler.execute_sql = prepared_execute_sql
        query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


class _Empty:
    """A shape that selects nothing whatever the values (``EmptyResultSet``): no query, as the ORM."""

    __slots__ = ("queryset",)

    def __init__(self, queryset):
        self.queryset = queryset


def _entry(name, build, values, generic_plan=False):
    alias = DEFAULT_DB_ALIAS
    shape = tuple((k, _shape(v)) for k, v in sorted(values.items()))
    key = (name, alias, connections[alias].vendor, translation.get_language(), shape, generic_plan)
    entry = _COMPILED.get(key)
    if entry is None:
        placeholders = _placeholders(values)
        queryset = build(**placeholders)
        try:
            entry = _Compiled(queryset, alias, placeholders, generic_plan)
        except EmptyResultSet:
            entry = _Empty(queryset)
        except LookupError:
            entry = _NOT_COMPILABLE
        keep_shape(_COMPILED, key, entry)
    if entry is _NOT_COMPILABLE or (type(entry) is _Compiled and _out_of_range(values)):
        return None, alias
    return entry, alias


def compiled(name, build, *, generic_plan=False, **values):
    """Return ``build(**values)``: a queryset whose SQL was compiled once per process, shape, database and language.

    ``name`` names the query's shape: everything ``build`` depends on besides ``values`` (integers, texts
    and lists of integers, each used as parameters of the SQL as given) must be in it. The queryset
    returned is for reading only (iterate it, or ``list()`` it): do not filter, order or slice it further.
    ``generic_plan``: on PostgreSQL run it with its generic plan always (see "Generic plans" below): only for a
    statement whose generic plan was measured no worse than its custom plans, for typical and extreme values.
    """
    entry, alias = _entry(name, build, values, generic_plan)
    if entry is None:
        return build(**values)
    if type(entry) is _Empty:
        return entry.queryset.none()
    return entry.queryset_for(values, alias)


def rows(name, build, *, generic_plan=False, **values) -> list[tuple]:
    """The rows of the ``values_list`` queryset ``build(**values)`` as tuples (:func:`compiled`'s shapes), read
    straight from the cursor through the compiler's converters when Django's iterable would do no more.
    ``generic_plan``: as :func:`compiled`'s."""
    entry, alias = _entry(name, build, values, generic_plan)
    if entry is None:
        return list(build(**values))
    if type(entry) is _Empty:
        return []
    if entry.fast is None:
        return list(entry.queryset_for(values, alias))  # (Django's own rows: tuples of a values_list)
    converters, order = entry.fast
    connection = connections[alias]
    execute = prepared_execute(entry, connection) if entry.prepared is not None else None
    params = entry.params_for(values)
    with connection.cursor() as cursor:
        if execute is None:
            cursor.execute(entry.sql, params)
        else:
            try:
                cursor.execute(execute[0], execute[1](params))
            except DatabaseError:
                prepare_afresh(entry)
                raise
        found = cursor.fetchall()
    if converters:  # as SQLCompiler.apply_converters does, with this thread's connection
        found = [list(row) for row in found]
        for row in found:
            for position, (functions, expression) in converters.items():
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
    if order is not None:  # (two columns at least: one is in order)
        return [order(row) for row in found]
    return found if not converters else [tuple(row) for row in found]


def compiled_sql(name, build, **values) -> tuple | None:
    """``(sql, params)`` of ``build(**values)`` (:func:`compiled`'s shapes), to use inside another statement;
    None for a query that can select nothing (``EmptyResultSet``)."""
    entry, _alias = _entry(name, build, values)
    if entry is None:
        try:
            return build(**values).query.sql_with_params()
        except EmptyResultSet:
            return None
    if type(entry) is _Empty:
        return None
    return entry.sql, entry.params_for(values)


def one_or_404(queryset):
    """The one row of ``queryset`` (read by a unique key), or 404: what ``get_object_or_404`` gives."""
    found = list(queryset)
    if not found:
        raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")
    return found[0]


# --- Server-side prepared statements (PostgreSQL) ---------------------------------------------------------------
#
# A kept statement's SQL is the same on every visit, yet PostgreSQL parsed, analysed and planned it again on each
# (issue #20: planning was 0.2-0.7 ms of the staff pages' queries, more than running them). On PostgreSQL each
# kept statement is prepared once per connection (``PREPARE name AS …``; psycopg2 has no protocol-level prepare)
# and run as ``EXECUTE name(%s, …)`` with the request's values: the same rows. Only the request's values are
# parameters (``$1 …``); the values fixed in the statement (a state, a kind: the ORM's own parameters) are written
# in as literals, quoted by the driver, so that the plan PostgreSQL keeps for every request after the fifth
# (``plan_cache_mode`` auto: a generic plan) can still use a partial index on them (the review queue's
# ``progress_submitted_milestone``, on ``state = 'submitted'``).
# Connections live across requests (``CONN_MAX_AGE``), so a statement is prepared about once per process. What is
# prepared on which connection is kept beside Django's connection object, under the driver's connection it was
# prepared on: a new connection (a closed one reopened, another thread's) starts with nothing prepared. Prepared
# only outside a transaction (a web request runs in autocommit): a refused PREPARE would abort the caller's
# transaction, so inside one a statement not yet prepared on the connection runs as plain SQL. A statement
# PostgreSQL refuses to prepare runs as plain SQL from then on. SQLite (tests) runs the plain SQL.

# Generic plans. After a prepared statement's fifth run PostgreSQL (``plan_cache_mode`` auto) keeps its generic plan only
# when that plan's estimated cost is no higher than the custom plans' average, and otherwise plans it again on every run
# (0.1-0.9 ms). Statements read by an id whose rows the statistics cannot foresee (a plan's commitments, milestones and
# updates, the home page's members by LIMIT/OFFSET) stayed on custom plans for ever (``pg_prepared_statements``: 0
# generic plans after hundreds of runs), though their generic plan ran as fast. Such a statement, declared with
# ``generic_plan=True`` where it is measured no worse for typical and extreme values, runs as
# ``SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE …``, one query string: in autocommit (a web request) its own
# implicit transaction, so the setting ends with it. Inside the caller's transaction (where SET LOCAL would hold until
# its end) it runs as a plain EXECUTE. tests/test_generic_plans.py; issue #20.
GENERIC_PLAN = "SET LOCAL plan_cache_mode = force_generic_plan; "

MOST_PREPARED = 512  # statements prepared on one connection; past that all are deallocated and prepared again
_NAMES = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")


class _Statement:
    """A kept statement as prepared: its name, its text (``$n`` for the request's values, ``%s`` for the fixed ones,
    which the driver quotes when it is prepared), the fixed values, and the ``EXECUTE`` with the request's values."""

    __slots__ = ("name", "text", "fixed", "execute", "variable", "generic_plan", "execute_generic")

    def __init__(self, name, text, fixed, variable, generic_plan=False):
        self.name, self.text, self.fixed, self.variable = name, text, tuple(fixed), tuple(variable)
        given = f"({', '.join(['%s'] * len(variable))})" if variable else ""
        self.execute = f"EXECUTE {name}{given}"
        self.generic_plan = generic_plan
        self.execute_generic = GENERIC_PLAN + self.execute if generic_plan else self.execute

    def values(self, params):
        """The request's values among a run's ``params``, in the order of their ``$n``."""
        return [params[index] for index in self.variable]


def prepared_statement(sql, params, variable, vendor, generic_plan=False):
    """A kept statement's :class:`_Statement` on PostgreSQL, or None (another database, no parameter).
    ``generic_plan``: run it with its generic plan always (see "Generic plans")."""
    if vendor != "postgresql" or not params:
        return None
    fixed, order, positions = [], [], itertools.count()

    def placeholder(found):
        if found.group() == "%%":
            return "%%"
        index = next(positions)
        if index >= len(params):
            raise LookupError
        if index in variable:
            order.append(index)
            return f"${len(order)}"
        fixed.append(params[index])
        return "%s"

    try:
        text = _PLACEHOLDER.sub(placeholder, sql)
    except LookupError:
        return None
    if next(positions) != len(params):
        return None  # (a placeholder Django did not write: never guess)
    return _Statement(f"ogp_kept_{next(_NAMES)}", text, fixed, order, generic_plan)


def prepare_afresh(entry):
    """After an ``EXECUTE`` failed: the statement prepared afresh, under a new name, at its next run. (A migration
    that changed a column's type makes PostgreSQL refuse a prepared plan whose rows it changes, where the plain SQL
    would run: one request fails, not every one until the connection is replaced.)"""
    statement = entry.prepared
    if statement is not None:
        entry.prepared = _Statement(f"ogp_kept_{next(_NAMES)}", statement.text, statement.fixed, statement.variable, statement.generic_plan)


def prepared_execute(entry, connection):
    """(``EXECUTE`` text, the function picking its values from a run's parameters) to run ``entry``'s statement
    prepared on ``connection``, or None (run its SQL as given)."""
    statement = entry.prepared
    if statement is None:
        return None
    connection.ensure_connection()
    driver = connection.connection
    kept = connection.__dict__.get("_ogp_prepared")
    if kept is None or kept[0] is not driver:
        kept = (driver, set())
        connection._ogp_prepared = kept
    names = kept[1]
    in_transaction = connection.in_atomic_block or not connection.get_autocommit()
    if statement.name not in names:
        if in_transaction:
            return None  # a refused PREPARE would abort the caller's transaction: plain SQL this time
        # On the driver's own cursor: part of the connection's set-up, once per connection, not a query of the page
        # (Django's cursor would count it, and the pages' query counts are asserted).
        try:
            with driver.cursor() as cursor:
                if len(names) >= MOST_PREPARED:
                    cursor.execute("DEALLOCATE ALL")
                    names.clear()
                cursor.execute(cursor.mogrify(f"PREPARE {statement.name} AS {statement.text}", statement.fixed))
        except connection.Database.Error:
            entry.prepared = None  # refused (a parameter's type it cannot infer): plain SQL from now on
            return None
        names.add(statement.name)
    # Inside the caller's transaction a SET LOCAL would hold until its end: PostgreSQL's own choice of plan there.
    return (statement.execute if in_transaction else statement.execute_generic), statement.values


class _RawStatement:
    """A statement written as SQL (not a queryset), kept by :func:`execute_kept`: its ``_Statement`` (``prepared``),
    None to run the plain SQL (another database, no parameter, or refused by the server)."""

    __slots__ = ("prepared",)

    def __init__(self, prepared):
        self.prepared = prepared


_RAW: dict = {}  # (database, vendor, SQL, its fixed values, the variable positions) -> _RawStatement, per process
MOST_RAW = 1024


def execute_kept(cursor, sql, params, variable=frozenset(), generic_plan=False):
    """Run ``sql`` (written as SQL, with ``params``) on ``cursor`` (Django's) as a kept statement: on PostgreSQL prepared
    once per connection as the compiled querysets' are (above), elsewhere (or inside a transaction that has not
    prepared it) the plain SQL. ``variable``: the positions among ``params`` of the request's values (the statement's
    ``$n``); the others are written in, so the statement is kept per value of them (a scope's ids, a kind).
    ``generic_plan``: as :func:`compiled`'s."""
    connection = cursor.db
    fixed = tuple(param for index, param in enumerate(params) if index not in variable)
    key = (connection.alias, connection.vendor, sql, fixed, frozenset(variable), generic_plan)
    entry = _RAW.get(key)
    if entry is None:
        entry = _RawStatement(prepared_statement(sql, params, set(variable), connection.vendor, generic_plan))
        keep_shape(_RAW, key, entry, most=MOST_RAW)
    execute = prepared_execute(entry, connection) if entry.prepared is not None else None
    if execute is None:
        cursor.execute(sql, params)
        return
    try:
        cursor.execute(execute[0], execute[1](params))
    except DatabaseError:
        prepare_afresh(entry)
        raise


# --- Values given as ONE parameter each: a list of ids of any length, a day -------------------------------------


def _postgresql() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def ids_text(ids) -> str:
    """Ids as one text parameter (:func:`among`): an array literal on PostgreSQL, a JSON list elsewhere (SQLite)."""
    joined = ",".join(str(int(pk)) for pk in ids)
    return f"{{{joined}}}" if _postgresql() else f"[{joined}]"


def among(column: str, ids: str):
    """A condition for ``filter()``: ``column`` (quoted, as the query names it) is one of ``ids`` (:func:`ids_text`)."""
    if _postgresql():
        return RawSQL(f"{column} = ANY(CAST(%s AS bigint[]))", (ids,), output_field=BooleanField())
    return RawSQL(f"{column} IN (SELECT value FROM json_each(%s))", (ids,), output_field=BooleanField())


def day(text: str):
    """A day given as its ISO text, as a date in SQL (SQLite keeps dates as ISO text: compared as given)."""
    value = Value(text, output_field=CharField())
    return Cast(value, DateField()) if _postgresql() else value
