"""The plans' stored figures (``commitments.figures``, issue #20): kept by the services, the same figures as the rules.

The home page's headline figures (commitments by roll-up, contested commitments, overdue milestones)
and each plan's standing are read from ``PlanFigures`` rows instead of scanning every commitment
(20 s at scale 10). These tests hold the rows to the rules they replace, computed live here as the
oracle, after an import, a publication, a milestone moved, and across days (the overdue count
holds for a window of days; the sweep stores the lapsed ones again).
"""

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from commitments import progress, services
from commitments.figures import lapsed_plans, portal_figures, refresh_plan_figures
from commitments.filters import overdue_milestones_q
from commitments.marks import contested_commitments_q
from commitments.models import ActionPlan, Commitment, Milestone, PlanFigures
from compliance.engine import Period
from compliance.sweep import sweep_all

pytestmark = pytest.mark.django_db

H2_2019 = Period(dt.date(2019, 7, 1), dt.date(2019, 12, 31), "2019-H2")
NOW = timezone.make_aware(dt.datetime(2019, 12, 20, 12))
DAYS = (dt.date(2019, 7, 1), dt.date(2019, 12, 20), dt.date(2020, 3, 31), dt.date(2020, 4, 1), dt.date(2021, 1, 1), dt.date(2026, 11, 29))


def oracle(today, plans=None):
    """The figures counted from the commitments and milestones themselves (the rules the rows replace)."""
    commitments = Commitment.objects.all() if plans is None else Commitment.objects.filter(plan__in=plans)
    milestones = Milestone.objects.all() if plans is None else Milestone.objects.filter(commitment__plan__in=plans)
    rows = commitments.order_by().values_list("completion").annotate(n=Count("pk"), contested=Count("pk", filter=contested_commitments_q()))
    completions = {value: 0 for value in PlanFigures.COMPLETION_FIELDS}
    for value, n, _contested in rows:
        completions[value or ""] += n
    return {
        "completions": completions,
        "contested": sum(contested for _value, _n, contested in rows),
        "overdue": milestones.filter(overdue_milestones_q(today)).count(),
    }


def stored(plan, today):
    row = PlanFigures.objects.get(plan=plan)
    assert row.overdue_holds_on(today)
    return {
        "completions": {value: getattr(row, field) for value, field in PlanFigures.COMPLETION_FIELDS.items()},
        "contested": row.contested,
        "overdue": row.overdue,
    }


def publish(milestone, people, completion):
    coordinator, poc = people
    update = progress.save_progress(
        milestone, H2_2019, by=coordinator, data={"completion": completion, "narrative": "Reported."}, version=0, now=NOW
    )
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    return progress.approve_progress(update, by=poc, version=update.version, now=NOW)


def test_the_import_stores_every_plans_figures(kg17):
    plans = ActionPlan.objects.filter(commitments__isnull=False).distinct()
    assert plans.count() >= 2
    today = timezone.localdate()
    for plan in plans:
        assert stored(plan, today) == oracle(today, [plan])
    for day in DAYS:
        assert portal_figures(day) == oracle(day)


def test_a_publication_stores_its_plans_figures_again(kg17, people):
    milestones = list(kg17.milestones.order_by("id"))
    day = dt.date(2026, 11, 29)
    before = oracle(day, [kg17.plan])
    assert before["overdue"] >= len(milestones)  # the seed plan ended in 2020: every open milestone is overdue
    for milestone in milestones:
        publish(milestone, people, "complete")
    kg17.refresh_from_db()
    assert kg17.completion == "complete"
    after = oracle(day, [kg17.plan])
    assert after["overdue"] == before["overdue"] - len(milestones)
    assert after["completions"]["complete"] == before["completions"]["complete"] + 1
    refresh_day = timezone.localdate()
    assert stored(kg17.plan, refresh_day) == oracle(refresh_day, [kg17.plan])
    assert portal_figures(day) == oracle(day)


