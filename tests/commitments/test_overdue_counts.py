"""Each commitment's stored overdue count (``commitments.overdue_counts``, issue #20): the live count on the day it holds.

The oracle is the list's own rule (``filters.overdue_milestones_q``) counted live here. After the import, a
milestone's end moved (the service), a milestone closed by an approved update (the done flag), a milestone added,
moved to another commitment and deleted in the admin, and as days pass (pinned days; the sweep stores again the
rows whose window has ended), every row that holds on a day has the live count of that day.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from commitments import progress, services
from commitments.figures import refresh_plan_figures
from commitments.filters import annotate_commitments, overdue_milestones_q
from commitments.models import ActionPlan, Commitment, Milestone
from commitments.overdue_counts import counts_hold_q, refresh_lapsed_counts, store_overdue_counts
from compliance.engine import Period
from compliance.sweep import sweep_all

pytestmark = pytest.mark.django_db

H2_2019 = Period(dt.date(2019, 7, 1), dt.date(2019, 12, 31), "2019-H2")
NOW = timezone.make_aware(dt.datetime(2019, 12, 20, 12))
DAYS = (dt.date(2019, 7, 1), dt.date(2019, 11, 30), dt.date(2019, 12, 1), dt.date(2019, 12, 20), dt.date(2020, 1, 1),
        dt.date(2020, 3, 31), dt.date(2020, 4, 1), dt.date(2021, 1, 1), dt.date(2026, 11, 29))


def live(day):
    """{commitment id: its overdue milestones on ``day``} by the list's rule."""
    counts = dict(
        Milestone.objects.filter(overdue_milestones_q(day)).order_by().values_list("commitment_id").annotate(n=Count("pk"))
    )
    return {pk: counts.get(pk, 0) for pk in Commitment.objects.values_list("pk", flat=True)}


def every_row_holds_with_the_live_count(day):
    rows = dict(Commitment.objects.filter(counts_hold_q(day)).values_list("pk", "overdue_stored"))
    assert set(rows) == set(Commitment.objects.values_list("pk", flat=True)), "a row does not hold on the day"
    assert rows == live(day)


def test_the_import_stores_every_commitments_count_for_today(kg17):
    assert Commitment.objects.count() >= 10
    today = timezone.localdate()
    every_row_holds_with_the_live_count(today)
    assert any(live(today).values())  # the seed plans ended long ago: overdue milestones exist


def test_the_count_holds_across_days_until_its_window_ends_and_the_refresh_stores_the_lapsed_ones(kg17):
    refresh_plan_figures(ActionPlan.objects.all(), DAYS[0])  # stored as of a day when the plans were running
    for day in DAYS:
        holding = dict(Commitment.objects.filter(counts_hold_q(day)).values_list("pk", "overdue_stored"))
        counts = live(day)
        assert holding == {pk: counts[pk] for pk in holding}  # a row holding on a day has that day's count
        refresh_lapsed_counts(day)
        every_row_holds_with_the_live_count(day)
        assert refresh_lapsed_counts(day) == 0  # nothing more to write that day
    # Back in time (a pinned day before rows were counted again): those do not hold, and are stored again.
    assert Commitment.objects.exclude(counts_hold_q(DAYS[0])).exists()
    refresh_lapsed_counts(DAYS[0])
    every_row_holds_with_the_live_count(DAYS[0])


def test_the_sweep_stores_the_lapsed_counts_again(kg17):
    store_overdue_counts(ActionPlan.objects.values_list("pk", flat=True), DAYS[0])
    day = dt.date(2021, 1, 1)
    assert Commitment.objects.exclude(counts_hold_q(day)).exists()
    sweep_all(timezone.make_aware(dt.datetime(2021, 1, 1, 12)), notify="none")
    every_row_holds_with_the_live_count(day)


def publish(milestone, people, completion):
    coordinator, poc = people
    update = progress.save_progress(
        milestone, H2_2019, by=coordinator, data={"completion": completion, "narrative": "Reported."}, version=0, now=NOW
    )
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    return progress.approve_progress(update, by=poc, version=update.version, now=NOW)


def test_each_write_of_a_milestone_stores_the_count_again(admin_client, kg17, people):
    with time_machine.travel(NOW, tick=False):  # a day while the seed plan ran: ends can move either side of it
        each_write_stores_the_count_again(admin_client, kg17, people)


