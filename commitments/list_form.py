"""The commitment list's form (issue #20: its first render): the filters' options and the form as rendered.

* :func:`scope_choices_to_member`: every member as a light option (3,000 at scale 10: read from the database
  as one text, their ``<option>`` elements written once per process while that text is the same), and the
  plans and lead agencies of the chosen member only.
* :class:`ListFilterSet`: the list's FilterSet with its form class made once per process and language.
* :func:`form_html`: the form as ``_commitment_filters.html`` renders it, rendered once per process while
  the language, the query and the options read for this request are the same.

Every render reads the options from the database, so a change shows at the next render; the view
(``list_views.commitment_list``) keeps the form's HTML across requests only through the cache
(``_kept_form``), which the first render after a publication, or with the cache off, does without.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ogp_portal.cache import MAX_QUERY, derived_across_publications
from ogp_portal.compiled import compiled_sql, keep_shape
from ogp_portal.compiled import rows as compiled_rows

from .filters import CommitmentFilterSet, FastSelect, PlainChoices


# Filters whose options are the rows of one member: listed once a member is chosen (10,000 plans and
# 22,500 agencies at scale 10 would make every list page megabytes of options).
MEMBER_SCOPED_FILTERS = ("plan", "lead_agency")


def scope_choices_to_member(form):
    """Offer every member as a light option, and the plan and lead agency options of the chosen member only.

    Returns True when no member is chosen (the template then says to choose one first).

    Validation still accepts any plan or agency (a shared link keeps working); only the options
    rendered change. Without a member, a filter already set keeps its one option (so it shows
    and can be cleared), and an unset one is left out, with a note to choose a member first.
    """
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    member = data.get("member")
    # Every member is an option (3,000 at scale 10): read as (code, name) pairs, not model instances.
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    own = f"name_{language}" if language in settings.MODELTRANSLATION_LANGUAGES else "name_en"
    field = form.fields["member"]

    order = tuple(field.queryset.query.order_by)

    def members():
        label = Coalesce(NullIf(own, Value("")), "name_en", output_field=CharField()) if own != "name_en" else F("name_en")
        return QuerySet(field.queryset.model).order_by(*order).values_list("code", label)

    def options():
        # (code, the name in the visitor's language or else in English), in the filter's order, read from the
        # index member_kind_name alone, by a query compiled once per process (ogp_portal.compiled: building and
        # compiling it cost ~0.4 ms), on PostgreSQL read as one text (member_options).
        return member_options(("list-member-options", own, order), members, str(field.empty_label))

    # The same for every visitor: the options' HTML kept per language until a change not scoped to members
    # (a member added or renamed is an import or the admin; a publication or a review never changes a
    # member's name: issue #20, the first visitor after a publication); the selected one is marked when
    # the select is rendered.
    field.widget.choices = PlainChoices(options=derived_across_publications(f"member-options:{get_language()}", options))
    for name in MEMBER_SCOPED_FILTERS:
        field = form.fields[name]
        current = data.get(name)
        if member is not None:
            rows = list(field.queryset.filter(member=member))
            if current is not None and current not in rows:
                rows.append(current)
        elif current is not None:
            rows = [current]
        else:
            del form.fields[name]
            continue
        field.widget.choices = [("", field.empty_label), *((row.pk, field.label_from_instance(row)) for row in rows)]
    return member is None and any(name not in form.fields for name in MEMBER_SCOPED_FILTERS)


# The members' options as written (HTML), per process, under the text their rows were read as (see member_options).
_MEMBER_OPTIONS: dict = {}

# The rows of the members' query as one text: each value written as its length, a colon and itself (so no
# value, whatever characters it holds, can be read as two), in the query's order; and whether a label is NULL.
_AS_ONE_TEXT = (
    "SELECT string_agg(length(code) || ':' || code || length(label) || ':' || label, ''), bool_or(label IS NULL) "
    "FROM ({rows}) members(code, label)"
)


def member_options(name, members, empty_label: str) -> str:
    """The ``<option>`` elements of the members (``members()``: a ``values_list`` of code and label, compiled under
    ``name``), the first one ``empty_label``: :meth:`FastSelect.options_html` of its rows.

    On PostgreSQL the rows are read as one text (``_AS_ONE_TEXT``): building 3,000 pairs of Python strings and
    a tuple of them to look the kept options up cost ~0.8 ms a render (issue #20), one text ~0.1 ms; the
    options are written again only when that text changes. Elsewhere (SQLite), or when a label is NULL (the
    rows then go through :meth:`FastSelect.options_html` as before), the rows are read as rows.
    """
    kept = compiled_sql(name, members) if connections[DEFAULT_DB_ALIAS].vendor == "postgresql" else None
    if kept is not None:
        sql, params = kept
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(_AS_ONE_TEXT.format(rows=sql), params)
            text, null = cursor.fetchone()
        if not null:
            key = (text or "", empty_label)
            found = _MEMBER_OPTIONS.get(key)
            if found is None:
                found = FastSelect.options_html((("", empty_label), *_pairs(text or "")))
                keep_shape(_MEMBER_OPTIONS, key, found, most=8)
            return found
    return FastSelect.options_html((("", empty_label), *compiled_rows(name, members)))


def _pairs(text: str):
    """The (code, label) pairs of ``_AS_ONE_TEXT``'s text."""
    values, at = [], 0
    while at < len(text):
        colon = text.index(":", at)
        end = colon + 1 + int(text[at:colon])
        values.append(text[colon + 1 : end])
        at = end
    return list(zip(values[::2], values[1::2]))


class ListFilterSet(CommitmentFilterSet):
    """The list's FilterSet with its form class made once per process and language (issue #20: django-filter makes a
    form class, and each filter's form field, on every request: ~0.3 ms). Each form still gets its own fields (a
    Django form deep-copies its class's fields), so what a request changes in its form stays in it."""

    _form_classes: dict = {}

    def get_form_class(self):
        language = get_language()
        found = self._form_classes.get(language)
        if found is None:
            found = super().get_form_class()
            keep_shape(self._form_classes, language, found, most=8)
        return found


# The list's form as rendered, per process, under everything it was rendered from (see _form_html).
_FORMS: dict = {}
_FORMS_KEPT = 32  # forms of ~150 KB (the members' options, one string shared by all): at most ~5 MB


def form_html(query: str, context) -> str:
    """The list's form (``_commitment_filters.html``) for ``context``, rendered once per process while what it is
    rendered from stays equal (issue #20, the first render: the template and its ten fields cost ~2 ms a render).

    What the form shows is a function of the language, the query (the values typed and chosen) and the options
    this request read from the database (the members' options, the chosen member's plans and agencies, the
    themes in use), which are the key: every render still reads them, and a change shows at once. A form with
    errors (a value that does not exist) is rendered each time, and so is one whose query is longer than the
    page cache keeps (``MAX_QUERY``). No per-visitor value is in it (a GET form: no CSRF token).
    """
    form = context["form"]
    if form.errors or len(query) > MAX_QUERY:
        return render_to_string("commitments/_commitment_filters.html", context)
    if "theme" in form.fields:  # the themes in use, read once (as the select read them), kept as plain strings
        field = form.fields["theme"]
        field.widget.choices = PlainChoices(rows=(("" if v is None else str(v), str(label)) for v, label in field.choices))
    options = []
    for name, field in form.fields.items():
        choices = getattr(field.widget, "choices", None)
        if isinstance(choices, PlainChoices):
            options.append((name, choices.rows, choices.options))
        elif isinstance(choices, list):  # the chosen member's plans and agencies (_scope_choices_to_member)
            options.append((name, tuple((str(v), str(label)) for v, label in choices)))
        else:
            options.append(name)  # fixed choices: the same in a language
    key = (get_language(), query, context["choose_member_first"], context["filtered"], tuple(options))
    found = _FORMS.get(key)
    if found is None:
        found = render_to_string("commitments/_commitment_filters.html", context)
        keep_shape(_FORMS, key, found, most=_FORMS_KEPT)
    return found
