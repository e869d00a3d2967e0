"""Opening a co-creation process and moving it through its stages, and the links that lead there from the site."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cocreation import services
from cocreation.models import CoCreationProcess
from commitments.models import Member, Role
from ogp_portal.versioning import etag

from .conftest import at, make_user

PROCESSES = "/api/v1/cocreation-processes/"


@pytest.fixture
def march_2023(time_machine):
    """After OGP's letter of 24 February 2023: the Kyrgyz plan is due on 31 December 2023."""
    time_machine.move_to(at(2023, 3, 1), tick=False)


# --- links from the site ----------------------------------------------------------------------------------------------


def test_the_main_navigation_links_co_creation(client, kg):
    text = client.get(kg.get_absolute_url()).content.decode()
    nav = text.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("cocreation:processes")}"' in nav and "Co-creation" in nav


def test_the_member_page_links_its_processes_and_repository_and_offers_opening_to_its_contact_only(client, kg, people, process):
    text = client.get(kg.get_absolute_url()).content.decode()
    assert f'href="{process.get_absolute_url()}"' in text
    assert f'href="{reverse("cocreation:repository", args=["KG"])}"' in text
    opening = f'{reverse("cocreation:open")}?member=KG'
    assert opening not in text
    client.force_login(people["citizen"])
    assert opening not in client.get(kg.get_absolute_url()).content.decode()
    client.force_login(people["poc"])
    assert opening in client.get(kg.get_absolute_url()).content.decode()


def test_my_work_links_the_secretariat_to_moderation_and_decision_and_the_contact_to_delivery(client, people, process):
    client.force_login(people["secretariat"])
    text = client.get(reverse("work:my_work")).content.decode()
    assert f'href="{process.get_absolute_url()}#responses"' in text
    assert f'href="{reverse("cocreation:decision", args=[process.pk])}"' in text
    assert reverse("cocreation:deliver", args=[process.pk]) not in text
    client.force_login(people["poc"])
    text = client.get(reverse("work:my_work")).content.decode()
    assert f'href="{reverse("cocreation:deliver", args=[process.pk])}"' in text
    assert reverse("cocreation:decision", args=[process.pk]) not in text
    client.force_login(people["citizen"])
    assert "my-cocreation-heading" not in client.get(reverse("work:my_work")).content.decode()


# --- opening a process ------------------------------------------------------------------------------------------------


def test_the_contact_opens_the_next_plan_with_the_engines_deadline_and_stages_counted_back(client, kg, people, march_2023):
    client.force_login(people["poc"])
    url = reverse("cocreation:open")
    page = client.get(url)  # one member: chosen already
    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="2023-12-31"' in text  # the deadline prefilled from the compliance engine
    expected = services.schedule(services.plan_deadline_for(kg, at(2023, 3, 1)), at(2023, 3, 1).date())
    assert expected["plan_deadline"].isoformat() == "2023-12-31"
    for day in ("proposals_close_on", "drafts_close_on", "decision_by"):
        assert f'datetime="{expected[day].isoformat()}"' in text
    response = client.post(url, {"member": "KG", "deadline": "", "title": ""})
    process = CoCreationProcess.objects.get(member=kg)
    assert response.status_code == 302 and response["Location"] == process.get_absolute_url()
    assert process.plan_deadline.isoformat() == "2023-12-31" and process.stage == "proposals"
    assert (process.proposals_close_on, process.drafts_close_on, process.decision_by) == (
        expected["proposals_close_on"], expected["drafts_close_on"], expected["decision_by"])
    assert process.history.first().history_user == people["poc"]


def test_a_second_process_for_the_same_member_and_cycle_is_refused_with_a_translated_message(client, kg, people, process, march_2023):
    client.force_login(people["secretariat"])
    response = client.post("/ru" + reverse("cocreation:open"), {"member": "KG", "deadline": "2023-12-31"})
    assert response.status_code == 400
    assert "Процесс совместной разработки для этого цикла уже открыт." in response.content.decode()
    assert CoCreationProcess.objects.filter(member=kg).count() == 1


