"""The home page's rows read with their translated fields' fallbacks found directly (``ogp_portal.pages._Values``, issue #20)."""

import pytest
from django.utils import translation
from modeltranslation.manager import FallbackValuesIterable

from commitments.models import ActionPlan, Member
from ogp_portal.pages import _current_plans, _fast_values, _local_members, _Values
from tests.factories import ActionPlanFactory, LocalMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _both(queryset):
    slow = queryset._chain()
    slow._iterable_class = FallbackValuesIterable
    fast = _fast_values(queryset._chain())
    assert fast._iterable_class is _Values
    return list(slow), list(fast)


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_rows_are_modeltranslations_with_every_fallback(language):
    national = MemberFactory(name_en="Freedonia", name_ru="Фридония", name_ky="")
    LocalMemberFactory(parent=national, name_en="Town", name_ru="", name_ky="Шаар")
    LocalMemberFactory(parent=national, name_en="", name_ru="", name_ky="")  # nothing in any language
    ActionPlanFactory(member=national, title_en="Plan", title_ru="", title_ky="План")
    with translation.override(language):
        for queryset in (
            Member.objects.order_by("pk").values("pk", "name", "name_en", "name_ru", "name_ky", "kind"),
            _local_members(None),
            _current_plans(),
            ActionPlan.objects.order_by("pk").values("pk", "title"),
        ):
            slow, fast = _both(queryset)
            assert slow and fast == slow
