"""The permission matrix: every persona × own agency / other agency / other member × each method.

Reads are public (drafts aside). Commitments and milestones are changed through their services by
administrators and the lead agency's coordinators only; the resources below that take no write answer
405. Every other write (progress, evidence, status reports, meetings, reviews, findings) is in the
declared table of ``test_permission_matrix.py``.
"""

import pytest

from ogp_portal.api import etag
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "civil_society", "coordinator", "other_coordinator", "point_of_contact", "other_member_poc", "admin"]
# Members, agencies, plans, activities, forums, memberships, deadlines and OGP decisions take writes
# (their rows are in the declared table of ``test_permission_matrix.py``).
READ_ONLY_RESOURCES = ["attendance", "status-events"]

# PATCH of a commitment/milestone by target: "own" (led by the coordinator's agency),
# "other" (another agency of the same member), "local" (another member's).
PATCH_EXPECTED = {
    "anonymous": {"own": 401, "other": 401, "local": 401},
    "civil_society": {"own": 403, "other": 403, "local": 403},
    "coordinator": {"own": 200, "other": 403, "local": 403},
    "other_coordinator": {"own": 403, "other": 200, "local": 403},
    "point_of_contact": {"own": 403, "other": 403, "local": 403},
    "other_member_poc": {"own": 403, "other": 403, "local": 403},
    "admin": {"own": 200, "other": 200, "local": 200},
}


def _client(world, persona, scope="read_write"):
    return client_for(None if persona == "anonymous" else world["users"][persona], scope=scope)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["own", "other", "local"])
def test_commitment_methods_by_persona_and_target(world, persona, target):
    client = _client(world, persona)
    commitment = world[target]
    url = f"/api/v1/commitments/{commitment.pk}/"
    read = client.get(url)
    assert read.status_code == 200
    response = client.patch(url, {"contact_name": f"Edited by {persona}"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == PATCH_EXPECTED[persona][target], response.content
    commitment.refresh_from_db()
    assert (commitment.contact_name == f"Edited by {persona}") == (response.status_code == 200)
    unauthenticated = 401 if persona == "anonymous" else 405
    assert client.delete(url).status_code == unauthenticated
    assert client.post("/api/v1/commitments/", {"title": "x"}, format="json").status_code == unauthenticated
    assert client.put(url, {"title": "x"}, format="json").status_code == unauthenticated


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["own", "other", "local"])
def test_milestone_patch_by_persona_and_target(world, persona, target):
    client = _client(world, persona)
    milestone = world[f"{target}_milestone"]
    url = f"/api/v1/milestones/{milestone.pk}/"
    read = client.get(url)
    response = client.patch(url, {"budget_text": "Republican budget"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == PATCH_EXPECTED[persona][target], response.content


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", READ_ONLY_RESOURCES)
def test_read_only_resources_read_for_all_and_refuse_writes(world, persona, resource):
    client = _client(world, persona)
    assert client.get(f"/api/v1/{resource}/").status_code == 200
    expected = 401 if persona == "anonymous" else 405
    assert client.post(f"/api/v1/{resource}/", {}, format="json").status_code == expected
    assert client.patch(f"/api/v1/{resource}/1/", {}, format="json").status_code in {expected, 404}
    assert client.delete(f"/api/v1/{resource}/1/").status_code in {expected, 404}


# Who sees the draft progress update on the coordinator's own milestone.
DRAFT_VISIBLE = {
    "anonymous": False,
    "civil_society": False,
    "coordinator": True,
    "other_coordinator": False,
    "point_of_contact": True,
    "other_member_poc": False,
    "admin": True,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_draft_progress_is_seen_only_by_those_who_may_enter_it(world, persona):
    client = _client(world, persona)
    listed = {row["id"] for row in client.get("/api/v1/progress-updates/").json()["results"]}
    assert world["published"].pk in listed
    assert (world["draft"].pk in listed) is DRAFT_VISIBLE[persona]
    detail = client.get(f"/api/v1/progress-updates/{world['draft'].pk}/")
    assert detail.status_code == (200 if DRAFT_VISIBLE[persona] else 404)


def test_the_author_sees_their_own_draft(world):
    draft = world["draft"]
    draft.author = world["users"]["civil_society"]
    draft.save()
    client = _client(world, "civil_society")
    assert client.get(f"/api/v1/progress-updates/{draft.pk}/").status_code == 200


def test_a_read_token_cannot_write_even_where_its_user_could(world):
    client = _client(world, "coordinator", scope="read")
    url = f"/api/v1/commitments/{world['own'].pk}/"
    response = client.patch(url, {"contact_name": "x"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]


def test_the_browser_session_writes_with_csrf_only(world):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["users"]["coordinator"])
    url = f"/api/v1/commitments/{world['own'].pk}/"
    read = client.get(url)
    refused = client.patch(url, {"contact_name": "Via session"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/api/tokens/")  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.patch(
        url, {"contact_name": "Via session"}, format="json", HTTP_IF_MATCH=read["ETag"], HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200, accepted.content


def test_history_records_the_api_user(world):
    coordinator = world["users"]["coordinator"]
    client = _client(world, "coordinator")
    milestone = world["own_milestone"]
    client.patch(f"/api/v1/milestones/{milestone.pk}/", {"budget_text": "Donor funds"}, format="json", HTTP_IF_MATCH=etag(milestone))
    assert milestone.history.latest().history_user == coordinator


def test_a_write_to_status_events_says_why_it_is_refused(world):
    client = _client(world, "admin")
    response = client.post("/api/v1/status-events/", {"status": "inactive"}, format="json")
    assert response.status_code == 405
    assert "sweep" in response.json()["detail"]
    schema = client.get("/api/schema/?format=json").json()
    assert "Read-only by design" in schema["paths"]["/api/v1/status-events/"]["get"]["description"]
