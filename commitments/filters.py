"""FilterSets for commitments, milestones and progress updates (one per model).

The public list page and the API use the same FilterSets, so a filter means the
same thing everywhere. Each FilterSet takes ``today`` (a date, default: the
portal's local date) for the filters that depend on the day, such as "overdue".

Search (the ``q`` filter): ``commitments/search.py``, re-exported here.
"""

from __future__ import annotations

import functools
import json
from html import escape as stdlib_escape

import django_filters
from django import forms
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Count, Exists, Expression, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.sql import Query
from django.db.models.functions import Coalesce
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .marks import contested_commitments_q, row_by_row  # engagement's rule, registered at start-up
# The search itself (commitments/search.py); the names callers and migrations 0003 and 0008 import from here.
from .search import (  # noqa: F401
    commitment_search_vector,
    milestone_search_vector,
    search_commitments,
    search_is_broad,
    search_languages,
    search_subset,
    search_words,
)
from .models import Activity, ActionPlan, Agency, Commitment, Completion, DatePrecision, Member, Milestone, OGPValues, ProgressUpdate, shown_name_order


# A milestone is done (never overdue) once a published update says so.
DONE_COMPLETIONS = (Completion.COMPLETE, Completion.WITHDRAWN)
NO_UPDATE = "none"
COMPLETION_CHOICES = [*Completion.choices, (NO_UPDATE, _("No published update"))]
# A commitment's completion is the roll-up of its milestones (models.rollup_completion); "none": no approved update yet.
ROLLUP_CHOICES = [*Completion.choices, (NO_UPDATE, _("No approved update yet"))]
YES_NO_CHOICES = [("true", _("Yes")), ("false", _("No"))]


