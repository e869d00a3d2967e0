"""Commitment search: the words of a query matched against the stored search vectors, and the names.

PostgreSQL full-text search over the titles, descriptions and milestone deliverables in every language
(``simple`` configuration, prefix matching, stored ``search_vector`` columns with GIN indexes from
migration ``0008_stored_search_vector``); on SQLite every word must appear (case-insensitive) in one of
the same columns. Beside the text, a commitment is found by its lead agency's or its member's name in any
language (the translated names of ``commitments.translation``: "Счётная палата" finds the Accounts
Chamber's commitments), and :func:`search_languages` says in which languages the results matched (the
list's note). A broad query walks the list in its own order and tests each row; a narrow one reads the
UNION of the matching ids (:func:`search_commitments`). The FilterSets (``commitments.filters``) use it.
"""

from __future__ import annotations

import functools
import json
import re
import time

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import BooleanField, CharField, Count, Exists, Expression, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.db.models.lookups import GreaterThan
from django.db.models.sql import Query

from .models import ActionPlan, Agency, Commitment, Member, Milestone

LANGUAGE_CODES = tuple(settings.MODELTRANSLATION_LANGUAGES)
SEARCH_CONFIG = "simple"  # no stemming: the same rules for English, Russian and Kyrgyz
COMMITMENT_SEARCH_COLUMNS = tuple(f"{field}_{code}" for field in ("title", "description") for code in LANGUAGE_CODES)
MILESTONE_SEARCH_COLUMNS = tuple(f"deliverable_{code}" for code in LANGUAGE_CODES)
MAX_SEARCH_WORDS = 10


# On PostgreSQL each table stores its vector in a generated column with a GIN index (migration 0008).
SEARCH_VECTOR_COLUMN = "search_vector"


def commitment_search_vector():
    """Return the search vector of a commitment: the expression of the stored ``search_vector`` column.

    Migration 0008 stores it (``GENERATED ALWAYS AS … STORED``, the same columns and configuration);
    migration 0003 indexed this expression before, and 0008's reverse restores that index.
    """
    return SearchVector(*COMMITMENT_SEARCH_COLUMNS, config=SEARCH_CONFIG)


def milestone_search_vector():
    """Return the search vector of a milestone (stored as ``search_vector`` on PostgreSQL, migration 0008)."""
    return SearchVector(*MILESTONE_SEARCH_COLUMNS, config=SEARCH_CONFIG)


def search_words(text: str) -> list[str]:
    """Return the words of a search, lower-cased, letters and digits only (safe in a raw tsquery)."""
    return re.findall(r"[^\W_]+", (text or "").lower())[:MAX_SEARCH_WORDS]


def _prefix_tsquery(words) -> str:
    # Every word, each as a prefix: "audit" finds "auditing", "аудит" finds "аудита".
    return " & ".join(f"{w}:*" for w in words)


def _words_q(words, columns):
    """Q for rows where every word appears in one of ``columns`` (the SQLite fallback).

    SQLite's LIKE ignores case for ASCII letters only, so a Cyrillic word is also tried
    capitalised and upper-cased.
    """
    q = Q()
    for word in words:
        variants = {word} if word.isascii() else {word, word.capitalize(), word.upper()}
        any_column = Q()
        for column in columns:
            for variant in variants:
                any_column |= Q(**{f"{column}__icontains": variant})
        q &= any_column
    return q


# A name's word starts the name or follows one of these ("Kyrgyz Republic" is not found by "public").
WORD_STARTS = ("", " ", "(", "«", '"', "-", "“")


