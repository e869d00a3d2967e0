"""The commitment list's page and count queries compiled once per process and shape (issue #20).

Building the list's queryset (the FilterSet's annotations, joins, search and order) and compiling its page
query and its bounded count cost ~2 ms of Python on every first render, more than some of their SQL. For
the list as most visitors see it (no filter, or a search alone, with or without a sort) the SQL is the same
on every request but for the search's words and text: it is compiled once per *shape* (the number of
words and which are ASCII, broad or narrow, the sort, the page's slice, the day, the language, the
database) with placeholder words, and each request's words are put where the placeholders are among the
parameters, exactly as the ORM would have written them (``%word%`` for a ``LIKE``, ``word:* & …`` for
the tsquery, the start-of-word pattern of a name, the identifier's text as typed). A search whose words
the ORM would transform differently from a placeholder (a "ё", a word whose case variants are fewer than
three) goes through the ORM as before; so does every other filter. The same rows, in the same order,
with the same count: ``tests/commitments/test_list_compiled.py`` compares both ways.

``ogp_portal.compiled`` keeps whole statements for integers, texts and id lists used as parameters as
given; a search's words reach this SQL inside patterns the ORM builds from them, hence this module.
"""

from __future__ import annotations


from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import translation

from ogp_portal.compiled import keep_shape, prepare_afresh, prepared_execute, prepared_statement

from .overdue_counts import every_count_holds
from .search import search_words

MOST_SHAPES = 256
_KEPT: dict = {}
_NOT_COMPILABLE = object()

# Placeholder words: letters no search sends together, fixed length, none inside another; an ASCII one
# for an ASCII word (no case variants in the SQLite fallback), a Cyrillic one for a word with three distinct
# case variants (``search._words_q`` tries a Cyrillic word as typed, capitalised and upper-cased).
_ASCII = tuple(f"zqj{chr(97 + i)}xq" for i in range(26))
_CYRILLIC = tuple(f"щъж{chr(0x430 + i)}ыщ" for i in range(26))
# The search as typed is the placeholder words and this mark (no word: the identifier's text differs from every word).
_TEXT_MARK = " ·"


def shape_of(filterset) -> tuple | None:
    """``(shape, words, text)`` when the list's queries can be compiled for this request, else None.

    Only without a filter, or with the search alone (and a sort), on a valid form.
    """
    if filterset.errors:
        return None
    data = filterset.form.cleaned_data
    if any(data.get(name) not in (None, "", []) for name in data if name not in ("q", "sort")):
        return None
    text = (data.get("q") or "").strip()
    words = search_words(text)
    kinds = []
    for word in words:
        if "ё" in word or "Ё" in word:
            return None  # the names' pattern writes it "[её]"
        if word.isascii():
            kinds.append("a")
        elif len({word, word.capitalize(), word.upper()}) == 3:
            kinds.append("c")
        else:
            return None
    if len(words) > len(_ASCII):
        return None
    sort = tuple(str(value) for value in (data.get("sort") or ()))
    return (tuple(kinds), sort), words, text


def _placeholder_words(kinds):
    return [(_ASCII if kind == "a" else _CYRILLIC)[i] for i, kind in enumerate(kinds)]


def _replacements(kinds, words, text) -> list[tuple[str, str]]:
    """(placeholder, value) pairs, the longest variants first: how each placeholder text becomes the request's."""
    pairs = []
    for placeholder, word in zip(_placeholder_words(kinds), words):
        if word.isascii():
            pairs.append((placeholder, word))
        else:
            pairs += [(placeholder.upper(), word.upper()), (placeholder.capitalize(), word.capitalize()), (placeholder, word)]
    return pairs


