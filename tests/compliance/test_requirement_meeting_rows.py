"""The minimum requirements read the member's meetings as plain rows (``selectors._meeting_rows``, issue #20): the
forum's name in the active language as django-modeltranslation gives it (English when a translation is missing),
and the member's documents list the minutes with the same titles and links as from the model instances."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from cocreation.documents import documents_for
from compliance import selectors
from forums.models import Meeting
from tests.factories import ForumFactory, MeetingFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_meeting_rows_read_what_the_instances_give(language):
    member = MemberFactory(code="XR")
    translated = ForumFactory(member=member, name_en="National Forum", name_ru="Национальный форум", name_ky="")
    other = ForumFactory(member=member, name_en="Second <Forum> & Co", name_ru="", name_ky="Экинчи форум")
    at = timezone.make_aware(dt.datetime(2020, 5, 1, 10, 0))
    MeetingFactory(forum=translated, title="", starts_at=at, minutes_published_at=at + dt.timedelta(days=9))
    MeetingFactory(forum=other, title="Spring <meeting>", starts_at=at + dt.timedelta(days=30))
    MeetingFactory(forum=other, title="Planned", starts_at=at + dt.timedelta(days=60), status=Meeting.Status.PLANNED)
    with translation.override(language):
        rows = selectors._meeting_rows(member.pk)
        instances = list(Meeting.objects.filter(forum__member=member, status=Meeting.Status.HELD)
                         .select_related("forum").order_by("starts_at"))
        assert [(m.pk, m.forum.name, m.display_title(), m.get_absolute_url(), m.starts_at, m.status,
                 m.minutes_published_at) for m in rows] == [
            (m.pk, m.forum.name, m.display_title(), m.get_absolute_url(), m.starts_at, m.status, m.minutes_published_at)
            for m in instances]
        assert {m.forum.name for m in rows} == {
            {"en": "National Forum", "ru": "Национальный форум", "ky": "National Forum"}[language],
            {"en": "Second <Forum> & Co", "ru": "Second <Forum> & Co", "ky": "Экинчи форум"}[language]}
        minutes = [m for m in rows if m.minutes_published_at is not None]
        assert documents_for(member, minutes=minutes) == documents_for(member)