def _name_words_q(words, columns, acronym=None):
    """Q for rows where every word starts a word of one of the name ``columns`` (or equals the acronym).

    Names are short and their tables small: a LIKE per word start is cheap. As in :func:`_words_q`,
    a Cyrillic word is also tried capitalised and upper-cased (SQLite's LIKE folds ASCII only), and
    a typed "ё" also as "е" (the official names write "е").
    """
    if connection.vendor == "postgresql":
        return _name_words_regex_q(words, columns, acronym)
    q = Q()
    for word in words:
        folds_case = word.isascii()
        variants = {word} if folds_case else {word, word.capitalize(), word.upper()}
        variants |= {v.replace("ё", "е").replace("Ё", "Е") for v in variants}
        any_column = Q(**{f"{acronym}__iexact": word}) if acronym else Q()
        for column in columns:
            for variant in variants:
                any_column |= Q(**{f"{column}__istartswith": variant})
                for start in WORD_STARTS[1:]:
                    any_column |= Q(**{f"{column}__icontains": start + variant})
        q &= any_column
    return q


# The same word starts as a regular expression: one case-insensitive match per column and word on
# PostgreSQL, not a LIKE per start (seven) of an upper-cased copy: the 22,500 agencies at scale 10 took
# 0.1 s to test on every search (issue #20).
_WORD_START_RE = "(^|[" + "".join(sorted(WORD_STARTS[1:], key=lambda start: start == "-")) + "])"  # "-" last: literal


def _name_words_regex_q(words, columns, acronym=None):
    q = Q()
    for word in words:
        # Words are letters and digits only (search_words); a typed "ё" also finds "е".
        pattern = _WORD_START_RE + word.replace("ё", "[её]").replace("Ё", "[ЕЁ]")
        any_column = Q(**{f"{acronym}__iexact": word}) if acronym else Q()
        for column in columns:
            any_column |= Q(**{f"{column}__iregex": pattern})
        q &= any_column
    return q


def _named_q(words, code=None):
    """Q for commitments whose lead agency's or member's name holds every word (in language ``code``, or any)."""
    agencies, plans = _named_sql(tuple(words), code, connection.vendor)
    return Q(lead_agency__in=RawSQL(*agencies)) | Q(plan__in=RawSQL(*plans))


@functools.lru_cache(maxsize=256)
def _named_sql(words, code, vendor):
    """The SQL of :func:`_named_q`'s two sub-selects (agencies' and plans' ids), compiled once per process per search.

    It depends on the words only, never on the rows (issue #20: building and compiling the querysets
    of the names cost about 4 ms a search).
    """
    codes = (code,) if code else LANGUAGE_CODES
    agency_columns = tuple(f"name_{c}" for c in codes)
    member_columns = tuple(f"{field}_{c}" for field in ("name", "country") for c in codes)
    agencies = _named(Agency, words, agency_columns, acronym=None if code else "acronym")
    members = _named(Member, words, member_columns)
    # The plans' ids (a handful), not a join to the plans: the list's bounded count then reads commitments only.
    plans = ActionPlan.objects.filter(member__in=members).order_by().values("pk")
    # Compiled here, once: the list compiles its query, count and page from this (issue #20: rebuilding the
    # nested sub-selects in each of them cost more than running them).
    return agencies.query.sql_with_params(), plans.query.sql_with_params()


def _named(model, words, columns, acronym=None):
    """The primary keys of the ``model`` rows (agencies, members) whose names hold every word."""
    rows = model.objects.order_by()
    if connection.vendor == "postgresql" and len(columns) > 1:
        # One regular expression per word over the names joined by spaces (a space starts a word, and
        # a word cannot span two names), not one per name column: a third of the time on 22,500 agencies.
        # Indexed by migration 0016 (trigrams).
        rows = rows.annotate(search_names=RawSQL(*_joined_names_sql(model, tuple(columns)), output_field=CharField()))
        columns = ("search_names",)
    return rows.filter(_name_words_q(words, columns, acronym)).values("pk")


@functools.lru_cache(maxsize=16)
def _joined_names_sql(model, columns) -> tuple[str, tuple]:
    """The SQL of the ``columns`` joined by spaces, compiled once per process.

    Exactly as Django compiles ``Concat`` of them (migration 0016 indexed this expression; the
    planner uses the index only for the same expression), with the columns unqualified (the table
    is the only one of its select). Compiling the nested ``Concat`` on every search cost more than
    the search's SQL: about 4 ms a query for the members' six names (issue #20).
    """
    parts = [part for column in columns for part in (Value(" "), column)][1:]
    query = Query(model, alias_cols=False)
    expression = Concat(*parts, output_field=CharField()).resolve_expression(query)
    sql, params = expression.as_sql(query.get_compiler(connection=connection), connection)
    return sql, tuple(params)


