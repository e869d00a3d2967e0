"""Forum meetings, attendance, decisions and action items, civil-society reviews and findings: written through their services."""

import datetime as dt

import pytest
from django.utils import timezone

from commitments.models import Role
from compliance.models import Finding
from engagement.models import Review
from forums.models import ActionItem, Attendance, Meeting
from tests.api.conftest import client_for
from tests.factories import ForumFactory, ForumMembershipFactory, MeetingFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum_world(world):
    kg, bishkek = world["kg"], world["bishkek"]
    forum = ForumFactory(member=kg, name="Open Government Forum of the Kyrgyz Republic")
    bsk_forum = ForumFactory(member=bishkek, name="Open Bishkek Committee")
    chair = ForumMembershipFactory(forum=forum, person="Aida Kasymalieva", role="co_chair")
    member = ForumMembershipFactory(forum=forum, person="Nurbek Toktogulov", sector="civil_society")
    secretariat = RoleFactory(user__username="sec-kg", member=kg, kind=Role.Kind.SECRETARIAT).user
    bsk_secretariat = RoleFactory(user__username="sec-bsk", member=bishkek, kind=Role.Kind.SECRETARIAT).user
    return {**world, "forum": forum, "bsk_forum": bsk_forum, "chair": chair, "member": member,
            "secretariat": secretariat, "bsk_secretariat": bsk_secretariat}


def future(days=30):
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


