"""FilterSets for commitments, milestones and progress updates (one per model).

The public list page and the API use the same FilterSets, so a filter means the
same thing everywhere. Each FilterSet takes ``today`` (a date, default: the
portal's local date) for the filters that depend on the day, such as "overdue".

Search: PostgreSQL full-text search over the titles, descriptions and milestone
deliverables in every language (``simple`` configuration, prefix matching, stored
``search_vector`` columns with GIN indexes from migration ``0008_stored_search_vector``);
on SQLite every word must appear (case-insensitive) in one of the same columns. Beside the text,
a commitment is found by its lead agency's or its member's name in any language (the translated
names of ``commitments.translation``: "Счётная палата" finds the Accounts Chamber's commitments),
and :func:`search_languages` says in which languages the results matched (the list's note).
"""

from __future__ import annotations

import json
import re
from html import escape as stdlib_escape

import django_filters
from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import BooleanField, CharField, Count, Exists, Expression, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .marks import contested_commitments_q, row_by_row  # engagement's rule, registered at start-up
from .models import Activity, ActionPlan, Agency, Commitment, Completion, DatePrecision, Member, Milestone, OGPValues, ProgressUpdate

LANGUAGE_CODES = tuple(settings.MODELTRANSLATION_LANGUAGES)
SEARCH_CONFIG = "simple"  # no stemming: the same rules for English, Russian and Kyrgyz
COMMITMENT_SEARCH_COLUMNS = tuple(f"{field}_{code}" for field in ("title", "description") for code in LANGUAGE_CODES)
MILESTONE_SEARCH_COLUMNS = tuple(f"deliverable_{code}" for code in LANGUAGE_CODES)
MAX_SEARCH_WORDS = 10

# A milestone is done (never overdue) once a published update says so.
DONE_COMPLETIONS = (Completion.COMPLETE, Completion.WITHDRAWN)
NO_UPDATE = "none"
COMPLETION_CHOICES = [*Completion.choices, (NO_UPDATE, _("No published update"))]
# A commitment's completion is the roll-up of its milestones (models.rollup_completion); "none": no approved update yet.
ROLLUP_CHOICES = [*Completion.choices, (NO_UPDATE, _("No approved update yet"))]
YES_NO_CHOICES = [("true", _("Yes")), ("false", _("No"))]


# On PostgreSQL each table stores its vector in a generated column with a GIN index (migration 0008).
SEARCH_VECTOR_COLUMN = "search_vector"


def commitment_search_vector():
    """Return the search vector of a commitment: the expression of the stored ``search_vector`` column.

    Migration 0008 stores it (``GENERATED ALWAYS AS … STORED``, the same columns and configuration);
    migration 0003 indexed this expression before, and 0008's reverse restores that index.
    """
    return SearchVector(*COMMITMENT_SEARCH_COLUMNS, config=SEARCH_CONFIG)


def milestone_search_vector():
    """Return the search vector of a milestone (stored as ``search_vector`` on PostgreSQL, migration 0008)."""
    return SearchVector(*MILESTONE_SEARCH_COLUMNS, config=SEARCH_CONFIG)


def search_words(text: str) -> list[str]:
    """Return the words of a search, lower-cased, letters and digits only (safe in a raw tsquery)."""
    return re.findall(r"[^\W_]+", (text or "").lower())[:MAX_SEARCH_WORDS]


def _prefix_tsquery(words) -> str:
    # Every word, each as a prefix: "audit" finds "auditing", "аудит" finds "аудита".
    return " & ".join(f"{w}:*" for w in words)


def _words_q(words, columns):
    """Q for rows where every word appears in one of ``columns`` (the SQLite fallback).

    SQLite's LIKE ignores case for ASCII letters only, so a Cyrillic word is also tried
    capitalised and upper-cased.
    """
    q = Q()
    for word in words:
        variants = {word} if word.isascii() else {word, word.capitalize(), word.upper()}
        any_column = Q()
        for column in columns:
            for variant in variants:
                any_column |= Q(**{f"{column}__icontains": variant})
        q &= any_column
    return q


# A name's word starts the name or follows one of these ("Kyrgyz Republic" is not found by "public").
WORD_STARTS = ("", " ", "(", "«", '"', "-", "“")