def test_only_the_contact_or_secretariat_of_the_member_opens_its_process(client, kg, people, march_2023):
    url = reverse("cocreation:open")
    client.force_login(people["citizen"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"member": "KG"}).status_code == 403
    bishkek = Member.objects.exclude(pk=kg.pk).filter(code__startswith="KG").first() or Member.objects.exclude(pk=kg.pk).first()
    other = make_user("otherpoc")
    Role.objects.create(user=other, member=bishkek, kind=Role.Kind.POINT_OF_CONTACT)
    client.force_login(other)
    assert client.post(url, {"member": "KG", "deadline": "2023-12-31"}).status_code == 400  # not a member of theirs
    assert not CoCreationProcess.objects.filter(member=kg).exists()


def test_the_api_opens_a_process_and_refuses_a_second(kg, people, march_2023):
    api = APIClient()
    api.force_authenticate(people["poc"])
    response = api.post(PROCESSES, {"member": "KG"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["plan_deadline"] == "2023-12-31" and response.json()["stage"] == "proposals"
    again = api.post(PROCESSES, {"member": "KG", "deadline": "2023-12-31"}, format="json")
    assert again.status_code == 400
    assert "already open" in again.content.decode()
    api.force_authenticate(people["citizen"])
    assert api.post(PROCESSES, {"member": "KG", "deadline": "2025-12-31"}, format="json").status_code == 403


# --- the next stage ---------------------------------------------------------------------------------------------------


def test_the_secretariat_moves_the_process_to_its_next_stage_and_a_stale_form_gets_a_409(client, people, process):
    client.force_login(people["secretariat"])
    page = client.get(process.get_absolute_url()).content.decode()
    assert 'id="advance-stage"' in page and 'value="drafts"' in page and f'name="version" value="{process.version}"' in page
    url = reverse("cocreation:advance", args=[process.pk])
    stale = process.version
    response = client.post(url, {"stage": "drafts", "version": stale})
    process.refresh_from_db()
    assert response.status_code == 302 and process.stage == "drafts"
    response = client.post(url, {"stage": "decision", "version": stale})  # read before the first move
    assert response.status_code == 409
    process.refresh_from_db()
    assert process.stage == "drafts"
    assert client.post(url, {"stage": "proposals", "version": process.version}).status_code == 400  # not backwards
    assert client.post(url, {"stage": "submitted", "version": process.version}).status_code == 400  # the contact's
    assert client.post(url, {"stage": "decision", "version": process.version}).status_code == 302
    process.refresh_from_db()
    assert process.stage == "decision"
    assert 'id="advance-stage"' not in client.get(process.get_absolute_url()).content.decode()  # submission is next
    assert [h.stage for h in process.history.order_by("history_id")] == ["proposals", "drafts", "decision"]


def test_only_the_secretariat_moves_the_stage(client, people, process):
    url = reverse("cocreation:advance", args=[process.pk])
    for who in ("poc", "citizen"):
        client.force_login(people[who])
        assert 'id="advance-stage"' not in client.get(process.get_absolute_url()).content.decode()
        assert client.post(url, {"stage": "drafts", "version": process.version}).status_code == 403
    process.refresh_from_db()
    assert process.stage == "proposals"


def test_the_api_moves_the_stage_with_if_match(people, process):
    api = APIClient()
    api.force_authenticate(people["secretariat"])
    url = f"{PROCESSES}{process.pk}/advance/"
    assert api.post(url, {"stage": "drafts"}, format="json").status_code == 428
    old = etag(process)
    response = api.post(url, {"stage": "drafts"}, format="json", HTTP_IF_MATCH=old)
    assert response.status_code == 200 and response.json()["stage"] == "drafts"
    assert api.post(url, {"stage": "decision"}, format="json", HTTP_IF_MATCH=old).status_code == 412


def test_an_administrator_chooses_the_member_first_and_bad_dates_get_a_400(client, kg, march_2023):
    admin = make_user("ogpstaff", is_staff=True)
    client.force_login(admin)
    url = reverse("cocreation:open")
    page = client.get(url).content.decode()
    assert 'id="choose-member"' in page and 'value="KG"' in page and 'id="open-process"' not in page
    page = client.get(url, {"member": "KG"}).content.decode()
    assert 'id="open-process"' in page and 'value="2023-12-31"' in page
    response = client.post(url, {"member": "KG", "deadline": "31.31.2023"})
    assert response.status_code == 400 and 'id="open-process"' in response.content.decode()
    assert not CoCreationProcess.objects.exists()
