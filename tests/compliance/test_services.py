"""The sweep writes findings and status events idempotently, and resolves them with their dates."""

import datetime as dt
import threading

import pytest
from django.db import connections

from compliance import services
from compliance import sweep as sweep_module
from compliance.models import Deadline, Finding, StatusEvent
from tests.factories import ActionPlanFactory, DecisionFactory, MeetingFactory

from .conftest import bishkek

D = dt.date


def rows():
    """Return every finding and status event as comparable tuples."""
    findings = sorted(
        Finding.objects.values_list("member__code", "kind", "subject", "period", "effective_on", "resolved_on")
    )
    events = sorted(StatusEvent.objects.values_list("member__code", "status", "previous_status", "effective_on", "cycle"))
    deadlines = sorted(Deadline.objects.values_list("member__code", "kind", "cycle", "due_on", "met_on", "source"))
    return findings, events, deadlines


def test_it_records_the_seed_000_ladder_as_status_events(kg):
    services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    assert list(StatusEvent.objects.order_by("effective_on").values_list("status", "effective_on", "cycle")) == [
        ("contrary_to_process", D(2022, 1, 1), "2021-2023"),
        ("under_review", D(2023, 1, 1), "2022-2024"),
        ("inactive_recommended", D(2024, 1, 1), "2023-2025"),
    ]
    assert list(
        Finding.objects.filter(kind="contrary_to_process").order_by("effective_on").values_list("period", "effective_on")
    ) == [("2021-2023", D(2022, 1, 1)), ("2022-2024", D(2023, 1, 1)), ("2023-2025", D(2024, 1, 1))]


def test_running_the_sweep_twice_leaves_the_same_rows(kg):
    first = services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    snapshot = rows()
    second = services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    assert rows() == snapshot
    assert first.created_findings and not second.changed
    assert Finding.history.count() == len(snapshot[0])  # nothing re-saved


def test_a_sweep_rerun_after_a_crash_ends_with_the_same_rows(kg, monkeypatch):
    """The sweep writes in batches, one short transaction per step with its history: a crash between
    steps leaves whole steps written, a crash inside a step none of it, and a rerun completes the rest."""
    services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    expected = rows()
    Finding.objects.all().delete()
    StatusEvent.objects.all().delete()
    Finding.history.all().delete()

    # Killed after the findings were written, before the status events.
    monkeypatch.setattr(sweep_module, "write_events", lambda writes: (_ for _ in ()).throw(SystemExit("worker killed")))
    with pytest.raises(SystemExit):
        services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    assert Finding.objects.count() == len(expected[0]) and StatusEvent.objects.count() == 0
    assert Finding.history.count() == Finding.objects.count()  # each finding with its history
    monkeypatch.undo()

    # Killed inside the findings' step (while writing their history): nothing of that step stays.
    Finding.objects.all().delete()
    Finding.history.all().delete()

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(sweep_module, "write_history", killed)  # the sweep's writes live in compliance.sweep
    with pytest.raises(SystemExit):
        services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    assert Finding.objects.count() == 0
    monkeypatch.undo()

    services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    assert rows() == expected
    assert Finding.history.filter(history_type="+").count() == Finding.objects.count()


def test_a_plan_delivered_later_resolves_the_findings_and_the_review(kg):
    services.sweep_member(kg.pk, now=bishkek(2023, 6, 1))
    assert Finding.objects.filter(kind="contrary_to_process", met_again_on=None).count() == 2
    ActionPlanFactory(member=kg, start_date=D(2024, 1, 1), end_date=D(2025, 12, 31), submitted_on=D(2023, 11, 30))
    services.sweep_member(kg.pk, now=bishkek(2023, 12, 1))
    assert list(
        Finding.objects.filter(kind="contrary_to_process").order_by("period").values_list("period", "met_again_on", "resolved_on")
    ) == [("2021-2023", D(2023, 11, 30), None), ("2022-2024", D(2023, 11, 30), None)]  # issue 19: missed, then met again
    latest = StatusEvent.objects.latest("effective_on")
    assert (latest.status, latest.previous_status, latest.effective_on) == ("active", "under_review", D(2023, 11, 30))
    # Recorded with its history.
    finding = Finding.objects.get(period="2021-2023")
    assert finding.history.first().met_again_on == D(2023, 11, 30)