class _Statement:
    """One compiled statement: its SQL, its parameters with placeholders, and how to read its rows as dicts."""

    __slots__ = ("sql", "params", "names", "converters", "fields", "prepared", "generic")

    def __init__(self, sql, params, names=None, converters=None, fields=None):
        self.sql, self.params, self.names, self.converters, self.fields = sql, tuple(params), names, converters, fields
        self.prepared = None
        self.generic = False

    def prepare(self, kinds, generic=False, text=None):
        """Run as a server-side prepared statement on PostgreSQL (``ogp_portal.compiled``'s mechanism: PREPARE once
        per connection, plain SQL inside a transaction or when refused): the parameters a request's words change
        are its ``$n``, the others (days, states, the language's values) written in.

        ``generic``: always run with its generic plan, planned once per connection. PostgreSQL's own choice keeps a
        custom plan, planned again on every run, whenever the generic plan's estimated cost is the higher, and for a
        searched page it always is (its estimates of the words' matches and of the names' patterns are the defaults):
        the searched list's page statement was planned afresh on every request (``pg_prepared_statements``: 0 generic
        plans after hundreds of runs, issue #20). ``text``: the prepared statement's SQL when not the plain one's (the
        same parameters in the same places)."""
        self.generic = generic
        typed, words = _placeholder_text(kinds), _placeholder_words(kinds)
        variable = {
            index
            for index, param in enumerate(self.params)
            if type(param) is str and (param == typed or any(word in param.lower() for word in words))
        }
        self.prepared = prepared_statement(text or self.sql, self.params, variable, connections[DEFAULT_DB_ALIAS].vendor, generic)

    def _execute(self, cursor, connection, params):
        execute = prepared_execute(self, connection) if self.prepared is not None else None
        if execute is None:
            cursor.execute(self.sql, params)
            return
        try:
            cursor.execute(execute[0], execute[1](params))  # (with its generic plan: ogp_portal.compiled's GENERIC_PLAN)
        except DatabaseError:
            prepare_afresh(self)
            raise

    def params_for(self, pairs, text, kinds):
        if not pairs and not text:
            return self.params
        typed = _placeholder_text(kinds)
        out = []
        for param in self.params:
            if type(param) is str:
                if param == typed:  # the identifier's text, as the ORM gives it to ``iexact``
                    param = connections[DEFAULT_DB_ALIAS].ops.prep_for_iexact_query(text)
                else:
                    for placeholder, value in pairs:
                        if placeholder in param:
                            param = param.replace(placeholder, value)
            out.append(param)
        return tuple(out)

    def check(self, kinds):
        """Raise LookupError unless every placeholder is found among the parameters (the ORM kept them as given)."""
        typed = _placeholder_text(kinds)
        found = " ".join(param for param in self.params if type(param) is str and param != typed)
        missing = [p for p in _placeholder_words(kinds) if p not in found]
        if missing or (kinds and typed not in self.params):
            raise LookupError("a placeholder was transformed by the ORM")

    def rows(self, pairs, text, kinds):
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            self._execute(cursor, connection, self.params_for(pairs, text, kinds))
            found = cursor.fetchall()
        names, converters, fields = self.names, self.converters, self.fields
        out = []
        for row in found:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters.items():
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            values = dict(zip(names, row))
            out.append({name: values[name] for name in fields})
        return out

    def value(self, pairs, text, kinds):
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            self._execute(cursor, connection, self.params_for(pairs, text, kinds))
            return cursor.fetchone()[0]


def page_statement(queryset) -> _Statement:
    """The statement of a sliced ``values()`` queryset, read as Django (and modeltranslation) would give its dicts."""
    if getattr(queryset, "translation_fields", None):
        raise LookupError("a translated field's fallback: modeltranslation's rows")
    query = queryset.query
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    if query.extra_select:
        raise LookupError("not a plain values() query")
    # The columns' names in the order of the row, as Django's ValuesIterable reads them.
    names = list(query.selected) if query.selected else [*query.values_select, *query.annotation_select]
    if len(names) != compiler.col_count:
        raise LookupError("columns other than the values")
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select[: compiler.col_count]])
    fields = tuple(getattr(queryset, "original_fields", None) or names)
    fields = (*fields, *(name for name in query.annotation_select if name not in fields))
    return _Statement(sql, params, names, converters, fields)


