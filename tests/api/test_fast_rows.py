"""The API's fast rows (ogp_portal/api_rows.py) give exactly what DRF's serializers give, byte for byte.

Each list (and one object of it) is read twice in the same state: with the fast rows, then with
``FastRowsMixin.fast_rows = False`` (DRF's own ``to_representation`` and each row's own
``get_absolute_url``), in every language, anonymously and as a coordinator who sees a draft.
"""

import datetime as dt

import pytest
from django.utils import timezone

from commitments.models import Evidence
from compliance.models import Finding, StatusEvent
from forums.models import ActionItem, Attendance, MeetingDecision
from ogp_portal.api_rows import FastRowsMixin, ReversedUrl
from tests.api.conftest import client_for
from tests.factories import (
    ActivityFactory, AdminDeadlineFactory, CommitmentFactory, DecisionFactory, ForumFactory, ForumMembershipFactory, MeetingFactory,
    MilestoneFactory,
)

LISTS = [
    "members", "agencies", "plans", "commitments", "activities", "milestones", "progress-updates", "evidence", "forums",
    "forum-memberships", "meetings", "attendance", "deadlines", "findings", "status-events", "decisions", "meeting-decisions",
    "action-items",
]


@pytest.fixture
def varied(world):
    """Rows with the shapes a row can take: translations missing or partial, nulls, a quoted identifier, evidence."""
    kg = world["kg"]
    # Russian title only (English empty: the fallback), no number, no lead agency, no dates.
    odd = CommitmentFactory(
        plan=world["own"].plan, identifier="KG0003 é", number=None, lead_agency=None, start_date=None, end_date=None,
        title_en="", title_ru="Открытые данные", problem_ky="Көйгөй", ogp_values=["civic_participation"], themes=["Open data"],
    )
    # Lead institutions in an order other than their ids' (the API lists them by English name, in every
    # language: Accounts Chamber before Ministry of Finance, though Министерство sorts before Счётная).
    own_agency, other_agency = world["own"].lead_agency, world["other"].lead_agency
    own_agency.name_ru, own_agency.name_ky = "Министерство финансов", "Финансы министрлиги"
    other_agency.name_ru, other_agency.name_ky = "Счётная палата", "Эсептөө палатасы"
    own_agency.save()
    other_agency.save()
    world["own"].plan.lead_institutions.set([other_agency, own_agency])
    world["own"].title_ru = "Открытый бюджет"
    world["own"].contact_title_ky = "Башкы адис"
    world["own"].save()
    ActivityFactory(commitment=odd, title_ru="Подготовка")
    MilestoneFactory(commitment=odd, number="3.1", end_date=None, deliverable_ky="Отчёт", budget_text="200 000 сом")
    Evidence.objects.create(update=world["published"], kind=Evidence.Kind.LINK, url="https://example.org/report")
    Evidence.objects.create(update=world["published"], kind=Evidence.Kind.LINK, url="https://example.org/data")
    forum = ForumFactory(member=kg)
    seat = ForumMembershipFactory(forum=forum)
    held = MeetingFactory(forum=forum, minutes="Decided things.", status="held")
    Attendance.objects.create(meeting=held, membership=seat, representative="Deputy")
    MeetingFactory(forum=forum, minutes="Draft minutes.", status="held", starts_at=timezone.now() - dt.timedelta(days=3))
    # The compliance record and a meeting's record (reasons translated in part, nulls, a row with every date).
    published = MeetingFactory(forum=forum, status="held", minutes_published_at=dt.datetime(2019, 4, 1, tzinfo=dt.UTC))
    MeetingDecision.objects.create(meeting=published, text="Adopt the plan.", commitment=odd)
    MeetingDecision.objects.create(meeting=published, text="Meet again.")
    ActionItem.objects.create(meeting=published, title="Send the draft", owner="MoF", due_on=dt.date(2019, 5, 1))
    AdminDeadlineFactory(member=kg, cycle="c1")
    Finding.objects.create(member=kg, kind="missed_forum_meeting", period="p1", effective_on=dt.date(2022, 7, 1), reason_ru="Причина")
    Finding.objects.create(
        member=kg, kind="missed_forum_meeting", period="p2", effective_on=dt.date(2022, 8, 1), resolved_on=dt.date(2022, 9, 1),
        reason_en="Late", reason_ky="Кечикти",
    )
    StatusEvent.objects.create(member=kg, status="active", effective_on=dt.date(2000, 1, 1), reason_en="Joined")
    DecisionFactory(member=kg, decided_on=dt.date(2000, 1, 2))
    return world


