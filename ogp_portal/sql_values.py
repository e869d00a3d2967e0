"""Values a compiled query takes as ONE parameter each: a list of ids, a day (``ogp_portal.compiled``, issue #20).

``column__in=[…]`` gives the SQL a parameter per id, so the query differs with every list and must be
built and compiled again on every request; a day the ORM turns into a date is not found among the
compiled parameters as given. Written as one text parameter each, a page's query is compiled once
per process and run with each request's ids or day: the same rows.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, CharField, DateField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast


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