def _matching_commitment_ids(words, text: str) -> RawSQL:
    """SQL (PostgreSQL) for the primary keys of the commitments a search finds: one UNION of indexed selects.

    The commitments whose stored vector matches, the commitments of the milestones whose stored
    vector matches (each answered from its GIN index), the identifier, and the commitments led by an
    agency or belonging to a member whose name matches. One ``pk IN (… UNION …)`` is a semi-join
    the planner answers from the indexes; an OR of the same sub-selects made it test every row of
    the table against each of them (issue #20: most of the searched list's SQL time).
    """
    # Each vector select reads the stored ``search_vector`` column (migration 0008), answered from its
    # GIN index, never ``to_tsvector`` over the text columns; the column is not a model field (SQLite
    # has no equivalent; see the migration), hence the SQL.
    quote = connection.ops.quote_name
    tsquery = _prefix_tsquery(words)
    parts = []
    for model, selected in ((Commitment, Commitment._meta.pk.column), (Milestone, Milestone._meta.get_field("commitment").column)):
        parts.append(
            (
                f"SELECT {quote(selected)} FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(SEARCH_VECTOR_COLUMN)} @@ to_tsquery(%s::regconfig, %s)",
                [SEARCH_CONFIG, tsquery],
            )
        )
    named = _named_q(words)
    for q in (Q(identifier__iexact=text.strip()), *named.children):
        # order_by(): without it each select would join the plans and members to sort by the default ordering.
        sql, params = Commitment.objects.filter(q).order_by().values("pk").query.sql_with_params()
        parts.append((sql, list(params)))
    return RawSQL(" UNION ".join(f"({sql})" for sql, _ in parts), [p for _, params in parts for p in params])


class _VectorMatch(Expression):
    """True when a commitment's stored vector, or one of its milestones', matches the tsquery (PostgreSQL).

    Tested on the commitment's own row: ``search_vector`` of its table (under whatever alias the
    query gives it) and an EXISTS probe through the milestones' ``commitment_id`` index. The EXISTS
    carries a non-equality condition on the outer row (``pk > 0``, always true) so that the planner
    probes per row rather than hashing every matching milestone first (see ``marks.row_by_row``).
    ``milestones=False``: the commitment's own vector only (:func:`search_subset`); ``opaque``: written so that the
    planner cannot estimate it (see :func:`search_subset`).
    """

    output_field = BooleanField()

    def __init__(self, pk, tsquery, milestones=True, opaque=False):
        super().__init__()
        self.pk, self.tsquery, self.milestones, self.opaque = pk, tsquery, milestones, opaque

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        table = pk_sql.rsplit(".", 1)[0]
        quote = connection.ops.quote_name
        vector = quote(SEARCH_VECTOR_COLUMN)
        milestones = quote(Milestone._meta.db_table)
        commitment_id = quote(Milestone._meta.get_field("commitment").column)
        query = [SEARCH_CONFIG, self.tsquery]
        if not self.milestones:  # the commitment's own vector only, tested on each row walked (search_subset)
            if self.opaque:
                return f"COALESCE(({table}.{vector} @@ to_tsquery(%s::regconfig, %s)), false)", query
            return f"(({table}.{vector} @@ to_tsquery(%s::regconfig, %s)) IS TRUE)", query
        sql = (
            f"({table}.{vector} @@ to_tsquery(%s::regconfig, %s) OR EXISTS (SELECT 1 FROM {milestones} m "
            f"WHERE m.{commitment_id} = {pk_sql} AND {pk_sql} > 0 AND m.{vector} @@ to_tsquery(%s::regconfig, %s)))"
        )
        return sql, [*query, *pk_params, *pk_params, *query]


