"""``templates/_pagination.html`` written in Python, for the pages whose content is written in Python (issue #20).

One copy: the home page (``home_rows``) and the commitment list (``commitments.list_views``) use it; the
template stays the reference (tests/test_home_html.py, tests/commitments/test_list_results_html.py compare
the two). Imports only Django, so any layer may use it.
"""

import html

from django.utils.translation import gettext as _


def pagination(page, query, number) -> str:
    """``_pagination.html`` as included for ``page`` (``page_url``: the list's ``query`` kept, the page number set).

    ``number``: how ``{% blocktranslate %}`` writes a number (``localize`` with a thousand separator, else ``str``).
    """
    if not page.has_other_pages():
        return "\n"

    def url(n):
        return html.escape(f"?{query}&page={n}" if query else f"?page={n}")

    pages_label = _("Pages")
    out = [f'\n<nav aria-label="{pages_label}" class="pagination">\n  <ul>\n    ']
    if page.has_previous():
        previous = _("Previous page")
        out.append(f'<li><a href="{url(page.previous_page_number())}" rel="prev">{previous}</a></li>')
    where = _("Page %(number)s of %(total)s") % {
        "number": html.escape(str(number(page.number))),
        "total": html.escape(str(number(page.paginator.num_pages))),
    }
    out.append(f"\n    <li>{where}</li>\n    ")
    if page.has_next():
        following = _("Next page")
        out.append(f'<li><a href="{url(page.next_page_number())}" rel="next">{following}</a></li>')
    out.append("\n  </ul>\n</nav>\n\n")
    return "".join(out)
