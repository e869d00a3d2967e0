"""Public meeting pages: in every language, strict CSP, and a constant number of queries."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forums import services
from forums.models import ActionItem, ForumMembership, MeetingDecision
from tests.forums.conftest import at
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(bishkek_forum, secretariat):
    meeting = services.schedule_meeting(bishkek_forum, starts_at=at(2026, 12, 10), by=secretariat, now=at(2026, 11, 2), invite=False)
    services.record_meeting(meeting, attendance={m.pk: ("present", "") for m in bishkek_forum.memberships.all()},
                            by=secretariat, now=at(2026, 12, 10, 15))
    services.save_minutes(meeting, text="Minutes", by=secretariat, now=at(2026, 12, 10, 15))
    services.publish_minutes_without_co_chairs(meeting, by=secretariat, now=at(2026, 12, 11))
    return meeting


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_meeting_page_is_served_in_each_language(client, held, lang):
    with translation.override(lang):
        url = reverse("forums:meeting", args=[held.forum_id, held.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_page(response, lang=lang)


def test_meeting_page_runs_a_constant_number_of_queries(client, held, bishkek_forum):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(held.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(10):
        m = ForumMembership.objects.create(forum=bishkek_forum, person=f"Observer {i}", sector="other", role="observer")
        held.attendances.create(membership=m, status="present")
        MeetingDecision.objects.create(meeting=held, text=f"Decision {i}")
        ActionItem.objects.create(meeting=held, title=f"Action {i}", owner="Mayor's Office")
    assert count() == small


def test_unknown_meeting_or_meeting_of_another_forum_is_404(client, held, db):
    assert client.get(reverse("forums:meeting", args=[held.forum_id, 999999])).status_code == 404
    assert client.get(reverse("forums:meeting", args=[999999, held.pk])).status_code == 404


@pytest.mark.parametrize("link", ["javascript:alert(document.domain)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/x"])
def test_an_online_link_that_is_not_http_is_never_a_link(client, held, link):
    """A non-http(s) online link written around the model's validator (directly into the database) is not output."""
    type(held).objects.filter(pk=held.pk).update(online_link=link)
    response = client.get(reverse("forums:meeting", args=[held.forum_id, held.pk]))
    assert response.status_code == 200
    assert link.strip() not in response.text
    assert "Online link" not in response.text
    calendar = client.get(reverse("forums:calendar", args=[held.forum_id]))
    assert calendar.status_code == 200
    assert "alert" not in calendar.content.decode() and "data:text" not in calendar.content.decode()
    held.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        held.full_clean()
    assert "online_link" in error.value.message_dict


def test_an_http_online_link_is_a_link(client, held):
    type(held).objects.filter(pk=held.pk).update(online_link="https://meet.example.org/forum")
    response = client.get(reverse("forums:meeting", args=[held.forum_id, held.pk]))
    assert '<a href="https://meet.example.org/forum" rel="nofollow noopener">' in response.text
    assert "https://meet.example.org/forum" in client.get(reverse("forums:calendar", args=[held.forum_id])).content.decode()


def test_the_forum_pages_open_action_items_link_their_commitment_and_meeting_in_a_constant_number_of_queries(
    client, held, bishkek_forum, secretariat
):
    from commitments.models import ActionPlan, Commitment

    def page():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(bishkek_forum.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    plan = ActionPlan.objects.create(member=bishkek_forum.member, title="Plan")
    commitment = Commitment.objects.create(plan=plan, number=1, identifier="BI0001", title="Open budget")
    services.add_action_item(held, title="Publish the budget", owner="Mayor's Office", by=secretariat, commitment=commitment)
    html, one = page()
    assert "Publish the budget" in html and f'href="{commitment.get_absolute_url()}">BI0001</a>' in html
    assert f'href="{held.get_absolute_url()}"' in html
    for i in range(5):
        services.add_action_item(held, title=f"Action {i}", owner="Secretariat", by=secretariat, commitment=commitment)
    html, more = page()
    assert "Action 4" in html and more == one
