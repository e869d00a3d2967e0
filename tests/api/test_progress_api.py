"""Progress through the API: draft → submit → return / approve, evidence and status reports, each through its service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.models import Evidence, ProgressUpdate, StatusReport
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def coordinator(world):
    return client_for(world["users"]["coordinator"])


@pytest.fixture
def poc(world):
    return client_for(world["users"]["point_of_contact"])


def create_draft(client, world, **extra):
    body = {"milestone": world["own_milestone"].pk, "period": "2020-H1", "completion": "limited", "narrative": "Drafted.", **extra}
    return client.post("/api/v1/progress-updates/", body, format="json")


def test_a_coordinators_script_drafts_edits_and_submits_and_the_poc_returns_then_approves(world, coordinator, poc):
    created = create_draft(coordinator, world)
    assert created.status_code == 201, created.content
    update_id, tag = created.json()["id"], created["ETag"]
    assert created.json()["state"] == "draft"
    url = f"/api/v1/progress-updates/{update_id}/"

    assert coordinator.patch(url, {"narrative": "Better."}, format="json").status_code == 428
    edited = coordinator.patch(url, {"narrative": "Better."}, format="json", HTTP_IF_MATCH=tag)
    assert edited.status_code == 200 and edited.json()["narrative"] == "Better."
    assert edited.json()["completion"] == "limited"
    assert coordinator.patch(url, {"narrative": "Stale."}, format="json", HTTP_IF_MATCH=tag).status_code == 412

    submitted = coordinator.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=edited["ETag"])
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert coordinator.post(url + "approve/", {}, format="json", HTTP_IF_MATCH=submitted["ETag"]).status_code == 403
    assert poc.post(url + "approve/", {}, format="json", HTTP_IF_MATCH=tag).status_code == 412
    no_comment = poc.post(url + "return/", {"comment": " "}, format="json", HTTP_IF_MATCH=submitted["ETag"])
    assert no_comment.status_code == 400 and "comment" in no_comment.json()
    returned = poc.post(url + "return/", {"comment": "Add the decree."}, format="json", HTTP_IF_MATCH=submitted["ETag"])
    assert returned.status_code == 200 and returned.json()["state"] == "returned"

    again = coordinator.patch(url, {"completion": "substantial"}, format="json", HTTP_IF_MATCH=returned["ETag"])
    assert again.json()["state"] == "draft"
    resubmitted = coordinator.post(url + "submit/", format="json", HTTP_IF_MATCH=again["ETag"])
    approved = poc.post(url + "approve/", {"comment": "Thank you."}, format="json", HTTP_IF_MATCH=resubmitted["ETag"])
    assert approved.status_code == 200 and approved.json()["state"] == "published"
    update = ProgressUpdate.objects.get(pk=update_id)
    assert update.reviewed_by == world["users"]["point_of_contact"] and update.review_comment == "Thank you."
    assert update.history.first().history_user == world["users"]["point_of_contact"]
    # Published: a public record, no longer editable.
    assert coordinator.patch(url, {"narrative": "x"}, format="json", HTTP_IF_MATCH=approved["ETag"]).status_code in {400, 403}


def test_creating_refuses_bad_input_field_by_field(world, coordinator):
    assert create_draft(coordinator, world, period="2031-H1").json() == {"period": ["Choose one of the plan's reporting periods."]}
    unknown = create_draft(coordinator, world, state="published", colour="red")
    assert unknown.status_code == 400 and set(unknown.json()) == {"state", "colour"}
    assert create_draft(coordinator, world, milestone=999999).json() == {"milestone": ["No such object."]}
    assert create_draft(coordinator, world, period="2019-H2").status_code == 400  # the draft of that period exists
    russian = coordinator.post(
        "/api/v1/progress-updates/", {"milestone": world["own_milestone"].pk, "period": "2020-H1", "completion": "most"},
        format="json", HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert russian.status_code == 400 and russian["Content-Language"] == "ru" and list(russian.json()) == ["completion"]


@pytest.mark.parametrize("persona, status", [
    ("coordinator", 201), ("point_of_contact", 201), ("admin", 201), ("other_coordinator", 403),
    ("other_member_poc", 403), ("civil_society", 403),
])
def test_who_may_create_a_draft(world, persona, status):
    assert create_draft(client_for(world["users"][persona]), world).status_code == status


def test_a_read_only_token_and_anonymous_may_not_write(world):
    assert create_draft(client_for(world["users"]["coordinator"], scope="read"), world).status_code == 403
    assert create_draft(client_for(None), world).status_code == 401


def test_evidence_links_and_files_are_checked_as_in_the_browser(world, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = f"/api/v1/progress-updates/{world['draft'].pk}/evidence/"
    link = coordinator.post(url, {"url": "https://minfin.kg/report.pdf"}, format="json")
    assert link.status_code == 201 and link.json()["kind"] == "link"
    assert coordinator.post(url, {"url": "javascript:alert(1)"}, format="json").json().keys() == {"url"}
    pdf = coordinator.post(url, {"file": SimpleUploadedFile("decree.pdf", PDF)}, format="multipart")
    assert pdf.status_code == 201, pdf.content
    assert pdf.json()["content_type"] == "application/pdf"
    fake = coordinator.post(url, {"file": SimpleUploadedFile("decree.pdf", b"MZ\x90\x00" + bytes(200))}, format="multipart")
    assert fake.status_code == 400 and list(fake.json()) == ["file"]
    assert Evidence.objects.filter(update=world["draft"]).count() == 2
    # Another agency's coordinator does not even see the draft.
    other = client_for(world["users"]["other_coordinator"])
    assert other.post(url, {"url": "https://example.org/"}, format="json").status_code == 404
    # Published updates take no more evidence.
    published = f"/api/v1/progress-updates/{world['published'].pk}/evidence/"
    assert coordinator.post(published, {"url": "https://minfin.kg/"}, format="json").status_code == 400
    # Removing: the editor may, others may not; anonymous does not see a draft's evidence.
    evidence_url = f"/api/v1/evidence/{link.json()['id']}/"
    assert client_for(None).get(evidence_url).status_code == 404
    assert client_for(world["users"]["civil_society"]).delete(evidence_url).status_code == 404
    assert coordinator.delete(evidence_url).status_code == 204
    assert not Evidence.objects.filter(pk=link.json()["id"]).exists()


def test_status_reports_open_and_publish_through_the_service(world, poc, coordinator):
    plan = world["own"].plan
    assert coordinator.post("/api/v1/status-reports/", {"plan": plan.pk, "period": "2019-H1"}, format="json").status_code == 403
    opened = poc.post("/api/v1/status-reports/", {"plan": plan.pk, "period": "2019-H1"}, format="json")
    assert opened.status_code == 201, opened.content
    report_url = f"/api/v1/status-reports/{opened.json()['id']}/"
    # In preparation: the point of contact sees it, the public does not.
    assert client_for(None).get(report_url).status_code == 404
    missing = poc.post(report_url + "publish/", {}, format="json", HTTP_IF_MATCH=opened["ETag"])
    assert missing.status_code == 400 and "KG0002" in missing.json()["non_field_errors"][0]
    assert poc.post(report_url + "publish/", {}, format="json").status_code == 428
    assert StatusReport.objects.get().state == "draft"
