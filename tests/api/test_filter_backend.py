"""The API's filter backend (ogp_portal.api_filters.FilterBackend) skips a FilterSet only when no parameter names it."""

import datetime as dt

from tests.api.conftest import client_for


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_a_range_filter_is_named_by_its_suffixed_parameters(world):
    client = client_for(world["users"]["coordinator"])  # sees the draft of 2019-H2 and the published 2019-H1
    everything = _ids(client, "/api/v1/progress-updates/")
    assert set(everything) == {world["published"].pk, world["draft"].pk}
    assert _ids(client, "/api/v1/progress-updates/?period_end_after=2019-07-01") == [world["draft"].pk]
    assert _ids(client, "/api/v1/progress-updates/?period_end_before=2019-06-30") == [world["published"].pk]


def test_parameters_that_name_no_filter_leave_the_list_as_it_is(world):
    client = client_for()
    plain = _ids(client, "/api/v1/commitments/")
    assert len(plain) == 3
    assert _ids(client, "/api/v1/commitments/?page_size=50&ordering=id&unknown=1") == plain
    assert _ids(client, "/api/v1/commitments/?member_code=") == plain  # an empty filter: the FilterSet, same rows
    assert _ids(client, "/api/v1/commitments/?member_code=KGBSK") == [world["local"].pk]
    assert client.get("/api/v1/commitments/?member=7").status_code == 400  # still validated when named
    assert client.get(f"/api/v1/commitments/?overdue=true&today={dt.date(2030, 1, 1)}").status_code == 200


def _api_filtersets():
    from ogp_portal.api_urls import router

    return sorted({viewset.filterset_class for _prefix, viewset, _name in router.registry if getattr(viewset, "filterset_class", None)},
                  key=lambda cls: cls.__name__)


def _sql_or_error(filterset):
    from rest_framework.exceptions import ValidationError

    try:
        return str(filterset.qs.query)
    except ValidationError as error:  # ``member=7``: refused when the filter runs
        return error.detail


def test_every_api_filterset_made_from_its_kept_parts_validates_and_filters_as_django_filter_does(world):
    """The kept FilterSet (built once per process, its form of the named filters only) gives the same errors and the
    same SQL as django-filter's own FilterSet, for every filter of every API list, with a good, an empty and a bad value."""
    from django.http import QueryDict

    from ogp_portal.api_filters import KeptFilterSet, named_filters

    checked = 0
    for filterset_class in _api_filtersets():
        model = filterset_class._meta.model
        kept = KeptFilterSet.of(filterset_class)
        for name in filterset_class.base_filters:
            for value in ("", "x", "1", "true", "KG", "2019-06-30"):
                for query in (f"{name}={value}", f"{name}_after={value}", f"{name}={value}&ordering=-id"):
                    data = QueryDict(query)
                    plain = filterset_class(data=data, queryset=model._default_manager.all())
                    made = kept.kept_class(data=data, queryset=model._default_manager.all())
                    made.named = named_filters(tuple(filterset_class.base_filters), data)
                    assert made.is_valid() == plain.is_valid(), (filterset_class.__name__, query)
                    assert {k: [str(e) for e in v] for k, v in made.errors.items()} == \
                        {k: [str(e) for e in v] for k, v in plain.errors.items()}, (filterset_class.__name__, query)
                    if plain.is_valid():
                        assert _sql_or_error(made) == _sql_or_error(plain), (filterset_class.__name__, query)
                    checked += 1
    assert checked > 500


def test_a_kept_filtersets_filters_are_its_own(world):
    """Each FilterSet made from the kept parts has its own filters (their parent is that FilterSet, so a method filter
    runs on it with its own day), sharing only the fields, which no form changes."""
    import datetime as dt

    from django.http import QueryDict

    from commitments.api import CommitmentApiFilterSet
    from ogp_portal.api_filters import KeptFilterSet

    kept = KeptFilterSet.of(CommitmentApiFilterSet)
    first = kept.kept_class(data=QueryDict("overdue=true"), today=dt.date(2019, 1, 1))
    second = kept.kept_class(data=QueryDict("overdue=true"), today=dt.date(2030, 1, 1))
    for name, filter_ in first.filters.items():
        assert filter_ is not second.filters[name] and filter_ is not kept.prototypes[name]
        assert filter_.parent is first and second.filters[name].parent is second
        assert filter_.field is kept.prototypes[name].field
    assert first.filters["overdue"].filter.f is first.filters["overdue"]
    first.filters["plan"].extra["empty_label"] = "changed"
    assert kept.prototypes["plan"].extra.get("empty_label") != "changed"