# A search is "broad" when the planner expects at least this share of the commitments to match it (from
# the stored vectors' statistics): its results are then found by walking the list in its order and
# testing each row, which stops after one page (or after the bounded count); a narrower search
# reads the few matching rows from the GIN indexes (one UNION) and sorts them.
BROAD_SEARCH_SHARE = 0.05


# The planner's estimate per search (its share of the commitments), kept per process for ``_ESTIMATE_TTL`` seconds:
# it chooses the query's form only, never its results, and the statistics behind it change slowly (issue #20:
# the EXPLAIN was a round trip and a planning on every searched list).
_ESTIMATE_TTL = 600
_ESTIMATES_KEPT = 512
_estimates: dict[str, tuple[float, float]] = {}


def _is_broad(tsquery: str) -> bool:
    """Return whether the planner estimates that a search matches many commitments (one EXPLAIN, kept a while)."""
    now = time.monotonic()
    kept = _estimates.get(tsquery)
    if kept is None or now - kept[1] > _ESTIMATE_TTL:
        if len(_estimates) >= _ESTIMATES_KEPT:
            _estimates.clear()
        kept = _estimates[tsquery] = (_estimated_share(tsquery), now)
    return kept[0] >= BROAD_SEARCH_SHARE


def _estimated_share(tsquery: str) -> float:
    """The share of the commitments the planner expects a search to match: one EXPLAIN, no rows read."""
    quote = connection.ops.quote_name
    selects = [
        f"SELECT 1 FROM {quote(model._meta.db_table)} WHERE {quote(SEARCH_VECTOR_COLUMN)} @@ to_tsquery(%s::regconfig, %s)"
        for model in (Commitment, Milestone)
    ]
    selects += [f"SELECT 1 FROM {quote(model._meta.db_table)}" for model in (Commitment, Milestone)]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + " UNION ALL ".join(selects), [SEARCH_CONFIG, tsquery] * 2)
        plan = cursor.fetchone()[0]
    node = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    while len(node.get("Plans", ())) == 1:  # a Gather above the Append (parallel plans)
        node = node["Plans"][0]
    commitments, milestones, all_commitments, all_milestones = (child["Plan Rows"] for child in node["Plans"])
    # The matching milestones' commitments: as many as their share of all milestones, at most one each.
    found = commitments + min(milestones, milestones * all_commitments / max(all_milestones, 1))
    return found / max(all_commitments, 1)  # the planner never estimates fewer than one row


def search_commitments(qs, text: str, broad: bool | None = None):
    """Return commitments whose identifier, titles, descriptions, milestones, lead agency or member match every word of ``text``.

    On PostgreSQL two equivalent forms (``broad``: None lets the planner's estimate choose, see
    ``BROAD_SEARCH_SHARE``): a narrow search is ``pk IN (one UNION of indexed selects)``; a broad
    one (tens of thousands of matches at scale 10: the UNION would read and sort them all) is a
    test of each row the list walks in its own order, so a page costs a page's worth of rows.
    """
    words = search_words(text)
    if not words:
        return qs
    if connection.vendor == "postgresql":
        tsquery = _prefix_tsquery(words)
        if broad is None:
            broad = _is_broad(tsquery)
        if broad:
            return qs.filter(Q(_VectorMatch(F("pk"), tsquery)) | Q(identifier__iexact=text.strip()) | _named_q(words))
        return qs.filter(pk__in=_matching_commitment_ids(words, text))
    identifier = Q(identifier__iexact=text.strip()) | _named_q(words)
    in_milestones = Exists(Milestone.objects.filter(_words_q(words, MILESTONE_SEARCH_COLUMNS), commitment=OuterRef("pk")))
    return qs.filter(_words_q(words, COMMITMENT_SEARCH_COLUMNS) | in_milestones | identifier)


