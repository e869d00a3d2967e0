"""Points of the public portal (issue #8) checked on the real seed data."""

import datetime as dt

import pytest

from commitments.models import ActionPlan

pytestmark = pytest.mark.django_db


def test_a_plan_with_no_recorded_submission_date_says_so(client, seed_data):
    plan = ActionPlan.objects.get(member__code="KG")
    assert plan.submitted_on is None  # the 2018–2020 plan's documents give no submission date
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "No submission date recorded" in html
    assert "Not submitted yet" not in html
    plan.submitted_on = dt.date(2018, 8, 31)
    plan.save()
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Aug. 31, 2018" in html and "No submission date recorded" not in html
