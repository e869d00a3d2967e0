"""The API's filter backend: the app FilterSets, with one name for "of this member" on every endpoint.

Every list filters by ``member_code`` (the member's code, such as ``KG`` or ``KGBSK``), and by
``member`` with the same meaning, as the pages' ``?member=KG`` and the README's examples use it.
``member`` once took an id on some lists: a number there is refused with a 400 that asks for the
code, rather than silently matching nothing. The browser's pages keep their own ``?member=``
parameter: only the API's copies of the FilterSets change.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

OLD_MEMBER_PARAMETER = "member"
_DERIVED = {}


def _member_code_path(view, base) -> str | None:
    """The lookup to the member's code for this endpoint (``view.member_code_path`` wins), or None."""
    explicit = getattr(view, "member_code_path", None)
    if explicit:
        return explicit
    declared = base.base_filters.get("member_code")
    if declared is not None:
        return declared.field_name
    member = base.base_filters.get(OLD_MEMBER_PARAMETER)
    if member is None:
        return None
    field_name = member.field_name
    if member.extra.get("to_field_name") == "code":
        return f"{field_name}__code"
    return f"{field_name.removesuffix('_id')}__code"


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (a huge or fractional one is a 400, not an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def api_filterset(view, base):
    """Return ``base`` with ``member`` replaced by ``member_code`` (one class per FilterSet, cached)."""
    path = _member_code_path(view, base)
    key = (base, path)
    if key not in _DERIVED:
        attrs = {"__module__": base.__module__}
        if path:
            attrs["member_code"] = django_filters.CharFilter(
                field_name=path, label=_("Member code (such as KG or KGBSK)")
            )
            attrs[OLD_MEMBER_PARAMETER] = MemberCodeFilter(
                field_name=path, label=_("Member code (such as KG or KGBSK); the same as member_code")
            )
        for name, declared in base.base_filters.items():
            if name in attrs:
                continue
            if type(declared) is django_filters.NumberFilter and declared.field_name.endswith("_id"):
                attrs[name] = IdFilter(field_name=declared.field_name, label=declared.label)
        derived = type(f"Api{base.__name__}", (base,), attrs)
        if not path:
            derived.base_filters.pop(OLD_MEMBER_PARAMETER, None)
        _DERIVED[key] = derived
    return _DERIVED[key]


class MemberCodeFilter(django_filters.CharFilter):
    """``member``: the member's code, as ``member_code``; a number (an id, as this name once took) is a 400."""

    def filter(self, qs, value):
        if value and value.strip().isdigit():
            raise exceptions.ValidationError(
                {OLD_MEMBER_PARAMETER: [_("Give the member's code (such as KG), not its number: member=KG or member_code=KG.")]}
            )
        return super().filter(qs, value)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend over the API's copies of the FilterSets (see the module's docstring)."""

    def get_filterset_class(self, view, queryset=None):
        base = super().get_filterset_class(view, queryset)
        return api_filterset(view, base) if base is not None else None
