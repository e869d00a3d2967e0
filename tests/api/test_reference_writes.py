"""Writes of members, agencies, plans, activities, forums, seats, deadlines and OGP decisions (h11).

Each goes through one service in its app's services.py, which the admin calls too; every change
needs If-Match (428 without, 412 when stale, nothing lost); bad input is a 400 per field.
"""

import datetime as dt

import pytest
from django.contrib import admin as django_admin
from django.utils import timezone

from commitments import services as commitment_services
from commitments.models import ActionPlan, Activity, Agency, Member
from compliance.models import Deadline, Decision
from forums.models import ForumMembership, Meeting
from ogp_portal.api import etag
from ogp_portal.versioning import StaleVersion
from tests.api.conftest import client_for
from tests.factories import ActivityFactory, AdminDeadlineFactory, DecisionFactory, ForumFactory, ForumMembershipFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return client_for(world["users"]["admin"])


def test_a_point_of_contact_creates_a_plan_and_history_keeps_who(world):
    poc = world["users"]["point_of_contact"]
    c = client_for(poc)
    body = {
        "member": world["kg"].pk, "title": "Fifth National Action Plan 2026-2028", "submitted_on": "2026-01-15",
        "start_date": "2026-01-01", "end_date": "2028-12-31", "lead_institutions": [world["own"].lead_agency_id],
    }
    response = c.post("/api/v1/plans/", body, format="json")
    assert response.status_code == 201, response.content
    plan = ActionPlan.objects.get(pk=response.json()["id"])
    assert response["ETag"] == etag(plan)
    assert list(plan.lead_institutions.all()) == [world["own"].lead_agency]
    assert plan.history.latest().history_user == poc