def test_a_late_meeting_resolves_the_missed_quarter_with_its_date(kg):
    services.sweep_member(kg.pk, now=bishkek(2019, 1, 2))
    [missed] = Finding.objects.filter(kind="missed_forum_meeting")
    assert (missed.period, missed.effective_on, missed.resolved_on) == ("2018-Q4", D(2019, 1, 1), None)
    MeetingFactory(forum=kg.forums.get(), starts_at=bishkek(2019, 2, 20))
    services.sweep_member(kg.pk, now=bishkek(2019, 3, 1))
    missed.refresh_from_db()
    assert (missed.met_again_on, missed.resolved_on) == (D(2019, 2, 20), None)  # issue 19: it stays missed


def test_a_meeting_recorded_inside_the_missed_quarter_clears_the_finding_on_the_next_sweep(kg):
    services.sweep_member(kg.pk, now=bishkek(2019, 1, 2))
    MeetingFactory(forum=kg.forums.get(), starts_at=bishkek(2018, 11, 15))  # backfilled
    services.sweep_member(kg.pk, now=bishkek(2019, 1, 3))
    # Issue 19: the corrected data no longer supports the finding: withdrawn with the reason, not resolved.
    finding = Finding.objects.get(kind="missed_forum_meeting")
    assert (finding.withdrawn_on, finding.resolved_on, finding.met_again_on) == (D(2019, 1, 3), None, None)
    assert "no longer supports" in finding.withdrawal_reason


def test_an_irm_finding_recorded_by_the_administrator_counts_in_the_ladder(kg):
    ActionPlanFactory(member=kg, start_date=D(2022, 1, 1), end_date=D(2023, 12, 31), submitted_on=D(2021, 12, 1))
    DecisionFactory(member=kg, kind="irm_no_progress", decided_on=D(2022, 9, 1), cycle="2021-2023")
    result = services.sweep_member(kg.pk, now=bishkek(2022, 10, 1))
    assert result.status == "contrary_to_process"
    finding = Finding.objects.get(kind="irm_no_progress")
    assert (finding.period, finding.effective_on, finding.reference) == ("2021-2023", D(2022, 9, 1), "IRM Action Plan Review")


def test_the_sweep_keeps_the_letters_already_recorded(kg):
    StatusEvent.objects.create(
        member=kg, status="contrary_to_process", effective_on=D(2022, 1, 1), cycle="2021-2023",
        reference="OGP letter of 2022-03-09",
    )
    services.sweep_member(kg.pk, now=bishkek(2022, 6, 1))
    [event] = StatusEvent.objects.all()
    assert event.reference == "OGP letter of 2022-03-09"


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_write_each_row_once(kg):
    """Four sweeps of the same member at once (real threads, separate connections)."""
    # On PostgreSQL the inserts really race (the unique constraints decide); SQLite
    # serialises writers with IMMEDIATE transactions.
    barrier = threading.Barrier(4)
    errors = []

    def sweep():
        try:
            barrier.wait()
            services.sweep_member(kg.pk, now=bishkek(2024, 1, 1), notify="none")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    findings, events, deadlines = rows()
    assert len(findings) == len(set((f[0], f[1], f[2], f[3]) for f in findings))
    assert [e[1] for e in events] == ["contrary_to_process", "inactive_recommended", "under_review"]
    assert Finding.objects.filter(kind="contrary_to_process").count() == 3
    assert len(deadlines) == len({d[:3] for d in deadlines}) == 5


def test_sweep_all_sweeps_every_member(kg):
    from tests.factories import LocalMemberFactory

    LocalMemberFactory(parent=kg)
    results = services.sweep_all(bishkek(2024, 1, 1))
    assert {r.member for r in results} == {"KG", "KGBSK"}


