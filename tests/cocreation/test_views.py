"""The co-creation pages: the public process page and its figures, proposals, drafts, moderation, the repository."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from cocreation import documents, services
from cocreation.models import Proposal
from compliance import services as compliance
from compliance.models import Letter, MemberStanding
from forums.models import Meeting

from .conftest import at


@pytest.fixture
def proposal(process, people):
    return services.submit_proposal(process, by=people["citizen"], now=at(2023, 4, 1), data={
        "title": "Open audit reports", "problem": "Audits are secret.", "proposed_commitment": "Publish them.",
        "sector": "citizen"})


def test_the_process_page_shows_the_deadline_stages_proposals_and_figures(client, process, proposal):
    response = client.get(process.get_absolute_url())
    text = response.content.decode()
    assert response.status_code == 200
    assert 'datetime="2023-12-31"' in text
    assert "Proposals open" in text and "Submitted to OGP" in text
    assert "Open audit reports" in text
    assert "Proposals from: Citizen" in text
    assert "days late" in text or "days left" in text


def test_the_figures_download_as_csv(client, process, proposal, people):
    services.set_support(proposal, by=people["ngo"], now=at(2023, 4, 2))
    services.add_comment(proposal, by=people["ngo"], text="Agreed", now=at(2023, 4, 2))
    response = client.get(reverse("cocreation:figures_csv", args=[process.pk]))
    rows = {r["figure"]: int(r["value"]) for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["proposals"] == 1 and rows["proposals_citizen"] == 1 and rows["proposals_business"] == 0
    assert rows["supporters"] == 1 and rows["comments"] == 1 and rows["participants"] == 2 and rows["responses"] == 0


def test_a_signed_in_citizen_proposes_and_bad_input_gets_a_400(client, process, people):
    url = reverse("cocreation:propose", args=[process.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(people["citizen"])
    response = client.post(url, {"title": "", "problem": "x", "proposed_commitment": "y", "sector": "citizen"})
    assert response.status_code == 400
    assert not Proposal.objects.exists()
    response = client.post(url, {"title": "Open data on budgets", "problem": "x", "proposed_commitment": "y", "sector": "citizen"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.author == people["citizen"]


def test_a_hidden_proposal_shows_its_reason_to_its_author_and_is_gone_for_others(client, process, proposal, people):
    client.force_login(people["secretariat"])
    response = client.post(reverse("cocreation:moderate", args=[proposal.pk]),
                           {"hide": "hide", "reason": "Personal data in the text.", "version": proposal.version})
    assert response.status_code == 302
    client.force_login(people["other"])
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert "Open audit reports" not in client.get(process.get_absolute_url()).content.decode()
    client.force_login(people["citizen"])
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Personal data in the text." in page
    client.force_login(people["other"])
    assert client.get(reverse("cocreation:moderate", args=[proposal.pk])).status_code == 403


def test_support_and_comment_forms(client, proposal, people):
    client.force_login(people["ngo"])
    client.post(reverse("cocreation:support", args=[proposal.pk]), {"action": "support"})
    client.post(reverse("cocreation:comment", args=["proposal", proposal.pk]), {"text": "Yes please"})
    assert proposal.supports.count() == 1 and proposal.comments.get().text == "Yes please"
    assert client.post(reverse("cocreation:comment", args=["proposal", proposal.pk]), {"text": ""}).status_code == 400


def test_the_draft_page_shows_versions_and_the_diff(client, process, people):
    draft = services.create_draft(process, by=people["secretariat"], data={"title": "Audits", "description": "Old text"}, now=at(2023, 9, 1))
    services.open_for_comment(draft, by=people["secretariat"], now=at(2023, 9, 1))
    draft.refresh_from_db()
    services.update_draft(draft, by=people["secretariat"], data={"description": "New text"}, version=draft.version, now=at(2023, 9, 2))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "<del>-Old text</del>" in page and "<ins>+New text</ins>" in page


def test_the_decision_page_records_responses(client, process, proposal, people, held_meeting):
    client.force_login(people["secretariat"])
    url = reverse("cocreation:decision", args=[process.pk])
    assert client.post(url, {f"proposal-{proposal.pk}": "rejected"}).status_code == 400  # no meeting, no response
    response = client.post(url, {"meeting": held_meeting.pk, f"proposal-{proposal.pk}": "rejected",
                                 f"proposal-{proposal.pk}-response": "Already done by the Chamber."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.outcome == "rejected" and proposal.response == "Already done by the Chamber."
    assert "Already done by the Chamber." in client.get(process.get_absolute_url()).content.decode()


def test_without_the_plan_the_sweep_recommends_inactive(kg, process):
    compliance.sweep_member(kg.pk, now=at(2024, 1, 2))
    assert MemberStanding.objects.get(member=kg).status == "inactive_recommended"


def test_the_repository_lists_the_members_documents_with_a_feed(client, kg, process, people):
    forum = kg.forums.first()
    Meeting.objects.create(forum=forum, title="Spring forum", starts_at=at(2023, 5, 1), status=Meeting.Status.HELD,
                           minutes="Minutes", minutes_published_at=at(2023, 5, 10))
    Letter.objects.get_or_create(member=kg, kind="caution", dated=dt.date(2023, 2, 24),
                                 defaults={"document": "OGP letter of 24 February 2023"})
    rows = documents.documents_for(kg)
    types = {r.type for r in rows}
    assert {"plan", "letter", "minutes", "cocreation"} <= types
    assert all(len(r) == 5 for r in rows)
    assert documents.last_updated(kg) == max(r.date for r in rows)
    url = reverse("cocreation:repository", args=["KG"])
    page = client.get(url).content.decode()
    assert "Spring forum" in page and 'id="last-updated"' in page
    only_minutes = client.get(url, {"kind": "minutes"}).content.decode()
    assert "Spring forum" in only_minutes and "National Action Plan" not in only_minutes
    feed = client.get(reverse("cocreation:repository_feed", args=["KG"]))
    assert feed["Content-Type"].startswith("application/atom+xml") and b"Spring forum" in feed.content
    assert dt.date(2023, 5, 10) in {r.date for r in rows}


def test_the_proposal_page_shows_the_deadline(client, proposal):
    assert 'datetime="2023-12-31"' in client.get(proposal.get_absolute_url()).content.decode()


def test_the_deliver_page_refuses_submission_while_a_proposal_lacks_a_response(client, process, proposal, people):
    url = reverse("cocreation:deliver", args=[process.pk])
    client.force_login(people["secretariat"])
    assert client.get(url).status_code == 403
    client.force_login(people["poc"])
    page = client.get(url).content.decode()
    assert "Open audit reports" in page  # listed as unanswered
    response = client.post(url, {"step": "submit", "submitted_on": "2023-11-30"})
    assert response.status_code == 400
    process.refresh_from_db()
    assert process.submitted_on is None


def test_administrators_read_co_creation_in_the_admin_and_change_nothing(client, admin_user, proposal, people):
    client.force_login(admin_user)
    assert client.get("/admin/cocreation/proposal/").status_code == 200
    assert client.get(f"/admin/cocreation/proposal/{proposal.pk}/history/").status_code == 200
    assert client.get("/admin/cocreation/proposal/add/").status_code == 403
    client.force_login(people["secretariat"])
    assert client.get("/admin/cocreation/proposal/").status_code in (302, 403)


def test_the_list_of_processes_links_each_process_and_its_members_documents(client, process):
    page = client.get(reverse("cocreation:processes")).content.decode()
    assert process.get_absolute_url() in page and reverse("cocreation:repository", args=["KG"]) in page
