"""Project-wide checks: the system check, migrations and the admin."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

OUR_APPS = {"commitments", "forums", "compliance"}


@pytest.mark.django_db
def test_system_check_is_clean():
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_domain_model_is_in_the_admin():
    missing = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in OUR_APPS and not m.__name__.startswith("Historical") and m not in admin.site._registry
    ]
    assert missing == []


def registered_models():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


@pytest.fixture
def one_of_each(seed_data):
    """The seed data, a compliance sweep, and one row of each model the seed leaves empty."""
    from django.utils import timezone

    from commitments.models import Agency, Milestone, Role
    from compliance.models import Notification, Policy
    from forums.models import Attendance, Meeting
    from tests.factories import DecisionFactory, ProgressUpdateFactory, UserFactory

    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    # The default policy comes from a data migration, which transactional tests flush away.
    Policy.objects.get_or_create(member=None, effective_from=dt.date(2022, 1, 1))
    kg_milestone = Milestone.objects.filter(commitment__identifier="KG0001").first()
    update = ProgressUpdateFactory(milestone=kg_milestone)
    from commitments.models import Evidence, StatusReport, StatusReportLine

    Evidence.objects.create(update=update, kind=Evidence.Kind.LINK, url="https://www.audit.kg/")
    plan = kg_milestone.commitment.plan
    report = StatusReport.objects.create(
        member=plan.member, plan=plan, period_label="2019-H1", period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30)
    )
    StatusReportLine.objects.create(report=report, commitment=kg_milestone.commitment)
    user = UserFactory()
    agency = Agency.objects.get(member__code="KG", acronym="SCITC")
    Role.objects.create(user=user, member=agency.member, kind=Role.Kind.COORDINATOR, agency=agency)
    meeting = Meeting.objects.filter(forum__member__code="KG").first()
    Attendance.objects.create(meeting=meeting, membership=meeting.forum.memberships.first())
    # Forums: one row of each secretariat record the seed leaves empty.
    from forums.models import ActionItem, Invitation, MeetingChange, MeetingDecision, MinutesApproval

    co_chair = meeting.forum.memberships.filter(role="co_chair").first()
    MeetingChange.objects.create(
        meeting=meeting, kind="rescheduled", previous_starts_at=meeting.starts_at, new_starts_at=meeting.starts_at,
        reason="Kyrgyz forum moved by a day", changed_at=timezone.now(),
    )
    Invitation.objects.create(meeting=meeting, membership=co_chair, email="co-chair@example.org")
    MinutesApproval.objects.create(meeting=meeting, co_chair=co_chair, approved_at=timezone.now())
    MeetingDecision.objects.create(meeting=meeting, text="Complete the first Kyrgyz NAP")
    ActionItem.objects.create(meeting=meeting, title="Publish the Kyrgyz NAP", owner="Secretariat")
    DecisionFactory(member=agency.member)
    # Compliance rows only an administrator enters (issue #7): an OGP letter, a letter profile, the 2020 extension.
    from compliance.models import DeadlineExtension, Letter, LetterProfile, StatusEvent

    Letter.objects.create(
        member=agency.member, kind="contrary_to_process", dated=dt.date(2022, 3, 9), document="OGP letter of 9 March 2022",
        status_event=StatusEvent.objects.filter(member=agency.member).first(),
    )
    LetterProfile.objects.create(member=agency.member, name_in_letters="the Kyrgyz Republic")
    DeadlineExtension.objects.get_or_create(
        name="COVID-19 (2020)",
        defaults={"due_from": dt.date(2020, 1, 1), "due_to": dt.date(2020, 12, 31), "until": dt.date(2020, 12, 31), "reason": "COVID-19"},
    )
    from compliance.models import PlanExtension

    PlanExtension.objects.create(name="COVID-19 plans (2018–2020)", ends_from=dt.date(2020, 1, 1), ends_to=dt.date(2020, 12, 31),
                                 months=12, reason="C&S resolution")
    Notification.objects.create(
        key="test:1", kind=Notification.Kind.choices[0][0], member=agency.member, email="poc@example.org",
        claimed_at=timezone.now(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_admin_changelist_search_and_change_pages_load(model, one_of_each, admin_client):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "Kyrgyz"}).status_code == 200
    # Rows the system writes (status report lines; the sweep's status events, cycles, standings) cannot be added by hand.
    read_only = getattr(admin.site._registry[model], "read_only", False) or opts.label in {
        "compliance.StatusEvent",
        "compliance.Cycle",
        "compliance.MemberStanding",
    }
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if read_only else 200)
    obj = model._default_manager.first()
    assert obj is not None, f"no {opts.label} row to open"
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200
    history = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    assert admin_client.get(history).status_code == 200
    # Sorted by the first column, too.
    assert admin_client.get(changelist, {"o": "1"}).status_code == 200
