"""The one CSV writer (``ogp_portal.csv_safe``) writes the bytes ``csv.writer`` writes, every cell neutralised (issue #20).

``csv_safe.line`` checks a whole record at once and quotes cell by cell only when it must; the reference is
the standard library's C writer with its defaults (the excel dialect) on the neutralised cells.
"""

import csv
import io
import random

import pytest

from ogp_portal import csv_safe


def _reference(rows, **kwargs):
    out = io.StringIO()
    writer = csv.writer(out, **kwargs)
    for row in rows:
        writer.writerow([csv_safe.neutralise(cell) for cell in row])
    return out.getvalue()


def _written(rows, **kwargs):
    out = io.StringIO()
    csv_safe.writer(out, **kwargs).writerows(rows)
    return out.getvalue()


PIECES = ["", "a", "Ёлка", " ", ",", '"', "\n", "\r", "\r\n", "\t", "=", "+", "-", "@", "'", ";", "x y", "«»", "\\", "1.5"]
ODD_CELLS = [None, 0, -1, 12, 1.5, True, False, "", "=1+2", "-1+cmd|' /C calc'!A0", '"quoted"', "a,b", "line\nbreak", "\r"]


@pytest.mark.parametrize("kwargs", [{}, {"lineterminator": "\r\n"}], ids=["defaults", "crlf"])
def test_every_kind_of_cell_is_written_as_csv_writer_writes_it(kwargs):
    rng = random.Random(20)
    rows = [[cell] for cell in ODD_CELLS] + [ODD_CELLS, [""], ["", ""], [None], [], ["a"], ["-"]]
    for _ in range(3000):
        rows.append(["".join(rng.choice(PIECES) for _ in range(rng.randrange(4))) for _ in range(rng.randrange(1, 6))])
    assert _written(rows, **kwargs) == _reference(rows, **kwargs)
    for row in rows:
        assert csv_safe.line(row) == _reference([row])
        if len(row) > 1:  # a record written cell by cell
            assert ",".join(csv_safe.cell(c) for c in row) + "\r\n" == _reference([row])


def test_other_options_still_go_through_csv_writer():
    rows = [["a", "b c", None, "=x"], ["", ";"]]
    assert _written(rows, delimiter=";", lineterminator="\n") == _reference(rows, delimiter=";", lineterminator="\n")


def test_formulas_are_neutralised_and_read_back():
    text = csv_safe.line(["=HYPERLINK(\"x\")", "-1+cmd", "@SUM(A1)", "\tx", "+1", "fine"])
    assert next(csv.reader([text.rstrip("\r\n")])) == ["'=HYPERLINK(\"x\")", "'-1+cmd", "'@SUM(A1)", "'\tx", "'+1", "fine"]
