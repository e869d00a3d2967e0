"""The one CSV writer for every export, and the formula check of every CSV import.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a TAB or a carriage
return as a formula (``=HYPERLINK(…)``, DDE payloads such as ``-1+cmd|' /C calc'!A0`` or
``@SUM(…)``). Every CSV the portal writes (the open-data exports under ``/data/`` and a plan's
own CSV) goes through :func:`neutralise`, which puts an apostrophe in front of such a cell so
that the spreadsheet shows it as text; :func:`writer` is a ``csv.writer`` that does it to every
cell. The importer (``commitments/csv_io.py``) removes that apostrophe again and refuses a cell
that :func:`looks_like_formula` without it.
"""

from __future__ import annotations

import csv
import re

# What a spreadsheet may run when a cell starts with it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset(FORMULA_START)  # one character each
# What an import refuses: = + @ TAB CR at the start; a minus unless the cell is prose starting
# with "- " (a list item), a lone "-", or a plain number ("-12", "-1.5"). "-1+cmd|…" (DDE) is refused.
FORMULA_RE = re.compile(r"^(?:[=+@\t\r]|-(?!\s|$|\d+(?:[.,]\d+)?$))")


def neutralise(value):
    """Return a cell value a spreadsheet will show as text, never run as a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def looks_like_formula(value) -> bool:
    """True if an imported cell would run as a formula in a spreadsheet (without our apostrophe)."""
    return bool(FORMULA_RE.match(value or ""))


class _SafeWriter:
    """A ``csv.writer`` that neutralises every cell it writes."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        # (issue #20: a plan's CSV writes ~90 cells a row, most of them empty texts) ``neutralise`` inlined for texts.
        return self._writer.writerow(
            [("'" + cell if cell[:1] in _FIRST else cell) if cell.__class__ is str else neutralise(cell) for cell in row]
        )

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **kwargs):
    """Return a CSV writer on ``out`` (``csv.writer``'s options) that neutralises formulas in every cell."""
    return _SafeWriter(out, **kwargs)
