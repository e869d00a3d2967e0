"""The ``day`` filter (commitments/templatetags/portal.py) writes what ``date`` writes, kept per day and language."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

VALUES = [
    dt.date(2021, 12, 31),
    dt.date(2024, 2, 29),
    timezone.make_aware(dt.datetime(2021, 3, 31, 23, 30), dt.timezone.utc),  # April 1 in Bishkek
    timezone.make_aware(dt.datetime(2021, 3, 31, 12, 0), dt.timezone.utc),
    None,
    "",
]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("fmt", ["DATE_FORMAT", "YEAR_MONTH_FORMAT", "SHORT_DATE_FORMAT", "Y-m-d", "c"])
def test_day_writes_what_date_writes(language, fmt):
    template = Template('{% load portal %}{{ v|date:f }}|{{ v|day:f }}')
    with translation.override(language):
        for value in VALUES:
            for _twice in range(2):  # the second time from the kept label
                former, new = template.render(Context({"v": value, "f": fmt})).split("|")
                assert new == former, (value, fmt)


def test_day_defaults_to_date_format():
    with translation.override("ru"):
        assert Template("{% load portal %}{{ v|day }}").render(Context({"v": dt.date(2021, 12, 31)})) == (
            Template('{{ v|date:"DATE_FORMAT" }}').render(Context({"v": dt.date(2021, 12, 31)}))
        )
