"""The upload → preview → confirm pages of the plan import, and who may use them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments.models import Agency, Commitment, Member, Milestone, Role
from tests.pages import assert_strict_page

from .importing import kyrgyz_republic, seed_bytes, seed_docx

pytestmark = pytest.mark.django_db

UPLOAD = reverse("commitments:import_upload")
CONFIRM = reverse("commitments:import_confirm")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _user(name, member=None, kind=None, agency=None):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "pass-123-long")
    if member:
        Role.objects.create(user=user, member=member, kind=kind, agency=agency)
    return user


@pytest.fixture(autouse=True)
def private_upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def kg():
    return kyrgyz_republic()


@pytest.fixture
def point_of_contact(kg):
    return _user("poc", kg, Role.Kind.POINT_OF_CONTACT)


def _upload(client, member, name, data, content_type="text/plain"):
    return client.post(UPLOAD, {"member": member.pk, "file": SimpleUploadedFile(name, data, content_type=content_type)})


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "next=" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "coordinator", "secretariat"])
def test_only_administrators_and_points_of_contact_may_import(client, kg, who):
    agency = Agency.objects.create(member=kg, name="Accounts Chamber")
    kind = {"outsider": None, "coordinator": Role.Kind.COORDINATOR, "secretariat": Role.Kind.SECRETARIAT}[who]
    user = _user(who, kg if kind else None, kind, agency if who == "coordinator" else None)
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 403
    assert _upload(client, kg, "plan.txt", seed_bytes()).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403


def test_a_point_of_contact_sees_only_their_member(client, kg, point_of_contact):
    bishkek = Member.objects.create(code="KGBSK", name="Bishkek", kind="local", country="Kyrgyz Republic", parent=kg)
    client.force_login(point_of_contact)
    response = client.get(UPLOAD)
    assert response.status_code == 200
    assert_strict_page(response)
    assert list(response.context["form"].fields["member"].queryset) == [kg]
    response = _upload(client, bishkek, "plan.txt", seed_bytes())
    assert response.status_code == 400
    assert Commitment.objects.count() == 0


def test_upload_preview_confirm(client, kg, point_of_contact):
    client.force_login(point_of_contact)
    response = _upload(client, kg, "plan.docx", seed_docx(), DOCX)
    assert response.status_code == 200
    assert_strict_page(response)
    counts = response.context["counts"]
    assert counts["created"] == 1 + 23 + 18 + 41 + 110  # plan, agencies, commitments, activities, milestones
    assert counts["updated"] == 0
    assert Commitment.objects.count() == 0  # nothing saved by the preview
    assert b"KG0017" in response.content
    token = response.context["token"]
    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 200
    assert_strict_page(response)
    assert Commitment.objects.filter(plan__member=kg).count() == 18
    assert Milestone.objects.count() == 110
    record = Commitment.objects.get(identifier="KG0017").history.get()
    assert record.history_user == point_of_contact
    assert record.history_change_reason == "Imported from plan.docx"
    # The stored upload is gone: the same token cannot import twice.
    assert client.post(CONFIRM, {"token": token}).status_code == 400


def test_the_upload_waits_in_a_private_folder_until_confirmed(client, kg, point_of_contact, private_upload_dir):
    client.force_login(point_of_contact)
    token = _upload(client, kg, "plan.txt", seed_bytes()).context["token"]
    (stored,) = private_upload_dir.iterdir()
    assert stored.read_bytes() == seed_bytes()
    assert private_upload_dir.stat().st_mode & 0o077 == 0  # only the portal's own user may read it
    assert stored.name not in token and "plan.txt" not in stored.name  # random name; the token is signed
    client.post(CONFIRM, {"token": token})
    assert list(private_upload_dir.iterdir()) == []


def test_a_token_of_another_user_or_a_forged_one_is_refused(client, kg, point_of_contact):
    other = _user("poc2", kg, Role.Kind.POINT_OF_CONTACT)
    client.force_login(point_of_contact)
    token = _upload(client, kg, "plan.txt", seed_bytes()).context["token"]
    client.force_login(other)
    assert client.post(CONFIRM, {"token": token}).status_code == 403
    assert client.post(CONFIRM, {"token": token + "x"}).status_code == 400
    assert Commitment.objects.count() == 0


def test_a_refused_file_shows_a_clear_message_on_the_form(client, kg, point_of_contact):
    client.force_login(point_of_contact)
    response = _upload(client, kg, "plan.docx", b"this is not a zip archive", DOCX)
    assert response.status_code == 400
    assert "not a zip archive" in response.content.decode()
    assert_strict_page(response)


def test_an_administrator_may_import_into_any_member(client, kg, admin_user):
    client.force_login(admin_user)
    response = _upload(client, kg, "plan.txt", seed_bytes())
    assert response.status_code == 200
    client.post(CONFIRM, {"token": response.context["token"]})
    assert Commitment.objects.filter(plan__member=kg).count() == 18


def test_the_pages_speak_russian(client, kg, point_of_contact):
    client.force_login(point_of_contact)
    response = client.get("/ru" + UPLOAD)
    assert response.status_code == 200
    assert_strict_page(response, lang="ru")


def test_the_csv_export_of_a_plan_costs_the_same_queries_at_two_sizes(client, seed_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commitments.models import ActionPlan

    kg_plan = ActionPlan.objects.get(member__code="KG")  # 18 commitments, 110 milestones
    bishkek_plan = ActionPlan.objects.get(member__code="KGBSK")  # 3 commitments, no milestones
    counts = []
    for plan in (kg_plan, bishkek_plan):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("commitments:plan_csv", args=[plan.pk]))
        counts.append([q["sql"][:60] for q in queries.captured_queries])
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
    assert len(counts[0]) == len(counts[1]) <= 5, counts
    assert response.content.decode("utf-8-sig").startswith("Row Type,Commitment Unique Identifier,")
    page = client.get(kg_plan.get_absolute_url())
    assert reverse("commitments:plan_csv", args=[kg_plan.pk]).encode() in page.content


def test_an_oversized_upload_is_refused_before_it_is_read(client, kg, point_of_contact, settings):
    client.force_login(point_of_contact)
    response = _upload(client, kg, "plan.docx", b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024 + 70 * 1024), DOCX)
    assert response.status_code == 413
    assert "larger than 10 MB" in response.content.decode()
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize("who,linked", [("poc", True), ("admin", True), ("coordinator", False), ("secretariat", False)])
def test_my_work_links_the_upload_page_for_those_who_may_import(client, kg, who, linked):
    agency = Agency.objects.create(member=kg, name="Accounts Chamber")
    if who == "admin":
        user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pass-123-long")
    else:
        kind = {"poc": Role.Kind.POINT_OF_CONTACT, "coordinator": Role.Kind.COORDINATOR, "secretariat": Role.Kind.SECRETARIAT}[who]
        user = _user(who, kg, kind, agency if who == "coordinator" else None)
    client.force_login(user)
    response = client.get(reverse("work:my_work"))
    assert response.status_code == 200
    assert (f'href="{UPLOAD}"' in response.content.decode()) is linked


def test_the_preview_asks_before_blanking_a_stored_value(client, point_of_contact, kg):
    """The file leaves KG0001's problem empty: the preview offers a checkbox; unticked, the value is kept."""
    from commitments.seed_parser import parse_national_plan

    from .importing import seed_text, write_variant_docx

    client.force_login(point_of_contact)
    confirmed = client.post(CONFIRM, {"token": _upload(client, kg, "plan.txt", seed_bytes()).context["token"]})
    assert confirmed.status_code == 200
    stored = Commitment.objects.get(identifier="KG0001").problem
    plan = parse_national_plan(seed_text())
    plan["commitments"][0]["problem"] = ""
    data = write_variant_docx(commitments=plan["commitments"])

    preview = _upload(client, kg, "plan.docx", data, DOCX)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Changes that need your decision" in page
    (choice,) = preview.context["outcome"].choices
    assert f'name="allow" value="{choice.key}"' in page
    client.post(CONFIRM, {"token": preview.context["token"]})
    assert Commitment.objects.get(identifier="KG0001").problem == stored  # not ticked: kept

    preview = _upload(client, kg, "plan.docx", data, DOCX)
    client.post(CONFIRM, {"token": preview.context["token"], "allow": [choice.key]})
    assert Commitment.objects.get(identifier="KG0001").problem == ""


def test_an_unexpected_failure_of_the_import_is_a_message_not_a_500(client, point_of_contact, kg, monkeypatch):
    """The safety net behind the parser's own messages: nothing saved, a translated message, a 400."""
    from commitments import importer

    def broken(self):
        raise RuntimeError("a state nobody foresaw")

    monkeypatch.setattr(importer._Sync, "run", broken)
    client.force_login(point_of_contact)
    response = _upload(client, kg, "plan.txt", seed_bytes())
    assert response.status_code == 400
    assert "unexpected problem; nothing was saved" in response.content.decode()
    assert Commitment.objects.count() == 0
