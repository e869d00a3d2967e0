"""The stored "done" flag of milestones (issue #12): kept by the approval service, the same overdue figures as the rule.

A milestone is done (never overdue) once a published update says complete or withdrawn. The flag is
stored (``Milestone.done``) so that the overdue count reads a partial index instead of anti-joining
every progress update; these tests hold it to the rule it replaces, kept here as the oracle.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments import progress
from commitments.filters import DONE_COMPLETIONS, annotate_commitments, overdue_milestones_q
from commitments.models import Commitment, DatePrecision, Milestone, ProgressUpdate
from compliance.engine import Period

pytestmark = pytest.mark.django_db

H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
H2_2019 = Period(dt.date(2019, 7, 1), dt.date(2019, 12, 31), "2019-H2")
NOW = timezone.make_aware(dt.datetime(2019, 12, 20, 12))
DAYS = (dt.date(2019, 7, 1), dt.date(2020, 3, 31), dt.date(2020, 4, 1), dt.date(2021, 1, 1), dt.date(2026, 11, 29))


def old_overdue_q(today):
    """The rule before the stored flag (the oracle): ended, and no published update closes it."""
    ended = Q(end_precision=DatePrecision.DAY, end_date__lt=today) | Q(
        end_precision=DatePrecision.MONTH, end_date__lt=today.replace(day=1)
    )
    closing = ProgressUpdate.objects.filter(
        milestone=OuterRef("pk"), state=ProgressUpdate.State.PUBLISHED, completion__in=DONE_COMPLETIONS
    )
    return ended & ~Exists(closing)


def entered(milestone, people, completion, period=H1_2019, *, submit=False, approve=False):
    coordinator, poc = people
    update = progress.save_progress(
        milestone, period, by=coordinator, data={"completion": completion, "narrative": "Reported."}, version=0, now=NOW
    )
    if submit or approve:
        update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    if approve:
        update = progress.approve_progress(update, by=poc, version=update.version, now=NOW)
    return update


def done(milestone):
    return Milestone.objects.values_list("done", flat=True).get(pk=milestone.pk)


def test_a_milestone_becomes_done_when_a_complete_update_is_approved(kg17, people):
    first, second, third = kg17.milestones.order_by("id")[:3]
    entered(first, people, "complete")  # a draft
    entered(second, people, "complete", submit=True)  # awaiting review
    entered(third, people, "substantial", approve=True)  # approved, not complete
    assert (done(first), done(second), done(third)) == (False, False, False)

    version = first.version
    update = ProgressUpdate.objects.get(milestone=second)
    progress.approve_progress(update, by=people[1], version=update.version, now=NOW)
    assert done(second) is True
    entered(third, people, "withdrawn", period=H2_2019, approve=True)
    assert done(third) is True
    assert done(first) is False
    # Derived: no history entry for the flag, no new version (an open edit of the milestone stays valid).
    first.refresh_from_db()
    assert first.version == version
    assert "done" not in {f.name for f in Milestone.history.model._meta.fields}


def test_returned_updates_do_not_make_a_milestone_done(kg17, people):
    milestone = kg17.milestones.order_by("id").first()
    update = entered(milestone, people, "complete", submit=True)
    progress.return_progress(update, by=people[1], version=update.version, now=NOW, comment="Add the evidence.")
    assert done(milestone) is False


def test_refresh_done_flags_repairs_wrong_flags_in_two_queries_whatever_the_number_of_rows(kg17, people):
    milestones = list(kg17.milestones.order_by("id"))
    entered(milestones[0], people, "complete", approve=True)
    # A published 'complete' written without the service (as a bulk load would), and flags gone wrong.
    ProgressUpdate.objects.create(
        milestone=milestones[1], period_start=H1_2019.start, period_end=H1_2019.end, completion="complete",
        state=ProgressUpdate.State.PUBLISHED, published_at=NOW,
    )
    Milestone.objects.filter(pk=milestones[2].pk).update(done=True)

    def refresh(rows):
        with CaptureQueriesContext(connection) as queries:
            changed = progress.refresh_done_flags(rows)
        return changed, len(queries)

    assert refresh([milestones[1].pk]) == (1, 2)
    assert refresh(None) == (1, 2)  # milestones[2] had no closing update
    assert refresh(Milestone.objects.all()) == (0, 2)
    assert done(milestones[1]) is True and done(milestones[2]) is False
    expected = set(Milestone.objects.filter(Exists(ProgressUpdate.objects.filter(
        milestone=OuterRef("pk"), state="published", completion__in=DONE_COMPLETIONS))).values_list("pk", flat=True))
    assert set(Milestone.objects.filter(done=True).values_list("pk", flat=True)) == expected


def test_the_admin_deleting_a_complete_update_reopens_the_milestone(admin_client, kg17, people):
    milestone = kg17.milestones.order_by("id").first()
    update = entered(milestone, people, "complete", approve=True)
    assert done(milestone) is True
    response = admin_client.post(reverse("admin:commitments_progressupdate_delete", args=[update.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert done(milestone) is False


def test_overdue_figures_on_the_seed_data_are_those_of_the_rule_before_the_flag(kg17, people, client):
    """Every reader of overdue_milestones_q (home figure, list annotation and filter, milestone filter) as before."""
    milestones = list(kg17.milestones.order_by("id"))
    others = list(Milestone.objects.exclude(commitment=kg17).order_by("id")[:6])
    entered(milestones[0], people, "complete", approve=True)
    entered(milestones[1], people, "withdrawn", approve=True)
    entered(milestones[2], people, "limited", approve=True)
    entered(milestones[2], people, "complete", period=H2_2019, submit=True)  # not approved: still overdue
    # Updates of other commitments, published as a bulk load would write them, flags then stored set-based.
    for i, milestone in enumerate(others):
        ProgressUpdate.objects.create(
            milestone=milestone, period_start=H1_2019.start, period_end=H1_2019.end,
            completion=("complete", "withdrawn", "substantial")[i % 3], state=ProgressUpdate.State.PUBLISHED, published_at=NOW,
        )
    progress.refresh_done_flags()
    assert Milestone.objects.filter(done=True).count() == 2 + 4

    for today in DAYS:
        new = set(Milestone.objects.filter(overdue_milestones_q(today)).values_list("pk", flat=True))
        old = set(Milestone.objects.filter(old_overdue_q(today)).values_list("pk", flat=True))
        assert new == old, today
        per_commitment = dict(
            annotate_commitments(Commitment.objects.all(), today).values_list("identifier", "overdue_count")
        )
        expected = dict(
            Commitment.objects.annotate(n=Count("milestones", filter=Q(milestones__in=Milestone.objects.filter(old_overdue_q(today)))))
            .values_list("identifier", "n")
        )
        assert per_commitment == expected, today
    assert len(set(Milestone.objects.filter(old_overdue_q(DAYS[-1])).values_list("pk", flat=True))) > 0


def test_the_home_page_shows_the_overdue_figure_of_the_rule_before_the_flag(client, kg17, people):
    milestones = list(kg17.milestones.order_by("id"))
    entered(milestones[0], people, "complete", approve=True)
    entered(milestones[1], people, "complete", submit=True)
    expected = Milestone.objects.filter(old_overdue_q(timezone.localdate())).count()
    html = client.get(reverse("commitments:home")).content.decode()
    assert f"<strong>{expected}</strong> milestone" in html
