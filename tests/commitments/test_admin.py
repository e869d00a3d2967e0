"""The admin is for administrators: scoped through ogp_portal.permissions, readable errors, autocomplete milestones."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from commitments.models import Agency, Commitment, Member, Milestone, Role

pytestmark = pytest.mark.django_db

RAW = ("is violated", "Constraint “", 'Constraint "')


@pytest.fixture
def staff(seed_data, client):
    """An administrator: an active staff account, not a superuser and with no model permissions."""
    user = get_user_model().objects.create_user("ogp-staff", "staff@example.org", "staff-pass-123", is_staff=True)
    client.force_login(user)
    return user


def _post_admin_form(client, model, data, obj=None):
    name = f"admin:commitments_{model}_" + ("change" if obj else "add")
    url = reverse(name, args=[obj.pk] if obj else [])
    response = client.post(url, data)
    for raw in RAW:
        assert raw not in response.text, f"a raw constraint message reached the page: {raw}"
    return response


def test_an_administrator_opens_every_list_add_and_change_page(client, staff):
    objects = {
        "member": Member.objects.get(code="KG"),
        "agency": Agency.objects.first(),
        "actionplan": Commitment.objects.get(identifier="KG0017").plan,
        "commitment": Commitment.objects.get(identifier="KG0017"),
        "activity": Commitment.objects.get(identifier="KG0017").activities.first(),
        "milestone": Milestone.objects.filter(commitment__identifier="KG0017").first(),
        "role": Role.objects.create(user=staff, member=Member.objects.get(code="KG"), kind="secretariat"),
    }
    for model, obj in objects.items():
        for url in (
            reverse(f"admin:commitments_{model}_changelist"),
            reverse(f"admin:commitments_{model}_add"),
            reverse(f"admin:commitments_{model}_change", args=[obj.pk]),
        ):
            assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:auth_user_change", args=[staff.pk])).status_code == 200


def test_people_with_roles_but_no_staff_flag_cannot_open_the_admin(client, seed_data):
    user = get_user_model().objects.create_user("kg-poc", "poc@example.org", "poc-pass-123")
    Role.objects.create(user=user, member=Member.objects.get(code="KG"), kind=Role.Kind.POINT_OF_CONTACT)
    client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:commitments_milestone_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response.headers["Location"]


def test_an_inactive_staff_account_is_not_an_administrator(client, seed_data):
    user = get_user_model().objects.create_user("former", "former@example.org", "former-pass-123", is_staff=True)
    user.is_active = False
    user.save()
    client.force_login(user)
    assert client.get(reverse("admin:commitments_member_changelist")).status_code == 302


def _role_data(user, member, kind, agency=None):
    return {"user": user.pk, "member": member.pk, "kind": kind, "agency": agency.pk if agency else ""}


def test_a_duplicate_role_gets_a_sentence_not_a_constraint_name(client, staff):
    kg = Member.objects.get(code="KG")
    chamber = Commitment.objects.get(identifier="KG0017").lead_agency
    person = get_user_model().objects.create_user("chamber", "c@example.org", "x-pass-123456")
    Role.objects.create(user=person, member=kg, kind="coordinator", agency=chamber)
    Role.objects.create(user=person, member=kg, kind="point_of_contact")
    response = _post_admin_form(client, "role", _role_data(person, kg, "coordinator", chamber))
    assert response.status_code == 200
    assert "already has this role for this agency" in response.text
    response = _post_admin_form(client, "role", _role_data(person, kg, "point_of_contact"))
    assert "already has this role for this member" in response.text
    assert Role.objects.filter(user=person).count() == 2


def test_a_coordinator_role_without_agency_or_with_another_members_agency_is_explained(client, staff):
    kg, bishkek = Member.objects.get(code="KG"), Member.objects.get(code="KGBSK")
    person = get_user_model().objects.create_user("chamber", "c@example.org", "x-pass-123456")
    response = _post_admin_form(client, "role", _role_data(person, kg, "coordinator"))
    assert "A coordinator role needs an agency." in response.text
    city = Agency.objects.filter(member=bishkek).first()
    response = _post_admin_form(client, "role", _role_data(person, kg, "coordinator", city))
    assert "The agency belongs to another member." in response.text
    assert not Role.objects.filter(user=person).exists()


def test_a_duplicate_agency_and_milestone_number_are_explained(client, staff):
    kg = Member.objects.get(code="KG")
    response = _post_admin_form(client, "agency", {"member": kg.pk, "name_en": "Accounts Chamber", "acronym": "", "kind": "state"})
    assert response.status_code == 200
    assert "already exists" in response.text
    existing = Milestone.objects.filter(commitment__identifier="KG0017").order_by("id").first()
    data = {
        "commitment": existing.commitment_id,
        "number": existing.number,
        "deliverable_en": "Again",
        "start_precision": "day",
        "end_precision": "day",
    }
    response = _post_admin_form(client, "milestone", data)
    assert response.status_code == 200
    assert "already exists" in response.text


def test_milestones_are_picked_by_commitment_and_number_with_autocomplete(client, staff):
    page = client.get(reverse("admin:commitments_milestone_add"))
    assert 'class="admin-autocomplete' in page.text
    assert 'name="commitment"' in page.text
    found = client.get(reverse("admin:commitments_milestone_changelist"), {"q": "KG0017 1.1"})
    rows = list(found.context["cl"].result_list)
    assert rows and all(m.commitment.identifier == "KG0017" and m.number.startswith("1.1") for m in rows)
    # The autocomplete endpoint of a form that picks a milestone answers the same search.
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "commitments", "model_name": "progressupdate", "field_name": "milestone", "term": "KG0017 1.1"},
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {m.pk for m in rows}


def test_list_pages_show_the_columns_that_tell_rows_apart(client, staff):
    milestones = client.get(reverse("admin:commitments_milestone_changelist"))
    assert "KG0001" in milestones.text and "column-commitment_identifier" in milestones.text
    Role.objects.create(user=staff, member=Member.objects.get(code="KG"), kind="secretariat")
    roles = client.get(reverse("admin:commitments_role_changelist"))
    assert "column-agency" in roles.text and "column-user_email" in roles.text


def test_admin_refuses_a_stale_commitment_save_and_keeps_the_newer_title(seed_data, admin_user, rf):
    """The admin writes commitments through the same version claim as the services."""
    from django.contrib import admin as django_admin

    from commitments import services
    from commitments.models import Commitment

    commitment = Commitment.objects.get(identifier="KG0017")
    model_admin = django_admin.site._registry[Commitment]
    request = rf.get("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, commitment, change=True)
    loaded = form_class(instance=commitment)
    data = {name: value for name, value in loaded.initial.items() if value is not None}
    data["base_version"] = commitment.version
    data["title_en"] = "My edit, made on an old page"
    # Someone else saves first.
    services.update_versioned(commitment, {"title_en": "Their newer title"}, by=admin_user, version=commitment.version)
    stale = form_class(data, instance=Commitment.objects.get(pk=commitment.pk))
    assert not stale.is_valid()
    assert "Their newer title" in str(stale.non_field_errors())
    assert Commitment.objects.get(pk=commitment.pk).title_en == "Their newer title"
