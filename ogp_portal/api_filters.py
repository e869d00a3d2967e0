"""The API's filters: one name for "of this member" on every endpoint, declared explicitly.

Every list filters by ``member_code`` (the member's code, such as ``KG`` or ``KGBSK``), and by
``member`` with the same meaning, as the pages' ``?member=KG`` and the README's examples use it.
``member`` once took an id on some lists: a number there is refused with a 400 that asks for the
code, rather than silently matching nothing. Each app's ``api.py`` declares its API FilterSets
(``member_code, member = member_code_filters("…__code")``, subclassing the pages' FilterSets where
they share them); the browser's pages keep their own ``?member=`` parameter. Nothing rewrites a
FilterSet at run time: the backend is django-filter's own.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
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