def _json_list_contains(field, value):
    """Q for a JSON list column holding ``value`` (JSON ``contains`` is not supported on SQLite)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": json.dumps(value)})


# --- Progress: the day-dependent annotations --------------------------------


def overdue_milestones_q(today, prefix=""):
    """Q for milestones past their end (a month-precision end lasts the whole month) without a published 'complete'.

    The same rule as :func:`milestone_is_overdue`, in the database. "Done" (a published update says
    complete or withdrawn) is the stored ``Milestone.done`` flag, kept by ``progress.refresh_done_flags``
    whenever an update is approved; the partial index ``milestone_open_end`` serves the count.
    """
    ended = Q(**{f"{prefix}end_precision": DatePrecision.DAY, f"{prefix}end_date__lt": today}) | Q(
        **{f"{prefix}end_precision": DatePrecision.MONTH, f"{prefix}end_date__lt": today.replace(day=1)}
    )
    # "Ended before today" holds for both precisions: a range on the partial index's first column.
    return ended & Q(**{f"{prefix}end_date__lt": today, f"{prefix}done": False})


def milestones_done_q(prefix=""):
    """Q for milestones with a published update that says complete or withdrawn, from the updates themselves.

    The rule the stored ``Milestone.done`` flag holds (``progress.refresh_done_flags`` writes it from this).
    """
    return Exists(
        ProgressUpdate.objects.published().filter(milestone=OuterRef(f"{prefix}pk"), completion__in=DONE_COMPLETIONS)
    )


def milestone_is_overdue(milestone, published_updates, today) -> bool:
    """Return whether the milestone is past its end without a published 'complete' (or 'withdrawn') update."""
    ends_on = milestone.ends_on
    if ends_on is None or ends_on >= today:
        return False
    return not any(u.completion in DONE_COMPLETIONS for u in published_updates)


def _latest_published(outer):
    return ProgressUpdate.objects.published().filter(**{outer: OuterRef("pk")}).order_by("-period_end", "-published_at")


def _latest_update_at():
    """The rule of the stored ``Commitment.latest_update_at`` (``progress.refresh_completion`` keeps it; migration
    0019 filled it): ``published_at`` of the newest published update by (period end, publication) of any milestone."""
    return Subquery(_latest_published("milestone__commitment").values("published_at")[:1])


def _overdue_count(today):
    overdue = (
        Milestone.objects.filter(overdue_milestones_q(today), commitment=OuterRef("pk"))
        .order_by()
        .values("commitment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0))


def _contested():
    return row_by_row(contested_commitments_q())


def annotate_commitments(qs, today):
    """Add ``overdue_count`` (as of ``today``) to commitments: a sub-select compiled once per process and day
    (:class:`CompiledColumn`).

    A commitment's completion and its last published update are not annotated here: they are stored on
    the row (``Commitment.completion``, ``completion_percent`` and ``latest_update_at``, kept by
    ``progress.refresh_completion``), so the list sorts by the last update from an index.
    """
    return qs.annotate(overdue_count=CompiledColumn(_overdue_count, today, output_field=IntegerField()))


class CompiledColumn(Expression):
    """A column of a query of commitments (``build(*args)``: an expression over them), compiled once per process.

    Building and compiling the list's sub-selects (latest update, overdue milestones) on every
    request cost about a millisecond (issue #20); their SQL depends on ``args`` (the day) only. It is
    kept for a query whose commitments are their table itself (the list, the API, the exports); inside
    another query (where Django renames the tables ``U0``, ``V0``…) it is built and compiled as before.
    """

    def __init__(self, build, *args, output_field):
        super().__init__(output_field=output_field)
        self.build, self.args, self.pk = build, args, F("pk")

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        pk_sql, _params = compiler.compile(self.pk)
        table = f"{connection.ops.quote_name(Commitment._meta.db_table)}."
        if not pk_sql.startswith(table):  # nested in another query, or without table names: built and compiled here
            return compiler.compile(self.build(*self.args).resolve_expression(compiler.query, allow_joins=True))
        return _compiled_column_sql(self.build, self.args, connection.alias)


@functools.lru_cache(maxsize=64)
def _compiled_column_sql(build, args, alias):
    """The SQL and parameters of ``build(*args)`` in a query of the commitments' table (database ``alias``)."""
    query = Query(Commitment)
    expression = build(*args).resolve_expression(query, allow_joins=True, reuse=None, summarize=False)
    sql, params = query.get_compiler(using=alias).compile(expression)
    return sql, tuple(params)


def annotate_milestones(qs):
    """Add ``latest_completion`` (of the most recent published update) to milestones."""
    return qs.annotate(latest_completion=Subquery(_latest_published("milestone").values("completion")[:1]))


# The distinct theme lists, read by skipping through the index ``commitment_themes`` (migration 0011):
# one index probe per distinct list (a few dozen), not a scan of every commitment (1.7 s at scale 10).
_DISTINCT_THEMES_SQL = """
WITH RECURSIVE lists(themes) AS (
    (SELECT themes FROM {table} WHERE themes > '[]'::jsonb ORDER BY themes LIMIT 1)
    UNION ALL
    SELECT (SELECT c.themes FROM {table} c WHERE c.themes > lists.themes ORDER BY c.themes LIMIT 1)
    FROM lists WHERE lists.themes IS NOT NULL
)
SELECT themes FROM lists WHERE themes IS NOT NULL
"""


def _theme_lists():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_DISTINCT_THEMES_SQL.format(table=connection.ops.quote_name(Commitment._meta.db_table)))
            return [json.loads(row[0]) if isinstance(row[0], str) else row[0] for row in cursor.fetchall()]
    # DISTINCT lists only, without the default ordering's joins (a few dozen rows, not one a commitment).
    return list(Commitment.objects.order_by().exclude(themes=[]).values_list("themes", flat=True).distinct())


def _themes_in_use():
    themes = set()
    for values in _theme_lists():
        themes.update(values or [])
    return sorted(themes)


