"""The API's permission matrix, declared as tables: every role × every endpoint × every method.

The objects acted on belong to the Kyrgyz Republic (KG) and, unless a row says otherwise, to
commitment KG0001, led by the Ministry of Finance (the "coordinator"'s agency). Each role is
relative to them. ``read_only`` is the coordinator with a token scoped to reading.

Two tables: ``WRITES`` (status code of each write, per role) and ``PRIVATE_ROWS`` (which rows
that are not public each role finds in the lists). Reads of public lists are 200 for everyone.
"""

import datetime as dt

import pytest
from django.utils import timezone

from commitments.models import Evidence, ProgressUpdate, Role, StatusReport
from compliance.models import Finding, StatusEvent
from engagement.models import Review
from forums.models import ActionItem, Meeting, MeetingDecision
from ogp_portal.api import etag
from tests.api.conftest import client_for
from tests.cocreation import api_matrix as cocreation_matrix
from tests.factories import (
    ActivityFactory,
    AdminDeadlineFactory,
    DecisionFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "admin", "poc", "coordinator", "other_coordinator", "other_member_coordinator", "other_member_poc",
    "secretariat", "civil", "anonymous", "read_only",
)
A, N = 401, 403  # anonymous; refused (read-only token, or no right)

# Each write × role → status code. Column order: ROLES.
WRITES = {
    #                                 admin poc  coord oth-c om-c om-p  sec civil anon ro
    "commitment PATCH own":           (200, 403, 200,  403,  403, 403,  403, 403,  A,   N),
    "commitment PATCH other agency":  (200, 403, 403,  200,  403, 403,  403, 403,  A,   N),
    "commitment PATCH other member":  (200, 403, 403,  403,  200, 403,  403, 403,  A,   N),
    "commitment POST":                (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "commitment DELETE":              (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "milestone PATCH own":            (200, 403, 200,  403,  403, 403,  403, 403,  A,   N),
    "milestone PATCH other member":   (200, 403, 403,  403,  200, 403,  403, 403,  A,   N),
    "progress POST draft":            (201, 201, 201,  403,  403, 403,  403, 403,  A,   N),
    "progress PATCH draft":           (200, 200, 200,  404,  404, 404,  404, 404,  A,   N),
    "progress PATCH published":       (400, 400, 400,  403,  403, 403,  403, 403,  A,   N),
    "progress submit":                (200, 200, 200,  404,  404, 404,  404, 404,  A,   N),
    "progress approve":               (200, 200, 403,  404,  404, 404,  404, 404,  A,   N),
    "progress return":                (200, 200, 403,  404,  404, 404,  404, 404,  A,   N),
    "progress DELETE":                (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "evidence POST link":             (201, 201, 201,  404,  404, 404,  404, 404,  A,   N),
    "evidence DELETE":                (204, 204, 204,  404,  404, 404,  404, 404,  A,   N),
    "status report POST":             (201, 201, 403,  403,  403, 403,  403, 403,  A,   N),
    "status report publish":          (200, 200, 404,  404,  404, 404,  404, 404,  A,   N),
    "meeting POST":                   (201, 403, 403,  403,  403, 403,  201, 403,  A,   N),
    "meeting reschedule":             (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "meeting cancel":                 (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "meeting record":                 (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "meeting DELETE":                 (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "decision POST":                  (201, 403, 403,  403,  403, 403,  201, 403,  A,   N),
    "action item POST":               (201, 403, 403,  403,  403, 403,  201, 403,  A,   N),
    "action item status":             (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "review POST":                    (201, 201, 201,  201,  201, 201,  201, 201,  A,   N),
    "review respond":                 (200, 200, 200,  403,  403, 403,  403, 403,  A,   N),
    "review hide":                    (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "finding resolve":                (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    # Reference data (h11): members and agencies, deadlines and OGP decisions are OGP staff's;
    # plans the member's point of contact's; activities also the lead agency's coordinators';
    # forums and their seats the member's forum secretariat's.
    #                                 admin poc  coord oth-c om-c om-p  sec civil anon ro
    "member POST":                    (201, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "member PATCH":                   (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "member DELETE":                  (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "agency POST":                    (201, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "agency PATCH own":               (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "agency PATCH other member":      (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "agency DELETE":                  (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "plan POST":                      (201, 201, 403,  403,  403, 403,  403, 403,  A,   N),
    "plan POST other member":         (201, 403, 403,  403,  403, 201,  403, 403,  A,   N),
    "plan PATCH own":                 (200, 200, 403,  403,  403, 403,  403, 403,  A,   N),
    "plan PATCH other member":        (200, 403, 403,  403,  403, 200,  403, 403,  A,   N),
    "plan DELETE":                    (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "activity POST own":              (201, 201, 201,  403,  403, 403,  403, 403,  A,   N),
    "activity POST other member":     (201, 403, 403,  403,  201, 201,  403, 403,  A,   N),
    "activity PATCH own":             (200, 200, 200,  403,  403, 403,  403, 403,  A,   N),
    "activity PATCH other agency":    (200, 200, 403,  200,  403, 403,  403, 403,  A,   N),
    "activity PATCH other member":    (200, 403, 403,  403,  200, 200,  403, 403,  A,   N),
    "activity DELETE own":            (204, 204, 204,  403,  403, 403,  403, 403,  A,   N),
    "activity DELETE with milestones": (400, 400, 400, 403,  403, 403,  403, 403,  A,   N),
    "forum POST":                     (201, 403, 403,  403,  403, 403,  201, 403,  A,   N),
    "forum POST other member":        (201, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "forum PATCH own":                (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "forum PATCH other member":       (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "forum DELETE":                   (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "membership POST":                (201, 403, 403,  403,  403, 403,  201, 403,  A,   N),
    "membership POST other member":   (201, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "membership PATCH":               (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "membership PATCH other member":  (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "membership DELETE (ends term)":  (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "deadline POST":                  (201, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "deadline PATCH":                 (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "deadline DELETE":                (204, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "OGP decision POST":              (201, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "OGP decision PATCH":             (200, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "OGP decision DELETE":            (204, 403, 403,  403,  403, 403,  403, 403,  A,   N),
    "status event POST":              (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    "status event PATCH":             (405, 405, 405,  405,  405, 405,  405, 405,  A,   N),
    **cocreation_matrix.WRITES,
}

# Rows that are not public, and the roles that find them in the lists (everyone else: never).
PRIVATE_ROWS = {
    "progress-updates": {
        "draft_own": {"admin", "poc", "coordinator", "read_only"},
        "draft_other": {"admin", "poc", "other_coordinator"},
        "draft_local": {"admin", "other_member_poc", "other_member_coordinator"},
    },
    "evidence": {
        "evidence_own": {"admin", "poc", "coordinator", "read_only"},
        "evidence_local": {"admin", "other_member_poc", "other_member_coordinator"},
    },
    "status-reports": {
        "report_kg": {"admin", "poc"},
        "report_local": {"admin", "other_member_poc"},
    },
    "meeting-decisions": {"decision_kg": {"admin", "secretariat"}, "decision_local": {"admin"}},
    "action-items": {"item_kg": {"admin", "secretariat"}, "item_local": {"admin"}},
}

PUBLIC_LISTS = [
    "members", "agencies", "plans", "commitments", "activities", "milestones", "progress-updates", "evidence",
    "status-reports", "reviews", "forums", "forum-memberships", "meetings", "attendance", "meeting-decisions",
    "action-items", "deadlines", "findings", "status-events", "decisions",
]


@pytest.fixture
def m(world):
    """The world of ``tests/api/conftest.py`` plus the other roles, a forum each, and rows that are not public."""
    kg, bishkek = world["kg"], world["bishkek"]
    users = world["users"]
    roles = {
        "admin": users["admin"],
        "poc": users["point_of_contact"],
        "coordinator": users["coordinator"],
        "other_coordinator": users["other_coordinator"],
        "other_member_coordinator": RoleFactory(
            user__username="coord-bsk", member=bishkek, kind=Role.Kind.COORDINATOR, agency=world["local"].lead_agency
        ).user,
        "other_member_poc": users["other_member_poc"],
        "secretariat": RoleFactory(user__username="sec-kg", member=kg, kind=Role.Kind.SECRETARIAT).user,
        "civil": users["civil_society"],
        "anonymous": None,
        "read_only": users["coordinator"],
    }
    forum = ForumFactory(member=kg)
    bsk_forum = ForumFactory(member=bishkek, name="Open Bishkek Committee")
    unpublished = MeetingFactory(forum=forum, minutes="Draft", minutes_published_at=None)
    bsk_unpublished = MeetingFactory(forum=bsk_forum, minutes="Draft", minutes_published_at=None)
    private = {
        "draft_own": world["draft"],
        "draft_other": ProgressUpdateFactory(milestone=world["other_milestone"], state="draft", published_at=None,
                                             period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31)),
        "draft_local": ProgressUpdateFactory(milestone=world["local_milestone"], state="submitted", published_at=None,
                                             period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31)),
        "report_kg": StatusReport.objects.create(member=kg, plan=world["own"].plan, period_label="2019-H1",
                                                 period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30)),
        "report_local": StatusReport.objects.create(member=bishkek, plan=world["local"].plan, period_label="2019-H1",
                                                    period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30)),
        "decision_kg": MeetingDecision.objects.create(meeting=unpublished, text="Adopt"),
        "decision_local": MeetingDecision.objects.create(meeting=bsk_unpublished, text="Adopt"),
        "item_kg": ActionItem.objects.create(meeting=unpublished, title="Publish", owner="MoF"),
        "item_local": ActionItem.objects.create(meeting=bsk_unpublished, title="Publish", owner="City Hall"),
    }
    private["evidence_own"] = Evidence.objects.create(update=private["draft_own"], kind="link", url="https://minfin.kg/")
    private["evidence_local"] = Evidence.objects.create(update=private["draft_local"], kind="link", url="https://bishkek.kg/")
    return {**world, "roles": roles, "forum": forum, "bsk_forum": bsk_forum, "unpublished": unpublished, "private": private}


def client(m, role):
    return client_for(m["roles"][role], scope="read" if role == "read_only" else "read_write")


def _future(days=30):
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


def _submitted(m):
    update = m["draft"]
    update.state = ProgressUpdate.State.SUBMITTED
    update.save()
    return update


def _planned(m):
    return MeetingFactory(forum=m["forum"], status=Meeting.Status.PLANNED, starts_at=timezone.now() - dt.timedelta(hours=1))


def _post(c, url, body=None, obj=None):
    headers = {"HTTP_IF_MATCH": etag(obj)} if obj is not None else {}
    return c.post(url, body or {}, format="json", **headers)


def _patch(c, url, body, obj):
    return c.patch(url, body, format="json", HTTP_IF_MATCH=etag(obj))


def do(m, c, name):
    """Perform the write called ``name`` with client ``c``; return the response."""
    own, draft, published = m["own"], m["draft"], m["published"]
    if name in cocreation_matrix.WRITES:
        return cocreation_matrix.do(m, c, name)
    if name.startswith("commitment PATCH"):
        target = {"own": m["own"], "other agency": m["other"], "other member": m["local"]}[name.split("PATCH ")[1]]
        return _patch(c, f"/api/v1/commitments/{target.pk}/", {"contact_name": "Aibek"}, target)
    if name == "commitment POST":
        return c.post("/api/v1/commitments/", {"title": "x"}, format="json")
    if name == "commitment DELETE":
        return c.delete(f"/api/v1/commitments/{own.pk}/")
    if name.startswith("milestone PATCH"):
        target = m["own_milestone"] if name.endswith("own") else m["local_milestone"]
        return _patch(c, f"/api/v1/milestones/{target.pk}/", {"budget_text": "Republican budget"}, target)
    if name == "progress POST draft":
        body = {"milestone": m["own_milestone"].pk, "period": "2020-H1", "completion": "limited"}
        return c.post("/api/v1/progress-updates/", body, format="json")
    if name == "progress PATCH draft":
        return _patch(c, f"/api/v1/progress-updates/{draft.pk}/", {"narrative": "More"}, draft)
    if name == "progress PATCH published":
        return _patch(c, f"/api/v1/progress-updates/{published.pk}/", {"narrative": "More"}, published)
    if name == "progress submit":
        return _post(c, f"/api/v1/progress-updates/{draft.pk}/submit/", obj=draft)
    if name == "progress approve":
        update = _submitted(m)
        return _post(c, f"/api/v1/progress-updates/{update.pk}/approve/", obj=update)
    if name == "progress return":
        update = _submitted(m)
        return _post(c, f"/api/v1/progress-updates/{update.pk}/return/", {"comment": "Add the decree"}, obj=update)
    if name == "progress DELETE":
        return c.delete(f"/api/v1/progress-updates/{published.pk}/")
    if name == "evidence POST link":
        return c.post(f"/api/v1/progress-updates/{draft.pk}/evidence/", {"url": "https://minfin.kg/a.pdf"}, format="json")
    if name == "evidence DELETE":
        return c.delete(f"/api/v1/evidence/{m['private']['evidence_own'].pk}/")
    if name == "status report POST":
        return c.post("/api/v1/status-reports/", {"plan": own.plan_id, "period": "2019-H2"}, format="json")
    if name == "status report publish":
        ProgressUpdateFactory(milestone=m["other_milestone"])  # every commitment has its approved update for 2019-H1
        report = m["private"]["report_kg"]
        from commitments.models import StatusReportLine

        StatusReportLine.objects.bulk_create([StatusReportLine(report=report, commitment=x) for x in (m["own"], m["other"])])
        return _post(c, f"/api/v1/status-reports/{report.pk}/publish/", obj=report)
    if name == "meeting POST":
        return c.post("/api/v1/meetings/", {"forum": m["forum"].pk, "starts_at": _future()}, format="json")
    if name == "meeting reschedule":
        meeting = _planned(m)
        return _post(c, f"/api/v1/meetings/{meeting.pk}/reschedule/", {"starts_at": _future(), "reason": "Holiday"}, obj=meeting)
    if name == "meeting cancel":
        meeting = _planned(m)
        return _post(c, f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "No quorum"}, obj=meeting)
    if name == "meeting record":
        meeting = _planned(m)
        membership = ForumMembershipFactory(forum=m["forum"])
        body = {"attendance": [{"membership": membership.pk, "status": "present"}]}
        return _post(c, f"/api/v1/meetings/{meeting.pk}/record/", body, obj=meeting)
    if name == "meeting DELETE":
        return c.delete(f"/api/v1/meetings/{m['unpublished'].pk}/")
    if name == "decision POST":
        return c.post("/api/v1/meeting-decisions/", {"meeting": m["unpublished"].pk, "text": "Adopt"}, format="json")
    if name == "action item POST":
        body = {"meeting": m["unpublished"].pk, "title": "Publish", "owner": "MoF"}
        return c.post("/api/v1/action-items/", body, format="json")
    if name == "action item status":
        m["unpublished"].minutes_published_at = timezone.now()  # a public item: every role sees it
        m["unpublished"].save()
        return c.post(f"/api/v1/action-items/{m['private']['item_kg'].pk}/status/", {"status": "done"}, format="json")
    if name == "review POST":
        return c.post("/api/v1/reviews/", {"update": published.pk, "stance": "agree", "comment": "Seen it."}, format="json")
    if name in ("review respond", "review hide"):
        row = Review.objects.create(update=published, author=m["users"]["civil_society"], stance="dispute",
                                    comment="Not live", created_at=timezone.now())
        if name == "review respond":
            return c.post(f"/api/v1/reviews/{row.pk}/respond/", {"response": "Live since May"}, format="json")
        return c.post(f"/api/v1/reviews/{row.pk}/hide/", {"reason": "Abuse"}, format="json")
    if name == "finding resolve":
        finding = Finding.objects.create(member=m["kg"], kind="missed_forum_meeting", period="2022",
                                         effective_on=dt.date(2022, 7, 1), source=Finding.Source.ADMINISTRATOR)
        return c.post(f"/api/v1/findings/{finding.pk}/resolve/", {"resolved_on": "2022-09-01", "reason": "Met"}, format="json")
    reference = _reference_write(m, c, name)
    if reference is not None:
        return reference
    raise AssertionError(name)


def _reference_write(m, c, name):
    """The writes of members, agencies, plans, activities, forums, seats, deadlines and OGP decisions (h11)."""
    kg, bishkek, own, local = m["kg"], m["bishkek"], m["own"], m["local"]
    bsk_forum = m["bsk_forum"]
    if name == "member POST":
        return c.post("/api/v1/members/", {"code": "KGOSH", "name": "Osh", "kind": "local", "country": "Kyrgyzstan",
                                           "parent": kg.pk}, format="json")
    if name == "member PATCH":
        return _patch(c, f"/api/v1/members/{kg.pk}/", {"joined_on": "2022-03-01"}, kg)
    if name == "member DELETE":
        return c.delete(f"/api/v1/members/{bishkek.pk}/", HTTP_IF_MATCH=etag(bishkek))
    if name == "agency POST":
        return c.post("/api/v1/agencies/", {"member": kg.pk, "name": "Ministry of Justice", "acronym": "MoJ"}, format="json")
    if name.startswith("agency PATCH"):
        agency = own.lead_agency if name.endswith("own") else local.lead_agency
        return _patch(c, f"/api/v1/agencies/{agency.pk}/", {"acronym": "MF"}, agency)
    if name == "agency DELETE":
        return c.delete(f"/api/v1/agencies/{own.lead_agency_id}/", HTTP_IF_MATCH=etag(own.lead_agency))
    if name.startswith("plan POST"):
        member = bishkek if name.endswith("other member") else kg
        body = {"member": member.pk, "title": "Action plan 2026-2028", "submitted_on": "2026-01-15",
                "start_date": "2026-01-01", "end_date": "2028-12-31", "themes": ["Budget"]}
        return c.post("/api/v1/plans/", body, format="json")
    if name.startswith("plan PATCH"):
        plan = own.plan if name.endswith("own") else local.plan
        return _patch(c, f"/api/v1/plans/{plan.pk}/", {"approval_act": "Decree No. 7"}, plan)
    if name == "plan DELETE":
        return c.delete(f"/api/v1/plans/{own.plan_id}/", HTTP_IF_MATCH=etag(own.plan))
    if name.startswith("activity POST"):
        commitment = local if name.endswith("other member") else own
        return c.post("/api/v1/activities/", {"commitment": commitment.pk, "number": 7, "title": "Publish"}, format="json")
    if name.startswith("activity PATCH"):
        commitment = {"own": own, "other agency": m["other"], "other member": local}[name.split("PATCH ")[1]]
        activity = ActivityFactory(commitment=commitment, number=8)
        return _patch(c, f"/api/v1/activities/{activity.pk}/", {"title": "Consult"}, activity)
    if name.startswith("activity DELETE"):
        activity = ActivityFactory(commitment=own, number=9)
        if name.endswith("with milestones"):
            MilestoneFactory(commitment=own, activity=activity, number="9.1")
        return c.delete(f"/api/v1/activities/{activity.pk}/", HTTP_IF_MATCH=etag(activity))
    if name.startswith("forum POST"):
        member = bishkek if name.endswith("other member") else kg
        return c.post("/api/v1/forums/", {"member": member.pk, "name": "Budget working group"}, format="json")
    if name.startswith("forum PATCH"):
        forum = bsk_forum if name.endswith("other member") else m["forum"]
        return _patch(c, f"/api/v1/forums/{forum.pk}/", {"description": "Meets in the Government House"}, forum)
    if name == "forum DELETE":
        return c.delete(f"/api/v1/forums/{m['forum'].pk}/", HTTP_IF_MATCH=etag(m["forum"]))
    if name.startswith("membership POST"):
        forum = bsk_forum if name.endswith("other member") else m["forum"]
        return c.post("/api/v1/forum-memberships/", {"forum": forum.pk, "person": "Aida Bekova", "sector": "civil_society"},
                      format="json")
    if name.startswith("membership PATCH"):
        seat = ForumMembershipFactory(forum=bsk_forum if name.endswith("other member") else m["forum"])
        return _patch(c, f"/api/v1/forum-memberships/{seat.pk}/", {"role": "co_chair"}, seat)
    if name == "membership DELETE (ends term)":
        seat = ForumMembershipFactory(forum=m["forum"])
        return c.delete(f"/api/v1/forum-memberships/{seat.pk}/", HTTP_IF_MATCH=etag(seat))
    if name == "deadline POST":
        body = {"member": kg.pk, "kind": "action_plan", "cycle": "2027-2029", "due_on": "2027-08-31",
                "reason": "OGP's letter of 3 March"}
        return c.post("/api/v1/deadlines/", body, format="json")
    if name in ("deadline PATCH", "deadline DELETE"):
        deadline = AdminDeadlineFactory(member=kg, reason="OGP's letter")
        if name == "deadline PATCH":
            return _patch(c, f"/api/v1/deadlines/{deadline.pk}/", {"due_on": "2022-01-31"}, deadline)
        return c.delete(f"/api/v1/deadlines/{deadline.pk}/", HTTP_IF_MATCH=etag(deadline))
    if name == "OGP decision POST":
        body = {"member": kg.pk, "kind": "irm_no_progress", "decided_on": "2023-05-01", "document": "IRM Results Report",
                "summary": "No commitment made progress."}
        return c.post("/api/v1/decisions/", body, format="json")
    if name in ("OGP decision PATCH", "OGP decision DELETE"):
        decision = DecisionFactory(member=kg, summary="Minimum requirements not met.")
        if name == "OGP decision PATCH":
            return _patch(c, f"/api/v1/decisions/{decision.pk}/", {"document": "IRM Action Plan Review 2022"}, decision)
        return c.delete(f"/api/v1/decisions/{decision.pk}/", HTTP_IF_MATCH=etag(decision))
    if name == "status event POST":
        return c.post("/api/v1/status-events/", {"member": kg.pk, "status": "inactive"}, format="json")
    if name == "status event PATCH":
        event = StatusEvent.objects.create(member=kg, status="contrary_to_process", effective_on=dt.date(2022, 1, 1))
        return c.patch(f"/api/v1/status-events/{event.pk}/", {"reason": "x"}, format="json", HTTP_IF_MATCH=etag(event))
    return None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_answers_as_the_table_says(m, write, role):
    expected = WRITES[write][ROLES.index(role)]
    response = do(m, client(m, role), write)
    assert response.status_code == expected, f"{write} by {role}: {response.status_code} {response.content[:300]}"


def test_the_table_covers_every_write_operation_of_the_schema(m):
    """Every POST, PATCH and DELETE the schema offers has at least one row above."""
    schema = client(m, "anonymous").get("/api/schema/?format=json").json()
    offered = {
        (method.upper(), path.split("/")[3], path.rstrip("/").split("/")[-1] if path.count("/") > 5 else "")
        for path, ops in schema["paths"].items() for method in ops if method in ("post", "patch", "delete", "put")
    }
    covered_by = {
        ("PATCH", "commitments", ""): "commitment PATCH own", ("PATCH", "milestones", ""): "milestone PATCH own",
        ("POST", "progress-updates", ""): "progress POST draft", ("PATCH", "progress-updates", ""): "progress PATCH draft",
        ("POST", "progress-updates", "submit"): "progress submit", ("POST", "progress-updates", "approve"): "progress approve",
        ("POST", "progress-updates", "return"): "progress return",
        ("POST", "progress-updates", "evidence"): "evidence POST link", ("DELETE", "evidence", ""): "evidence DELETE",
        ("POST", "status-reports", ""): "status report POST", ("POST", "status-reports", "publish"): "status report publish",
        ("POST", "meetings", ""): "meeting POST", ("POST", "meetings", "reschedule"): "meeting reschedule",
        ("POST", "meetings", "cancel"): "meeting cancel", ("POST", "meetings", "record"): "meeting record",
        ("POST", "meeting-decisions", ""): "decision POST", ("POST", "action-items", ""): "action item POST",
        ("POST", "action-items", "status"): "action item status", ("POST", "reviews", ""): "review POST",
        ("POST", "reviews", "respond"): "review respond", ("POST", "reviews", "hide"): "review hide",
        ("POST", "findings", "resolve"): "finding resolve",
        ("POST", "members", ""): "member POST", ("PATCH", "members", ""): "member PATCH",
        ("POST", "agencies", ""): "agency POST", ("PATCH", "agencies", ""): "agency PATCH own",
        ("POST", "plans", ""): "plan POST", ("PATCH", "plans", ""): "plan PATCH own",
        ("POST", "activities", ""): "activity POST own", ("PATCH", "activities", ""): "activity PATCH own",
        ("DELETE", "activities", ""): "activity DELETE own",
        ("POST", "forums", ""): "forum POST", ("PATCH", "forums", ""): "forum PATCH own",
        ("POST", "forum-memberships", ""): "membership POST", ("PATCH", "forum-memberships", ""): "membership PATCH",
        ("DELETE", "forum-memberships", ""): "membership DELETE (ends term)",
        ("POST", "deadlines", ""): "deadline POST", ("PATCH", "deadlines", ""): "deadline PATCH",
        ("DELETE", "deadlines", ""): "deadline DELETE",
        ("POST", "decisions", ""): "OGP decision POST", ("PATCH", "decisions", ""): "OGP decision PATCH",
        ("DELETE", "decisions", ""): "OGP decision DELETE",
        **cocreation_matrix.COVERED_BY,
    }
    assert offered == set(covered_by), offered ^ set(covered_by)
    assert set(covered_by.values()) <= set(WRITES)


@pytest.mark.parametrize("role", ROLES)
def test_lists_read_for_everyone_and_hold_no_private_row_of_another_member_or_agency(m, role):
    c = client(m, role)
    for resource in PUBLIC_LISTS:
        response = c.get(f"/api/v1/{resource}/?page_size=200")
        assert response.status_code == 200, resource
        listed = {row["id"] for row in response.json()["results"]}
        for key, allowed in PRIVATE_ROWS.get(resource, {}).items():
            assert (m["private"][key].pk in listed) == (role in allowed), f"{resource}: {key} for {role}"
