"""Public forum page: founding, cadence, members by sector, meetings."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from forums.models import Forum, ForumMembership, Meeting
from tests.factories import ForumFactory, ForumMembershipFactory, MeetingFactory
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Start each test in English: LocaleMiddleware leaves a request's language active in the thread."""
    with translation.override("en"):
        yield


def forum_url(forum, lang="en"):
    with translation.override(lang):
        return reverse("forums:forum", args=[forum.pk])


@pytest.fixture
def forum():
    forum = ForumFactory(
        name="Open Government National Forum",
        founding_act="Government Decree No. 123",
        founded_on=dt.date(2017, 5, 1),
        cadence=Forum.Cadence.QUARTERLY,
    )
    ForumMembershipFactory(forum=forum, person="Aida Government", sector="government", role="co_chair")
    ForumMembershipFactory(forum=forum, person="Bakyt Official", sector="government", role="member")
    ForumMembershipFactory(
        forum=forum, person="Cholpon Activist", sector="civil_society", role="co_chair", organisation="Tech Kyrgyzstan"
    )
    MeetingFactory(
        forum=forum,
        title="Spring meeting",
        starts_at=timezone.make_aware(dt.datetime(2019, 3, 15, 10, 0)),
        status=Meeting.Status.HELD,
        place="Bishkek, White House",
    )
    MeetingFactory(
        forum=forum,
        title="Summer meeting",
        starts_at=timezone.make_aware(dt.datetime(2019, 6, 20, 10, 0)),
        status=Meeting.Status.CANCELLED,
    )
    return forum


def test_forum_page_shows_founding_cadence_and_meetings(client, forum):
    response = client.get(forum_url(forum))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "<h1>Open Government National Forum</h1>",
        "Government Decree No. 123",
        "May 1, 2017",
        "Every quarter",
        "Spring meeting",
        "Bishkek, White House",
        "Held",
        "Summer meeting",
        "Cancelled",
        "March 15, 2019",
    ):
        assert text in html, text
    # Latest meeting first.
    assert html.index("Summer meeting") < html.index("Spring meeting")
    assert f'href="{forum.member.get_absolute_url()}"' in html
    assert_strict_page(response)


def test_forum_members_are_grouped_by_sector_with_their_role(client, forum):
    html = client.get(forum_url(forum)).content.decode()
    government = html.index("<h3>Government</h3>")
    civil_society = html.index("<h3>Civil society</h3>")
    co_chairs = html.index("<h3>Co-chairs</h3>")
    assert co_chairs < html.index("Aida Government") < government  # co-chairs are listed first, then every sector
    assert government < html.index("Aida Government", government) < html.index("Bakyt Official", government) < civil_society
    assert civil_society < html.index("Cholpon Activist", civil_society)
    assert "Aida Government — <strong>Co-chair</strong>" in html
    assert "Tech Kyrgyzstan" in html
    assert "<h3>Other</h3>" not in html  # empty sectors are left out


def test_unknown_forum_is_404(client, db):
    assert client.get(reverse("forums:forum", args=[999999])).status_code == 404


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_forum_page_is_served_in_each_language(client, forum, lang):
    response = client.get(forum_url(forum, lang))
    assert response.status_code == 200
    assert response.wsgi_request.path.startswith(f"/{lang}/forums/")
    assert_strict_page(response, lang=lang)


def test_forum_page_runs_a_constant_number_of_queries(client, forum):
    """Forum, memberships, meetings, compliance policy, open action items: the same five at any size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forums.models import ActionItem

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(forum_url(forum)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    ForumMembershipFactory.create_batch(10, forum=forum, sector=ForumMembership.Sector.OTHER)
    for meeting in MeetingFactory.create_batch(10, forum=forum):
        ActionItem.objects.create(meeting=meeting, title="Publish the data", owner="Ministry")
    assert count() == small <= 5


def test_seed_national_forum_page_renders(client, seed_data):
    forum = Forum.objects.get(name="Open Government National Forum")
    response = client.get(forum_url(forum))
    assert response.status_code == 200
    assert "Open Government National Forum" in response.content.decode()


def test_the_secretariat_page_runs_the_same_queries_for_one_forum_and_for_many(client, bishkek_forum, secretariat, admin_user):
    """Issue #20: the policies of the forums' members and their open action items are read once for all the
    forums on the page (an administrator keeps every forum), and each forum still shows its own count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commitments.models import Member
    from forums.models import ActionItem

    def page(user):
        client.force_login(user)
        client.get(reverse("forums:secretariat"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("forums:secretariat"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    def forum_with_items(code, items):
        member = Member.objects.create(code=code, name=f"Member {code}", country="Somewhere")
        forum = ForumFactory(member=member, name=f"Forum of {code}")
        meeting = MeetingFactory(forum=forum)
        for i in range(items):
            ActionItem.objects.create(meeting=meeting, title=f"Action {i}", owner="Someone")
        return forum

    forum_with_items("XA", 2)
    one_forum, html = page(secretariat)
    assert "Open Bishkek Committee" in html and "Forum of XA" not in html
    few, _html = page(admin_user)
    for code, items in [("XB", 3), ("XC", 0), ("XD", 1)]:
        forum_with_items(code, items)
    many, html = page(admin_user)
    assert many == few, f"{few} queries for 2 forums, {many} for 5"
    for code, items in [("XA", 2), ("XB", 3), ("XD", 1)]:
        section = html.split(f"Forum of {code}</a>")[1].split("</section>")[0]
        assert f"{items} open action item" in section
    assert "0 open action items" in html.split("Forum of XC</a>")[1].split("</section>")[0]
