"""The co-creation API: the same rules as the pages; writes with ETag and If-Match."""

import pytest
from rest_framework.test import APIClient

from cocreation import services
from cocreation.models import DraftVersion, Proposal

from .conftest import at


@pytest.fixture
def api():
    return APIClient()


def body(process, **extra):
    data = {"process": process.pk, "title": "Open contracts", "problem": "Procurement is opaque.",
            "proposed_commitment": "Publish contracts in OCDS.", "sector": "civil_society"}
    data.update(extra)
    return data


def test_a_signed_in_citizen_proposes_and_anonymous_cannot(api, process, people):
    assert api.post("/api/v1/proposals/", body(process), format="json").status_code in (401, 403)
    api.force_authenticate(people["citizen"])
    response = api.post("/api/v1/proposals/", body(process), format="json")
    assert response.status_code == 201 and response["ETag"]
    assert api.post("/api/v1/proposals/", body(process, sector="martian"), format="json").status_code == 400
    assert api.post("/api/v1/proposals/", body(process, secret=1), format="json").status_code == 400
    assert Proposal.objects.count() == 1


def test_moderation_needs_if_match_and_hides_from_the_public(api, process, people):
    proposal = services.submit_proposal(process, by=people["citizen"], data={k: v for k, v in body(process).items() if k != "process"},
                                        now=at(2023, 4, 1))
    url = f"/api/v1/proposals/{proposal.pk}/"
    etag = api.get(url)["ETag"]
    api.force_authenticate(people["other"])
    assert api.post(url + "moderate/", {"hide": True, "reason": "x"}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    api.force_authenticate(people["secretariat"])
    assert api.post(url + "moderate/", {"hide": True, "reason": "Off topic."}, format="json").status_code == 428
    assert api.post(url + "moderate/", {"hide": True, "reason": "Off topic."}, format="json", HTTP_IF_MATCH='"999"').status_code == 412
    response = api.post(url + "moderate/", {"hide": True, "reason": "Off topic."}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["moderation_reason"] == "Off topic."
    assert response["ETag"] != etag
    api.force_authenticate(None)
    assert api.get(url).status_code == 404
    api.force_authenticate(people["citizen"])
    assert api.get(url).status_code == 200


def test_drafts_comments_and_responses(api, process, people, held_meeting):
    proposal = services.submit_proposal(process, by=people["citizen"], data={k: v for k, v in body(process).items() if k != "process"},
                                        now=at(2023, 4, 1))
    api.force_authenticate(people["citizen"])
    assert api.post("/api/v1/draft-commitments/", {"process": process.pk, "title": "T"}, format="json").status_code == 403
    api.force_authenticate(people["secretariat"])
    created = api.post("/api/v1/draft-commitments/", {"process": process.pk, "title": "Open contracting",
                                                      "proposals": [proposal.pk]}, format="json")
    assert created.status_code == 201
    draft_url = f"/api/v1/draft-commitments/{created.json()['id']}/"
    etag = created["ETag"]
    changed = api.patch(draft_url, {"description": "OCDS for every tender."}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    assert api.patch(draft_url, {"description": "again"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    assert DraftVersion.objects.filter(draft_id=created.json()["id"]).count() == 2
    opened = api.post(draft_url + "open-for-comment/", {"days": 14}, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert opened.status_code == 200 and opened.json()["state"] == "open"
    api.force_authenticate(people["ngo"])
    assert api.post("/api/v1/cocreation-comments/", {"draft": created.json()["id"], "text": "Good"}, format="json").status_code == 201
    assert api.post("/api/v1/cocreation-comments/", {"text": "Nowhere"}, format="json").status_code == 400
    api.force_authenticate(people["secretariat"])
    purl = f"/api/v1/proposals/{proposal.pk}/"
    etag = api.get(purl)["ETag"]
    answered = api.post(purl + "respond/", {"outcome": "merged", "response": "Merged into Open contracting."}, format="json",
                        HTTP_IF_MATCH=etag)
    assert answered.status_code == 200
    api.force_authenticate(None)
    responses = api.get("/api/v1/cocreation-responses/", {"process": process.pk}).json()["results"]
    assert [r["response"] for r in responses] == ["Merged into Open contracting."]
    figures = api.get(f"/api/v1/cocreation-processes/{process.pk}/figures/").json()
    assert figures["proposals"] == 1 and figures["responses"] == 1 and figures["comments"] == 1
