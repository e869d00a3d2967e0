"""Membership by sector, co-chairs, terms, vacancies and the parity warning."""

import datetime as dt

import pytest
from django.urls import reverse

from forums.models import ForumMembership
from forums.services import composition
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 29)


def test_open_bishkek_is_at_parity_with_three_on_each_side(bishkek_forum):
    c = composition(bishkek_forum, list(bishkek_forum.memberships.all()), TODAY)
    assert (c.government, c.civil_society) == (3, 3)
    assert c.at_parity and not c.parity_warning
    assert c.seats == 6 and c.vacancies == 0


def test_a_term_that_ended_breaks_parity_and_opens_a_vacancy(client, bishkek_forum):
    leaving = bishkek_forum.memberships.get(person="Dmitry Pereyaslavsky")
    leaving.term_start, leaving.term_end = dt.date(2023, 8, 8), dt.date(2025, 8, 8)
    leaving.save()
    c = composition(bishkek_forum, list(bishkek_forum.memberships.all()), TODAY)
    assert (c.government, c.civil_society, c.vacancies) == (3, 2, 1)
    assert c.parity_warning
    assert [m.person for m in c.former] == ["Dmitry Pereyaslavsky"]
    response = client.get(bishkek_forum.get_absolute_url())
    html = response.content.decode()
    assert 'id="parity-warning"' in html
    assert "3 government and 2 civil-society members" in html
    assert "Former members" in html and "Vacancies: <strong>1</strong>" in html
    assert_strict_page(response)


def test_no_parity_warning_when_the_forum_does_not_require_parity(bishkek_forum):
    bishkek_forum.memberships.filter(sector="civil_society").first().delete()
    bishkek_forum.requires_parity = False
    c = composition(bishkek_forum, list(bishkek_forum.memberships.all()), TODAY)
    assert not c.at_parity and not c.parity_warning


def test_observers_sit_without_a_seat(bishkek_forum):
    ForumMembership.objects.create(
        forum=bishkek_forum, person="UNDP observer", sector="other", role=ForumMembership.Role.OBSERVER
    )
    c = composition(bishkek_forum, list(bishkek_forum.memberships.all()), TODAY)
    assert c.voting == 6 and c.vacancies == 0 and c.at_parity


def test_national_forum_shows_co_chairs_and_36_vacant_seats_of_38(client, national_forum):
    html = client.get(national_forum.get_absolute_url()).content.decode()
    assert "<h3>Co-chairs</h3>" in html
    assert "Vice Prime Minister (state)" in html
    assert "Seats: <strong>38</strong>" in html and "Vacancies: <strong>36</strong>" in html
    assert "Government and civil society are at parity." in html


def test_term_is_shown_for_each_member(client, bishkek_forum):
    m = bishkek_forum.memberships.get(person="Gulzhan Baibetova")
    m.term_start, m.term_end = dt.date(2023, 8, 8), dt.date(2027, 8, 7)
    m.save()
    html = client.get(reverse("forums:forum", args=[bishkek_forum.pk])).content.decode()
    assert "Term: Aug. 8, 2023 – Aug. 7, 2027" in html