def theme_choices():
    """Return the themes used by any commitment, sorted.

    Reading them skips through an index (one probe per distinct list), so the list is kept in the
    cache until a change not scoped to members (``ogp_portal.cache.derived_across_publications``:
    every service that changes a commitment, an import and every admin change replace it; a
    publication or a review, which never change a commitment's themes, leave it kept).
    """
    from ogp_portal.cache import derived_across_publications

    return [(t, t) for t in derived_across_publications("commitment-themes", _themes_in_use)]


class PlainChoices(BaseChoiceIterator):
    """Choices given as plain ``(value, label)`` strings: kept as they are (a widget normalizes a
    list option by option), for :class:`FastSelect` to render without converting each option.

    ``options``: their ``<option>`` elements already rendered, nothing selected (:meth:`FastSelect.options_html`),
    for choices kept as HTML (the members' 3,000 options); ``rows`` may then be empty.
    """

    def __init__(self, rows=(), options=None):
        self.rows = tuple(rows)
        self.options = options

    def __iter__(self):
        return iter(self.rows)

    __hash__ = None


class FastSelect(forms.Select):
    """A ``<select>`` rendered in Python, not one template per option.

    The member filter lists every member (3,000 at scale 10): Django's option template costs
    about a millisecond an option; this costs microseconds. Same markup, no option groups.
    A long list's options are kept per process while its choices stay equal (issue #20: the
    members' options are the same on every list page), and only the selected mark is added.
    """

    KEPT_FROM = 100  # options: shorter lists are rendered each time
    _kept: dict = {}  # choices -> their options' HTML, nothing selected (a few lists: languages)

    def render(self, name, value, attrs=None, renderer=None):
        if isinstance(self.choices, PlainChoices) and self.choices.options is not None:
            return self._select(name, attrs, self.choices.options, marked=value)
        if isinstance(self.choices, PlainChoices):
            choices = self.choices.rows
        else:
            choices = tuple(iter(self.choices))  # not tuple(): its length hint would COUNT the rows first
            if any(isinstance(label, (list, tuple)) for _, label in choices):
                return super().render(name, value, attrs, renderer)
            # Plain strings (a lazy label is the active language's text; a model choice its value).
            choices = tuple(("" if v is None else str(v), str(label)) for v, label in choices)
        if len(choices) < self.KEPT_FROM:
            selected = {stdlib_escape(v) for v in self.format_value(value)}
            return self._select(name, attrs, self._options(choices, selected))
        return self._select(name, attrs, self.options_html(choices), marked=value)

    _UNMARKED = object()

    def _select(self, name, attrs, options, marked=_UNMARKED):
        """The ``<select>`` around ``options`` (HTML); with ``marked`` (the field's value), its options marked selected."""
        if marked is not self._UNMARKED:
            for v in {stdlib_escape(v) for v in self.format_value(marked)}:  # values are unique: one option each
                options = options.replace(f'<option value="{v}">', f'<option value="{v}" selected>', 1)
        options = mark_safe(options)  # noqa: S308 (every value and label escaped in _options)
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)  # Django's order

    @classmethod
    def options_html(cls, choices) -> str:
        """Return the ``<option>`` elements of ``choices`` (plain string pairs), nothing selected, kept per process while equal."""
        choices = tuple(choices)
        options = cls._kept.get(choices)
        if options is None:
            if len(cls._kept) >= 8:
                cls._kept.clear()
            options = cls._kept[choices] = cls._options(choices, set())
        return options

    @staticmethod
    def _options(choices, selected) -> str:
        # The standard library's escape: Django's (lazy-aware) costs ~0.3 ms a call under load.
        options = []
        for v, label in choices:
            v = stdlib_escape(v)
            mark = " selected" if v in selected else ""
            options.append(f'<option value="{v}"{mark}>{stdlib_escape(label)}</option>')
        return "".join(options)


class DayAwareFilterSet(django_filters.FilterSet):
    """A FilterSet that knows the day it filters as of (passed in, for tests and reports)."""

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        for f in self.filters.values():
            if isinstance(f, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter)):
                f.extra.setdefault("empty_label", _("Any"))

    def filter_completion(self, qs, name, value):
        if value == NO_UPDATE:
            return qs.filter(latest_completion__isnull=True)
        return qs.filter(latest_completion=value)



