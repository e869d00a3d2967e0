"""Conflict-safe writes: ETag / If-Match, 428 and 412, per-field translated 400s, unknown fields refused."""

import pytest

from ogp_portal.api import etag
from ogp_portal.versioning import StaleVersion, current_version
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(world):
    return client_for(world["users"]["coordinator"])


@pytest.fixture
def url(world):
    return f"/api/v1/milestones/{world['own_milestone'].pk}/"


def test_get_gives_the_etag_and_patch_with_it_succeeds_once(coordinator, url, world):
    tag = coordinator.get(url)["ETag"]
    assert tag == etag(world["own_milestone"])
    first = coordinator.patch(url, {"budget_text": "Donor funds"}, format="json", HTTP_IF_MATCH=tag)
    assert first.status_code == 200
    assert first.json()["budget_text"] == "Donor funds"
    assert first["ETag"] != tag
    stale = coordinator.patch(url, {"budget_text": "Something else"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    world["own_milestone"].refresh_from_db()
    assert world["own_milestone"].budget_text == "Donor funds"
    again = coordinator.patch(url, {"budget_text": "Something else"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert again.status_code == 200


def test_without_if_match_the_answer_is_428(coordinator, url):
    response = coordinator.patch(url, {"budget_text": "x"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert coordinator.patch(url, {"budget_text": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 428


def test_a_weak_or_listed_etag_is_accepted(coordinator, url):
    tag = coordinator.get(url)["ETag"]
    response = coordinator.patch(url, {"budget_text": "x"}, format="json", HTTP_IF_MATCH=f'"nope", W/{tag}')
    assert response.status_code == 200


def test_unknown_and_read_only_fields_are_refused_and_nothing_is_saved(coordinator, url, world):
    tag = coordinator.get(url)["ETag"]
    response = coordinator.patch(
        url, {"budget_text": "x", "number": "9.9", "colour": "red"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 400
    assert set(response.json()) == {"number", "colour"}
    world["own_milestone"].refresh_from_db()
    assert world["own_milestone"].budget_text == ""


def test_model_rules_give_a_400_per_field_in_the_clients_language(coordinator, url):
    tag = coordinator.get(url)["ETag"]
    english = coordinator.patch(url, {"end_date": "2018-01-01"}, format="json", HTTP_IF_MATCH=tag)
    assert english.status_code == 400
    assert english.json() == {"end_date": ["The end date cannot be before the start date."]}
    russian = coordinator.patch(url, {"end_date": "2018-01-01"}, format="json", HTTP_IF_MATCH=tag, HTTP_ACCEPT_LANGUAGE="ru")
    assert russian.status_code == 400
    assert russian["Content-Language"] == "ru"
    assert russian.json()["end_date"] == ["Дата окончания не может быть раньше даты начала."]
    field_error = coordinator.patch(url, {"start_precision": "week"}, format="json", HTTP_IF_MATCH=tag, HTTP_ACCEPT_LANGUAGE="ru")
    assert field_error.status_code == 400
    assert "week" in field_error.json()["start_precision"][0] and "допустим" in field_error.json()["start_precision"][0]


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("[1, 2]", "application/json", 400),
        ('"text"', "application/json", 400),
        ("{not json", "application/json", 400),
        ("budget_text=x", "application/x-www-form-urlencoded", 415),
        ('{"budget_text": "\\u0000"}', "application/json", 400),
        ('{"end_date": "2019-02-30"}', "application/json", 400),
        ('{"end_date": "99999-01-01"}', "application/json", 400),
        ('{"budget_national": "maybe"}', "application/json", 400),
        ('{"deliverable": null}', "application/json", 400),
    ],
)
def test_bad_input_is_a_4xx_never_a_500(coordinator, url, body, content_type, status):
    tag = coordinator.get(url)["ETag"]
    response = coordinator.generic("PATCH", url, body, content_type=content_type, HTTP_IF_MATCH=tag)
    assert response.status_code == status, response.content


def test_commitment_values_and_themes_are_checked(world):
    client = client_for(world["users"]["coordinator"])
    url = f"/api/v1/commitments/{world['own'].pk}/"
    tag = client.get(url)["ETag"]
    bad = client.patch(url, {"ogp_values": ["transparency"], "themes": [1, {"a": 2}]}, format="json", HTTP_IF_MATCH=tag)
    assert bad.status_code == 400
    assert set(bad.json()) == {"ogp_values", "themes"}
    good = client.patch(
        url, {"ogp_values": ["access_to_information"], "themes": ["Open data"]}, format="json", HTTP_IF_MATCH=tag
    )
    assert good.status_code == 200
    assert good.json()["ogp_values"] == ["access_to_information"]


def test_an_unchanged_patch_writes_no_history(coordinator, url, world):
    milestone = world["own_milestone"]
    before = milestone.history.count()
    response = coordinator.patch(url, {"budget_text": milestone.budget_text}, format="json", HTTP_IF_MATCH=etag(milestone))
    assert response.status_code == 200
    assert response["ETag"] == etag(milestone)
    assert milestone.history.count() == before


def test_the_service_refuses_a_stale_version_itself(world):
    """The viewset checks If-Match early; the service checks again under the row lock (the race)."""
    from commitments.services import update_milestone

    milestone = world["own_milestone"]
    old = current_version(milestone)
    update_milestone(milestone, by=world["users"]["coordinator"], data={"budget_text": "A"}, version=old)
    with pytest.raises(StaleVersion):
        update_milestone(milestone, by=world["users"]["coordinator"], data={"budget_text": "B"}, version=old)


def test_the_version_column_is_used_when_the_model_has_one():
    class Versioned:
        version = 7

    assert current_version(Versioned()) == "7"