def _name_words_q(words, columns, acronym=None):
    """Q for rows where every word starts a word of one of the name ``columns`` (or equals the acronym).

    Names are short and their tables small: a LIKE per word start is cheap. As in :func:`_words_q`,
    a Cyrillic word is also tried capitalised and upper-cased (SQLite's LIKE folds ASCII only), and
    a typed "ё" also as "е" (the official names write "е").
    """
    if connection.vendor == "postgresql":
        return _name_words_regex_q(words, columns, acronym)
    q = Q()
    for word in words:
        folds_case = word.isascii()
        variants = {word} if folds_case else {word, word.capitalize(), word.upper()}
        variants |= {v.replace("ё", "е").replace("Ё", "Е") for v in variants}
        any_column = Q(**{f"{acronym}__iexact": word}) if acronym else Q()
        for column in columns:
            for variant in variants:
                any_column |= Q(**{f"{column}__istartswith": variant})
                for start in WORD_STARTS[1:]:
                    any_column |= Q(**{f"{column}__icontains": start + variant})
        q &= any_column
    return q


# The same word starts as a regular expression: one case-insensitive match per column and word on
# PostgreSQL, not a LIKE per start (seven) of an upper-cased copy: the 22,500 agencies at scale 10 took
# 0.1 s to test on every search (issue #20).
_WORD_START_RE = "(^|[" + "".join(sorted(WORD_STARTS[1:], key=lambda start: start == "-")) + "])"  # "-" last: literal


def _name_words_regex_q(words, columns, acronym=None):
    q = Q()
    for word in words:
        # Words are letters and digits only (search_words); a typed "ё" also finds "е".
        pattern = _WORD_START_RE + word.replace("ё", "[её]").replace("Ё", "[ЕЁ]")
        any_column = Q(**{f"{acronym}__iexact": word}) if acronym else Q()
        for column in columns:
            any_column |= Q(**{f"{column}__iregex": pattern})
        q &= any_column
    return q


def _named_q(words, code=None):
    """Q for commitments whose lead agency's or member's name holds every word (in language ``code``, or any)."""
    codes = (code,) if code else LANGUAGE_CODES
    agency_columns = tuple(f"name_{c}" for c in codes)
    member_columns = tuple(f"{field}_{c}" for field in ("name", "country") for c in codes)
    agencies = _named(Agency, words, agency_columns, acronym=None if code else "acronym")
    members = _named(Member, words, member_columns)
    # The plans' ids (a handful), not a join to the plans: the list's bounded count then reads commitments only.
    return Q(lead_agency__in=agencies) | Q(plan__in=ActionPlan.objects.filter(member__in=members).order_by().values("pk"))


def _named(model, words, columns, acronym=None):
    """The primary keys of the ``model`` rows (agencies, members) whose names hold every word."""
    rows = model.objects.order_by()
    if connection.vendor == "postgresql" and len(columns) > 1:
        # One regular expression per word over the names joined by spaces (a space starts a word, and
        # a word cannot span two names), not one per name column: a third of the time on 22,500 agencies.
        joined = [part for column in columns for part in (Value(" "), column)][1:]
        rows = rows.annotate(search_names=Concat(*joined, output_field=CharField()))
        columns = ("search_names",)
    return rows.filter(_name_words_q(words, columns, acronym)).values("pk")


def _matching_commitment_ids(words, text: str) -> RawSQL:
    """SQL (PostgreSQL) for the primary keys of the commitments a search finds: one UNION of indexed selects.

    The commitments whose stored vector matches, the commitments of the milestones whose stored
    vector matches (each answered from its GIN index), the identifier, and the commitments led by an
    agency or belonging to a member whose name matches. One ``pk IN (… UNION …)`` is a semi-join
    the planner answers from the indexes; an OR of the same sub-selects made it test every row of
    the table against each of them (issue #20: most of the searched list's SQL time).
    """
    # Each vector select reads the stored ``search_vector`` column (migration 0008), answered from its
    # GIN index, never ``to_tsvector`` over the text columns; the column is not a model field (SQLite
    # has no equivalent; see the migration), hence the SQL.
    quote = connection.ops.quote_name
    tsquery = _prefix_tsquery(words)
    parts = []
    for model, selected in ((Commitment, Commitment._meta.pk.column), (Milestone, Milestone._meta.get_field("commitment").column)):
        parts.append(
            (
                f"SELECT {quote(selected)} FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(SEARCH_VECTOR_COLUMN)} @@ to_tsquery(%s::regconfig, %s)",
                [SEARCH_CONFIG, tsquery],
            )
        )
    named = _named_q(words)
    for q in (Q(identifier__iexact=text.strip()), *named.children):
        # order_by(): without it each select would join the plans and members to sort by the default ordering.
        sql, params = Commitment.objects.filter(q).order_by().values("pk").query.sql_with_params()
        parts.append((sql, list(params)))
    return RawSQL(" UNION ".join(f"({sql})" for sql, _ in parts), [p for _, params in parts for p in params])