def member_order():
    """The commitments' member name as the page shows it in the active language (``models.shown_name_order``)."""
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return shown_name_order(code if code in settings.MODELTRANSLATION_LANGUAGES else "en", prefix="plan__member__")


def _descending(label):
    # django-filter's own text ("%s (descending)", the msgid its catalogs and ours translate), in the language
    # of the request that renders the select.
    return _("%s (descending)") % label


_descending_lazy = lazy(_descending, str)


class MemberNameOrdering(django_filters.OrderingFilter):
    """The list's sort; "member" orders by the name as shown (its own in the language, else English).

    The descending orders' labels stay lazy: django-filter writes them once, when the FilterSet class
    is defined, in the language of that moment (English), so Russian and Kyrgyz visitors read
    "Member (descending)".
    """

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices[::2])
        return [
            (value, _descending_lazy(ascending[value[1:]]) if value.startswith("-") and value not in labels else label)
            for value, label in choices
        ]

    def filter(self, qs, value):
        """The chosen sort, then the identifier (unique): rows that tie on the sort keep one order from page to
        page, so paging a sorted list neither repeats nor skips a commitment."""
        qs = super().filter(qs, value)
        if value and qs.query.order_by and not any(str(v).lstrip("-") == "identifier" for v in value):
            qs = qs.order_by(*qs.query.order_by, "identifier")
        return qs

    def get_ordering_value(self, param):
        if param.lstrip("-") == "member":
            return member_order().desc() if param.startswith("-") else member_order().asc()
        return super().get_ordering_value(param)


