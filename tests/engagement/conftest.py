"""People and a published update on the real seed data: KG0017 (Accounts Chamber) of the Kyrgyz NAP 2018–2020."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from commitments.models import Commitment, Member, ProgressUpdate, Role

PASSWORD = "a-long-test-password-42"


def _user(username, **extra):
    return get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD, **extra)


@pytest.fixture
def people(seed_data):
    kg = Member.objects.get(code="KG")
    bishkek = Member.objects.get(code="KGBSK")
    kg0017 = Commitment.objects.select_related("lead_agency", "plan").get(identifier="KG0017")
    kg0008 = Commitment.objects.select_related("lead_agency").get(identifier="KG0008")
    users = SimpleNamespace(
        civil=_user("citizen"),
        civil2=_user("watchdog"),
        coordinator=_user("chamber"),
        other_coordinator=_user("finance"),
        poc=_user("kg-poc"),
        other_poc=_user("bishkek-poc"),
        admin=_user("ogp-admin", is_staff=True),
    )
    Role.objects.create(user=users.coordinator, member=kg, kind=Role.Kind.COORDINATOR, agency=kg0017.lead_agency)
    Role.objects.create(user=users.other_coordinator, member=kg, kind=Role.Kind.COORDINATOR, agency=kg0008.lead_agency)
    Role.objects.create(user=users.poc, member=kg, kind=Role.Kind.POINT_OF_CONTACT)
    Role.objects.create(user=users.other_poc, member=bishkek, kind=Role.Kind.POINT_OF_CONTACT)
    milestone = kg0017.milestones.order_by("id").first()
    published = ProgressUpdate.objects.create(
        milestone=milestone, completion="substantial", author=users.coordinator, state="published",
        published_at=timezone.now(), period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31),
        narrative="The Accounts Chamber published its audit reports on its website.",
    )
    draft = ProgressUpdate.objects.create(
        milestone=milestone, completion="limited", author=users.coordinator, state="draft",
        period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30),
    )
    return SimpleNamespace(users=users, kg=kg, commitment=kg0017, plan=kg0017.plan, published=published, draft=draft)


def submitted_update(people, narrative="All audit reports are online."):
    """The coordinator's update of KG0017's first milestone for 2020-H1, saved and submitted for review (not yet
    published), through the services as the progress form does: ``(update, now)``."""
    from commitments import progress

    milestone = people.commitment.milestones.order_by("id").first()
    period = progress.find_period(people.plan, "2020-H1", dt.date(2020, 7, 10))
    now = timezone.make_aware(dt.datetime(2020, 7, 10, 12))
    coordinator = people.users.coordinator
    update = progress.save_progress(
        milestone, period, by=coordinator, data={"completion": "complete", "narrative": narrative}, version=0, now=now,
    )
    return progress.submit_progress(update, by=coordinator, version=update.version, now=now), now
