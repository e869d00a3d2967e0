"""Issue #20: the commitment list's results written in Python (``list_views.results_html``) are the bytes the
template ``_commitment_results.html`` gives, in every language: counts that take each plural form, more results
than the list counts, no result, one page or many (first, middle, last), with and without the search's note
and the list's query."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from commitments.list_views import results_html


class _Counted(Paginator):
    def __init__(self, rows, per_page, counted, capped):
        super().__init__(rows, per_page)
        self._counted, self.capped = counted, capped

    @property
    def count(self):
        return self._counted


ROWS = mark_safe('      <tr>\n        <td data-label="Identifier">KG0001</td>\n      </tr>\n')  # noqa: S308
CASES = [
    # (results counted, more than counted, page shown)
    (0, False, 1),
    (1, False, 1),
    (2, False, 1),
    (5, False, 1),
    (21, False, 1),
    (24, False, 1),
    (26, False, 1),
    (26, False, 2),
    (103, False, 3),
    (1000, True, 1),
    (1000, True, 20),
    (1000, True, 40),
]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("query", ["", "q=open+%26+data&sort=-updated"])
@pytest.mark.parametrize("note", ["", 'Matched in: English, "Русский" & <b>.'])
def test_the_results_written_in_python_are_the_templates(language, query, note):
    for counted, capped, number in CASES:
        paginator = _Counted(list(range(counted)), 25, counted, capped)
        page = paginator.get_page(number)
        with translation.override(language):
            expected = render_to_string(
                "commitments/_commitment_results.html", {"page": page, "query": query, "search_note": note, "rows": ROWS}
            )
            written = results_html(page, query, note, ROWS)
        assert written == expected, (language, counted, capped, number)
        assert type(written) is type(expected)  # marked safe, as the template's