class CommitmentFilterSet(DayAwareFilterSet):
    """Filters of the commitment list: ``?q=&member=KG&plan=1&theme=&ogp_value=&lead_agency=&completion=&overdue=&contested=&sort=``.

    "Contested": a published update of the commitment has a visible dispute not yet answered
    (``engagement.services.contested_commitments_q``); each row carries it as ``contested``.
    """

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    member = django_filters.ModelChoiceFilter(
        field_name="plan__member",
        to_field_name="code",
        queryset=Member.objects.order_by("kind", "name"),
        label=_("Member"),
        widget=FastSelect,
    )
    plan = django_filters.ModelChoiceFilter(
        queryset=ActionPlan.objects.select_related("member").order_by("member__name", "-start_date"),
        label=_("Action plan"),
        widget=FastSelect,
    )
    theme = django_filters.ChoiceFilter(choices=theme_choices, method="filter_theme", label=_("Theme"), widget=FastSelect)
    ogp_value = django_filters.ChoiceFilter(
        choices=OGPValues.choices, method="filter_ogp_value", label=_("OGP value"), widget=FastSelect
    )
    lead_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.select_related("member").order_by("member__name", "name"),
        label=_("Lead agency"),
        widget=FastSelect,
    )
    completion = django_filters.ChoiceFilter(
        choices=ROLLUP_CHOICES, method="filter_rollup", label=_("Completion (rolled up from the milestones)"), widget=FastSelect
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO_CHOICES, method="filter_overdue", label=_("Overdue milestones"), widget=FastSelect
    )
    contested = django_filters.ChoiceFilter(
        choices=YES_NO_CHOICES, method="filter_contested", label=_("Contested (a dispute awaits a response)"), widget=FastSelect
    )
    sort = MemberNameOrdering(
        fields=(
            ("plan__member__name", "member"),
            ("number", "number"),
            ("identifier", "identifier"),
            ("title", "title"),
            ("end_date", "end"),
            ("latest_update_at", "updated"),
            ("overdue_count", "overdue"),
        ),
        field_labels={
            "plan__member__name": _("Member"),
            "number": _("Number in the plan"),
            "identifier": _("Identifier"),
            "title": _("Title"),
            "end_date": _("End date"),
            "latest_update_at": _("Last published update"),
            "overdue_count": _("Overdue milestones"),
        },
        label=_("Sort by"),
        empty_label=_("Member and number"),
        widget=FastSelect,  # django-filter makes it a CSV widget; one value renders as this select, without templates
    )

    class Meta:
        model = Commitment
        fields = ["q", "member", "plan", "theme", "ogp_value", "lead_agency", "completion", "overdue", "contested"]

    def filter_queryset(self, queryset):
        queryset = annotate_commitments(queryset, self.today)
        # One EXISTS per row in the same query: the list's "contested" mark costs no extra query.
        queryset = queryset.annotate(contested=CompiledColumn(_contested, output_field=BooleanField()))
        # django-filter's loop, with the search applied last: the rows of every other filter are kept
        # (``unsearched_qs``) for the bounded count's subset, which then tests each row's vector once.
        data = self.form.cleaned_data
        for name in sorted(data, key=lambda name: name == "q"):  # stable: the others in their order
            if name == "q":
                self.unsearched_qs = queryset
            queryset = self.filters[name].filter(queryset, data[name])
        if not data.get("sort"):
            queryset = queryset.order_by(member_order().asc(), "-plan__start_date", "number", "identifier")
        return queryset

    # Whether the search is broad (search.search_is_broad), asked once: by the search and by its count; set before
    # filtering, the answer to use (``list_compiled`` builds a shape with placeholder words for a request's search).
    broad_search = None
    # The rows of every filter but the search (set by filter_queryset; None in the API's path).
    unsearched_qs = None

    def filter_search(self, qs, name, value):
        if self.broad_search is None:
            self.broad_search = search_is_broad(value)
        return search_commitments(qs, value, broad=self.broad_search)

    @property
    def search_subset_qs(self):
        """A subset of ``qs`` for its bounded count, or None without a search.

        The results whose own title or description matches (``search.search_subset``: the same as
        the same filters with the search reduced to that). Tested row by row without probing each
        row's milestones, it reaches the count's limit in a fraction of the time when a broad
        search has that many matches by their own text (issue #20: "open data" at scale 10). None
        for a narrow search (PostgreSQL), whose count reads the UNION of its indexed selects.
        """
        if not self._counts_a_subset():
            return None  # no search, or a narrow one: its count reads the UNION from the indexes
        qs, text = self.qs, self.form.cleaned_data.get("q")
        # The own-text test on the rows of the other filters, not on the searched rows: a row whose own
        # text matches is a result, and the search's own test of that vector (a second read of it from
        # its TOAST table per row, most of the count's time) is left out (issue #20).
        rows = qs if self.unsearched_qs is None else self.unsearched_qs
        return search_subset(rows, text, key_order=self.search_subset_in_key_order)

    def _counts_a_subset(self) -> bool:
        """Whether the bounded count reads a subset: a search with words, not narrow (see :attr:`search_subset_qs`)."""
        self.qs  # validates the form and filters; a valid search applies even beside an invalid filter
        text = getattr(self.form, "cleaned_data", {}).get("q") or ""
        return bool(search_words(text)) and self.broad_search is not False

    @property
    def search_subset_in_key_order(self) -> bool:
        """Whether the bounded count should walk :attr:`search_subset_qs` in the order of the primary key.

        When the search is the only filter, the subset is the whole table's rows whose own text matches,
        and walking it as the rows lie in the table (a sequential scan) made the count's cost depend on
        where the scan starts: PostgreSQL starts a scan of a large table where the last one stopped
        (``synchronize_seqscans``), and a table rewritten by an update of every row (migration 0019)
        keeps tens of thousands of empty pages, so every few dozen searches the walk crossed them
        (at scale 10: 70,000 empty pages, 90-240 ms instead of 5-9 ms; issue #20, the searched list's
        p95). The primary key's index lists live rows only and always from the same end: the same
        ~2,000 pages every time, which stay in shared buffers. With another filter the planner keeps
        its own choice (that filter's index). The count is the same in any order.
        """
        if not self._counts_a_subset():
            return False
        data = self.form.cleaned_data
        return not any(data.get(name) not in (None, "", []) for name in data if name not in ("q", "sort"))

    def filter_theme(self, qs, name, value: str):
        return qs.filter(_json_list_contains("themes", value))

    def filter_ogp_value(self, qs, name, value):
        return qs.filter(_json_list_contains("ogp_values", value))

    def filter_overdue(self, qs, name, value):
        return qs.filter(overdue_count__gt=0) if value == "true" else qs.filter(overdue_count=0)

    def filter_contested(self, qs, name, value):
        return qs.filter(contested=True) if value == "true" else qs.filter(contested=False)

    def filter_rollup(self, qs, name, value):
        """Filter on the stored roll-up (indexed ``completion`` column), the value every page shows."""
        return qs.filter(completion="" if value == NO_UPDATE else value)


