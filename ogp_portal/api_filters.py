"""The API's filters: one name for "of this member" on every endpoint, declared explicitly.

Every list filters by ``member_code`` (the member's code, such as ``KG`` or ``KGBSK``), and by
``member`` with the same meaning, as the pages' ``?member=KG`` and the README's examples use it.
``member`` once took an id on some lists: a number there is refused with a 400 that asks for the
code, rather than silently matching nothing. Each app's ``api.py`` declares its API FilterSets
(``member_code, member = member_code_filters("…__code")``, subclassing the pages' FilterSets where
they share them); the browser's pages keep their own ``?member=`` parameter. Nothing rewrites a
FilterSet at run time: the backend is django-filter's own
(``FilterBackend`` below only skips a FilterSet that no parameter of the request names).
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
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


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend; a request that names none of the list's filters does not build its FilterSet.

    Without a value for any of its filters, a FilterSet returns the queryset as it is (every filter
    skips an empty value; the API's FilterSets add their annotations only for the filters that read
    them), so building it (its form, a copy of every filter) only costs time. A parameter counts as
    naming a filter when it is the filter's name or starts with it and ``_`` (``period_end_after``).
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset) if request.query_params else None
        if filterset_class is not None:
            names = tuple(filterset_class.base_filters)
            if any(key == name or key.startswith(f"{name}_") for key in request.query_params for name in names):
                return super().filter_queryset(request, queryset, view)
        return queryset
