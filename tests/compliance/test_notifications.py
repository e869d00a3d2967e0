"""Reminders 30, 7 and 1 days before a deadline, and notices of new findings and status changes: once each."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from commitments.models import Role
from compliance import services
from compliance.models import Notification
from tests.factories import AgencyFactory, CommitmentFactory, RoleFactory, UserFactory

D = dt.date


@pytest.fixture
def people(kg):
    """KG's point of contact, a coordinator, the forum secretariat, and someone of another member."""
    agency = AgencyFactory(member=kg, name="Ministry of Digital Development")
    return {
        "poc": RoleFactory(member=kg, user=UserFactory(username="poc"), kind=Role.Kind.POINT_OF_CONTACT).user,
        "coordinator": RoleFactory(
            member=kg, user=UserFactory(username="coord"), kind=Role.Kind.COORDINATOR, agency=agency
        ).user,
        "secretariat": RoleFactory(member=kg, user=UserFactory(username="sec"), kind=Role.Kind.SECRETARIAT).user,
    }


@pytest.fixture
def kg_no_forum(kg):
    kg.forums.all().delete()
    return kg


def recipients():
    return sorted(address for m in mail.outbox for address in m.to)


class TestReminders:
    @pytest.mark.parametrize("day,threshold", [(D(2022, 12, 1), 30), (D(2022, 12, 24), 7), (D(2022, 12, 30), 1)])
    def test_it_reminds_the_point_of_contact_and_coordinators(self, kg_no_forum, people, day, threshold):
        assert services.send_due_reminders(day) == 2
        assert recipients() == ["coord@example.org", "poc@example.org"]
        assert Notification.objects.filter(kind="reminder", key__contains=f":{threshold}:").count() == 2

    def test_each_reminder_is_sent_once(self, kg_no_forum, people):
        for day in (D(2022, 12, 1), D(2022, 12, 1), D(2022, 12, 2), D(2022, 12, 24), D(2022, 12, 25), D(2022, 12, 30)):
            services.send_due_reminders(day)
        assert len(mail.outbox) == 6
        assert Notification.objects.filter(sent_at__isnull=False).count() == 6

    def test_a_late_run_catches_up_with_the_missed_reminder(self, kg_no_forum, people):
        assert services.send_due_reminders(D(2022, 12, 3)) == 2  # day 28: the 30-day reminder
        assert "28" in mail.outbox[0].body
        assert services.send_due_reminders(D(2022, 12, 4)) == 0

    def test_nothing_is_sent_after_the_deadline_or_far_from_it(self, kg_no_forum, people):
        assert services.send_due_reminders(D(2022, 11, 1)) == 0
        assert services.reminder_threshold(-1) is None
        assert services.reminder_threshold(31) is None
        assert [services.reminder_threshold(n) for n in (30, 8, 7, 2, 1, 0)] == [30, 30, 7, 7, 1, 1]

    def test_forum_reminders_go_to_the_secretariat(self, kg, people):
        # The forum must meet in 2022-Q4 (ends 2022-12-31): the secretariat and the point of contact hear of it.
        services.send_member_reminders(kg, now=D(2022, 12, 1))
        forum_mails = [m for m in mail.outbox if "Forum meeting" in m.subject]
        assert sorted(a for m in forum_mails for a in m.to) == ["poc@example.org", "sec@example.org"]

    def test_update_reminders_go_to_the_coordinators_whose_agency_leads_a_commitment(self, kg_no_forum, people):
        agency = Role.objects.get(kind="coordinator").agency
        plan = kg_no_forum.plans.get()
        plan.end_date = D(2023, 8, 31)
        plan.save()
        CommitmentFactory(plan=plan, lead_agency=agency)
        other = AgencyFactory(member=kg_no_forum, name="Ministry of Finance")
        RoleFactory(member=kg_no_forum, user=UserFactory(username="finance"), kind="coordinator", agency=other)
        assert [u.username for u in services.recipients_for(kg_no_forum, "status_update")] == ["poc", "coord"]

    @pytest.mark.parametrize("lang,word", [("ru", "декабря"), ("ky", "декабрь")])
    def test_the_reminder_is_written_in_the_recipients_language(self, kg_no_forum, people, lang, word):
        with translation.override(lang):
            services.send_due_reminders(D(2022, 12, 1))
        assert word in mail.outbox[0].subject.lower()
        assert Notification.objects.filter(language=lang).count() == 2

    def test_a_crashed_send_is_retried_once_its_claim_is_stale(self, kg_no_forum, people, monkeypatch):
        from django.core.mail.message import EmailMultiAlternatives

        real_send, calls = EmailMultiAlternatives.send, []

        def fail_first(self, *a, **k):
            calls.append(self.to)
            if len(calls) == 1:
                raise ConnectionError("SMTP down")
            return real_send(self, *a, **k)

        monkeypatch.setattr(EmailMultiAlternatives, "send", fail_first)
        assert services.send_due_reminders(dt.datetime(2022, 12, 1, 9, tzinfo=dt.UTC)) == 1  # one failed, one sent
        monkeypatch.undo()
        assert services.send_due_reminders(dt.datetime(2022, 12, 1, 9, 5, tzinfo=dt.UTC)) == 0  # claim still fresh
        assert services.send_due_reminders(dt.datetime(2022, 12, 1, 9, 30, tzinfo=dt.UTC)) == 1  # the stale claim
        assert services.send_due_reminders(dt.datetime(2022, 12, 1, 10, tzinfo=dt.UTC)) == 0


class TestNotices:
    def test_a_new_finding_and_status_change_are_notified_once(self, kg_no_forum, people):
        services.sweep_member(kg_no_forum.pk, now=D(2022, 1, 1))
        subjects = sorted(m.subject for m in mail.outbox)
        assert len(subjects) == 4  # finding + status change, to the point of contact and the coordinator
        assert any("Acting contrary to process" in s and "2021-2023" in s for s in subjects)
        services.sweep_member(kg_no_forum.pk, now=D(2022, 1, 2))
        services.send_due_reminders(D(2022, 1, 3))
        assert len(mail.outbox) == 4

    def test_history_found_on_a_first_sweep_is_not_news(self, kg_no_forum, people):
        services.sweep_member(kg_no_forum.pk, now=D(2022, 6, 1))
        assert mail.outbox == []

    def test_the_status_notice_links_to_the_letter(self, kg_no_forum, people):
        services.sweep_member(kg_no_forum.pk, now=D(2023, 1, 1))
        status_mail = next(m for m in mail.outbox if "Under procedural review" in m.subject)
        assert "/compliance/KG/letters/" in status_mail.body