class _VectorMatch(Expression):
    """True when a commitment's stored vector, or one of its milestones', matches the tsquery (PostgreSQL).

    Tested on the commitment's own row: ``search_vector`` of its table (under whatever alias the
    query gives it) and an EXISTS probe through the milestones' ``commitment_id`` index. The EXISTS
    carries a non-equality condition on the outer row (``pk > 0``, always true) so that the planner
    probes per row rather than hashing every matching milestone first (see ``marks.row_by_row``).
    """

    output_field = BooleanField()

    def __init__(self, pk, tsquery):
        super().__init__()
        self.pk, self.tsquery = pk, tsquery

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        table = pk_sql.rsplit(".", 1)[0]
        quote = connection.ops.quote_name
        vector = quote(SEARCH_VECTOR_COLUMN)
        milestones = quote(Milestone._meta.db_table)
        commitment_id = quote(Milestone._meta.get_field("commitment").column)
        sql = (
            f"({table}.{vector} @@ to_tsquery(%s::regconfig, %s) OR EXISTS (SELECT 1 FROM {milestones} m "
            f"WHERE m.{commitment_id} = {pk_sql} AND {pk_sql} > 0 AND m.{vector} @@ to_tsquery(%s::regconfig, %s)))"
        )
        query = [SEARCH_CONFIG, self.tsquery]
        return sql, [*query, *pk_params, *pk_params, *query]


# A search is "broad" when the planner expects at least this share of the commitments to match it (from
# the stored vectors' statistics): its results are then found by walking the list in its order and
# testing each row, which stops after one page (or after the bounded count); a narrower search
# reads the few matching rows from the GIN indexes (one UNION) and sorts them.
BROAD_SEARCH_SHARE = 0.05


def _is_broad(tsquery: str) -> bool:
    """Return whether the planner estimates that a search matches many commitments: one EXPLAIN, no rows read."""
    quote = connection.ops.quote_name
    selects = [
        f"SELECT 1 FROM {quote(model._meta.db_table)} WHERE {quote(SEARCH_VECTOR_COLUMN)} @@ to_tsquery(%s::regconfig, %s)"
        for model in (Commitment, Milestone)
    ]
    selects += [f"SELECT 1 FROM {quote(model._meta.db_table)}" for model in (Commitment, Milestone)]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + " UNION ALL ".join(selects), [SEARCH_CONFIG, tsquery] * 2)
        plan = cursor.fetchone()[0]
    node = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    while len(node.get("Plans", ())) == 1:  # a Gather above the Append (parallel plans)
        node = node["Plans"][0]
    commitments, milestones, all_commitments, all_milestones = (child["Plan Rows"] for child in node["Plans"])
    # The matching milestones' commitments: as many as their share of all milestones, at most one each.
    found = commitments + min(milestones, milestones * all_commitments / max(all_milestones, 1))
    return found >= BROAD_SEARCH_SHARE * all_commitments


def search_commitments(qs, text: str, broad: bool | None = None):
    """Return commitments whose identifier, titles, descriptions, milestones, lead agency or member match every word of ``text``.

    On PostgreSQL two equivalent forms (``broad``: None lets the planner's estimate choose, see
    ``BROAD_SEARCH_SHARE``): a narrow search is ``pk IN (one UNION of indexed selects)``; a broad
    one (tens of thousands of matches at scale 10: the UNION would read and sort them all) is a
    test of each row the list walks in its own order, so a page costs a page's worth of rows.
    """
    words = search_words(text)
    if not words:
        return qs
    if connection.vendor == "postgresql":
        tsquery = _prefix_tsquery(words)
        if broad is None:
            broad = _is_broad(tsquery)
        if broad:
            return qs.filter(Q(_VectorMatch(F("pk"), tsquery)) | Q(identifier__iexact=text.strip()) | _named_q(words))
        return qs.filter(pk__in=_matching_commitment_ids(words, text))
    identifier = Q(identifier__iexact=text.strip()) | _named_q(words)
    in_milestones = Exists(Milestone.objects.filter(_words_q(words, MILESTONE_SEARCH_COLUMNS), commitment=OuterRef("pk")))
    return qs.filter(_words_q(words, COMMITMENT_SEARCH_COLUMNS) | in_milestones | identifier)


