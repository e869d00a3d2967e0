"""The commitment list: every commitment, filtered, searched, sorted and paged; every state is a GET URL.

Its results (count, rows, pages) are a fragment shared by every visitor until the next change; its
rows are written here rather than by a template loop, and it counts a bounded number of results
(issue #20). The filters are ``filters.py``, the search ``search.py``.
"""

import functools
import hashlib
from html import escape

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import get_language, ngettext

from modeltranslation.utils import get_language as translated_language
from modeltranslation.utils import resolution_order

from ogp_portal.languages import per_language
from ogp_portal.cache import MAX_QUERY, derived_across_publications, query_fragment
from ogp_portal.compiled import keep_shape
from ogp_portal.formats import formatted_day
from ogp_portal.pagination import pagination
from ogp_portal.paths import path_of

from . import list_compiled
from . import list_form
from .filters import CommitmentFilterSet
from .search import LANGUAGE_NAME_VALUES, matched_languages, search_is_broad, search_language_columns
from .models import Commitment, Completion



PAGE_SIZE = 25


# The commitment list counts at most this many results (40 pages): a broad search or no filter at
# scale 10 would otherwise count 150,000 rows on every render (issue #20).
COUNT_LIMIT = 1000


class BoundedPaginator(Paginator):
    """A paginator that counts at most ``COUNT_LIMIT`` rows; ``capped`` says there are more.

    ``subset``: a queryset of some of the rows, cheaper to test (a search's matches by their own text):
    when it alone has more than ``COUNT_LIMIT`` rows, so has the list, and the list's rows are not
    counted. One query either way: ``CASE WHEN (count of the subset) > limit THEN … ELSE (count of
    the rows) END``, whose second count the database runs only when the first falls short.
    ``subset_in_key_order``: walk the subset in the order of the primary key (its index), not as the rows
    lie in the table (see ``CommitmentFilterSet.search_subset_in_key_order``).
    ``counted``: the same rows as ``object_list`` without its columns (the filtered queryset before
    ``values``), counted instead: the list's columns join the plans, members and agencies, which a
    count need not read, nor plan (issue #20).
    ``compiled_count``: a callable giving the count from a statement compiled once per shape
    (``list_compiled``), or None when it cannot; the querysets are then read as above.
    """

    capped = False

    def __init__(
        self, object_list, per_page, subset=None, kept_as=None, counted=None, subset_in_key_order=False, compiled_count=None, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.compiled_count = compiled_count
        self.subset = subset
        self.subset_in_key_order = subset_in_key_order
        self.kept_as = kept_as
        self.counted = counted

    @cached_property
    def count(self):
        # ``kept_as``: the rows are the same until a change not scoped to members (see _kept_count_key).
        counted = derived_across_publications(f"list-count:{self.kept_as}", self._count) if self.kept_as else self._count()
        if counted > COUNT_LIMIT:
            self.capped = True
            return COUNT_LIMIT
        return counted

    def _count(self) -> int:
        """The rows counted up to ``COUNT_LIMIT + 1`` (one query)."""
        if self.compiled_count is not None:
            counted = self.compiled_count()
            if counted is not None:
                return counted
        sql, params = self.count_sql()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def count_sql(self):
        """The statement :meth:`_count` runs: ``(sql, params)``."""
        rows = (self.object_list if self.counted is None else self.counted).order_by().values("pk")[: COUNT_LIMIT + 1]
        rows_sql, rows_params = rows.query.sql_with_params()
        if self.subset is None:
            return f"SELECT COUNT(*) FROM ({rows_sql}) counted", rows_params
        # In the order of the primary key when the subset is the whole table's own-text matches (no other
        # filter): see ``CommitmentFilterSet.search_subset_in_key_order``.
        ordering = ("pk",) if self.subset_in_key_order else ()
        subset = self.subset.order_by(*ordering).values("pk")[: COUNT_LIMIT + 1]
        subset_sql, subset_params = subset.query.sql_with_params()
        return (
            f"SELECT CASE WHEN (SELECT COUNT(*) FROM ({subset_sql}) subset) > %s THEN %s "
            f"ELSE (SELECT COUNT(*) FROM ({rows_sql}) counted) END",
            [*subset_params, COUNT_LIMIT, COUNT_LIMIT + 1, *rows_params],
        )


# The filters whose rows no publication, status report or review changes (they read texts, names, themes,
# values, members, plans and agencies, which only an import, the admin or an edit of the plan write).
# "Completion", "overdue" and "contested" read what an approval or a review writes.
COUNT_KEPT_FILTERS = ("q", "member", "plan", "theme", "ogp_value", "lead_agency")


def _kept_count_key(filterset):
    """The key the list's count is kept under across publications, or None when a filter it depends on may change.

    The search finds commitments by their own texts, their milestones' deliverables, their identifier
    and their agency's and member's names: none of which a publication or a review writes (issue #20:
    the bounded count of a broad search is most of the searched list's SQL, and at scale 10 most first
    visitors come after a publication elsewhere).
    """
    if filterset.errors:
        return None
    data = filterset.form.cleaned_data
    if any(data.get(name) not in (None, "", []) for name in data if name not in (*COUNT_KEPT_FILTERS, "sort")):
        return None
    state = [(name, str(getattr(data.get(name), "pk", data.get(name)) or "")) for name in COUNT_KEPT_FILTERS]
    return hashlib.sha256(repr(state).encode()).hexdigest()[:32]


def _languages_of(*fields):
    return [f"{field}_{code}" for field in fields for code in settings.MODELTRANSLATION_LANGUAGES]


# The columns the list shows (every language: a missing translation falls back to English), not the
# commitments' long texts in three languages (issue #20).
LIST_COLUMNS = (
    "identifier",
    "plan",
    "lead_agency",
    "completion",
    "completion_percent",
    "title",
    *_languages_of("title"),
    "plan__title",
    *_languages_of("plan__title"),
    "plan__member__name",
    *_languages_of("plan__member__name"),
    "lead_agency__name",
    "lead_agency__acronym",
    *_languages_of("lead_agency__name"),
)


# The values the list's rows show, read as plain rows (dicts), not model instances (issue #20: building 100
# instances a page and modeltranslation's descriptors cost more than writing the rows): every language of
# each translated name (the active one, else English, as modeltranslation resolves them).
ROW_VALUES = (
    "identifier",
    "plan_id",
    "completion",
    "completion_percent",
    *_languages_of("title"),
    *_languages_of("plan__title"),
    *_languages_of("plan__member__name"),
    "lead_agency_id",
    "lead_agency__acronym",
    *_languages_of("lead_agency__name"),
    "latest_update_at",
    "overdue_count",
    "contested",
)


def commitment_list(request):
    """Render the commitments, filtered, searched, sorted and paginated: every state is a GET URL.

    Two parts, each the same for every visitor with the same query: the filters (the form, its options
    and its errors) and the results (count, rows, pages). Each is kept in the cache, so a signed-in
    visitor's page builds no FilterSet when both are kept (issue #20).
    """
    today = timezone.localdate()
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    built = []

    def filterset():
        """The FilterSet of this request, built and validated once, when a part is rendered."""
        if not built:
            filters = list_form.ListFilterSet(
                request.GET,
                queryset=_list_queryset(),
                today=today,
            )
            filters.is_valid()  # the filters' values, for the options below and the status
            built.append(filters)
        return built[0]

    def form():
        filters = filterset()
        context = {
            "form": filters.form,
            "choose_member_first": list_form.scope_choices_to_member(filters.form),
            "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        }
        # The template's SafeString (autoescaped): kept as it is (pickled with its class).
        return list_form.form_html(query, context), bool(filters.errors)

    def results():
        filters = filterset()
        text = _search_text(filters)
        shape = list_compiled.shape_of(filters)
        if shape is None:
            rows, paginator = _list_querysets(filters, text)
        else:
            rows, paginator = _compiled_list(request, filters, shape, today)
        page = paginator(rows, PAGE_SIZE, kept_as=_kept_count_key(filters)).get_page(request.GET.get("page"))
        return results_html(page, query, _search_note(text, page), _list_rows(page.object_list))

    form_html, invalid = _kept_form(query, form)
    context = {
        "filters": form_html,
        # The results are the same for every visitor: kept per filters, page, day and language, shared by
        # anonymous and signed-in visitors until the next change (issue #20).
        "results": query_fragment(request, "commitment-list", results, today),
    }
    # A filter value that does not exist (a stale link): say so, show the rest, answer 400.
    return render(request, "commitments/commitment_list.html", context, status=400 if invalid else 200)


def _list_querysets(filters, text):
    """The list's rows (a ``values()`` queryset) and its paginator's class with the count's querysets, built by the ORM."""
    rows = filters.qs
    values = ROW_VALUES
    if text:
        # The note's test per language, as columns of the page's own query (no query of its own).
        languages = search_language_columns(text)
        rows = rows.annotate(**languages)
        # The names the note tests in Python (search.matched_languages): the members' countries besides.
        values = (*values, *(name for name in LANGUAGE_NAME_VALUES if name not in values), *languages)
    paginator = functools.partial(
        BoundedPaginator,
        subset=filters.search_subset_qs,
        counted=filters.qs,  # the same rows, without the columns' joins
        subset_in_key_order=filters.search_subset_in_key_order,
    )
    return rows.values(*values), paginator


class _CompiledRows:
    """The list's rows for a paginator: each page's slice read by a statement compiled once per shape
    (``list_compiled``), or by the ORM's queryset (``orm()``) when the shape cannot be compiled."""

    def __init__(self, fetch, orm):
        self.fetch, self.orm = fetch, orm

    def __getitem__(self, index):
        if index.stop is not None and index.stop <= (index.start or 0):
            return []  # an empty page (no result): no query, as an empty slice of a queryset
        found = self.fetch(index.start or 0, index.stop)
        return found if found is not None else list(self.orm()[0][index])

    def __len__(self):  # (never asked: the paginator's count is bounded)
        raise TypeError("count the rows with BoundedPaginator")


def _compiled_list(request, filters, shape, today):
    """As :func:`_list_querysets`, the statements compiled once per process and shape (no filter, or the search alone)."""
    shape, words, text = shape
    broad = search_is_broad(text) if words else None
    shape = (*shape, broad, COUNT_LIMIT)  # (the limit: tests change it)

    def built(typed):
        """The list's querysets for the search ``typed`` (the placeholders' text), the rest as in this request."""
        data = request.GET.copy()
        data.pop("page", None)
        data["q"] = typed
        placeholders = CommitmentFilterSet(data, queryset=_list_queryset(), today=today)
        placeholders.broad_search = broad
        placeholders.is_valid()
        return _list_querysets(placeholders, typed)

    orm = functools.cache(lambda: _list_querysets(filters, _search_text(filters)))

    def count():
        return list_compiled.compiled_count(shape, words, text, lambda typed: _count_sql(*built(typed)), today)

    def fetch(bottom, top):
        return list_compiled.compiled_rows(shape, words, text, lambda typed: built(typed)[0], bottom, top, today)

    def paginator(rows, per_page, **kwargs):
        bounded = BoundedPaginator(rows, per_page, compiled_count=count, **kwargs)
        bounded.count_sql = lambda: _count_sql(*orm())  # when the count's shape cannot be compiled
        return bounded

    return _CompiledRows(fetch, orm), paginator


def _count_sql(rows, paginator):
    """The bounded count's statement of the list's ``rows`` and paginator class (:func:`_list_querysets`)."""
    return paginator(rows, PAGE_SIZE).count_sql()


_QUERYSETS: dict = {}


def _list_queryset():
    """The list's queryset (its joins and columns), built once per process and language (building it cost ~0.1 ms a
    request, issue #20): each caller gets a clone, so the one kept is never evaluated nor changed."""
    language = get_language()
    found = _QUERYSETS.get(language)
    if found is None:
        found = Commitment.objects.select_related("plan__member", "lead_agency").only(*LIST_COLUMNS)
        keep_shape(_QUERYSETS, language, found, most=8)
    return found.all()


def _kept_form(query: str, render_form):
    """The list's form as ``(html, invalid)``, kept per query (without the page) and language.

    What it shows (the members, the chosen member's plans and agencies, the themes in use, the values
    typed) changes only with an import, the admin or an edit, never with a publication or a review:
    kept until a change not scoped to members (``derived_across_publications``). The query as given
    (a repeated parameter's last value is the one applied), and not kept when longer than the page
    cache keeps (``MAX_QUERY``), so the key space stays bounded.
    """
    if len(query) > MAX_QUERY:
        return render_form()
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return derived_across_publications(f"list-form:{get_language()}:{digest}", render_form)


@per_language
def _results_texts() -> dict:
    """The fixed parts of the list's results in the active language, written once a process."""
    heads = "".join(
        f'        <th scope="col">{label}</th>\n'
        for label in (
            _("Identifier"), _("Title"), _("Action plan"), _("Lead agency"), _("Completion"),
            _("Last published update"), _("Overdue milestones"),
        )
    )
    found = _("Commitments found")
    none = _("No commitment matches these filters.")
    return {
        "table": f'\n  <table class="stack">\n    <caption class="visually-hidden">{found}</caption>\n'
        f"    <thead>\n      <tr>\n{heads}      </tr>\n    </thead>\n    <tbody>\n",
        "none": f"\n  <p>{none}</p>\n  ",
    }


def results_html(page, query: str, search_note: str, rows: str) -> str:
    """``_commitment_results.html`` written in Python (issue #20: its render cost ~0.3 ms of a ~3.5 ms first render):
    the count (or that there are more than it counts), the search's note, the table around ``rows`` (HTML) and the
    pages (``ogp_portal.pagination``, the ``_pagination.html`` of a list whose query is kept). The
    template stays the reference: tests/commitments/test_list_results_html.py compares the two, byte for byte."""
    number = localize if settings.USE_THOUSAND_SEPARATOR else str  # as {% blocktranslate %} writes a number
    paginator = page.paginator
    count = paginator.count
    if paginator.capped:
        heading = _("More than %(n)s commitments: narrow the search or the filters to see them all.") % {"n": escape(number(count))}
    else:
        heading = ngettext("%(counter)s commitment", "%(counter)s commitments", count) % {"counter": escape(number(count))}
    note = f'<p class="search-note">{escape(search_note)}</p>' if search_note else ""
    out = [f'\n<h2 id="results-heading">{heading}</h2>\n  {note}\n  ']
    texts = _results_texts()
    if page.object_list:
        out += [texts["table"], rows, "    </tbody>\n  </table>\n  ", pagination(page, query, number), "\n  "]
    else:
        out.append(texts["none"])
    out.append("\n")
    return mark_safe("".join(out))  # noqa: S308 (the values escaped; the texts are ours, as the template wrote them)


def _translated(row, field, order) -> str:
    """``row``'s ``field`` in the first language of ``order`` that has it, else "": what modeltranslation's descriptor gives.

    ``order``: ``modeltranslation.utils.resolution_order`` of the active language (it, then its fallbacks).
    """
    for code in order:
        value = row.get(f"{field}_{code}")
        if value is not None and value != "":
            return value
    return ""


def _shown(row, field, language, fallback_note, order) -> str:
    """``templatetags.portal.tr`` for a plain row: the text escaped, marked as English when it falls back to it."""
    value = _translated(row, field, order)
    text = escape(value)
    own = row.get(f"{field}_{language.replace('-', '_')}", _ABSENT)
    if not value or language == "en" or own is _ABSENT or own:
        return text
    return f'<span lang="en" class="fallback">{text}</span> <small class="fallback-note">{fallback_note}</small>'


_ABSENT = object()


def _list_rows(commitments) -> str:
    """Render the list's rows (``<tr>``), the same markup a template loop gave, in Python (issue #20).

    Per row: the identifier, the title (in the active language, or marked as English) with the
    contested mark, the member and plan, the lead agency, the stored roll-up, the last published
    update and the overdue milestones. ``commitments``: plain rows (``ROW_VALUES``). The labels
    (``data-label``, for the stacked layout on small screens) and the two URL prefixes are computed
    once per page; the names as ``templatetags.portal.tr`` and ``name_of`` write them.
    """
    label = {
        key: escape(str(text))
        for key, text in (
            ("identifier", _("Identifier")),
            ("title", _("Title")),
            ("plan", _("Action plan")),
            ("agency", _("Lead agency")),
            ("completion", _("Completion")),
            ("latest", _("Last published update")),
            ("overdue", _("Overdue milestones")),
            ("contested", _("Contested")),
            ("no_update", _("No approved update yet")),
        )
    }
    language = get_language() or settings.LANGUAGE_CODE
    order = resolution_order(translated_language())
    english = translation.get_language_info(settings.MODELTRANSLATION_DEFAULT_LANGUAGE)["name_translated"]
    note = escape(_("(shown in %(language)s: not translated yet)") % {"language": english})
    levels = {}
    commitment_url, plan_url = path_of("commitments:commitment"), path_of("commitments:plan")
    rows = []
    for c in commitments:
        contested = f' <strong class="contested-badge">{label["contested"]}</strong>' if c["contested"] else ""
        level = c["completion"]
        if level:
            if level not in levels:
                levels[level] = escape(str(Completion(level).label))
            completion = f'{levels[level]} ({c["completion_percent"]} %)'
        else:
            completion = label["no_update"]
        # The day of the last update in the portal's time zone, formatted once a process per language (ogp_portal.formats).
        latest = formatted_day(template_localtime(c["latest_update_at"]).date(), "DATE_FORMAT") if c["latest_update_at"] else ""
        overdue = f'<span class="overdue-badge">{c["overdue_count"]}</span>' if c["overdue_count"] else "0"
        if c["lead_agency_id"] is None:
            agency = "—"
        else:
            agency = _shown(c, "lead_agency__name", language, note, order)
            if c["lead_agency__acronym"]:
                agency = f'{agency} ({escape(c["lead_agency__acronym"])})'
        rows.append(
            "      <tr>\n"
            f'        <td data-label="{label["identifier"]}">{escape(c["identifier"])}</td>\n'
            f'        <th scope="row" data-label="{label["title"]}"><a href="{escape(commitment_url(c["identifier"]))}">'
            f'{_shown(c, "title", language, note, order)}</a>{contested}</th>\n'
            f'        <td data-label="{label["plan"]}"><a href="{escape(plan_url(c["plan_id"]))}">'
            f'{_shown(c, "plan__member__name", language, note, order)}</a>'
            f'<br><small>{_shown(c, "plan__title", language, note, order)}</small></td>\n'
            f'        <td data-label="{label["agency"]}">{agency}</td>\n'
            f'        <td data-label="{label["completion"]}"><span class="completion completion-{escape(level or "none")}">'
            f"{completion}</span></td>\n"
            f'        <td data-label="{label["latest"]}">{escape(latest or "—")}</td>\n'
            f'        <td data-label="{label["overdue"]}">{overdue}</td>\n'
            "      </tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)


def _search_text(filterset) -> str:
    """The search applied ("" without one, or when a filter is invalid: the note is then left out)."""
    return (filterset.form.cleaned_data.get("q") or "") if filterset.is_valid() else ""


def _search_note(text, page) -> str:
    """Say in which languages the results shown matched ("" without a search or a match), for the list's note.

    A Russian or Kyrgyz visitor is told when nothing matched in their language and the results
    come from the English (or another language's) text. Tested on the page shown (at most
    PAGE_SIZE rows), not on every result: word tests per language over all the results were most
    of the searched list's time; read from the page's rows, whose query says per language whether
    each matched by its own text and milestones (``search.search_language_columns``, issue #20), and
    from the names of its lead agency and member (tested in Python, ``search.matched_languages``).
    """
    if not text:
        return ""
    languages = matched_languages(page.object_list, text)
    if not languages:
        return ""
    current = get_language()
    languages.sort(key=lambda code: code != current)  # the visitor's own language first
    names = ", ".join(str(translation.get_language_info(code)["name_translated"]) for code in languages)
    if current in languages:
        return _("Matched in: %(languages)s.") % {"languages": names}
    return _("Nothing matched in %(language)s; these results matched the text in: %(languages)s.") % {
        "language": str(translation.get_language_info(current)["name_translated"]),
        "languages": names,
    }