def test_moving_a_milestones_end_stores_the_overdue_count_again(kg17, people):
    day = dt.date(2019, 12, 20)
    milestone = kg17.milestones.filter(done=False, end_date__lt=day, end_precision="day").order_by("id").first() or (
        kg17.milestones.filter(done=False, end_date__lt=dt.date(2019, 12, 1)).order_by("id").first()
    )
    assert milestone is not None
    refresh_plan_figures([kg17.plan.pk], day)  # stored as of that day: the row holds on it
    assert PlanFigures.objects.get(plan=kg17.plan).overdue_holds_on(day)
    before = portal_figures(day)["overdue"]
    assert before == oracle(day)["overdue"]
    services.update_milestone(
        milestone, by=people[0], data={"end_date": dt.date(2020, 6, 30), "end_precision": "day"}, version=milestone.version
    )
    assert portal_figures(day)["overdue"] == before - 1 == oracle(day)["overdue"]
    today = timezone.localdate()
    assert stored(kg17.plan, today) == oracle(today, [kg17.plan])
    # The day after its new end it is overdue again, though nothing was written since.
    for later in (dt.date(2020, 6, 30), dt.date(2020, 7, 1)):
        assert portal_figures(later) == oracle(later)
    refresh_plan_figures([kg17.plan.pk], day)  # stored as of that day: it holds until the next end
    row = PlanFigures.objects.get(plan=kg17.plan)
    assert row.overdue_holds_on(day) and row.overdue == oracle(day, [kg17.plan])["overdue"]
    assert kg17.plan.pk in set(lapsed_plans(dt.date(2020, 7, 1)))
    assert portal_figures(dt.date(2020, 7, 1)) == oracle(dt.date(2020, 7, 1))


def test_the_overdue_count_holds_across_days_and_the_sweep_stores_the_lapsed_ones(kg17):
    first = dt.date(2019, 7, 1)
    refresh_plan_figures(ActionPlan.objects.all(), first)  # stored as of a day when the plans were running
    for day in DAYS:
        assert portal_figures(day) == oracle(day)
    lapsed = set(lapsed_plans(dt.date(2021, 1, 1)))
    assert kg17.plan.pk in lapsed
    sweep_all(timezone.make_aware(dt.datetime(2021, 1, 1, 12)), notify="none")
    assert kg17.plan.pk not in set(lapsed_plans(dt.date(2021, 1, 1)))
    assert stored(kg17.plan, dt.date(2021, 1, 1)) == oracle(dt.date(2021, 1, 1), [kg17.plan])
    assert portal_figures(dt.date(2021, 1, 1)) == oracle(dt.date(2021, 1, 1))


def test_a_plan_without_stored_figures_is_counted_from_its_commitments(kg17):
    PlanFigures.objects.filter(plan=kg17.plan).delete()
    today = timezone.localdate()
    assert portal_figures(today) == oracle(today)


def test_the_admin_shows_a_plans_figures_read_only_and_recomputes_them_through_the_service(seed_data, admin_user, client):
    """The figures are the services' rows: the admin lists them, never edits them, and its action stores them again."""
    from django.urls import reverse

    plan = ActionPlan.objects.get(member__code="KG")
    refresh_plan_figures([plan.pk])
    right = PlanFigures.objects.get(plan=plan).complete
    PlanFigures.objects.filter(plan=plan).update(complete=right + 7)  # a row gone wrong outside the services
    client.force_login(admin_user)
    listing = client.get(reverse("admin:commitments_planfigures_changelist"))
    assert listing.status_code == 200
    assert client.get(reverse("admin:commitments_planfigures_add")).status_code == 403
    change = reverse("admin:commitments_planfigures_change", args=[plan.pk])
    client.post(change, {"complete": 99})
    assert PlanFigures.objects.get(plan=plan).complete == right + 7  # the POST changed nothing
    answer = client.post(
        reverse("admin:commitments_planfigures_changelist"),
        {"action": "recompute", "_selected_action": [plan.pk]},
        follow=True,
    )
    assert answer.status_code == 200
    assert PlanFigures.objects.get(plan=plan).complete == right


def test_the_figures_run_as_the_statement_kept_for_the_day_read_the_data_of_now(kg17, django_assert_num_queries):
    """The first call of a day compiles the figures' statements through the ORM; later calls run the kept SQL
    (issue #20): the same figures, one query (every plan has its row: the lapsed plans' overdue milestones are
    counted in the sums' statement), and they read the rows as they are when they run."""
    day = dt.date(2026, 11, 30)
    first = portal_figures(day)
    assert first == oracle(day)
    assert ActionPlan.objects.filter(figures__isnull=True).count() == 0
    with django_assert_num_queries(1):
        assert portal_figures(day) == first
    PlanFigures.objects.filter(plan=kg17.plan).delete()  # a plan without its row: counted from its commitments
    assert portal_figures(day) == oracle(day) == first
    Commitment.objects.filter(plan=kg17.plan).update(completion="complete")
    changed = portal_figures(day)
    assert changed == oracle(day) and changed != first