def _entry(key, build):
    entry = _KEPT.get(key)
    if entry is None:
        try:
            entry = build()
        except LookupError:
            entry = _NOT_COMPILABLE
        keep_shape(_KEPT, key, entry, MOST_SHAPES)
    return None if entry is _NOT_COMPILABLE else entry


def _key(kind, shape, extra):
    connection = connections[DEFAULT_DB_ALIAS]
    return (kind, shape, extra, DEFAULT_DB_ALIAS, connection.vendor, translation.get_language())


def compiled_count(shape, words, text, build_count, today):
    """The bounded count of this shape's rows, or None when it cannot be compiled.

    ``build_count(query_text)``: the count's ``(sql, params)`` built by the ORM for the search ``query_text``.
    """
    kinds = shape[0]

    def build():
        sql, params = build_count(_placeholder_text(kinds))
        generic = _generic_count_shape(shape) and _OWN_TEXT_WALK in sql
        statement = _Statement(sql, params)
        statement.check(kinds)
        if _prepared_shape(shape, "count") or generic:
            statement.prepare(kinds, generic=generic, text=_once_a_run(sql) if generic else None)
        return statement

    statement = _entry(_key("count", shape, today), build)
    if statement is None:
        return None
    return statement.value(_replacements(kinds, words, text), text, kinds)


def compiled_rows(shape, words, text, build_rows, bottom, top, today):
    """The rows ``[bottom:top]`` of this shape's page query as dicts, or None when it cannot be compiled.

    ``build_rows(query_text)``: the ``values()`` queryset of the list built by the ORM for the search ``query_text``.
    """
    kinds = shape[0]

    def build():
        statement = _page_statement(build_rows(_placeholder_text(kinds)), shape[1], bottom, top, today)
        statement.check(kinds)
        generic = _generic_plan_shape(shape)
        if _prepared_shape(shape, "rows"):
            statement.prepare(kinds, generic=generic, text=_once_a_run(statement.sql) if generic else None)
        return statement

    statement = _entry(_key("rows", shape, (bottom, top, today)), build)
    if statement is None:
        return None
    return statement.rows(_replacements(kinds, words, text), text, kinds)


# The overdue orders: the stored count (``commitments.overdue_counts``) read from its index, both ways, where it holds.
STORED_ORDERS = {("overdue",): "overdue_stored", ("-overdue",): "-overdue_stored"}


def _page_statement(rows, sort, bottom, top, today) -> _Statement:
    """The statement of the rows ``[bottom:top]`` of the list's ``values()`` queryset ``rows`` sorted by ``sort``.

    Sorted by overdue milestones: the live count of every matching commitment, all sorted, took 1.1-4.3 s at scale
    10 (97 % have some, issue #20). When every commitment's stored count holds today (``overdue_counts``), the page
    is read from the index of the stored count (the same values, the same ties by identifier); otherwise from the
    live count as before. One statement: the ``UNION ALL`` of both pages, each under its (uncorrelated) condition,
    which PostgreSQL tests once, so only one of them runs."""
    stored = STORED_ORDERS.get(sort)
    if stored is None:
        return page_statement(rows[bottom:top])
    order = [stored if str(key).lstrip("-") == "overdue_count" else key for key in rows.query.order_by]
    holds = every_count_holds(today)
    first = page_statement(rows.filter(holds).order_by(*order)[bottom:top])
    second = page_statement(rows.filter(~holds)[bottom:top])
    if first.names != second.names:
        raise LookupError("the two pages' columns differ")
    sql = f"SELECT * FROM ({first.sql}) AS stored_order UNION ALL SELECT * FROM ({second.sql}) AS live_order"
    return _Statement(sql, (*first.params, *second.params), first.names, first.converters, first.fields)


