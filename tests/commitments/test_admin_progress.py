"""The admin writes progress updates only through the services (issue 16, point 4).

Once submitted, an update belongs to the review workflow: its content is what the point of contact reviews
and, approved, what the public reads. The admin shows it, and changes it only through actions that call the
services (approve, return to the coordinator); simple-history's revert page cannot bypass them either.
"""

import pytest
from django.urls import reverse

from commitments import progress
from commitments.models import Evidence
from tests.commitments.test_progress import H1_2019, NOW, _admin_payload, coordinator, milestone, poc  # noqa: F401

pytestmark = pytest.mark.django_db


def _submitted(milestone, coordinator, completion="substantial", narrative="Draft law sent to parliament"):
    update = progress.save_progress(
        milestone, H1_2019, by=coordinator, data={"completion": completion, "narrative": narrative}, version=0, now=NOW
    )
    return progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)


@pytest.fixture
def published(milestone, coordinator, poc):
    update = _submitted(milestone, coordinator)
    return progress.approve_progress(update, by=poc, version=update.version, now=NOW)


def test_a_published_updates_completion_and_narrative_are_read_only_and_a_post_changes_nothing(admin_client, published, coordinator):
    Evidence.objects.create(update=published, kind=Evidence.Kind.LINK, url="https://www.gov.kg/act", uploaded_by=coordinator)
    url = reverse("admin:commitments_progressupdate_change", args=[published.pk])
    html = admin_client.get(url).content.decode()
    assert "Draft law sent to parliament" in html and "https://www.gov.kg/act" in html  # shown
    for field in ("completion", "narrative", "as_of", "milestone", "period_start", "self_approved"):
        assert f'name="{field}"' not in html, field
    assert 'name="evidence-0-url"' not in html and "evidence-__prefix__" not in html  # evidence neither
    history = published.history.count()
    response = admin_client.post(url, _admin_payload(published, completion="complete", narrative="Edited in the admin"))
    assert response.status_code == 403
    published.refresh_from_db()
    assert (published.completion, published.narrative, published.state) == ("substantial", "Draft law sent to parliament", "published")
    assert published.version == 3 and published.history.count() == history


def test_a_submitted_update_is_read_only_too_and_a_draft_stays_editable(admin_client, milestone, coordinator):
    submitted = _submitted(milestone, coordinator)
    html = admin_client.get(reverse("admin:commitments_progressupdate_change", args=[submitted.pk])).content.decode()
    assert 'name="completion"' not in html and 'name="narrative"' not in html
    other = milestone.commitment.milestones.exclude(pk=milestone.pk).order_by("id").first()
    draft = progress.save_progress(other, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    html = admin_client.get(reverse("admin:commitments_progressupdate_change", args=[draft.pk])).content.decode()
    assert 'name="completion"' in html and 'name="narrative"' in html
    assert 'name="self_approved"' not in html  # the approval sets it, never a form


def test_evidence_of_a_published_update_cannot_be_changed_or_deleted_in_its_own_admin(admin_client, published, coordinator):
    evidence = Evidence.objects.create(update=published, kind=Evidence.Kind.LINK, url="https://www.gov.kg/", uploaded_by=coordinator)
    url = reverse("admin:commitments_evidence_change", args=[evidence.pk])
    assert 'name="url"' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"update": published.pk, "kind": "link", "url": "https://example.org/"}).status_code == 403
    assert admin_client.post(reverse("admin:commitments_evidence_delete", args=[evidence.pk]), {"post": "yes"}).status_code == 403
    response = admin_client.post(reverse("admin:commitments_evidence_add"), {"update": published.pk, "kind": "link", "url": "https://example.org/x"})
    assert response.status_code == 200
    assert "Evidence can be added only while the update is a draft or returned." in response.content.decode()
    assert list(Evidence.objects.filter(update=published).values_list("url", flat=True)) == ["https://www.gov.kg/"]


def test_the_revert_page_of_the_history_cannot_take_an_update_back_past_the_workflow(admin_client, published):
    """simple-history's revert page saves on POST after checking only the view permission; here it is refused."""
    submitted_version = published.history.filter(state="submitted").first()
    url = reverse("admin:commitments_progressupdate_simple_history", args=[published.pk, submitted_version.history_id])
    assert admin_client.get(url).status_code == 200  # the old version can be read
    response = admin_client.post(url, _admin_payload(published, base_version=published.version))
    assert response.status_code == 403
    published.refresh_from_db()
    assert (published.state, published.version) == ("published", 3)


def test_the_admin_returns_submitted_updates_to_the_coordinator_through_the_service(admin_client, admin_user, milestone, coordinator):
    submitted = _submitted(milestone, coordinator)
    other = milestone.commitment.milestones.exclude(pk=milestone.pk).order_by("id").first()
    draft = progress.save_progress(other, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    changelist = reverse("admin:commitments_progressupdate_changelist")
    selected = {"action": "return_selected", "_selected_action": [submitted.pk, draft.pk]}
    page = admin_client.post(changelist, selected)
    assert page.status_code == 200  # asks what should change first
    html = page.content.decode()
    assert 'name="comment"' in html and str(submitted) in html
    submitted.refresh_from_db()
    assert submitted.state == "submitted"  # nothing returned yet

    page = admin_client.post(changelist, {**selected, "apply": "1", "comment": ""})
    assert page.status_code == 200 and "This field is required." in page.content.decode()

    response = admin_client.post(changelist, {**selected, "apply": "1", "comment": "Attach the draft law."}, follow=True)
    html = response.content.decode()
    assert "1 update returned to its coordinator." in html
    assert f"{draft} was not returned: Only a submitted update can be returned." in html
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.state, submitted.review_comment, submitted.reviewed_by) == ("returned", "Attach the draft law.", admin_user)
    assert submitted.version == 3  # claimed by the service: saved, submitted, returned
    row = submitted.history.first()
    assert (row.state, row.history_user) == ("returned", admin_user)  # kept in history with the administrator
    assert draft.state == "draft" and draft.version == 1
