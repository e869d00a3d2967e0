"""Input PostgreSQL cannot store: a NUL character in a path, a query or form data is a 400 with a message (issue 17.4).

Before the fix, on PostgreSQL these answered 500 (or cut an export short once it had started to
stream); on SQLite, 404s and empty lists. Run on both: ``DATABASE_URL=postgres://… pytest``.
"""

import pytest
from django.test import Client

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

MESSAGE = "contains a null character, which cannot be stored"

GETS = [
    "/members/KG%00/",
    "/members/KG%00/feed/",
    "/commitments/KG%000001/",
    "/commitments/?q=%00",
    "/commitments/?member=KG%00",
    "/data/findings.csv?member=%00",
    "/data/commitments.csv?member=%00",
    "/data/milestones.json?commitment=%00",
    "/data/progress-updates.csv?commitment=KG%00",
    "/compliance/KG%00/",
    "/forums/calendar/KG%00.ics",
    "/engagement/unsubscribe/abc%00/",
    "/forums/rsvp/abc%00/",
    "/?%00=1",
]
API_GETS = [
    "/api/v1/commitments/?member_code=%00",
    "/api/v1/members/?search=%00",
    "/api/v1/findings/?member_code=KG%00",
    "/api/v1/members/KG%00/",
]


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.mark.parametrize("url", GETS)
def test_a_null_character_in_a_page_address_is_a_400_with_a_message(client, member, url):
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert MESSAGE in response.content.decode()
    assert not response.streaming


@pytest.mark.parametrize("url", API_GETS)
def test_a_null_character_in_an_api_address_is_a_400_with_the_documented_shape(client, member, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, (url, response.status_code)
    assert MESSAGE in response.json()["non_field_errors"][0]


def test_a_null_character_in_form_data_is_a_400_and_signs_in_nobody(member):
    client = Client(enforce_csrf_checks=False)
    response = client.post("/accounts/sign-in/", {"username": "chamber\x00", "password": "x"})
    assert response.status_code == 400 and MESSAGE in response.content.decode()
    response = client.post("/accounts/password/reset/", {"email": "a\x00@example.org"})
    assert response.status_code == 400


def test_ordinary_addresses_still_work(client, member):
    assert client.get("/members/KG/").status_code == 200
    assert client.get("/data/findings.csv?member=KG").status_code == 200
    assert client.get("/api/v1/members/?search=Kyrgyz").status_code == 200