def search_is_broad(text: str) -> bool | None:
    """Return whether a search is broad (PostgreSQL: one EXPLAIN, see ``BROAD_SEARCH_SHARE``); None elsewhere or without a word.

    Pass the answer to :func:`search_commitments` (``broad``) to ask the planner once per request.
    """
    words = search_words(text)
    if not words or connection.vendor != "postgresql":
        return None
    return _is_broad(_prefix_tsquery(words))


def search_subset(qs, text: str, key_order: bool = False):
    """Return the commitments of ``qs`` whose own title or description matches every word of ``text``.

    A subset of :func:`search_commitments` (the same words, without the milestones, the identifier
    and the names), cheap to test row by row (the stored vector of the row itself, no probe of its
    milestones): the list's bounded count of a broad search reads it first, and when it alone has
    more rows than the count's limit, so has the search (issue #20). On PostgreSQL the test is
    written so that it is made on the rows walked, never by a bitmap of the GIN index: for a broad
    search (common prefixes, "open data": 36,000 rows) building that bitmap cost more than walking
    to the count's limit. So it is for broad searches only. ``qs`` unchanged without a word.

    ``key_order``: the count walks the subset in the primary key's order (the search alone, see
    ``CommitmentFilterSet.search_subset_in_key_order``); the test is then one the planner cannot estimate
    (``COALESCE(… @@ …, false)``: the same rows as ``IS TRUE``, estimated at half the table), so that walk is
    its plan whatever the words, also as the generic plan of a prepared statement, which cannot see them
    (with ``IS TRUE`` that plan expected a few hundred matches and sorted a scan of the table: 300-500 ms at
    scale 10; ``list_compiled``'s broad counts run it, issue #20). With other filters the planner's estimate
    of the search chooses between their indexes (``IS TRUE``).
    """
    words = search_words(text)
    if not words:
        return qs
    if connection.vendor == "postgresql":
        return qs.filter(_VectorMatch(F("pk"), _prefix_tsquery(words), milestones=False, opaque=key_order))
    return qs.filter(_words_q(words, COMMITMENT_SEARCH_COLUMNS))


def _language_match(words, code):
    """Q for commitments whose text or names in language ``code`` hold every word (the note's test).

    Tested on each commitment's own lead agency and member (an EXISTS on the row's own keys), not by
    listing every agency and member whose name matches: the note tests the page's rows only (issue
    #20), and as a column of the page's own query (:func:`search_language_columns`). The same rule as
    :func:`_named_q` in that language: each word starts a word of the agency's name, or of the
    member's name or country.
    """
    # Each EXISTS carries a condition on the outer row that is not an equality (``pk > 0``, always true):
    # without it the planner may hash the whole sub-select once (every milestone whose text holds the
    # words, seconds at scale 10) to answer the 25 rows of a page (see ``marks.row_by_row``).
    per_row = GreaterThan(OuterRef("pk"), 0)
    # Plain querysets: every column is named in its language already, and modeltranslation's rewriting of
    # these conditions cost about 20 ms a search (issue #20).
    text = _words_q(words, (f"title_{code}", f"description_{code}"))
    milestones = Exists(QuerySet(Milestone).filter(_words_q(words, (f"deliverable_{code}",)), per_row, commitment=OuterRef("pk")))
    agency = Exists(QuerySet(Agency).filter(_name_words_q(words, (f"name_{code}",)), per_row, pk=OuterRef("lead_agency_id")))
    member = Exists(
        QuerySet(Member).filter(_name_words_q(words, (f"name_{code}", f"country_{code}")), per_row, plans=OuterRef("plan_id"))
    )
    return text | milestones | agency | member


def _language_text_match(words, code):
    """Q for commitments whose own text or milestones in language ``code`` hold every word (the note's test in SQL).

    :func:`_language_match` without the names: the list's page query computes this part as a column
    (:func:`search_language_columns`), and :func:`matched_languages` tests the names of the row's
    lead agency and member, which the page reads anyway, in Python (:func:`_names_match`).
    """
    per_row = GreaterThan(OuterRef("pk"), 0)  # see _language_match
    text = _words_q(words, (f"title_{code}", f"description_{code}"))
    milestones = Exists(QuerySet(Milestone).filter(_words_q(words, (f"deliverable_{code}",)), per_row, commitment=OuterRef("pk")))
    return text | milestones


