"""Issue 16 (point 2) and 19 (point 1): one definition of the policies in force for a member, one cycle label.

``ogp.policy`` is the one pure module: the engine, the forum pages and the reporting periods read it.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from compliance import engine, services
from compliance.choices import DeadlineRule
from compliance.models import Policy
from ogp import policy
from tests.factories import ForumFactory, MeetingFactory, MemberFactory

from .conftest import bishkek

D = dt.date


def test_the_pure_module_names_the_same_deadline_rules_as_the_models():
    assert {policy.FOUR_MONTHS_2014, policy.CALENDAR_2015, policy.CALENDAR_2019, policy.AFTER_PLAN_END_12M} == set(
        DeadlineRule.values
    )
    # The engine reads the pure module's definitions, not copies.
    assert engine.policy_at is policy.policy_at and engine.cycle_label is policy.cycle_label
    assert engine.PolicyVersion is policy.PolicyVersion and engine.DEFAULT_POLICIES is policy.DEFAULT_POLICIES


def test_versions_for_keeps_only_the_members_kind():
    local = policy.PolicyVersion(D(2000, 1, 1), forum_cadence_months=6, applies_to="local")
    national = policy.PolicyVersion(D(2000, 1, 1), forum_cadence_months=3)
    assert policy.policies_for("national", D(2024, 1, 1), (national, local)).forum_cadence_months == 3
    assert policy.policies_for("local", D(2024, 1, 1), (national, local)).forum_cadence_months == 6
    own = policy.PolicyVersion(D(2023, 1, 1), forum_cadence_months=12, member_specific=True)
    assert policy.policies_for("national", D(2024, 1, 1), (national, local), (own,)).forum_cadence_months == 12
    # Nothing stored: OGP's defaults, the kind's only.
    assert all(p.applies_to != "local" for p in policy.versions_for("national", ()))
    assert policy.cycle_label(D(2021, 12, 31)) == "2021-2023"


@pytest.mark.django_db
def test_a_national_members_forum_page_follows_the_national_cadence_as_the_engine_does(client):
    """Before: the forum page read every stored version, so the OGP Local one (6 months) won for a national member."""
    Policy.objects.update_or_create(
        member=None, applies_to="local", effective_from=D(2000, 1, 1),
        defaults={"forum_cadence_months": 6, "deadline_rule": "after_plan_end_12m", "first_plan_months": 0},
    )
    Policy.objects.get_or_create(member=None, applies_to="", effective_from=D(2000, 1, 1), defaults={"forum_cadence_months": 3})
    kg = MemberFactory(code="KG", kind="national", joined_on=D(2017, 11, 21))
    forum = ForumFactory(member=kg, founded_on=D(2018, 6, 27))
    MeetingFactory(forum=forum, starts_at=bishkek(2018, 6, 30))
    evaluation = services.evaluate_member(kg, D(2019, 2, 1))
    [due] = [d for d in evaluation.next_deadlines if d.kind == "forum_meeting"]
    assert due.period == "2019-Q1"
    html = client.get(reverse("forums:forum", args=[forum.pk])).content.decode()
    labels = re.findall(r'<th scope="row" data-label="[^"]*">([^<]+)</th>', html)
    assert labels and all("-Q" in label for label in labels), labels
    # An OGP Local member follows the local cadence on both.
    local = MemberFactory(code="BSK", kind="local", parent=kg, joined_on=D(2020, 12, 1))
    local_forum = ForumFactory(member=local, founded_on=D(2021, 1, 1))
    [due] = [d for d in services.evaluate_member(local, D(2021, 2, 1)).next_deadlines if d.kind == "forum_meeting"]
    assert due.period == "2021-H1"
    html = client.get(reverse("forums:forum", args=[local_forum.pk])).content.decode()
    labels = re.findall(r'<th scope="row" data-label="[^"]*">([^<]+)</th>', html)
    assert labels and all("-H" in label for label in labels), labels
