"""Fixtures for the compliance tests: the Kyrgyz Republic of seed 000, built with factories."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ActionPlanFactory, AdminDeadlineFactory, ForumFactory, MeetingFactory, MemberFactory

BISHKEK = ZoneInfo("Asia/Bishkek")


def bishkek(year, month, day, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=BISHKEK)


@pytest.fixture
def kg(db):
    """KG as in seed 000: joined 2017-11-21, the 2018–2020 plan, the National Forum, the letters' deadlines."""
    member = MemberFactory(code="KG", name="Kyrgyz Republic", joined_on=dt.date(2017, 11, 21))
    ActionPlanFactory(member=member, start_date=dt.date(2018, 9, 1), end_date=dt.date(2020, 8, 31), submitted_on=None)
    forum = ForumFactory(member=member, founded_on=dt.date(2018, 6, 27))
    MeetingFactory(forum=forum, starts_at=bishkek(2018, 6, 30))
    MeetingFactory(forum=forum, starts_at=bishkek(2018, 7, 30))
    for due in (dt.date(2021, 12, 31), dt.date(2022, 12, 31), dt.date(2023, 12, 31)):
        AdminDeadlineFactory(member=member, due_on=due)
    return member
