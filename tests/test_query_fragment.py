"""ogp_portal.cache.query_fragment: a page's content kept per query, day and language, the key space bounded."""

import datetime as dt

import pytest
from django.test import RequestFactory

from ogp_portal.cache import MAX_QUERY, query_fragment

DAY = dt.date(2026, 12, 7)


pytestmark = pytest.mark.usefixtures("page_cache_on")


def _kept(path):
    renders = []

    def render():
        renders.append(path)
        return f"<p>{len(renders)}</p>"

    return query_fragment(RequestFactory().get(path), "test-page", render, DAY), renders


def test_the_same_parameters_in_another_order_read_the_same_copy():
    first, renders = _kept("/x/?kind=national&page=2")
    again, more = _kept("/x/?page=2&kind=national")
    assert first == again == "<p>1</p>" and renders and not more


def test_other_parameters_or_another_day_get_their_own_copy():
    _kept("/x/?page=2")
    _, renders = _kept("/x/?page=3")
    assert renders
    later = query_fragment(RequestFactory().get("/x/?page=2"), "test-page", lambda: "<p>tomorrow</p>", DAY + dt.timedelta(days=1))
    assert later == "<p>tomorrow</p>"


def test_a_query_longer_than_the_page_cache_keeps_is_rendered_each_time_not_kept():
    path = "/x/?q=" + "a" * MAX_QUERY
    _kept(path)
    _, renders = _kept(path)
    assert renders == [path]  # rendered again: nothing was kept for it
