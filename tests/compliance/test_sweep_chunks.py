"""One sweep (issue 20, point 3): the daily job and the command run the batched sweep in chunks of members,
and the reminders read the stored next deadline instead of evaluating every member every day."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Member, Role
from compliance import services, sweep
from compliance.models import Cycle, Deadline, Finding, MemberStanding, Notification, StatusEvent
from compliance.notifications import reminder_members
from compliance.tasks import sweep_all_task, sweep_chunk_task
from forums.models import Forum, Meeting
from ogp_portal.celery import app
from tests.factories import AgencyFactory, RoleFactory, UserFactory

D = dt.date


def quiet_members(count, prefix="QQ"):
    """Members whose nearest deadline on 2022-12-01 is months away (a forum meeting held that quarter)."""
    members = Member.objects.bulk_create(
        [Member(name=f"Quiet {i}", code=f"{prefix}{i:03d}", country="Testland", joined_on=D(2013, 1, 1)) for i in range(count)]
    )
    forums = Forum.objects.bulk_create([Forum(member=m, name=f"Forum {m.code}") for m in members])
    held = dt.datetime(2022, 11, 20, 10, tzinfo=dt.UTC)
    Meeting.objects.bulk_create([Meeting(forum=f, starts_at=held, status=Meeting.Status.HELD) for f in forums])
    return members


def rows():
    """Everything the sweep writes, as comparable tuples."""
    return (
        sorted(Finding.objects.values_list("member__code", "kind", "subject", "period", "effective_on", "met_again_on")),
        sorted(StatusEvent.objects.values_list("member__code", "status", "effective_on")),
        sorted(Deadline.objects.values_list("member__code", "kind", "cycle", "due_on", "met_on")),
        sorted(Cycle.objects.values_list("member__code", "label", "due_on", "met_on")),
        sorted(MemberStanding.objects.values_list("member__code", "status", "next_deadline", "open_findings")),
    )


@pytest.fixture
def people(kg):
    agency = AgencyFactory(member=kg, name="Ministry of Digital Development")
    RoleFactory(member=kg, user=UserFactory(username="poc"), kind=Role.Kind.POINT_OF_CONTACT)
    RoleFactory(member=kg, user=UserFactory(username="coord"), kind=Role.Kind.COORDINATOR, agency=agency)


@pytest.fixture
def eager():
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


def test_members_are_split_into_chunks_by_id(kg, settings):
    quiet_members(4)
    settings.COMPLIANCE_SWEEP_CHUNK = 2
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    assert sweep.member_chunks() == [(ids[0], ids[1]), (ids[2], ids[3]), (ids[4], ids[4])]
    assert sweep.member_chunks(10) == [(ids[0], ids[-1])]


def test_the_daily_job_sweeps_every_chunk_and_writes_what_the_batched_sweep_writes(kg, settings, eager):
    quiet_members(4)
    settings.COMPLIANCE_SWEEP_CHUNK = 2
    assert sweep_all_task.delay().get() == 3  # three chunks of two members (the last one of one)
    by_job = rows()
    assert by_job[0] and by_job[1] and len(by_job[4]) == 5
    # The same rows as the in-process batched sweep (bench/sweep.py) writes on an empty database.
    for model in (Finding, StatusEvent, Deadline, Cycle, MemberStanding):
        model.objects.filter(**({"source": "rule"} if model in (Finding, Deadline) else {})).delete()
    services.sweep_all(dt.datetime.now(dt.UTC), notify="none")
    assert rows() == by_job


def test_a_chunk_swept_twice_writes_nothing_twice(kg, settings):
    quiet_members(3)
    first, last = sweep.member_chunks(10)[0]
    sweep_chunk_task(first, last)
    once = rows()
    history = Finding.history.count(), StatusEvent.history.count(), Deadline.history.count()
    sweep_chunk_task(first, last)  # redelivered, or queued by a second beat
    assert rows() == once
    assert (Finding.history.count(), StatusEvent.history.count(), Deadline.history.count()) == history


def test_the_command_sweeps_in_chunks_and_prints_one_line_per_member(kg, settings):
    quiet_members(2)
    settings.COMPLIANCE_SWEEP_CHUNK = 2
    out = io.StringIO()
    call_command("compliance_sweep", "--as-of", "2024-01-01", "--no-notify", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["KG", "QQ000", "QQ001"]
    assert lines[0].startswith("KG: inactive_recommended; ") and " new findings, " in lines[0]
    assert MemberStanding.objects.count() == 3
    out = io.StringIO()
    call_command("compliance_sweep", "--as-of", "2024-01-01", "--member", "kg", stdout=out)
    assert out.getvalue() == "KG: inactive_recommended; 0 new findings, 0 resolved, 0 new status events\n"


class TestRemindersReadTheStoredDeadline:
    def test_a_member_swept_today_with_no_deadline_in_the_window_is_not_evaluated(self, kg, people):
        quiet = quiet_members(3)
        today = D(2022, 12, 1)
        # Before any sweep (or after a sweep of another day) everyone is evaluated, as before.
        assert set(reminder_members(today)) == {kg, *quiet}
        services.sweep_all(today, notify="none")
        assert MemberStanding.objects.filter(evaluated_on=today).count() == 4
        assert list(reminder_members(today)) == [kg]  # KG's forum and plan deadlines are within 30 days
        assert set(reminder_members(today + dt.timedelta(days=1))) == {kg, *quiet}  # a stale standing speaks for no day

    @pytest.mark.parametrize("day,threshold", [(D(2022, 12, 1), 30), (D(2022, 12, 24), 7), (D(2022, 12, 30), 1)])
    def test_the_same_reminders_go_out_with_the_stored_standing_as_without(self, kg, people, day, threshold):
        quiet_members(2)
        expected = []
        for member in Member.objects.order_by("pk"):  # what evaluating every member gives
            for deadline in services.evaluate_member(member, day).next_deadlines:
                if services.reminder_threshold(deadline.days_left) is not None:
                    expected += [u.email for u in services.recipients_for(member, deadline.kind)]
        services.sweep_all(day, notify="none")
        mail.outbox.clear()
        assert services.send_due_reminders(day) == len(expected) > 0
        assert sorted(a for m in mail.outbox for a in m.to) == sorted(expected)
        assert Notification.objects.filter(kind="reminder", key__contains=f":{threshold}:").count() > 0

    def test_the_reminders_run_the_same_queries_for_few_and_for_many_quiet_members(self, kg, people):
        day = D(2022, 12, 1)

        def reminder_queries():
            services.sweep_all(day, notify="none")
            services.send_due_reminders(day)  # the emails due (sent once)
            with CaptureQueriesContext(connection) as ctx:
                assert services.send_due_reminders(day) == 0
            return len(ctx.captured_queries)

        quiet_members(2)
        few = reminder_queries()
        quiet_members(20, prefix="QR")
        assert reminder_queries() == few

    def test_a_repeated_run_skips_the_reminders_and_notices_already_sent_without_a_claim(self, kg, people):
        day = D(2022, 12, 1)
        services.sweep_member(kg.pk, now=D(2022, 11, 20), notify="none")  # findings whose notices are pending

        def repeat_queries():
            services.send_due_reminders(day)
            with CaptureQueriesContext(connection) as ctx:
                assert services.send_due_reminders(day) == 0
            return len(ctx.captured_queries)

        few = repeat_queries()
        sent = len(mail.outbox)
        assert Notification.objects.filter(kind="reminder").exists()
        agency = Role.objects.get(kind=Role.Kind.COORDINATOR).agency
        for name in ("coord2", "coord3", "poc2"):
            kind = Role.Kind.POINT_OF_CONTACT if name.startswith("poc") else Role.Kind.COORDINATOR
            RoleFactory(member=kg, user=UserFactory(username=name), kind=kind, agency=agency if kind == "coordinator" else None)
        assert repeat_queries() == few  # more people told, and nothing claimed again for any of them
        assert len(mail.outbox) > sent  # the newcomers got what was due (as when every member was evaluated)

    def test_the_members_with_a_deadline_in_the_window_are_evaluated_and_reminded_in_a_fixed_number_of_queries(self, kg):
        day = D(2022, 12, 1)

        def due_members(count, prefix):
            members = quiet_members(count, prefix)
            # Their forum last met in the third quarter: the fourth quarter's meeting is due on 2022-12-31.
            Meeting.objects.filter(forum__member__in=members).update(starts_at=dt.datetime(2022, 8, 10, 10, tzinfo=dt.UTC))
            for m in members:
                RoleFactory(member=m, user=UserFactory(username=f"poc-{m.code}".lower()), kind=Role.Kind.POINT_OF_CONTACT)

        def repeat_queries():
            services.sweep_all(day, notify="none")
            assert services.send_due_reminders(day) > 0  # the new members' points of contact are reminded
            with CaptureQueriesContext(connection) as ctx:
                assert services.send_due_reminders(day) == 0
            return len(ctx.captured_queries), reminder_members(day).count()

        due_members(2, "DA")
        few, evaluated = repeat_queries()
        due_members(10, "DB")
        more, more_evaluated = repeat_queries()
        assert (evaluated, more_evaluated) == (3, 13)  # KG and the members with the forum deadline
        assert more == few