def search_language_columns(text: str) -> dict[str, Expression]:
    """The columns that say, per language, whether a result's own text or milestones match ``text`` in it: ``{name: expression}``.

    ``search_matched_<code>`` for each language (portal order), or on PostgreSQL one column,
    ``search_matched``, their answers as an array in that order (the milestones read once for the
    three: :func:`_languages_array_sql`); empty without a word. Added to the
    list's page query, they are computed for the page's rows only (the database evaluates such
    columns after the sort and limit): the list's note costs no query of its own (issue #20).
    The names of the lead agency and the member are not in them: :func:`matched_languages` tests
    those in Python, on the names the rows carry (an EXISTS per language and name made the page
    query's planning and running ~1-2 ms longer at scale 10, issue #20).
    """
    words = search_words(text)
    if not words:
        return {}
    if connection.vendor == "postgresql":
        # One column, the languages' answers as an array in portal order (read by matched_languages).
        return {SEARCH_MATCHED_ARRAY: RawSQL(*_languages_array_sql(tuple(words)), output_field=ArrayField(BooleanField()))}
    return {
        f"search_matched_{code}": RawSQL(*_language_column_sql(tuple(words), code, connection.vendor), output_field=BooleanField())
        for code in LANGUAGE_CODES
    }


# PostgreSQL: the note's answers per language as one array column (LANGUAGE_CODES' order).
SEARCH_MATCHED_ARRAY = "search_matched"


@functools.lru_cache(maxsize=256)
def _languages_array_sql(words) -> tuple[str, tuple]:
    """:func:`_language_text_match` for every language at once (PostgreSQL), compiled once per process per search.

    The same tests as the per-language columns (each word in the title or the description in that
    language, or every word in one milestone's deliverable in it), but the row's milestones are read
    once for the three languages, by one aggregate sub-select, not probed once per language: each
    probe fetched every milestone of the row from the milestones' wide table (issue #20: the searched
    list's page query, ~1 ms of its SQL). ``bool_or`` over no milestone is NULL, as no match.
    """
    quote = connection.ops.quote_name
    commitment_table, milestone_table = quote(Commitment._meta.db_table), quote(Milestone._meta.db_table)
    # Each column upper-cased once per row (not once per word: the descriptions are long, ~70 us a row
    # at scale 10, issue #20), then tested against every word's pattern with LIKE ALL. A word is letters
    # and digits only (search_words), so it matches the title and description joined by a newline
    # exactly when it matches one of them, as _words_q's "each word in the title or the description".
    patterns = "ARRAY[" + ", ".join(["UPPER(%s)"] * len(words)) + "]"
    word_params = [f"%{word}%" for word in words]
    parts, params = [], []
    for code in LANGUAGE_CODES:
        title = f"UPPER({commitment_table}.{quote(f'title_{code}')}::text)"
        description = f"UPPER({commitment_table}.{quote(f'description_{code}')}::text)"
        deliverable = f"UPPER({milestone_table}.{quote(f'deliverable_{code}')}::text)"
        parts.append(
            f"((concat_ws(E'\\n', {title}, {description}) LIKE ALL ({patterns})) OR bool_or({deliverable} LIKE ALL ({patterns})))"
        )
        params += [*word_params, *word_params]
    commitment_id = quote(Milestone._meta.get_field("commitment").column)
    pk = f"{commitment_table}.{quote(Commitment._meta.pk.column)}"
    # The pk > 0 condition (always true): a probe per row, never a hash of every milestone (marks.row_by_row).
    sql = (
        f"(SELECT ARRAY[{', '.join(parts)}] FROM {milestone_table} "
        f"WHERE {milestone_table}.{commitment_id} = {pk} AND {pk} > 0)"
    )
    return sql, tuple(params)


