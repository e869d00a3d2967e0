"""Forum fixtures on the real seed data: the Open Bishkek Committee (3 + 3) and the National Forum."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from commitments.models import Agency, Member, Role
from forums.models import Forum, ForumMembership, Meeting
from tests.factories import UserFactory

BISHKEK = ZoneInfo("Asia/Bishkek")


def at(year, month, day, hour=10, minute=0):
    """An aware datetime in Bishkek."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BISHKEK)


def load_bishkek_forum():
    """Build only the Open Bishkek Committee from the real seed (fixtures/bishkek_2025.json): fast, and real."""
    data = json.loads((settings.BASE_DIR / "fixtures" / "bishkek_2025.json").read_text())
    kg = Member.objects.get_or_create(code="KG", defaults={"name": "Kyrgyz Republic", "country": "Kyrgyz Republic"})[0]
    m = data["member"]
    member = Member.objects.get_or_create(
        code=m["code"],
        defaults={"name": m["name"], "kind": m["kind"], "country": m["country"], "parent": kg,
                  "joined_on": dt.date.fromisoformat(m["joined_on"])},
    )[0]
    f = data["forum"]
    forum = Forum.objects.create(
        member=member, name=f["name"], description=f["composition"], seats=f["member_count"]
    )
    for person in f["members"]:
        ForumMembership.objects.create(
            forum=forum, person=person["name"], organisation=person["organisation"], position=person["position"],
            sector=person["sector"], email=f"{person['name'].split()[0].lower()}@example.kg",
        )
    for meeting in f["meetings"]:
        day = dt.date.fromisoformat(meeting["date"])
        Meeting.objects.create(forum=forum, title=meeting["title"], starts_at=at(day.year, day.month, day.day, 12),
                               status=Meeting.Status.HELD, place=meeting.get("place", ""))
    return forum


@pytest.fixture
def bishkek_forum(db):
    return load_bishkek_forum()


@pytest.fixture
def national_forum(seed_data):
    return Forum.objects.get(member__code="KG")


@pytest.fixture
def secretariat(bishkek_forum):
    """The secretariat of Bishkek: keeps the Open Bishkek Committee."""
    user = UserFactory(username="bishkek-secretariat")
    Role.objects.create(user=user, member=bishkek_forum.member, kind=Role.Kind.SECRETARIAT)
    return user


@pytest.fixture
def other_secretariat(bishkek_forum):
    """The secretariat of the Kyrgyz Republic: keeps the National Forum, not Bishkek's committee."""
    user = UserFactory(username="kg-secretariat")
    Role.objects.create(user=user, member=Member.objects.get(code="KG"), kind=Role.Kind.SECRETARIAT)
    return user


@pytest.fixture
def coordinator(bishkek_forum):
    """An agency coordinator of Bishkek: enters progress, does not keep the forum."""
    user = UserFactory(username="bishkek-coordinator")
    agency = Agency.objects.get_or_create(member=bishkek_forum.member, name="Bishkek City Development and Investment Agency")[0]
    Role.objects.create(user=user, member=bishkek_forum.member, kind=Role.Kind.COORDINATOR, agency=agency)
    return user
