"""Personas and data for the API tests: two agencies of the Kyrgyz Republic, and Bishkek as another member."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from apitokens.services import create_token
from commitments.models import ProgressUpdate, Role
from tests.factories import (
    AgencyFactory,
    CommitmentFactory,
    LocalMemberFactory,
    MemberFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
    RoleFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def generous_throttles(settings):
    """Throttling has its own test; elsewhere let every request through, with fresh counters."""
    settings.API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    """The Kyrgyz Republic with two agencies, a commitment each; Bishkek with one; drafts and published progress."""
    kg = MemberFactory()
    bishkek = LocalMemberFactory(parent=kg)
    own_agency = AgencyFactory(member=kg, name="Ministry of Finance", acronym="MoF")
    other_agency = AgencyFactory(member=kg, name="Accounts Chamber")
    bishkek_agency = AgencyFactory(member=bishkek, name="Bishkek City Hall")
    own = CommitmentFactory(plan__member=kg, lead_agency=own_agency, identifier="KG0001", number=1)
    other = CommitmentFactory(plan=own.plan, lead_agency=other_agency, identifier="KG0002", number=2)
    local = CommitmentFactory(
        plan__member=bishkek, plan__title="Bishkek OGP Local action plan 2025", lead_agency=bishkek_agency,
        identifier="KGBSK0001", number=1,
    )
    own_milestone = MilestoneFactory(commitment=own, number="1.1")
    other_milestone = MilestoneFactory(commitment=other, number="2.1")
    local_milestone = MilestoneFactory(commitment=local, number="1.1")
    published = ProgressUpdateFactory(milestone=own_milestone)
    draft = ProgressUpdateFactory(
        milestone=own_milestone, period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31),
        state=ProgressUpdate.State.DRAFT, published_at=None,
    )
    users = {
        "civil_society": UserFactory(username="civil"),
        "coordinator": RoleFactory(user__username="coord-mof", member=kg, kind=Role.Kind.COORDINATOR, agency=own_agency).user,
        "other_coordinator": RoleFactory(
            user__username="coord-ac", member=kg, kind=Role.Kind.COORDINATOR, agency=other_agency
        ).user,
        "point_of_contact": RoleFactory(user__username="poc-kg", member=kg, kind=Role.Kind.POINT_OF_CONTACT).user,
        "other_member_poc": RoleFactory(user__username="poc-bsk", member=bishkek, kind=Role.Kind.POINT_OF_CONTACT).user,
        "admin": UserFactory(username="staff", is_staff=True),
    }
    return {
        "kg": kg,
        "bishkek": bishkek,
        "own": own,
        "other": other,
        "local": local,
        "own_milestone": own_milestone,
        "other_milestone": other_milestone,
        "local_milestone": local_milestone,
        "published": published,
        "draft": draft,
        "users": users,
    }


def client_for(user=None, *, scope="read_write"):
    """An API client signed with a fresh token of ``user`` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        _token, secret = create_token(user, name="test", scope=scope, days=30, now=timezone.now())
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
