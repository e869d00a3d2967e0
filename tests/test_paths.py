"""ogp_portal.paths: a pattern reversed once gives, for every value, what reverse() gives."""

import pytest
from django.urls import reverse

from ogp_portal.paths import path_of


@pytest.mark.parametrize(
    "name, args, values",
    [
        ("commitments:commitment", [], ["KG0001", "XN00010021", "KG 001", "ЖК-1", "a&b<c>", "50%", "x.y_z~1"]),
        ("commitments:plan", [], [1, 42, 9753186420]),
        ("commitments:member", [], ["KG", "BISHKEK", "x?y#z"]),
        ("commitments:progress", ["KG0001"], [1, 178]),
        ("commitments:progress", ["KG 01"], [7]),
        ("engagement:review", [], [3]),
    ],
)
def test_a_path_reversed_once_is_what_reverse_gives_for_each_value(name, args, values):
    path = path_of(name, *args)
    for value in values:
        assert path(value) == reverse(name, args=[*args, value]), value


def test_each_language_keeps_its_own_prefix():
    from django.utils import translation

    for language in ("en", "ru", "ky"):
        with translation.override(language):
            assert path_of("commitments:plan")(4) == reverse("commitments:plan", args=[4])