class MilestoneFilterSet(DayAwareFilterSet):
    """Filters of milestones: ``?commitment=KG0001&member=KG&plan=1&completion=&overdue=``."""

    commitment = django_filters.ModelChoiceFilter(
        to_field_name="identifier", queryset=Commitment.objects.all(), label=_("Commitment")
    )
    member = django_filters.ModelChoiceFilter(
        field_name="commitment__plan__member", to_field_name="code", queryset=Member.objects.all(), label=_("Member")
    )
    plan = django_filters.ModelChoiceFilter(field_name="commitment__plan", queryset=ActionPlan.objects.all(), label=_("Action plan"))
    completion = django_filters.ChoiceFilter(
        choices=COMPLETION_CHOICES, method="filter_completion", label=_("Completion (latest published update)")
    )
    overdue = django_filters.ChoiceFilter(choices=YES_NO_CHOICES, method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Milestone
        fields = ["commitment", "member", "plan", "completion", "overdue"]

    def filter_queryset(self, queryset):
        return super().filter_queryset(annotate_milestones(queryset))

    def filter_overdue(self, qs, name, value):
        q = overdue_milestones_q(self.today)
        return qs.filter(q) if value == "true" else qs.exclude(q)


class ProgressUpdateFilterSet(django_filters.FilterSet):
    """Filters of progress updates: ``?commitment=KG0001&member=KG&completion=&period_end_after=&period_end_before=``."""

    commitment = django_filters.ModelChoiceFilter(
        field_name="milestone__commitment", to_field_name="identifier", queryset=Commitment.objects.all(), label=_("Commitment")
    )
    member = django_filters.ModelChoiceFilter(
        field_name="milestone__commitment__plan__member", to_field_name="code", queryset=Member.objects.all(), label=_("Member")
    )
    milestone = django_filters.NumberFilter(field_name="milestone_id", label=_("Milestone"))
    completion = django_filters.ChoiceFilter(choices=Completion.choices, label=_("Completion"))
    period_end = django_filters.DateFromToRangeFilter(label=_("Reporting period ends"))

    class Meta:
        model = ProgressUpdate
        fields = ["commitment", "member", "milestone", "completion", "period_end"]


# --- The API's FilterSets for the other models (h11) ---------------------------------

ID_LOOKUPS = ["exact", "in"]
DATE_LOOKUPS = ["exact", "gte", "lte"]


class MemberFilterSet(django_filters.FilterSet):
    class Meta:
        model = Member
        fields = {"kind": ["exact"], "code": ["exact"], "parent": ["exact"], "country": ["exact"]}


class AgencyFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")

    class Meta:
        model = Agency
        fields = {"member": ["exact"], "kind": ["exact"]}


class ActionPlanFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")

    class Meta:
        model = ActionPlan
        fields = {"member": ["exact"], "start_date": DATE_LOOKUPS, "end_date": DATE_LOOKUPS}


class ActivityFilterSet(django_filters.FilterSet):
    class Meta:
        model = Activity
        fields = {"commitment": ["exact"]}