def _language_q(words, code):
    """Q for commitments whose text or names in language ``code`` hold every word (the note's test)."""
    text = _words_q(words, (f"title_{code}", f"description_{code}"))
    milestones = Exists(Milestone.objects.filter(_words_q(words, (f"deliverable_{code}",)), commitment=OuterRef("pk")))
    return text | milestones | _named_q(words, code)


def search_languages(qs, text: str) -> list[str]:
    """Return the language codes (portal order) in which the commitments of ``qs`` match every word of ``text``.

    ``qs``: the search's results. One query (a conditional count per language), made only when
    someone searches; an identifier or acronym match belongs to no language.
    """
    words = search_words(text)
    if not words:
        return []
    counts = qs.order_by().aggregate(
        **{code: Count("pk", filter=_language_q(words, code)) for code in LANGUAGE_CODES}
    )
    return [code for code in LANGUAGE_CODES if counts[code]]


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


def annotate_commitments(qs, today):
    """Add ``latest_update_at`` and ``overdue_count`` (as of ``today``) to commitments.

    A commitment's completion is not annotated here: it is the stored roll-up
    (``Commitment.completion`` and ``completion_percent``, see ``models.rollup_completion``).
    """
    latest = _latest_published("milestone__commitment")
    overdue = (
        Milestone.objects.filter(overdue_milestones_q(today), commitment=OuterRef("pk"))
        .order_by()
        .values("commitment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        latest_update_at=Subquery(latest.values("published_at")[:1]),
        overdue_count=Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
    )


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

    Reading them scans every commitment (about 1 s at scale 10), so the list is kept in the cache
    under the public pages' generation (``ogp_portal.cache.derived``: every service that changes a
    commitment, an import and every admin change replace it).
    """
    from ogp_portal.cache import derived

    return [(t, t) for t in derived("commitment-themes", _themes_in_use)]


class FastSelect(forms.Select):
    """A ``<select>`` rendered in Python, not one template per option.

    The member filter lists every member (3,000 at scale 10): Django's option template costs
    about a millisecond an option; this costs microseconds. Same markup, no option groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(iter(self.choices))  # not list(): its length hint would COUNT the rows first
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = set(self.format_value(value))
        # The standard library's escape: Django's (lazy-aware) costs ~0.3 ms a call under load.
        options = []
        for v, label in choices:
            v = "" if v is None else str(v)
            mark = " selected" if v in selected else ""
            options.append(f'<option value="{stdlib_escape(v)}"{mark}>{stdlib_escape(str(label))}</option>')
        options = mark_safe("".join(options))  # noqa: S308 (every value and label escaped above)
        return format_html("<select{}>{}</select>", flatatt(final), options)


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
        queryset=ActionPlan.objects.select_related("member").order_by("member__name", "-start_date"), label=_("Action plan")
    )
    theme = django_filters.ChoiceFilter(choices=theme_choices, method="filter_theme", label=_("Theme"))
    ogp_value = django_filters.ChoiceFilter(choices=OGPValues.choices, method="filter_ogp_value", label=_("OGP value"))
    lead_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.select_related("member").order_by("member__name", "name"), label=_("Lead agency")
    )
    completion = django_filters.ChoiceFilter(
        choices=ROLLUP_CHOICES, method="filter_rollup", label=_("Completion (rolled up from the milestones)")
    )
    overdue = django_filters.ChoiceFilter(choices=YES_NO_CHOICES, method="filter_overdue", label=_("Overdue milestones"))
    contested = django_filters.ChoiceFilter(
        choices=YES_NO_CHOICES, method="filter_contested", label=_("Contested (a dispute awaits a response)")
    )
    sort = django_filters.OrderingFilter(
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
    )

    class Meta:
        model = Commitment
        fields = ["q", "member", "plan", "theme", "ogp_value", "lead_agency", "completion", "overdue", "contested"]

    def filter_queryset(self, queryset):
        queryset = annotate_commitments(queryset, self.today)
        # One EXISTS per row in the same query: the list's "contested" mark costs no extra query.
        queryset = queryset.annotate(contested=row_by_row(contested_commitments_q()))
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("plan__member__name", "-plan__start_date", "number", "identifier")
        return queryset

    def filter_search(self, qs, name, value):
        return search_commitments(qs, value)

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