@pytest.mark.usefixtures("page_cache_on")
def test_whether_every_plan_has_its_row_is_kept_across_publications_and_checked_again_after_any_other_change(
    kg17, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The check for plans without a stored row (the plans counted beside the rows) is kept until a change not
    scoped to members (issue #20): only such a change adds a plan; a publication stores rows, never removes one."""
    from ogp_portal import cache as page_cache

    day = dt.date(2026, 11, 30)
    refresh_plan_figures(ActionPlan.objects.values_list("pk", flat=True), day)
    assert portal_figures(day) == oracle(day)
    kept = f"derived:b{page_cache.base_generation()}:every-plan-stored"
    assert page_cache.cache.get(kept) is True
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed(members=[kg17.plan.member_id])  # a publication
    expected = oracle(day)
    with django_assert_num_queries(1) as captured:
        assert portal_figures(day) == expected
    assert "commitments_actionplan" not in captured.captured_queries[0]["sql"]  # the plans are not counted again
    # A plan without its row (as an import, the admin or a factory may leave one), then a change not scoped to members.
    with django_capture_on_commit_callbacks(execute=True):
        PlanFigures.objects.filter(plan=kg17.plan).delete()
        page_cache.public_pages_changed()
    assert page_cache.cache.get(f"derived:b{page_cache.base_generation()}:every-plan-stored") is None
    assert portal_figures(day) == oracle(day)  # its commitments counted from the table
    assert page_cache.cache.get(f"derived:b{page_cache.base_generation()}:every-plan-stored") is False
    refresh_plan_figures([kg17.plan.pk], day)  # as a publication stores it: "not every plan" stays safe meanwhile
    assert portal_figures(day) == oracle(day)


def test_with_every_plan_stored_the_lapsed_plans_overdue_milestones_are_counted_on_every_day(kg17):
    """The usual case at scale (every plan has its row): the sums' statement counts only the lapsed plans' overdue milestones."""
    refresh_plan_figures(ActionPlan.objects.values_list("pk", flat=True), DAYS[0])
    assert ActionPlan.objects.filter(figures__isnull=True).count() == 0
    for day in DAYS:
        assert portal_figures(day) == oracle(day)
    assert kg17.plan.pk in set(lapsed_plans(DAYS[-1], unstored=False))


def test_a_row_holds_its_counts_for_the_next_two_days_more_milestones_become_overdue(kg17):
    """Stored once, a row gives the right count on every day up to its last window's end, with nothing written since.

    With one window ~4 % of the plans lapsed every day at scale 10 and the home page counted their milestones
    (~30 ms) until the sweep ran; now the sums read the stored counts for three windows (issue #20).
    """
    first = dt.date(2019, 7, 1)
    refresh_plan_figures(ActionPlan.objects.all(), first)
    rows = list(PlanFigures.objects.filter(overdue_next_until__isnull=False))
    assert rows, "a plan with two days ahead on which milestones become overdue"
    for row in rows:
        ends = [row.overdue_until, row.overdue_next_until, row.overdue_later_until]
        assert ends[0] < ends[1] and (ends[2] is None or ends[1] < ends[2])
        days = {first, ends[0] - dt.timedelta(days=1), ends[0], ends[1] - dt.timedelta(days=1), ends[1]}
        if ends[2]:
            days |= {ends[2] - dt.timedelta(days=1)}
        for day in sorted(days):
            assert row.overdue_on(day) == oracle(day, [row.plan_id])["overdue"], (row.plan_id, day)
            assert row.plan_id not in set(lapsed_plans(day))
            assert portal_figures(day) == oracle(day)
        if ends[2]:  # past the last window: lapsed, counted from its milestones, and the sweep stores it again
            assert row.overdue_on(ends[2]) is None
            assert row.plan_id in set(lapsed_plans(ends[2]))
            assert portal_figures(ends[2]) == oracle(ends[2])
    assert PlanFigures.objects.get(plan=kg17.plan).overdue_on(first - dt.timedelta(days=400)) is None  # before the row's day


def test_the_migration_fills_the_counts_as_the_service_stores_them(kg17):
    """Migration 0020's fill (the rule written out) gives every row what ``refresh_plan_figures`` stores on the same day."""
    import importlib

    from django.apps import apps

    from commitments.figures import OVERDUE_FIELDS

    fill = importlib.import_module("commitments.migrations.0020_plan_figures_overdue_next_counts").fill
    day = dt.date(2019, 7, 1)  # while the seed plans ran: days ahead on which milestones become overdue
    refresh_plan_figures(ActionPlan.objects.all(), day)
    expected = {row["plan_id"]: row for row in PlanFigures.objects.values("plan_id", *OVERDUE_FIELDS)}
    PlanFigures.objects.update(overdue=0, overdue_from=None, overdue_until=None, overdue_next=0, overdue_next_until=None)
    fill(apps, None, day)
    assert {row["plan_id"]: row for row in PlanFigures.objects.values("plan_id", *OVERDUE_FIELDS)} == expected
    assert any(row["overdue_next_until"] for row in expected.values())
