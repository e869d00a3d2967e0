"""The API's ``?search=``: DRF's meaning (every word within one of the list's search fields, case-insensitive), a plan
that fits how many rows match (issue #20).

Kept meaning: the schema documents ``search`` as DRF's "A search term.", and it has always been DRF's
``SearchFilter``: each word of the search (split by DRF) found anywhere, upper-cased, in one of the view's
``search_fields`` (the commitments' identifier and title in the request's language). The stored full-text
vectors the commitment list searches (``commitments/search.py``) mean something else (words' starts,
descriptions and every language, not identifiers), so they are not used here.

The plan: DRF's ``UPPER(col::text) LIKE '%WORD%'`` walks the list in its order and tests each row. A word
found in many rows ("open data": about one row in five at scale 10) fills a page after a few hundred rows
(~2 ms); a rare word walked every row (1.2–1.8 s at scale 10). A view with ``search_indexed = True`` has
trigram indexes on its fields' upper-cased text (migration commitments 0025), which find a rare word's rows
in well under a millisecond. The planner multiplies the words' shares, so for words that come together
("open data") it expects a few hundred rows where there are 12,000 and reads them all through the index
(250 ms): so the search asks the planner once (one EXPLAIN, no rows read) how many rows each word alone
matches, and when the rarest word alone is in ``BROAD_SHARE`` of the rows or more, the conditions are
written so that no index applies (``strpos``: the same rows) and the list is walked as before. Same rows,
same order either way.
"""

from __future__ import annotations

import functools
import json
import operator
from functools import reduce

from django.db import connection, models
from django.db.models import Lookup
from django.db.models.lookups import IContains
from django.utils.translation import get_language
from rest_framework import filters

MOST_WORDS_ESTIMATED = 10  # more words than this: DRF's conditions as they are (so many words find few rows)
BROAD_SHARE = 0.01  # the rarest word in 1 % of the rows or more: walk the list (~51 rows of a page within ~5,000)


class _WalkedIContains(Lookup):
    """``icontains`` (PostgreSQL) as ``strpos(UPPER(col::text), UPPER(word)) > 0``: the same rows, no index applies,
    and the planner expects many rows (its default share for a comparison), so it walks the list in its order."""

    lookup_name = "icontains_walked"

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return IContains(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"strpos(UPPER(({lhs})::text), UPPER({rhs})) > 0", (*lhs_params, *rhs_params)


WALKED = "icontains_walked"
models.CharField.register_lookup(_WalkedIContains, lookup_name=WALKED)
models.TextField.register_lookup(_WalkedIContains, lookup_name=WALKED)


class SearchFilter(filters.SearchFilter):
    """DRF's search; on an indexed view, a broad search's conditions written to walk the list (see the module)."""

    walk = False

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "search_indexed", False) and connection.vendor == "postgresql":
            fields, terms = self.get_search_fields(view, request), self.get_search_terms(request)
            if fields and 0 < len(terms) <= MOST_WORDS_ESTIMATED:
                self.walk = self.broad(queryset, [self.construct_search(str(f), queryset) for f in fields], terms)
        return super().filter_queryset(request, queryset, view)

    def construct_search(self, field_name, queryset):
        lookup = super().construct_search(field_name, queryset)
        if self.walk and lookup.endswith("__icontains"):
            return lookup[: -len("icontains")] + WALKED
        return lookup

    @classmethod
    def broad(cls, queryset, lookups, terms) -> bool:
        """Whether the rarest word alone matches ``BROAD_SHARE`` of the table's rows or more, by the planner's
        estimates (one EXPLAIN of the rows and of each word's rows; nothing read). Estimated on the whole table
        (the list's other filters left out: its SQL is then the same for every request of one shape, compiled
        once per process: ``_estimate_sql``)."""
        sql = _estimate_sql(queryset.model, tuple(lookups), len(terms), get_language())
        if sql is None:
            return False
        patterns = [f"%{connection.ops.prep_for_like_query(term)}%" for term in terms for _lookup in lookups]
        with connection.cursor() as cursor:
            cursor.execute(sql, patterns)
            plan = cursor.fetchone()[0]
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        rows = [branch.get("Plan Rows", 0) for branch in plan.get("Plans") or [plan]]
        if len(rows) != len(terms) + 1:
            return False  # a plan of another shape: DRF's own conditions, as before
        return min(rows[1:]) >= BROAD_SHARE * max(rows[0], 1)


_PLACEHOLDER = "qzxapisearch{}"


@functools.lru_cache(maxsize=64)
def _estimate_sql(model, lookups, count, language):
    """``EXPLAIN (FORMAT JSON)`` of the table's rows and each word's rows (``UNION ALL``), its words as parameters
    (each word's LIKE pattern once per lookup), compiled once per model, lookups, number of words and language
    (the ORM writes a translated field's column in the active language); None if the ORM's parameters are not
    the patterns in that order."""
    base = model._default_manager.order_by().values("pk")
    terms = [_PLACEHOLDER.format(n) for n in range(count)]
    parts = [base.filter(reduce(operator.or_, (models.Q(**{lookup: term}) for lookup in lookups))) for term in terms]
    sql, params = base.union(*parts, all=True).order_by().query.sql_with_params()
    if list(params) != [f"%{term}%" for term in terms for _lookup in lookups]:
        return None
    return "EXPLAIN (FORMAT JSON) " + sql
