"""Issue 19, point 1: one vocabulary of cycles for the admin, the API and the pages (pinned dates)."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apitokens.services import create_token
from compliance import services
from compliance.models import Decision, Finding
from tests.factories import ActionPlanFactory, MemberFactory, UserFactory

from .conftest import bishkek

D = dt.date


def api_for(user):
    client = APIClient()
    _token, secret = create_token(user, name="test", scope="read_write", days=30, now=timezone.now())
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def admin_choices(admin_client, url, field="cycle"):
    html = admin_client.get(url).content.decode()
    select = html.split(f'name="{field}"')[1].split("</select>")[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def test_the_admin_the_api_and_the_page_offer_the_same_cycles(kg, admin_client, time_machine):
    time_machine.move_to(bishkek(2023, 3, 1), tick=False)
    services.sweep_member(kg.pk, now=bishkek(2023, 3, 1), notify="none")
    expected = services.member_cycles(kg)
    assert expected[:4] == ["2018-2020", "2021-2023", "2022-2024", "2023-2025"]
    for model in ("deadline", "decision"):
        assert admin_choices(admin_client, reverse(f"admin:compliance_{model}_add") + f"?member={kg.pk}") == expected
    assert admin_choices(admin_client, reverse("admin:compliance_finding_add") + f"?member={kg.pk}", "period") == expected
    staff = UserFactory(username="staff", is_staff=True)
    answer = api_for(staff).get("/api/v1/deadlines/cycles/", {"member": kg.pk})
    assert answer.status_code == 200 and answer.json() == {"member": kg.pk, "cycles": expected}
    page = admin_client.get(reverse("compliance:admin_member", args=["KG"])).content.decode()
    assert re.findall(r'data-cycle="([^"]+)"', page) == expected
    assert api_for(staff).get("/api/v1/deadlines/cycles/", {"member": "x"}).status_code == 400


def test_the_api_refuses_a_free_text_cycle_and_files_an_irm_finding_under_its_cycle(kg, time_machine):
    time_machine.move_to(bishkek(2023, 3, 1), tick=False)
    client = api_for(UserFactory(username="staff", is_staff=True))
    body = {"member": kg.pk, "kind": "irm_no_progress", "decided_on": "2022-09-01", "document": "IRM Results Report",
            "summary": "No commitment made progress.", "cycle": "2018 - 2020"}
    refused = client.post("/api/v1/decisions/", body, format="json")
    assert refused.status_code == 400 and "2021-2023" in refused.json()["cycle"][0]
    assert not Decision.objects.exists()
    taken = client.post("/api/v1/decisions/", {**body, "cycle": ""}, format="json")
    assert taken.status_code == 201, taken.content
    # Filed under the cycle the rules give for its day (``engine.cycle_on``): the last delivered plan's.
    assert Decision.objects.get().cycle == "2018-2020"
    body = {"member": kg.pk, "kind": "action_plan", "cycle": "2099-2101", "due_on": "2024-06-30", "reason": "A letter"}
    assert client.post("/api/v1/deadlines/", body, format="json").status_code == 400


def test_a_first_plan_without_a_joining_date_has_its_cycle_and_a_finding_names_it(admin_client, time_machine):
    time_machine.move_to(bishkek(2020, 6, 1), tick=False)
    member = MemberFactory(code="XX", name="Nowhere", joined_on=None)
    ActionPlanFactory(member=member, start_date=D(2018, 9, 1), end_date=D(2020, 8, 31), submitted_on=D(2018, 8, 31))
    evaluation = services.evaluate_member(member, D(2020, 6, 1))
    assert [(c.label, c.met_on) for c in evaluation.cycles][0] == ("2018-2020", D(2018, 8, 31))
    url = reverse("admin:compliance_finding_add") + f"?member={member.pk}"
    assert "2018-2020" in admin_choices(admin_client, url, "period")
    # Left empty, a finding is filed under the cycle of its day (the 2018-2020 plan's), not a cycle of its own.
    response = admin_client.post(url, {"member": member.pk, "kind": "contrary_to_process", "period": "",
                                       "effective_on": "2019-03-01", "reason": "Forum did not meet", "reference": "IRM"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Finding.objects.get(source="administrator").period == "2018-2020"
    # A member the rules know no cycle of: a finding without a cycle is refused, with the reason.
    bare = MemberFactory(code="YY", name="Bare", joined_on=None)
    url = reverse("admin:compliance_finding_add") + f"?member={bare.pk}"
    response = admin_client.post(url, {"member": bare.pk, "kind": "contrary_to_process", "period": "",
                                       "effective_on": "2019-03-01", "reason": "Forum did not meet", "reference": "IRM"})
    assert response.status_code == 200 and "Name the cycle this finding is about" in response.content.decode()
    assert not Finding.objects.filter(member=bare).exists()


def test_a_plan_and_the_cycle_it_meets_have_the_same_label():
    """Joined in March 2018: the first plan was due in March 2019, and the 2018-2020 plan met it (labelled 2018-2020)."""
    from compliance import engine

    plan = engine.PlanInfo(D(2018, 9, 1), D(2020, 8, 31), D(2018, 8, 31), key=1)
    member = engine.MemberSnapshot(code="XX", joined_on=D(2018, 3, 1), plans=(plan,), extensions=())
    [first, *_rest] = engine.evaluate(member, D(2020, 1, 1)).cycles
    assert (first.label, first.due, first.met_on) == ("2018-2020", D(2019, 3, 1), D(2018, 8, 31))