def test_the_secretariat_schedules_reschedules_and_cancels_with_if_match(forum_world):
    w = forum_world
    sec = client_for(w["secretariat"])
    body = {"forum": w["forum"].pk, "starts_at": future(), "title": "Second meeting", "place": "Bishkek, White House"}
    assert client_for(w["bsk_secretariat"]).post("/api/v1/meetings/", body, format="json").status_code == 403
    assert client_for(w["users"]["coordinator"]).post("/api/v1/meetings/", body, format="json").status_code == 403
    created = sec.post("/api/v1/meetings/", body, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/meetings/{created.json()['id']}/"
    past = sec.post("/api/v1/meetings/", {**body, "starts_at": "2020-01-01T10:00:00+06:00"}, format="json")
    assert past.status_code == 400 and list(past.json()) == ["starts_at"]
    assert sec.post(url + "reschedule/", {"starts_at": future(40), "reason": "Holiday"}, format="json").status_code == 428
    moved = sec.post(url + "reschedule/", {"starts_at": future(40), "reason": "Holiday"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert moved.status_code == 200, moved.content
    assert sec.post(url + "cancel/", {"reason": "No quorum"}, format="json", HTTP_IF_MATCH=created["ETag"]).status_code == 412
    assert client_for(w["bsk_secretariat"]).post(url + "cancel/", {"reason": "x"}, format="json", HTTP_IF_MATCH=moved["ETag"]).status_code == 403
    cancelled = sec.post(url + "cancel/", {"reason": "No quorum"}, format="json", HTTP_IF_MATCH=moved["ETag"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Meeting.objects.get(pk=created.json()["id"]).changes.count() == 2


def test_attendance_decisions_and_action_items(forum_world):
    w = forum_world
    sec = client_for(w["secretariat"])
    meeting = MeetingFactory(forum=w["forum"], status=Meeting.Status.PLANNED, minutes="Draft minutes")
    url = f"/api/v1/meetings/{meeting.pk}/"
    tag = sec.get(url)["ETag"]
    assert client_for(None).get(url).json()["minutes"] == ""  # unpublished minutes are the secretariat's
    assert sec.get(url).json()["minutes"] == "Draft minutes"
    bad = sec.post(url + "record/", {"attendance": [{"membership": w["member"].pk, "status": "represented"}]}, format="json", HTTP_IF_MATCH=tag)
    assert bad.status_code == 400
    recorded = sec.post(
        url + "record/",
        {"attendance": [{"membership": w["chair"].pk, "status": "present"}, {"membership": w["member"].pk, "status": "absent"}]},
        format="json", HTTP_IF_MATCH=tag,
    )
    assert recorded.status_code == 200 and recorded.json()["status"] == "held"
    assert Attendance.objects.filter(meeting=meeting).count() == 2

    decision = sec.post("/api/v1/meeting-decisions/", {"meeting": meeting.pk, "text": "Adopt the plan", "commitment": w["own"].pk}, format="json")
    assert decision.status_code == 201, decision.content
    other_member = sec.post("/api/v1/meeting-decisions/", {"meeting": meeting.pk, "text": "x", "commitment": w["local"].pk}, format="json")
    assert other_member.status_code == 400 and list(other_member.json()) == ["commitment"]
    item = sec.post("/api/v1/action-items/", {"meeting": meeting.pk, "title": "Publish the budget", "owner": "MoF", "due_on": "2019-06-01"}, format="json")
    assert item.status_code == 201
    # Not public until the minutes are.
    assert client_for(None).get("/api/v1/action-items/").json()["results"] == []
    assert client_for(w["bsk_secretariat"]).post(f"/api/v1/action-items/{item.json()['id']}/status/", {"status": "done"}, format="json").status_code == 404
    done = sec.post(f"/api/v1/action-items/{item.json()['id']}/status/", {"status": "done"}, format="json")
    assert done.status_code == 200 and ActionItem.objects.get().closed_on is not None
    assert client_for(w["users"]["civil_society"]).post(
        "/api/v1/action-items/", {"meeting": meeting.pk, "title": "x", "owner": "y"}, format="json"
    ).status_code == 403


def test_reviews_and_responses(world):
    civil = client_for(world["users"]["civil_society"])
    body = {"update": world["published"].pk, "stance": "dispute", "comment": "The portal is not live.", "evidence_links": ["https://data.gov.kg/"]}
    created = civil.post("/api/v1/reviews/", body, format="json")
    assert created.status_code == 201, created.content
    assert civil.post("/api/v1/reviews/", {**body, "stance": "partly"}, format="json").status_code == 200
    assert civil.post("/api/v1/reviews/", {**body, "update": world["draft"].pk}, format="json").json() == {"update": ["No such object."]}
    assert civil.post("/api/v1/reviews/", {**body, "evidence_links": ["ftp://x"]}, format="json").status_code == 400
    assert client_for(None).post("/api/v1/reviews/", body, format="json").status_code == 401
    url = f"/api/v1/reviews/{created.json()['id']}/respond/"
    assert civil.post(url, {"response": "No."}, format="json").status_code == 403
    assert client_for(world["users"]["other_coordinator"]).post(url, {"response": "No."}, format="json").status_code == 403
    answered = client_for(world["users"]["coordinator"]).post(url, {"response": "It went live in May."}, format="json")
    assert answered.status_code == 200 and answered.json()["response"] == "It went live in May."
    hide_url = f"/api/v1/reviews/{created.json()['id']}/hide/"
    assert civil.post(hide_url, {"reason": "x"}, format="json").status_code == 403
    hidden = client_for(world["users"]["admin"]).post(hide_url, {"reason": "Personal data"}, format="json")
    assert hidden.json()["hidden"] is True and hidden.json()["comment"] == ""
    assert Review.objects.get().hidden_reason == "Personal data"


def test_an_administrator_resolves_their_finding(world):
    finding = Finding.objects.create(
        member=world["kg"], kind=Finding.Kind.CONTRARY_TO_PROCESS if hasattr(Finding.Kind, "CONTRARY_TO_PROCESS") else "missed_forum_meeting",
        period="2022", effective_on=dt.date(2022, 7, 1), source=Finding.Source.ADMINISTRATOR,
    )
    url = f"/api/v1/findings/{finding.pk}/resolve/"
    body = {"resolved_on": "2022-09-01", "reason": "The plan was submitted."}
    assert client_for(world["users"]["point_of_contact"]).post(url, body, format="json").status_code == 403
    early = client_for(world["users"]["admin"]).post(url, {**body, "resolved_on": "2022-01-01"}, format="json")
    assert early.status_code == 400
    resolved = client_for(world["users"]["admin"]).post(url, body, format="json")
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["resolved_on"] == "2022-09-01"
