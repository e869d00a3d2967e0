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