def test_reasons_are_written_in_english_russian_and_kyrgyz(kg):
    services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    event = StatusEvent.objects.get(member=kg, status="under_review")
    assert event.reason_en == "Acted contrary to process for 2 consecutive cycles (no action plan delivered for the 2022-2024 cycle)."
    assert event.reason_ru == (
        "Циклов подряд с действиями вопреки процессу: 2 (не представлен план действий на цикл 2022-2024)."
    )
    assert event.reason_ky == (
        "Процесске каршы аракеттенген катарлаш циклдер: 2 (2022-2024 цикли үчүн иш-аракет планы тапшырылган жок)."
    )
    finding = Finding.objects.get(member=kg, kind="contrary_to_process", period="2021-2023")
    assert finding.reason_ky.startswith("2021-2023 цикли үчүн иш-аракет планы")
    assert "2021-12-31" in finding.reason_ru


def test_a_sweep_run_inside_a_russian_request_still_writes_english_as_the_original(kg):
    from django.utils import translation

    with translation.override("ru"):
        services.sweep_member(kg.pk, now=bishkek(2024, 1, 1))
    event = StatusEvent.objects.get(member=kg, status="contrary_to_process")
    assert event.reason_en.startswith("Acted contrary to process")
    assert event.reason_ru.startswith("Действовал вопреки процессу")


def test_the_sweep_keeps_a_deadline_per_cycle_and_the_day_it_was_met(kg):
    services.sweep_member(kg.pk, now=bishkek(2024, 6, 1))
    assert list(Deadline.objects.filter(member=kg).order_by("due_on").values_list("cycle", "due_on", "met_on", "source")) == [
        # The first plan is judged too: due 12 months after joining (2017-11-21); the 2018 plan started 2018-09-01.
        ("2018-2020", D(2018, 11, 21), D(2018, 9, 1), "rule"),
        ("2021-2023", D(2021, 12, 31), None, "administrator"),
        ("2022-2024", D(2022, 12, 31), None, "administrator"),
        ("2023-2025", D(2023, 12, 31), None, "administrator"),
        ("2024-2026", D(2024, 12, 31), None, "rule"),
    ]
    ActionPlanFactory(member=kg, start_date=D(2024, 1, 1), end_date=D(2027, 12, 31), submitted_on=D(2024, 9, 15))
    services.sweep_member(kg.pk, now=bishkek(2024, 10, 1))
    met = Deadline.objects.get(member=kg, cycle="2024-2026")
    assert (met.met_on, met.source) == (D(2024, 9, 15), "rule")
    admin_rows = Deadline.objects.filter(member=kg, source="administrator")
    assert all(d.reason for d in admin_rows), "an administrator's reason is never overwritten"


def test_a_sweep_with_nothing_new_only_reads(kg, django_assert_max_num_queries):
    services.sweep_member(kg.pk, now=bishkek(2024, 1, 1), notify="none")
    # 17: the snapshot also reads administrators' findings, the extensions and the plan extensions (issue 19.4);
    # the sweep reads the cycles and writes the member's standing (one UPDATE: swept_at).
    with django_assert_max_num_queries(17):
        result = services.sweep_member(kg.pk, now=bishkek(2024, 1, 1), notify="none")
    assert not result.changed


def test_the_sweep_queues_one_follower_notice_per_new_status_event_of_a_followed_member(kg, monkeypatch, django_capture_on_commit_callbacks):
    """Status events are inserted in one batch: the followers' notices are still queued once per new event."""
    from engagement import services as engagement
    from engagement.models import Follow
    from tests.factories import LocalMemberFactory, UserFactory

    Follow.objects.create(user=UserFactory(), member=kg)
    LocalMemberFactory(parent=kg)  # swept too, followed by nobody
    queued = []
    monkeypatch.setattr(engagement, "_enqueue", lambda kind, pk: queued.append((kind, pk)))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_all(bishkek(2024, 1, 1), notify="none")
    events = list(StatusEvent.objects.filter(member=kg).order_by("pk").values_list("pk", flat=True))
    assert len(events) == 3
    assert sorted(queued) == [("status_event", pk) for pk in events]
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_all(bishkek(2024, 1, 1), notify="none")
    assert len(queued) == 3  # nothing new: nothing queued again
