"""One meaning for "of this member" on every list: ``member_code`` or ``member``, the member's code; an id is a clear 400."""

import pytest

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

# Every list endpoint that belongs to a member, and how to read a row's member code back.
MEMBER_LISTS = [
    "agencies", "plans", "commitments", "activities", "milestones", "progress-updates", "evidence", "status-reports",
    "forums", "forum-memberships", "meetings", "attendance", "deadlines", "findings", "status-events", "decisions",
    "reviews", "meeting-decisions", "action-items",
    "cocreation-processes", "proposals", "draft-commitments", "cocreation-responses",
]
# Lists that are not a member's: comments are read by their proposal or draft (filters ``proposal``, ``draft``).
NOT_MEMBER_LISTS = {"members", "cocreation-comments"}


def all_lists(client):
    schema = client.get("/api/schema/?format=json").json()
    return sorted(
        path.split("/")[3] for path, ops in schema["paths"].items() if path.count("/") == 4 and "get" in ops
    )


def test_every_member_list_is_in_this_test_and_documents_member_code(world):
    client = client_for(None)
    schema = client.get("/api/schema/?format=json").json()
    lists = all_lists(client)
    assert set(lists) - NOT_MEMBER_LISTS == set(MEMBER_LISTS)
    for resource in MEMBER_LISTS:
        names = {p["name"] for p in schema["paths"][f"/api/v1/{resource}/"]["get"]["parameters"]}
        assert {"member_code", "member"} <= names, resource


@pytest.mark.parametrize("resource", MEMBER_LISTS)
def test_member_and_member_code_filter_alike_and_an_id_is_refused(world, resource):
    client = client_for(world["users"]["admin"])
    everything = client.get(f"/api/v1/{resource}/?member_code=KG")
    assert everything.status_code == 200
    assert client.get(f"/api/v1/{resource}/?member=KG").json() == everything.json()
    assert client.get(f"/api/v1/{resource}/?member_code=XX").json()["results"] == []
    assert client.get(f"/api/v1/{resource}/?member=XX").json()["results"] == []
    refused = client.get(f"/api/v1/{resource}/?member={world['kg'].pk}")
    assert refused.status_code == 400
    assert "member_code=KG" in refused.json()["member"][0]


def test_member_code_selects_the_members_rows(world):
    client = client_for(None)
    kg = {row["identifier"] for row in client.get("/api/v1/commitments/?member_code=KG").json()["results"]}
    bishkek = {row["identifier"] for row in client.get("/api/v1/commitments/?member_code=KGBSK").json()["results"]}
    assert kg == {"KG0001", "KG0002"} and bishkek == {"KGBSK0001"}
    milestones = client.get("/api/v1/milestones/?member_code=KGBSK").json()["results"]
    assert [m["id"] for m in milestones] == [world["local_milestone"].pk]