def _prepared_shape(shape, kind) -> bool:
    """Whether this shape's statements run prepared (PostgreSQL keeps a generic plan after five runs when its
    estimated cost is no worse than the custom plans', and that plan cannot see how many rows the words match).
    The list without a search: no parameter a request changes. A broad search's page: its generic plan walks the
    list's order, as fast as the custom plans or faster (scale 10: "a" 44-51 -> 3.3 ms, "open data" ~9-16 ms
    either way), and in the orders an index walks it runs with that plan always (:func:`_generic_plan_shape`):
    PostgreSQL's own choice kept planning it afresh on every run. Not a narrow search's page (one word: 3.7 ->
    10.4 ms, "zz" 16 -> 30 ms generic) nor a narrow search's count (the UNION of the indexes' matches); a broad
    search's count: :func:`_generic_count_shape`, issue #20."""
    kinds, _sort, broad = shape[:3]
    return not kinds or (kind == "rows" and broad is True)


# The sorts a broad search's page walks an index in (the member's name, the default; the identifier, the title, the
# last update): their generic plan, run always, was measured as fast or faster than PostgreSQL's own (custom) plans.
# Not the number, the end date nor the overdue milestones, whose custom plans were faster (issue #20).
GENERIC_PLAN_SORTS = frozenset({"member", "-member", "identifier", "-identifier", "title", "-title", "updated", "-updated"})


def _generic_plan_shape(shape) -> bool:
    """Whether this shape's page statement runs with its generic plan always (``_Statement.prepare``, ``generic``):
    a broad search's page in an order an index walks. Scale 10, six broad searches, the page statement: default order
    "open data" 14.5 -> 14.0 ms (median), "a" 68 -> 10, "budget" 13.9 -> 13.3, "public service" 18.4 -> 15.9; by last
    update 17.5 -> 12.1, 13.3 -> 8.7; by title and member within the noise; the same rows. Its tsqueries computed once
    per run as the count's (:func:`_generic_count_shape`): "open data" 4.2 -> 3.6 ms, "government open" 7.7 -> 5.9
    (issue #20)."""
    kinds, sort, broad = shape[:3]
    return bool(kinds) and broad is True and all(value in GENERIC_PLAN_SORTS for value in sort)


# The search's tsquery as the ORM writes it (commitments/search.py), and the bounded count's walk of the rows matched by
# their own text in the key's order, as search.search_subset writes it for a search alone (estimate-free).
_TSQUERY = "to_tsquery(%s::regconfig, %s)"
_OWN_TEXT_WALK = f"""COALESCE(("commitments_commitment"."search_vector" @@ {_TSQUERY}), false)"""


def _generic_count_shape(shape) -> bool:
    """Whether this shape's bounded count runs prepared with its generic plan always: a broad search's count, planned
    once per connection, not on every request (~0.8 ms). Its walk of the own-text matches in the key's order is
    estimate-free (``search.search_subset``, ``key_order``), so its generic plan is the custom plans' walk; and every
    tsquery is computed once per run (``(SELECT to_tsquery(…))``), as a custom plan computes it once when planning,
    where a generic plan parsed it again on every row walked (~2 us a row: "open data" 2.4 -> 5.2 ms). Scale 10,
    interleaved runs: "open data" 2.4 -> 1.6 ms (min), 7.4 -> 5.0 (median), "a b" 1.1 -> 0.4, "public service"
    9.1 -> 4.1, "government open" 15.8 -> 7.4, "budget report" 9.8 -> 10.2, the same counts (issue #20)."""
    kinds, _sort, broad = shape[:3]
    return bool(kinds) and broad is True


def _once_a_run(sql) -> str:
    """``sql`` with each tsquery computed once per run (``(SELECT to_tsquery(…))``), for a statement run with its
    generic plan (see :func:`_generic_count_shape`). Not the plain SQL's: a custom plan computes the tsquery once
    anyway, and estimates its matches from it (from an InitPlan's value it could not)."""
    return sql.replace(_TSQUERY, f"(SELECT {_TSQUERY})")


def _placeholder_text(kinds) -> str:
    """The search the placeholders are built from: its words are the placeholders and a mark; "" without words."""
    return " ".join(_placeholder_words(kinds)) + _TEXT_MARK if kinds else ""