# The values :func:`matched_languages` reads the names from (plain rows of the list): the lead agency's
# name and the member's name and country in every language.
LANGUAGE_NAME_VALUES = tuple(
    f"{field}_{code}" for field in ("lead_agency__name", "plan__member__name", "plan__member__country") for code in LANGUAGE_CODES
)


@functools.lru_cache(maxsize=256)
def _language_column_sql(words, code, vendor) -> tuple[str, tuple]:
    """The SQL of :func:`_language_text_match` as a column of a query of commitments, compiled once per process per search.

    Its outer references name the commitments' table itself (the base table of the list's query).
    Building and compiling the nested EXISTS of three languages on every search cost more than
    running them (issue #20).
    """
    query = Query(Commitment)
    expression = ExpressionWrapper(_language_text_match(list(words), code), output_field=BooleanField())
    expression = expression.resolve_expression(query, allow_joins=True, reuse=None, summarize=False)
    sql, params = query.get_compiler(connection=connection).compile(expression)
    return sql, tuple(params)


@functools.lru_cache(maxsize=256)
def _name_patterns(words) -> tuple[re.Pattern, ...]:
    """Per word, the test of :func:`_name_words_regex_q` as a Python pattern: the word starts a word of the name.

    Case-insensitive, a typed "ё" also finding "е" (as PostgreSQL's ``~*`` there).
    """
    return tuple(
        re.compile(_WORD_START_RE + word.replace("ё", "[её]").replace("Ё", "[ЕЁ]"), re.IGNORECASE) for word in words
    )


def _names_match(patterns, *names) -> bool:
    """Whether every word (``patterns``) starts a word of one of ``names`` (None or "" for a missing name)."""
    names = [name for name in names if name]
    return bool(names) and all(any(pattern.search(name) for name in names) for pattern in patterns)


def _row_names(row, code):
    """The lead agency's name and the member's name and country in language ``code``: of a plain row, or of an instance."""
    if isinstance(row, dict):
        return (
            row.get(f"lead_agency__name_{code}"),
            (row.get(f"plan__member__name_{code}"), row.get(f"plan__member__country_{code}")),
        )
    agency = row.lead_agency
    member = row.plan.member
    return (
        getattr(agency, f"name_{code}") if agency is not None else None,
        (getattr(member, f"name_{code}"), getattr(member, f"country_{code}")),
    )


def matched_languages(rows, text: str) -> list[str]:
    """The language codes (portal order) in which any of ``rows`` matched ``text``: what :func:`search_languages` says of them.

    ``rows``: annotated by :func:`search_language_columns` (their own text and milestones), plain rows
    (the list's, with ``LANGUAGE_NAME_VALUES``) or instances; the names of each row's lead agency
    and member tested here (:func:`_language_match`'s rule: each word starts a word of the agency's
    name, or of the member's name or country).
    """
    patterns = _name_patterns(tuple(search_words(text)))
    if not patterns:
        return []
    found = []
    for index, code in enumerate(LANGUAGE_CODES):
        column = f"search_matched_{code}"
        for row in rows:
            answers = row.get(SEARCH_MATCHED_ARRAY) if isinstance(row, dict) else getattr(row, SEARCH_MATCHED_ARRAY, None)
            if answers is not None:
                matched = answers[index]
            else:
                matched = row.get(column) if isinstance(row, dict) else getattr(row, column, False)
            if matched:
                found.append(code)
                break
            agency, member = _row_names(row, code)
            if _names_match(patterns, agency) or _names_match(patterns, *member):
                found.append(code)
                break
    return found


def search_languages(qs, text: str) -> list[str]:
    """Return the language codes (portal order) in which the commitments of ``qs`` match every word of ``text``.

    ``qs``: the search's results. One query (a conditional count per language), made only when
    someone searches; an identifier or acronym match belongs to no language.
    """
    words = search_words(text)
    if not words:
        return []
    counts = qs.order_by().aggregate(
        **{code: Count("pk", filter=_language_match(words, code)) for code in LANGUAGE_CODES}
    )
    return [code for code in LANGUAGE_CODES if counts[code]]
