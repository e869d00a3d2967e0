"""The API's filters: one name for "of this member" on every endpoint, declared explicitly.

Every list filters by ``member_code`` (the member's code, such as ``KG`` or ``KGBSK``), and by
``member`` with the same meaning, as the pages' ``?member=KG`` and the README's examples use it.
``member`` once took an id on some lists: a number there is refused with a 400 that asks for the
code, rather than silently matching nothing. Each app's ``api.py`` declares its API FilterSets
(``member_code, member = member_code_filters("…__code")``, subclassing the pages' FilterSets where
they share them); the browser's pages keep their own ``?member=`` parameter. Nothing rewrites a
FilterSet at run time: the backend is django-filter's own (``FilterBackend`` below only skips a
FilterSet that no parameter of the request names, and builds the parts of a FilterSet that never
change per request once per process: ``KeptFilterSet``).
"""

import copy
import threading

import django_filters
from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from django_filters import utils
from django_filters.filters import FilterMethod
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

OLD_MEMBER_PARAMETER = "member"


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (a huge or fractional one is a 400, not an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def member_code_filters(path: str):
    """The two filters every API list declares: ``member_code`` and ``member`` (the same), by the member's code at ``path``.

    Use in a FilterSet's body: ``member_code, member = member_code_filters("plan__member__code")``.
    """
    return (
        django_filters.CharFilter(field_name=path, label=_("Member code (such as KG or KGBSK)")),
        MemberCodeFilter(field_name=path, label=_("Member code (such as KG or KGBSK); the same as member_code")),
    )


class MemberCodeFilter(django_filters.CharFilter):
    """``member``: the member's code, as ``member_code``; a number (an id, as this name once took) is a 400."""

    def filter(self, qs, value):
        if value and value.strip().isdigit():
            raise exceptions.ValidationError(
                {OLD_MEMBER_PARAMETER: [_("Give the member's code (such as KG), not its number: member=KG or member_code=KG.")]}
            )
        return super().filter(qs, value)


def named_filters(names, params) -> tuple:
    """The filters (of ``names``, in their order) that a parameter of ``params`` names: the filter's name, or it and ``_``
    (``period_end_after`` names ``period_end``)."""
    keys = tuple(params)
    return tuple(name for name in names if any(key == name or key.startswith(f"{name}_") for key in keys))


class KeptFilterSet:
    """What a FilterSet builds on every request from its class alone, built once per process (issue #20).

    django-filter's FilterSet deep-copies every declared filter (their form fields, querysets, choices
    and labels) and makes a new form class of every filter's field each time it is made: about a
    fifth of an API list's first render. Here, once per FilterSet class: its filters as a FilterSet
    made without a request sets them up (``prototypes``, each with its form field built), then

    * each FilterSet made for a request still gets its own copy of every filter (its ``parent``,
      ``model``, ``extra`` and a method filter's ``FilterMethod`` are its own, as django-filter gives
      them), but the parts no request changes (the form fields, querysets, choices, widgets, labels)
      are the prototypes' own objects, not copies of them;
    * a request's form has only the fields of the filters its parameters name (``named``), made
      once per set of names: an absent filter's value is empty, and every filter returns the rows
      as they are for an empty value, so the rows and the errors are the same as the whole form's.
      A FilterSet made for another use (the browsable API's form) has the whole form, as before.

    Field objects are never changed by a form: a bound form deep-copies its class's fields.
    """

    _lock = threading.Lock()
    _kept: dict = {}  # FilterSet class -> KeptFilterSet

    def __init__(self, filterset_class):
        self.filterset_class = filterset_class
        made = filterset_class()  # no data, no request: the filters as the class declares them
        self.prototypes = made.filters
        self.shared = {id(made): made}  # the prototypes' parent: each copy's is set to its own FilterSet
        for filter_ in self.prototypes.values():
            self._share(filter_.field)
            for value in (*filter_.extra.values(), getattr(filter_, "_label", None), getattr(filter_, "queryset", None)):
                self._share(value)
        self.forms = {}
        self.kept_class = type(filterset_class.__name__, (_KeptParts, filterset_class), {"kept": self, "__module__": filterset_class.__module__})

    def _share(self, value):
        if value is not None and not isinstance(value, (str, int, bool)):
            self.shared[id(value)] = value

    @classmethod
    def of(cls, filterset_class) -> "KeptFilterSet":
        kept = cls._kept.get(filterset_class)
        if kept is None:
            with cls._lock:
                kept = cls._kept.get(filterset_class) or cls(filterset_class)
                cls._kept[filterset_class] = kept
        return kept

    def filters(self) -> dict:
        """A FilterSet's own filters: copies of the prototypes that share what no request changes.

        What ``copy.deepcopy`` gives with the shared objects kept (``memo``), attribute by attribute: a text,
        number, class or shared object as it is, a method filter's ``FilterMethod`` made for the copy, anything
        else (``extra``, a sort's ``param_map``) deep-copied.
        """
        memo = dict(self.shared)
        memo[id(memo)] = [self.shared]  # deepcopy's keep-alive entry: never one of the shared objects
        shared = self.shared
        copies = {}
        for name, prototype in self.prototypes.items():
            made = copy.copy(prototype)
            for key, value in prototype.__dict__.items():
                if value is None or isinstance(value, _AS_IS) or id(value) in shared:
                    continue
                if isinstance(value, FilterMethod) and value.f is prototype:
                    made.__dict__[key] = FilterMethod(made)
                else:
                    made.__dict__[key] = copy.deepcopy(value, memo)
            copies[name] = made
        return copies

    def form_class(self, names):
        """The form class of the filters ``names`` (their prototypes' fields), made once per set of names."""
        form = self.forms.get(names)
        if form is None:
            fields = {name: self.prototypes[name].field for name in names}
            form = type(f"{self.filterset_class.__name__}Form", (self.filterset_class._meta.form,), fields)
            if len(self.forms) >= 64:
                self.forms.clear()
            self.forms[names] = form
        return form


_AS_IS = (str, int, float, bool, type, Promise)


class _KeptParts:
    """Mixed into a FilterSet class by ``KeptFilterSet``: its filters copied from the kept prototypes; with ``named``
    set, a form of those filters only."""

    kept: KeptFilterSet
    named = None  # the names of the filters the request's parameters name (FilterBackend.filter_queryset)

    def __init__(self, *args, **kwargs):
        # django-filter's __init__ deep-copies ``self.base_filters``: here, the kept copy (see KeptFilterSet.filters).
        self.base_filters = _Copied(self.kept)
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        if self.named is None:
            return super().get_form_class()
        return self.kept.form_class(self.named)


class _Copied(dict):
    def __init__(self, kept):
        super().__init__(kept.prototypes)
        self.kept = kept

    def __deepcopy__(self, memo):
        return self.kept.filters()


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend; a request that names none of the list's filters does not build its FilterSet.

    Without a value for any of its filters, a FilterSet returns the queryset as it is (every filter
    skips an empty value; the API's FilterSets add their annotations only for the filters that read
    them), so building it (its form, a copy of every filter) only costs time. A parameter counts as
    naming a filter when it is the filter's name or starts with it and ``_`` (``period_end_after``).
    The FilterSet is made from its class's kept parts, its form of the named filters (``KeptFilterSet``).
    """

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        return KeptFilterSet.of(filterset_class).kept_class(**self.get_filterset_kwargs(request, queryset, view))

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset) if request.query_params else None
        if filterset_class is not None:
            named = named_filters(tuple(filterset_class.base_filters), request.query_params)
            if named:
                filterset = self.get_filterset(request, queryset, view)
                filterset.named = named
                if not filterset.is_valid() and self.raise_exception:
                    raise utils.translate_validation(filterset.errors)
                return filterset.qs
        return queryset
