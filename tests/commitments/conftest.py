"""Fixtures the commitments tests share: commitment KG0017 of the seeded Kyrgyz plan and its two people."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, Role


@pytest.fixture
def kg17(seed_data):
    return Commitment.objects.select_related("plan__member", "lead_agency").get(identifier="KG0017")


@pytest.fixture
def people(django_user_model, kg17):
    """A coordinator of KG0017's lead agency and the Kyrgyz Republic's point of contact: (coordinator, poc)."""
    coordinator = django_user_model.objects.create_user("ac-coordinator", "ac@example.org", "ac-pass-123")
    Role.objects.create(user=coordinator, member=kg17.plan.member, kind=Role.Kind.COORDINATOR, agency=kg17.lead_agency)
    poc = django_user_model.objects.create_user("kg-poc", "poc@example.org", "poc-pass-123")
    Role.objects.create(user=poc, member=kg17.plan.member, kind=Role.Kind.POINT_OF_CONTACT)
    return coordinator, poc


@pytest.fixture
def progress_url_as_coordinator(client, kg17, people):
    """The progress form of KG0017's first milestone for 2019-H1, with ``client`` signed in as its coordinator."""
    milestone = kg17.milestones.order_by("id").first()
    client.force_login(people[0])
    return reverse("commitments:progress", args=[kg17.identifier, milestone.pk]) + "?period=2019-H1"


@pytest.fixture
def nothing_compiled():
    """The commitment list's compiled shapes forgotten before and after the test (commitments/list_compiled.py)."""
    from commitments import list_compiled

    list_compiled._KEPT.clear()
    yield
    list_compiled._KEPT.clear()
