"""The API's long page-numbered lists read a whole table's count where the database keeps it (issue #20).

``/api/v1/activities/``, ``/api/v1/attendance/``, ``/api/v1/forum-memberships/``, ``/api/v1/meetings/`` and
``/api/v1/deadlines/`` answer with their exact ``count``; without a filter it is read from
``ogp_portal_table_rows`` (kept by triggers, migrations ogp_portal 0001 and 0002) instead of a ``COUNT(*)``
of the table. These tests hold the kept count to the table's own after every kind of write: one row saved,
rows inserted in bulk, a filtered delete, a delete that cascades from a commitment or a meeting, raw SQL,
and the plans' count the home page's figures read (``commitments.figures``),
and (on PostgreSQL) ``TRUNCATE``; with a filter the count is the filtered one, counted.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commitments.models import ActionPlan, Activity
from compliance.models import Deadline
from forums.models import Attendance, ForumMembership, Meeting
from ogp_portal.api import stored_row_count
from tests.factories import ActivityFactory, AdminDeadlineFactory, CommitmentFactory, ForumMembershipFactory, MeetingFactory

pytestmark = pytest.mark.django_db

LISTS = {
    "activities": Activity, "attendance": Attendance, "forum-memberships": ForumMembership, "meetings": Meeting, "deadlines": Deadline,
}


def kept(table):
    with connection.cursor() as cursor:
        cursor.execute('SELECT "rows" FROM ogp_portal_table_rows WHERE "table" = %s', [table])
        return cursor.fetchone()[0]


def assert_counts_right():
    """The kept counts are the tables' own, and each list's answer says so (read, not counted)."""
    assert kept("commitments_actionplan") == ActionPlan.objects.count()  # read by the home page's figures
    client = APIClient()
    for path, model in LISTS.items():
        rows = model.objects.count()
        assert kept(model._meta.db_table) == rows
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(f"/api/v1/{path}/")
        assert answer.status_code == 200
        assert answer.json()["count"] == rows
        assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries), path


def attend(meeting, memberships):
    return Attendance.objects.bulk_create(Attendance(meeting=meeting, membership=m) for m in memberships)


def test_the_kept_counts_follow_every_kind_of_write():
    assert_counts_right()
    commitment = CommitmentFactory()
    activities = [ActivityFactory(commitment=commitment) for _ in range(3)]  # saved one by one
    Activity.objects.bulk_create(Activity(commitment=commitment, number=10 + n, title="More") for n in range(4))
    meeting = MeetingFactory()
    memberships = [ForumMembershipFactory(forum=meeting.forum) for _ in range(5)]
    attend(meeting, memberships)
    assert_counts_right()

    activities[0].delete()  # one row
    Activity.objects.filter(number__gte=12).delete()  # a filtered delete
    Attendance.objects.filter(membership=memberships[0]).delete()
    assert_counts_right()

    plan = commitment.plan
    commitment.delete()  # cascades to its activities
    plan.delete()
    ForumMembership.objects.filter(pk=memberships[1].pk).delete()  # cascades to its attendance
    assert_counts_right()
    meeting.delete()
    assert_counts_right()

    other = MeetingFactory()
    attend(other, [ForumMembershipFactory(forum=other.forum) for _ in range(2)])
    with connection.cursor() as cursor:  # written past the ORM
        cursor.execute("DELETE FROM forums_attendance WHERE id = %s", [Attendance.objects.order_by("pk").first().pk])
    assert_counts_right()
    Activity.objects.filter(pk__in=[]).delete()  # nothing deleted: nothing changes
    Activity.objects.update(title="Renamed")  # an update leaves the count be
    assert_counts_right()

    deadlines = [AdminDeadlineFactory(cycle=f"c{n}") for n in range(3)]
    assert_counts_right()
    Deadline.objects.filter(pk=deadlines[0].pk).delete()
    with connection.cursor() as cursor:  # written past the ORM
        cursor.execute("DELETE FROM compliance_deadline WHERE id = %s", [deadlines[1].pk])
    assert_counts_right()
    other.forum.delete()  # cascades to its seats, its meetings and their attendance
    assert_counts_right()


@pytest.mark.django_db(transaction=True)
def test_a_table_emptied_at_once_is_counted_empty():
    """``TRUNCATE`` on PostgreSQL (as Django's flush between tests empties tables); SQLite has none and deletes."""
    meeting = MeetingFactory()
    attend(meeting, [ForumMembershipFactory(forum=meeting.forum) for _ in range(3)])
    assert kept("forums_attendance") == 3
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE forums_attendance" if connection.vendor == "postgresql" else "DELETE FROM forums_attendance")
    assert kept("forums_attendance") == 0 == Attendance.objects.count()
    assert_counts_right()


def test_with_a_filter_or_a_search_the_count_is_the_lists_own():
    first, second = CommitmentFactory(), CommitmentFactory()
    ActivityFactory.create_batch(2, commitment=first)
    ActivityFactory.create_batch(3, commitment=second, title="Consult the public")
    client = APIClient()
    assert client.get("/api/v1/activities/", {"commitment": first.pk}).json()["count"] == 2
    assert client.get("/api/v1/activities/", {"search": "Consult"}).json()["count"] == 3
    assert client.get("/api/v1/activities/").json()["count"] == 5
    assert client.get("/api/v1/activities/", {"page_size": 2, "page": 3}).json()["count"] == 5


def test_only_a_whole_counted_table_is_read_from_the_kept_counts():
    ActivityFactory.create_batch(2)
    assert stored_row_count(Activity.objects.all()) == 2
    assert stored_row_count(Activity.objects.select_related("commitment")) == 2
    assert stored_row_count(Activity.objects.filter(number=1)) is None
    assert stored_row_count(Activity.objects.distinct()) is None
    assert stored_row_count(Activity.objects.all()[:1]) is None
    assert stored_row_count(CommitmentFactory._meta.model.objects.all()) is None  # a table not counted
    assert stored_row_count([1, 2]) is None
