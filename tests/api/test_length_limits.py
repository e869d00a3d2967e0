"""The same length limits on every write path, from the model fields (issue 17.5).

Before, six paths took any length: the progress narrative in the HTML form, commitment and
milestone texts (API, admin, import), minutes, decisions, review comments; a commitment text
over 128 KB made the plan's own CSV impossible to re-import (the CSV reader's field limit).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.csv_io import export_plan_csv
from commitments.importer import read_file, run_import
from commitments.models import Commitment, Milestone, ProgressUpdate
from engagement.models import Review
from forums import services as forum_services
from forums.models import Meeting, MeetingDecision
from ogp_portal.text_limits import LONG_TEXT, MINUTES
from tests.factories import ForumFactory, MeetingFactory, RoleFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db

TOO_LONG = "я" * (LONG_TEXT + 1)


def test_the_html_progress_form_refuses_a_narrative_over_the_limit(client, world):
    milestone = world["own_milestone"]
    client.force_login(world["users"]["coordinator"])
    url = reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk]) + "?period=2020-H1"
    data = {"period": "2020-H1", "completion": "limited", "as_of": "2020-06-30", "version": 0, "action": "save"}
    response = client.post(url, {**data, "narrative": TOO_LONG})
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode().replace(",", "").replace("\xa0", "")
    assert not ProgressUpdate.objects.filter(milestone=milestone, period_start__year=2020).exists()
    assert client.post(url, {**data, "narrative": TOO_LONG[:LONG_TEXT]}).status_code == 302


@pytest.mark.parametrize(
    ("resource", "key", "field"),
    [("commitments", "own", "description"), ("commitments", "own", "problem"), ("milestones", "own_milestone", "deliverable")],
)
def test_the_api_refuses_commitment_and_milestone_texts_over_the_limit(world, resource, key, field):
    api = client_for(world["users"]["coordinator"])
    url = f"/api/v1/{resource}/{world[key].pk}/"
    etag = api.get(url)["ETag"]
    response = api.patch(url, {field: TOO_LONG}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400, response.content
    assert field in response.json()
    model = Commitment if resource == "commitments" else Milestone
    assert len(getattr(model.objects.get(pk=world[key].pk), field)) < LONG_TEXT


@pytest.fixture
def held_meeting(world):
    forum = ForumFactory(member=world["kg"])
    meeting = MeetingFactory(forum=forum, starts_at=timezone.now() - timezone.timedelta(days=1))
    secretariat = RoleFactory(user__username="kg-secretariat", member=world["kg"], kind="secretariat").user
    return meeting, secretariat


def test_minutes_and_decisions_over_the_limit_are_refused_on_the_pages(client, held_meeting):
    meeting, secretariat = held_meeting
    client.force_login(secretariat)
    args = [meeting.forum_id, meeting.pk]
    response = client.post(reverse("forums:minutes", args=args), {"minutes": "m" * (MINUTES + 1)})
    assert response.status_code == 400
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""
    response = client.post(reverse("forums:decision_add", args=args), {"text": TOO_LONG})
    assert response.status_code == 400
    assert not MeetingDecision.objects.exists()
    with pytest.raises(Exception) as caught:
        forum_services.add_decision(meeting, text=TOO_LONG, by=secretariat)
    assert "at most" in str(caught.value)


def test_review_comments_have_one_limit_on_the_page_and_in_the_api(client, world):
    limit = Review._meta.get_field("comment").max_length
    update = world["published"]
    user = world["users"]["civil_society"]
    client.force_login(user)
    page = client.post(reverse("engagement:review", args=[update.pk]), {"stance": "dispute", "comment": "x" * (limit + 1)})
    assert page.status_code == 400
    api = client_for(user).post("/api/v1/reviews/", {"update": update.pk, "stance": "dispute", "comment": "x" * (limit + 1)}, format="json")
    assert api.status_code in (400, 404, 405)
    assert not Review.objects.exists()


def test_a_plan_with_texts_at_the_limit_re_imports_from_its_own_csv(world):
    """The longest texts the portal stores still fit the CSV reader's field size: the round trip holds."""
    commitment = world["own"]
    for field in ("description", "problem", "expected_results"):
        setattr(commitment, field, "ж" * LONG_TEXT)
    commitment.full_clean(exclude=["plan", "lead_agency"])
    commitment.save()
    milestone = world["own_milestone"]
    milestone.deliverable = "д" * LONG_TEXT
    milestone.save()
    exported = export_plan_csv(commitment.plan)
    outcome = run_import(world["kg"], read_file("plan.csv", exported.encode(), world["kg"]), commit=False)
    assert outcome.errors == []
    commitment.description = "ж" * (LONG_TEXT + 1)
    with pytest.raises(Exception):
        commitment.full_clean(exclude=["plan", "lead_agency"])
