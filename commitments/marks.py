"""Marks the layers above put on the commitment lists, without the domain importing them.

A mark is a query expression over ``Commitment`` (an ``Exists``: one EXISTS per row in the list's
own query) that an app above registers at start-up, in its ``AppConfig.ready``: engagement
registers "contested" (a published update of the commitment has an open dispute; the rule is
``engagement.services.contested_commitments_q``). The domain's pages and filters read it here.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, Expression, OuterRef, Q
from django.db.models.lookups import GreaterThan

_MARKS: dict[str, Callable[[], Expression]] = {}


def register_commitment_mark(name: str, expression: Callable[[], Expression]) -> None:
    """Register ``expression`` (a function returning a new expression over ``Commitment``) as mark ``name``."""
    _MARKS[name] = expression


def commitment_mark(name: str) -> Expression:
    """A new expression of mark ``name``, for ``.filter()`` or ``.annotate()`` on commitments."""
    try:
        expression = _MARKS[name]
    except KeyError:
        raise ImproperlyConfigured(f"No installed app registered the commitment mark {name!r}.") from None
    return expression()


def contested_commitments_q() -> Expression:
    """Commitments a published update of which has an unanswered, visible dispute (engagement's rule)."""
    return commitment_mark("contested")


def row_by_row(mark: Expression) -> Expression:
    """The mark, evaluated for each row a paginated list shows (not for every commitment first).

    PostgreSQL may answer an EXISTS in the select list by hashing the whole sub-select once: the
    cheap choice for a whole table, but the paginated lists show 25 of 150,000 commitments, and the
    "contested" hash read every open dispute's update and milestone (0.4 s at scale 10, issue #20).
    A condition on the outer row that is not an equality (``pk > 0``, true for every row) leaves the
    planner only the per-row probe, through the indexes; as a filter it is still a semi-join.
    """
    if not isinstance(mark, Exists):
        return mark
    query = mark.query.clone()
    query.add_q(Q(GreaterThan(OuterRef("pk"), 0)))
    return Exists(query)
