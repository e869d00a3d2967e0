"""The rows COPY reads (ogp_portal.bulk.CsvRows): the same CSV as one writer of every row, written a few hundred at a time."""

import csv
import datetime as dt
import io

import pytest
from django.utils.translation import gettext_lazy

from compliance.sweep import SweepWrites
from ogp_portal.bulk import CsvRows

ROWS = [
    (n, f"Причина {n}, «в кавычках» \"и\" с\nпереводом строки", None, dt.date(2026, 1, 1) + dt.timedelta(days=n), "")
    for n in range(1234)
]


def one_writer(rows):
    text = io.StringIO()
    csv.writer(text, quoting=csv.QUOTE_NOTNULL).writerows(rows)
    return text.getvalue().encode()


@pytest.mark.parametrize("size", [1, 7, 8192, 10**7, -1])
def test_the_rows_read_in_any_size_are_the_csv_of_every_row(size):
    stream, parts = CsvRows(ROWS), []
    while part := stream.read(size):
        assert size < 0 or len(part) <= size
        parts.append(part)
    assert b"".join(parts) == one_writer(ROWS)
    assert len(parts) > 1  # written in several pieces, not all at once
    assert stream.read(8192) == b""


def test_no_rows_read_as_nothing():
    assert CsvRows([]).read(8192) == b""


def test_equal_reasons_are_kept_once_per_language():
    writes = SweepWrites(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    rows = [{}, {}, {}]
    writes.reasons = [(rows[0], gettext_lazy("Action plan")), (rows[1], gettext_lazy("Action plan")), (rows[2], "other")]
    writes.translate_reasons()
    for code in ("en", "ru", "ky", ""):
        key = f"reason_{code}" if code else "reason"
        assert rows[0][key] == rows[1][key] and rows[0][key] is rows[1][key]
        assert rows[2][key] == "other"
    assert rows[0]["reason"] == rows[0]["reason_en"] == "Action plan"
