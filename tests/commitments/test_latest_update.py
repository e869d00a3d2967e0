"""The stored last published update of a commitment (``Commitment.latest_update_at``, issue #20).

The commitment list sorts by it (``?sort=updated``); it used to be a sub-select per commitment, every
one computed and sorted (~2 s at scale 10). It is now stored, like the completion roll-up, by
``progress.refresh_completion``; these tests hold it to the sub-select it replaces
(``filters._latest_update_at``, the oracle) after every kind of change, and the sort to the order of before.
"""

import datetime as dt

import pytest
from django.db.models import DateTimeField, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from commitments import progress
from commitments.filters import CommitmentFilterSet, _latest_update_at
from commitments.models import Commitment, Milestone, ProgressUpdate
from compliance.engine import Period
from tests.factories import ActionPlanFactory, CommitmentFactory, MilestoneFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
H2_2019 = Period(dt.date(2019, 7, 1), dt.date(2019, 12, 31), "2019-H2")
EARLY = timezone.make_aware(dt.datetime(2019, 12, 20, 12))
LATER = timezone.make_aware(dt.datetime(2019, 12, 22, 9))
TODAY = dt.date(2020, 3, 15)


def stored(commitment):
    return Commitment.objects.values_list("latest_update_at", flat=True).get(pk=commitment.pk)


def by_the_rule(commitment):
    """The sub-select the column replaces (the oracle)."""
    return Commitment.objects.annotate(at=_latest_update_at()).values_list("at", flat=True).get(pk=commitment.pk)


def every_row_follows_the_rule():
    rows = Commitment.objects.annotate(at=_latest_update_at()).values_list("identifier", "latest_update_at", "at")
    wrong = [(identifier, kept, rule) for identifier, kept, rule in rows if kept != rule]
    assert not wrong


def approve(milestone, people, period, now):
    coordinator, poc = people
    update = progress.save_progress(
        milestone, period, by=coordinator, data={"completion": "limited", "narrative": "Reported."}, version=0, now=now
    )
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=now)
    return progress.approve_progress(update, by=poc, version=update.version, now=now)


def test_the_seed_load_stores_the_column_by_the_rule(kg17):
    every_row_follows_the_rule()


def test_approving_stores_it_and_a_newer_period_wins_over_a_later_approval(kg17, people):
    ProgressUpdate.objects.filter(milestone__commitment=kg17).delete()
    progress.refresh_completion([kg17.pk])
    assert stored(kg17) is None  # no published update: NULL
    first, second = kg17.milestones.order_by("id")[:2]
    coordinator, poc = people
    draft = progress.save_progress(first, H2_2019, by=coordinator, data={"completion": "limited"}, version=0, now=EARLY)
    submitted = progress.submit_progress(draft, by=coordinator, version=draft.version, now=EARLY)
    assert stored(kg17) is None  # submitted, not published

    progress.approve_progress(submitted, by=poc, version=submitted.version, now=EARLY)
    assert stored(kg17) == EARLY == by_the_rule(kg17)
    # Approved later, but for an earlier period: the newest by period end stays the one shown.
    approve(second, people, H1_2019, LATER)
    assert stored(kg17) == EARLY == by_the_rule(kg17)
    every_row_follows_the_rule()


def test_withdrawing_or_deleting_the_newest_falls_back_to_the_one_before(admin_client, kg17, people):
    ProgressUpdate.objects.filter(milestone__commitment=kg17).delete()
    first, second = kg17.milestones.order_by("id")[:2]
    approve(first, people, H1_2019, EARLY)
    newest = approve(second, people, H2_2019, LATER)
    assert stored(kg17) == LATER

    # Taken back from publication (as an administrator's or an import's write, then the refresh they run).
    ProgressUpdate.objects.filter(pk=newest.pk).update(state=ProgressUpdate.State.SUBMITTED, published_at=None)
    progress.refresh_completion([kg17.pk])
    assert stored(kg17) == EARLY == by_the_rule(kg17)
    ProgressUpdate.objects.filter(pk=newest.pk).update(state=ProgressUpdate.State.PUBLISHED, published_at=LATER)
    progress.refresh_completion([kg17.pk])
    assert stored(kg17) == LATER

    # Deleted in the admin.
    response = admin_client.post(reverse("admin:commitments_progressupdate_delete", args=[newest.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ProgressUpdate.objects.filter(pk=newest.pk).exists()
    assert stored(kg17) == EARLY == by_the_rule(kg17)


def test_deleting_or_moving_a_milestone_in_the_admin_stores_it_again(admin_client, kg17, people):
    ProgressUpdate.objects.filter(milestone__commitment=kg17).delete()
    first, second = kg17.milestones.order_by("id")[:2]
    approve(first, people, H1_2019, EARLY)
    approve(second, people, H2_2019, LATER)
    assert stored(kg17) == LATER
    response = admin_client.post(reverse("admin:commitments_milestone_delete", args=[second.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert stored(kg17) == EARLY == by_the_rule(kg17)

    # A milestone moved to another commitment (the admin's save refreshes both: RefreshesCompletionMixin).
    other = Commitment.objects.exclude(pk=kg17.pk).filter(plan=kg17.plan).first()
    before = {kg17.pk, other.pk}
    Milestone.objects.filter(pk=first.pk).update(commitment=other, number="99.1")
    progress.refresh_completion(before)
    assert stored(kg17) is None and stored(other) == by_the_rule(other)
    every_row_follows_the_rule()


def test_refresh_repairs_a_stale_column_and_then_changes_nothing(kg17, people):
    approve(kg17.milestones.order_by("id").first(), people, H2_2019, LATER)
    Commitment.objects.update(latest_update_at=None)  # as a raw SQL edit would leave it
    progress.refresh_completion(Commitment.objects.all())
    every_row_follows_the_rule()
    assert progress.refresh_completion(Commitment.objects.all()) == 0


@pytest.mark.parametrize("sort", ["updated", "-updated"])
def test_the_list_sorted_by_the_column_gives_the_order_of_the_sub_select(client, sort):
    """Both directions, with commitments without a published update and ties (broken by identifier)."""
    plan = ActionPlanFactory()
    moments = [EARLY, LATER, None, EARLY, None, LATER + dt.timedelta(days=3)]
    for n, at in enumerate(moments, start=1):
        commitment = CommitmentFactory(plan=plan, identifier=f"SRT{7 - n:04d}", number=n)
        if at is not None:
            ProgressUpdateFactory(milestone=MilestoneFactory(commitment=commitment), published_at=at)
    now = list(CommitmentFilterSet({"sort": sort}, queryset=Commitment.objects.all(), today=TODAY).qs.values_list("identifier", flat=True))
    # Before: the same sort on the sub-select, ties by identifier (``MemberNameOrdering.filter``).
    rule = Subquery(
        Commitment.objects.annotate(at=_latest_update_at()).filter(pk=OuterRef("pk")).values("at")[:1], output_field=DateTimeField()
    )
    key = "-at" if sort.startswith("-") else "at"
    before = list(Commitment.objects.annotate(at=rule).order_by(key, "identifier").values_list("identifier", flat=True))
    assert now == before
    assert len(now) == len(moments)
    # The page shows them in that order (the list's rows read the stored column).
    html = client.get(reverse("commitments:list"), {"sort": sort}).content.decode()
    assert sorted(now, key=html.index) == before
