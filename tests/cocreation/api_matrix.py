"""The co-creation rows of the API's permission matrix (tests/api/test_permission_matrix.py calls ``do``)."""

import datetime as dt

from django.utils import timezone

from cocreation import services
from ogp_portal.api import etag

# Column order: the matrix's ROLES (admin poc coord oth-c om-c om-p sec civil anon ro).
A, N = 401, 403
WRITES = {
    "proposal POST":                  (201, 201, 201,  201,  201, 201,  201, 201,  A,   N),
    "proposal moderate":              (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "proposal respond":               (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "proposal support":               (200, 200, 200,  200,  200, 200,  200, 200,  A,   N),
    "draft commitment POST":          (201, 403, 403,  403,  403, 403,  201, 403,  A,   N),
    "draft commitment PATCH":         (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
    "draft commitment open":          (200, 404, 404,  404,  404, 404,  200, 404,  A,   N),
    "co-creation comment POST":       (201, 201, 201,  201,  201, 201,  201, 201,  A,   N),
    "co-creation process POST":       (201, 201, 403,  403,  403, 403,  201, 403,  A,   N),
    "co-creation process advance":    (200, 403, 403,  403,  403, 403,  200, 403,  A,   N),
}
COVERED_BY = {
    ("POST", "proposals", ""): "proposal POST", ("POST", "proposals", "moderate"): "proposal moderate",
    ("POST", "proposals", "respond"): "proposal respond", ("POST", "proposals", "support"): "proposal support",
    ("POST", "draft-commitments", ""): "draft commitment POST", ("PATCH", "draft-commitments", ""): "draft commitment PATCH",
    ("POST", "draft-commitments", "open-for-comment"): "draft commitment open",
    ("POST", "cocreation-comments", ""): "co-creation comment POST",
    ("POST", "cocreation-processes", ""): "co-creation process POST",
    ("POST", "cocreation-processes", "advance"): "co-creation process advance",
}


def do(m, c, name):
    member = m["own"].plan.member
    secretariat = m["roles"]["secretariat"]
    now = timezone.now()
    if name == "co-creation process POST":
        return c.post("/api/v1/cocreation-processes/", {"member": member.code, "deadline": str(now.date() + dt.timedelta(days=200))},
                      format="json")
    process = services.open_process(member, by=None, system=True, now=now, deadline=now.date() + dt.timedelta(days=200))
    proposal = services.submit_proposal(process, by=m["roles"]["civil"], now=now, data={
        "title": "Open contracts", "problem": "p", "proposed_commitment": "c", "sector": "citizen"})
    if name == "proposal POST":
        return c.post("/api/v1/proposals/", {"process": process.pk, "title": "T", "problem": "p", "proposed_commitment": "c",
                                             "sector": "business"}, format="json")
    if name == "proposal moderate":
        return c.post(f"/api/v1/proposals/{proposal.pk}/moderate/", {"hide": True, "reason": "Off topic"}, format="json",
                      HTTP_IF_MATCH=etag(proposal))
    if name == "proposal respond":
        return c.post(f"/api/v1/proposals/{proposal.pk}/respond/", {"response": "Thanks", "outcome": "rejected"}, format="json",
                      HTTP_IF_MATCH=etag(proposal))
    if name == "proposal support":
        return c.post(f"/api/v1/proposals/{proposal.pk}/support/", {}, format="json")
    if name == "co-creation process advance":
        return c.post(f"/api/v1/cocreation-processes/{process.pk}/advance/", {"stage": "drafts"}, format="json",
                      HTTP_IF_MATCH=etag(process))
    if name == "co-creation comment POST":
        return c.post("/api/v1/cocreation-comments/", {"proposal": proposal.pk, "text": "Yes"}, format="json")
    if name == "draft commitment POST":
        return c.post("/api/v1/draft-commitments/", {"process": process.pk, "title": "T"}, format="json")
    draft = services.create_draft(process, by=secretariat, data={"title": "Open contracting"}, now=now)
    if name == "draft commitment open":
        return c.post(f"/api/v1/draft-commitments/{draft.pk}/open-for-comment/", {}, format="json", HTTP_IF_MATCH=etag(draft))
    draft = services.open_for_comment(draft, by=secretariat, now=now)
    return c.patch(f"/api/v1/draft-commitments/{draft.pk}/", {"description": "d"}, format="json", HTTP_IF_MATCH=etag(draft))
