"""A dispute raised, answered, hidden: its plan's stored contested count (``commitments.figures``, issue #20) follows."""

import pytest
from django.utils import timezone

from commitments.figures import portal_figures
from commitments.marks import contested_commitments_q
from commitments.models import Commitment, PlanFigures
from engagement import services

pytestmark = pytest.mark.django_db


def contested(plan):
    return PlanFigures.objects.get(plan=plan).contested


def live(plan=None):
    commitments = Commitment.objects.all() if plan is None else Commitment.objects.filter(plan=plan)
    return commitments.filter(contested_commitments_q()).count()


def test_the_stored_contested_count_follows_the_disputes(people):
    u, today = people.users, timezone.localdate()
    assert contested(people.plan) == live(people.plan) == 0
    row = services.review(people.published, by=u.civil, stance="dispute", comment="Not online.", now=timezone.now())
    assert contested(people.plan) == live(people.plan) == 1
    assert portal_figures(today)["contested"] == live() == 1
    services.respond(row, by=u.coordinator, text="They are at https://www.esep.kg/audit.", now=timezone.now())
    assert contested(people.plan) == live(people.plan) == 0
    row = services.review(people.published, by=u.civil, stance="dispute", comment="The link is broken.", now=timezone.now())
    assert contested(people.plan) == 1
    services.hide(row, by=u.admin, reason="Abusive.", now=timezone.now())
    assert contested(people.plan) == live(people.plan) == 0
    assert portal_figures(today)["contested"] == 0