def world_ids(world, language):
    """The plan's lead institutions as the API has always listed them: by their English names, in every language
    (Accounts Chamber, then Ministry of Finance; in Russian and Kyrgyz their names sort the other way)."""
    return f'{world["other"].lead_agency.pk},{world["own"].lead_agency.pk}'


def _read(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (path, response.content[:300])
    return response.content


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("who", [None, "coordinator"])
def test_every_list_and_object_reads_the_same_with_fast_rows_as_with_drf(varied, monkeypatch, language, who):
    client = client_for(varied["users"][who] if who else None)
    paths = []
    for resource in LISTS:
        paths.append(f"/api/v1/{resource}/")
        body = client.get(f"/api/v1/{resource}/").json()
        rows = body["results"] if isinstance(body, dict) else body
        assert rows, resource  # every list has rows here, so every kind of field is compared
        paths.append(f"/api/v1/{resource}/{rows[0]['id']}/")
    fast = {path: _read(client, path, language) for path in paths}
    monkeypatch.setattr(FastRowsMixin, "fast_rows", False)
    drf = {path: _read(client, path, language) for path in paths}
    for path in paths:
        assert fast[path] == drf[path], path
    # The rows compared hold what the fixture made: translations, nulls, the fallback, a quoted address.
    commitments = b"".join(fast[p] for p in paths if p.startswith("/api/v1/commitments/"))
    assert b"KG0003%20%C3%A9" in commitments and b'"number":null' in commitments
    findings = fast["/api/v1/findings/"].decode()
    assert ("Причина" if language == "ru" else "Кечикти" if language == "ky" else "Late") in findings
    if language == "ru":
        assert "Открытый бюджет".encode() in commitments and "Открытые данные".encode() in commitments
    else:
        assert b'"title":""' in commitments  # no English title, and English is the only fallback
    plans = fast["/api/v1/plans/"].decode()
    assert f'"lead_institutions":[{world_ids(varied, language)}]' in plans
    if who == "coordinator":
        assert str(varied["draft"].pk).encode() in fast["/api/v1/progress-updates/"]


def test_a_reversed_url_is_the_rows_own_address(rf, world):
    request = rf.get("/api/v1/commitments/")
    url = ReversedUrl(request, "commitments:commitment")
    for identifier in ["KG0001", "KG-1.2_~", "KG 1", "KGé", "KG?x", "KG%41"]:
        from django.urls import reverse

        assert url(identifier) == request.build_absolute_uri(reverse("commitments:commitment", args=[identifier]))


def test_the_rows_kept_per_class_never_carry_another_requests_address(world, settings):
    """The getters kept between requests read only the row: each request's own host is in its page addresses."""
    settings.ALLOWED_HOSTS = ["testserver", "portal.example.org"]
    client = client_for()
    for host in ("testserver", "portal.example.org", "testserver"):
        for resource in ("members", "plans", "commitments"):
            rows = client.get(f"/api/v1/{resource}/", HTTP_HOST=host).json()["results"]
            assert rows and all(row["html_url"].startswith(f"http://{host}/") for row in rows), (host, resource)


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_a_lists_row_is_its_objects_own_answer(varied, language):
    """The lists read less (no base columns of translated texts, no related rows, plain prefetches): each of
    their rows is still exactly what the object's own address answers."""
    client = client_for(varied["users"]["coordinator"])
    for resource in ("members", "agencies", "plans", "commitments", "activities", "milestones", "progress-updates", "meetings"):
        rows = client.get(f"/api/v1/{resource}/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        assert rows, resource
        for row in rows:
            assert client.get(f"/api/v1/{resource}/{row['id']}/", HTTP_ACCEPT_LANGUAGE=language).json() == row, (resource, row["id"])