def test_a_plan_cannot_name_another_members_agency_as_lead(world):
    c = client_for(world["users"]["point_of_contact"])
    body = {"member": world["kg"].pk, "title": "Plan", "submitted_on": "2026-01-15",
            "lead_institutions": [world["local"].lead_agency_id]}
    response = c.post("/api/v1/plans/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"lead_institutions"}


@pytest.mark.parametrize("resource, factory, body", [
    ("members", lambda w: w["kg"], {"joined_on": "2013-08-27"}),
    ("agencies", lambda w: w["own"].lead_agency, {"acronym": "MF"}),
    ("plans", lambda w: w["own"].plan, {"approval_act": "Decree No. 7"}),
    ("activities", lambda w: ActivityFactory(commitment=w["own"]), {"title": "Consult"}),
    ("forums", lambda w: ForumFactory(member=w["kg"]), {"description": "Meets quarterly"}),
    ("forum-memberships", lambda w: ForumMembershipFactory(forum=ForumFactory(member=w["kg"])), {"position": "Chair"}),
    ("deadlines", lambda w: AdminDeadlineFactory(member=w["kg"], reason="Letter"), {"reference": "Letter of 3 March"}),
    ("decisions", lambda w: DecisionFactory(member=w["kg"], summary="Not met."), {"document": "IRM report 2022"}),
])
def test_each_write_needs_if_match_and_a_stale_one_loses_nothing(world, admin, resource, factory, body):
    obj = factory(world)
    url = f"/api/v1/{resource}/{obj.pk}/"
    assert admin.patch(url, body, format="json").status_code == 428
    tag = admin.get(url)["ETag"]
    first = admin.patch(url, body, format="json", HTTP_IF_MATCH=tag)
    assert first.status_code == 200, first.content
    assert first["ETag"] != tag
    (field, value), = body.items()
    stale = admin.patch(url, {field: "Someone else's"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert admin.get(url).json()[field] == value
    assert admin.patch(url, {"colour": "red"}, format="json", HTTP_IF_MATCH=first["ETag"]).status_code == 400


def test_the_same_version_written_twice_by_the_service_fails_the_second_time(world):
    admin_user = world["users"]["admin"]
    agency = world["own"].lead_agency
    from ogp_portal.versioning import current_version

    read = current_version(agency)
    commitment_services.update_agency(agency, by=admin_user, data={"acronym": "MF"}, version=read)
    with pytest.raises(StaleVersion):
        commitment_services.update_agency(agency, by=admin_user, data={"acronym": "MinFin"}, version=read)
    assert Agency.objects.get(pk=agency.pk).acronym == "MF"


def test_validation_errors_are_per_field_and_translated(world, admin):
    response = admin.post(
        "/api/v1/members/", {"code": "KG", "name": "Duplicate", "country": "Kyrgyzstan", "joined_on": "1066-10-14"},
        format="json", HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    errors = response.json()
    assert "joined_on" in errors and "code" in errors
    # DRF's own message, in Russian.
    assert any("уже существует" in message for message in errors["code"]), errors


def test_an_activity_with_milestones_is_not_deleted(world):
    from tests.factories import MilestoneFactory

    activity = ActivityFactory(commitment=world["own"])
    MilestoneFactory(commitment=world["own"], activity=activity)
    c = client_for(world["users"]["coordinator"])
    url = f"/api/v1/activities/{activity.pk}/"
    assert c.delete(url).status_code == 428
    assert c.delete(url, HTTP_IF_MATCH=etag(activity)).status_code == 400
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_ending_a_seat_keeps_it_on_record(world):
    forum = ForumFactory(member=world["kg"])
    seat = ForumMembershipFactory(forum=forum)
    response = client_for(world["users"]["admin"]).delete(f"/api/v1/forum-memberships/{seat.pk}/", HTTP_IF_MATCH=etag(seat))
    assert response.status_code == 200
    assert response.json()["term_end"] == timezone.localdate().isoformat()
    assert ForumMembership.objects.filter(pk=seat.pk).exists()


def test_an_administrators_deadline_takes_the_computed_one_over_and_recomputes(world, admin):
    kg = world["kg"]
    Deadline.objects.create(member=kg, kind="action_plan", cycle="2027-2029", due_on=dt.date(2027, 12, 31))
    body = {"member": kg.pk, "kind": "action_plan", "cycle": "2027-2029", "due_on": "2028-02-28", "reason": "OGP's letter"}
    response = admin.post("/api/v1/deadlines/", body, format="json")
    assert response.status_code == 201, response.content
    row = Deadline.objects.get(member=kg, kind="action_plan", cycle="2027-2029")
    assert (row.source, row.due_on) == ("administrator", dt.date(2028, 2, 28))
    refused = admin.post("/api/v1/deadlines/", {**body, "kind": "forum_meeting"}, format="json")
    assert refused.status_code == 400 and "kind" in refused.json()


def test_an_ogp_decision_is_recorded_with_who_and_the_member_is_recomputed(world, admin):
    kg = world["kg"]
    body = {"member": kg.pk, "kind": "irm_no_progress", "decided_on": "2023-05-01", "document": "IRM Results Report",
            "summary": "No commitment made progress."}
    response = admin.post("/api/v1/decisions/", body, format="json")
    assert response.status_code == 201, response.content
    decision = Decision.objects.get(pk=response.json()["id"])
    assert decision.recorded_by == world["users"]["admin"]
    assert decision.history.latest().history_user == world["users"]["admin"]
    kg.refresh_from_db()
    assert hasattr(kg, "standing")  # the sweep ran for the member
    missing = admin.post("/api/v1/decisions/", {**body, "decided_on": "2023-06-01", "summary": ""}, format="json")
    assert missing.status_code == 400 and "summary" in missing.json()


def test_status_events_stay_read_only(world, admin):
    response = admin.post("/api/v1/status-events/", {"member": world["kg"].pk, "status": "inactive"}, format="json")
    assert response.status_code == 405
    assert "sweep" in response.json()["detail"]


# --- Meetings: a version column, claimed by the services -----------------------------------


def test_a_stale_if_match_on_a_meeting_gets_412_and_loses_nothing(world):
    forum = ForumFactory(member=world["kg"])
    meeting = MeetingFactory(forum=forum, status=Meeting.Status.PLANNED, starts_at=timezone.now() + dt.timedelta(days=3))
    c = client_for(world["users"]["admin"])
    url = f"/api/v1/meetings/{meeting.pk}/"
    tag = c.get(url)["ETag"]
    assert tag == f'"{meeting.version}"'
    later = (timezone.now() + dt.timedelta(days=10)).replace(microsecond=0)
    moved = c.post(f"{url}reschedule/", {"starts_at": later.isoformat(), "reason": "Holiday"}, format="json", HTTP_IF_MATCH=tag)
    assert moved.status_code == 200, moved.content
    assert moved["ETag"] != tag
    stale = c.post(f"{url}cancel/", {"reason": "No quorum"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and meeting.starts_at == later
    assert meeting.version == 2


def test_two_updates_based_on_the_same_meeting_version_cannot_both_win(world):
    from forums import services as forum_services

    forum = ForumFactory(member=world["kg"])
    meeting = MeetingFactory(forum=forum, status=Meeting.Status.PLANNED, starts_at=timezone.now() + dt.timedelta(days=3))
    admin_user, now = world["users"]["admin"], timezone.now()
    forum_services.cancel_meeting(meeting, reason="No quorum", by=admin_user, now=now, version=1)
    with pytest.raises(StaleVersion):
        forum_services.reschedule_meeting(
            meeting, starts_at=now + dt.timedelta(days=9), reason="Holiday", by=admin_user, now=now, version=1
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


# --- The admin writes through the same services ----------------------------------------------


def test_the_admin_saves_through_the_services(world, rf, monkeypatch):
    calls = []
    for model, name in ((Member, "update_service"), (Agency, "update_service"), (ActionPlan, "update_service")):
        model_admin = django_admin.site._registry[model]
        real = getattr(type(model_admin), name)
        monkeypatch.setattr(type(model_admin), name, lambda *a, _real=real, **kw: calls.append(_real) or _real(*a, **kw))
    request = rf.post("/")
    request.user = world["users"]["admin"]
    for model, obj in ((Member, world["kg"]), (Agency, world["own"].lead_agency), (ActionPlan, world["own"].plan)):
        model_admin = django_admin.site._registry[model]
        form = model_admin.get_form(request, obj, change=True)(instance=obj)
        form.changed_data  # noqa: B018  (unbound: nothing changed)
        model_admin.save_model(request, obj, form, True)
    assert calls == [commitment_services.update_member, commitment_services.update_agency, commitment_services.update_plan]


def test_the_admin_classes_name_the_services_the_api_uses():
    from commitments import api as commitments_api
    from compliance import api as compliance_api
    from forums import api as forums_api
    from forums.models import Forum

    pairs = [
        (Member, commitments_api.MemberViewSet), (Agency, commitments_api.AgencyViewSet),
        (ActionPlan, commitments_api.ActionPlanViewSet), (Activity, commitments_api.ActivityViewSet),
        (Forum, forums_api.ForumViewSet), (ForumMembership, forums_api.ForumMembershipViewSet),
        (Deadline, compliance_api.DeadlineViewSet), (Decision, compliance_api.DecisionViewSet),
    ]
    for model, viewset in pairs:
        model_admin = type(django_admin.site._registry[model])
        assert model_admin.create_service is viewset.create_service, model
        assert model_admin.update_service is viewset.update_service, model


def test_a_member_created_in_russian_has_its_name_in_every_language_it_falls_back_to(world, admin):
    body = {"code": "KGOSH", "name": "Ош", "country": "Кыргызстан", "kind": "local", "parent": world["kg"].pk}
    response = admin.post("/api/v1/members/", body, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 201, response.content
    member = Member.objects.get(code="KGOSH")
    assert (member.name_ru, member.name_en) == ("Ош", "Ош")  # English, empty, falls back to what was written


def test_the_admin_deletes_through_the_services_and_never_offers_a_delete_they_refuse(world, client):
    from tests.factories import MilestoneFactory

    admin_user = world["users"]["admin"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    busy = ActivityFactory(commitment=world["own"])
    MilestoneFactory(commitment=world["own"], activity=busy)
    empty = ActivityFactory(commitment=world["own"])
    seat = ForumMembershipFactory(forum=ForumFactory(member=world["kg"]))

    # An activity with milestones, and any seat, have no delete page (a seat is ended by its term end).
    assert client.get(f"/admin/commitments/activity/{busy.pk}/delete/").status_code == 403
    assert client.get(f"/admin/forums/forummembership/{seat.pk}/delete/").status_code == 403
    # The bulk action refuses a batch holding a row the service would refuse (nothing deleted) ...
    both = {"action": "delete_selected", "_selected_action": [busy.pk, empty.pk], "post": "yes"}
    assert client.post("/admin/commitments/activity/", both).status_code == 403
    assert Activity.objects.filter(pk__in=[busy.pk, empty.pk]).count() == 2
    # ... and deletes the others through the service, which keeps who did it.
    one = {"action": "delete_selected", "_selected_action": [empty.pk], "post": "yes"}
    assert client.post("/admin/commitments/activity/", one).status_code == 302
    assert not Activity.objects.filter(pk=empty.pk).exists()
    assert Activity.history.filter(id=empty.pk, history_type="-").get().history_user == admin_user
    assert ForumMembership.objects.filter(pk=seat.pk).exists()
