"""Fixtures for co-creation: the Kyrgyz Republic of the seed data after OGP's letter of 24 February 2023."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from cocreation import services
from commitments.models import Member, Role
from forums.models import Meeting

BISHKEK = ZoneInfo("Asia/Bishkek")


def at(year, month, day, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=BISHKEK)


def make_user(name, **extra):
    return get_user_model().objects.create_user(name, f"{name}@example.org", f"{name}-pass-2026", **extra)


@pytest.fixture
def kg(seed_data):
    return Member.objects.get(code="KG")


@pytest.fixture
def people(kg):
    secretariat = make_user("forumsec")
    Role.objects.create(user=secretariat, member=kg, kind=Role.Kind.SECRETARIAT)
    poc = make_user("kgpoc")
    Role.objects.create(user=poc, member=kg, kind=Role.Kind.POINT_OF_CONTACT)
    return {
        "secretariat": secretariat,
        "poc": poc,
        "citizen": make_user("aigul"),
        "ngo": make_user("ngo"),
        "other": make_user("other"),
    }


@pytest.fixture
def process(kg, people):
    return services.open_process(kg, by=people["secretariat"], now=at(2023, 3, 1))


@pytest.fixture
def held_meeting(kg):
    forum = kg.forums.first()
    return Meeting.objects.create(forum=forum, title="Forum on the 2023-2025 plan", starts_at=at(2023, 10, 20, 10),
                                  status=Meeting.Status.HELD)
