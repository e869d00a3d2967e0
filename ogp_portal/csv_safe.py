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


def line(cells) -> str:
    """One CSV record of ``cells``, every cell neutralised, in the bytes ``csv.writer`` gives with its defaults
    (the excel dialect: a cell quoted only when it holds a comma, a quote or a line break, quotes doubled,
    ``"\r\n"`` at the end; a lone empty cell written ``""``).

    Written in Python (issue #20): the C writer copies every character of every cell one at a time, which on a
    member's progress updates (~400 KB of narratives) cost ~3.4 ms; here the whole record is checked at once and
    only a record that needs quoting is quoted cell by cell (~1.3 ms). ``tests/test_csv_safe.py`` compares the
    two on every kind of cell.
    """
    cells = [("'" + cell if cell[:1] in _FIRST else cell) if cell.__class__ is str else neutralise(cell) for cell in cells]
    joined = ",".join(cells)
    if '"' not in joined and "\n" not in joined and "\r" not in joined and joined.count(",") == len(cells) - 1:
        return joined + "\r\n" if joined or len(cells) != 1 else '""\r\n'
    return ",".join(
        [('"' + cell.replace('"', '""') + '"') if ('"' in cell or "," in cell or "\n" in cell or "\r" in cell) else cell for cell in cells]
    ) + "\r\n"


def cell(value) -> str:
    """One cell of a record as :func:`line` writes it (neutralised, quoted only when it must be): for a record
    written piece by piece whose other pieces need no checking (numbers, ISO dates); never a record's only cell."""
    if value.__class__ is not str:
        value = neutralise(value)
    elif value[:1] in _FIRST:
        value = "'" + value
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


class _SafeWriter:
    """A CSV writer that neutralises every cell it writes: :func:`line` for ``csv.writer``'s defaults, else a
    ``csv.writer`` with the options given."""

    def __init__(self, out, **kwargs):
        self._out = out
        self._writer = None if kwargs in ({}, {"lineterminator": "\r\n"}) else csv.writer(out, **kwargs)

    def writerow(self, row):
        if self._writer is None:
            return self._out.write(line(row))
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