def each_write_stores_the_count_again(admin_client, kg17, people):
    today = timezone.localdate()
    assert today == NOW.date()
    refresh_lapsed_counts(today)  # the day's refresh (the rows were counted for the real today)
    every_row_holds_with_the_live_count(today)
    first, second, third = list(kg17.milestones.order_by("id")[:3])

    def count():
        return Commitment.objects.get(pk=kg17.pk).overdue_stored

    def end(milestone, day, precision):
        milestone.refresh_from_db()
        services.update_milestone(milestone, by=people[0], data={"end_date": day, "end_precision": precision}, version=milestone.version)
        every_row_holds_with_the_live_count(today)

    # The end moved (the service): before today it is overdue, after it not; a month-precision end in the current
    # month is not overdue yet, in the month before it is.
    end(first, dt.date(2019, 11, 15), "day")
    before = count()
    end(first, dt.date(2020, 1, 31), "day")
    assert count() == before - 1
    end(first, dt.date(2019, 12, 1), "month")
    assert count() == before - 1
    end(first, dt.date(2019, 11, 1), "month")
    assert count() == before
    end(second, dt.date(2019, 12, 19), "day")
    end(third, dt.date(2019, 12, 19), "day")
    before = count()

    # Closed by an approved update (the done flag).
    publish(second, people, "complete")
    assert count() == before - 1
    every_row_holds_with_the_live_count(today)

    # Deleted in the admin.
    response = admin_client.post(reverse("admin:commitments_milestone_delete", args=[third.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert count() == before - 2
    every_row_holds_with_the_live_count(today)

    # Moved to another commitment (what the admin's save calls for both: RefreshesCompletionMixin).
    other = Commitment.objects.exclude(pk=kg17.pk).filter(plan=kg17.plan).first()
    Milestone.objects.filter(pk=first.pk).update(commitment=other, number="99.1")
    progress.refresh_completion({kg17.pk, other.pk})
    every_row_holds_with_the_live_count(today)

    # Added (the admin's save of a new milestone, ended long ago).
    Milestone.objects.create(commitment=kg17, number="99.2", deliverable="Added.", end_date=dt.date(2019, 1, 31), end_precision="day")
    progress.refresh_completion([kg17.pk])
    every_row_holds_with_the_live_count(today)
    assert Commitment.objects.filter(Q(overdue_stored__gt=0)).exists()


def _list_identifiers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    section = re.search(r'<section aria-labelledby="results-heading">.*?</section>', response.content.decode(), re.S).group(0)
    return list(dict.fromkeys(re.findall(r'href="/commitments/([A-Z0-9]+)/"', section)))


def _orm_order(sort, words=""):
    rows = annotate_commitments(Commitment.objects.all(), timezone.localdate())
    if words:
        rows = rows.filter(Q(title__icontains=words) | Q(description__icontains=words) | Q(milestones__deliverable__icontains=words)).distinct()
    key = "-overdue_count" if sort.startswith("-") else "overdue_count"
    return list(rows.order_by(key, "identifier").values_list("identifier", flat=True))


@pytest.mark.parametrize("words", ["", "open"])
@pytest.mark.parametrize("sort", ["overdue", "-overdue"])
def test_the_list_by_overdue_milestones_shows_the_orms_order_from_the_stored_counts_or_the_live_ones(
    client, kg17, nothing_compiled, sort, words
):
    today = timezone.localdate()
    url = f"/commitments/?sort={sort}" + (f"&q={words}" if words else "")
    assert not Commitment.objects.exclude(counts_hold_q(today)).exists()  # every stored count holds: read from them
    shown = _list_identifiers(client, url)
    assert len(shown) >= (3 if words else 10)
    expected = _orm_order(sort, words)
    if not words:
        assert shown == expected[: len(shown)]
    else:
        assert set(shown) <= set(expected) and shown == [i for i in expected if i in set(shown)]
    # The page is read from the stored counts while they hold (a stored count changed by hand moves its row) ...
    last = Commitment.objects.get(identifier=shown[0 if sort == "overdue" else -1])
    Commitment.objects.filter(pk=last.pk).update(overdue_stored=999)
    moved = _list_identifiers(client, url)
    assert moved != shown
    assert moved[-1 if sort == "overdue" else 0] == last.identifier or last.identifier not in moved
    # ... and from the live counts when one is out of its window (as a raw edit could leave it).
    Commitment.objects.filter(pk=last.pk).update(overdue_until=today)
    assert _list_identifiers(client, url) == shown
