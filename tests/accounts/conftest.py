"""Personas on the real seed data (Kyrgyz NAP 2018–2020 and Bishkek 2025), one per role."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from commitments.models import Agency, Commitment, Member, ProgressUpdate, Role

PASSWORD = "a-long-test-password-42"


def _user(username, **extra):
    return get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD, **extra)


@pytest.fixture
def world(seed_data):
    """Every role of the permission matrix, and updates in each state on KG0017 (Accounts Chamber) and KG0008 (Finance)."""
    kg = Member.objects.get(code="KG")
    bishkek = Member.objects.get(code="KGBSK")
    kg0017 = Commitment.objects.select_related("lead_agency").get(identifier="KG0017")
    kg0008 = Commitment.objects.select_related("lead_agency").get(identifier="KG0008")
    chamber, finance = kg0017.lead_agency, kg0008.lead_agency
    city = Agency.objects.filter(member=bishkek).order_by("name").first()

    users = SimpleNamespace(
        anonymous=None,
        civil=_user("citizen"),
        own=_user("chamber"),
        other_agency=_user("finance"),
        other_member_coordinator=_user("city"),
        poc=_user("kg-poc"),
        other_poc=_user("bishkek-poc"),
        secretariat=_user("kg-forum"),
        admin=_user("ogp-admin", is_staff=True),
    )
    Role.objects.create(user=users.own, member=kg, kind=Role.Kind.COORDINATOR, agency=chamber)
    Role.objects.create(user=users.other_agency, member=kg, kind=Role.Kind.COORDINATOR, agency=finance)
    Role.objects.create(user=users.other_member_coordinator, member=bishkek, kind=Role.Kind.COORDINATOR, agency=city)
    Role.objects.create(user=users.poc, member=kg, kind=Role.Kind.POINT_OF_CONTACT)
    Role.objects.create(user=users.other_poc, member=bishkek, kind=Role.Kind.POINT_OF_CONTACT)
    Role.objects.create(user=users.secretariat, member=kg, kind=Role.Kind.SECRETARIAT)

    m17 = list(kg0017.milestones.order_by("id"))
    m08 = kg0008.milestones.order_by("id").first()
    h1 = dict(period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30))
    h2 = dict(period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31))
    updates = SimpleNamespace(
        draft=ProgressUpdate.objects.create(milestone=m17[0], completion="limited", author=users.own, state="draft", **h1),
        submitted=ProgressUpdate.objects.create(
            milestone=m17[1], completion="substantial", author=users.own, state="submitted", **h1
        ),
        published=ProgressUpdate.objects.create(
            milestone=m17[0], completion="substantial", author=users.own, state="published", published_at=timezone.now(), **h2
        ),
        other_agency_draft=ProgressUpdate.objects.create(
            milestone=m08, completion="not_started", author=users.other_agency, state="draft", **h1
        ),
    )
    return SimpleNamespace(
        users=users,
        updates=updates,
        kg=kg,
        bishkek=bishkek,
        kg0017=kg0017,
        kg0008=kg0008,
        chamber=chamber,
        finance=finance,
        city=city,
        milestone=m17[0],
    )


def sign_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def review_queue_of(response):
    """The updates listed on the review page (this app's, or the progress workflow's where it exists)."""
    context = response.context
    return list(context["queue"] if "queue" in context else context["updates"])


def get_review_page(client):
    """GET the review queue, following a redirect to the progress workflow's review page but not to sign-in."""
    from django.urls import reverse

    response = client.get(reverse("work:review_queue"))
    if response.status_code == 302 and not response.headers["Location"].startswith(reverse("accounts:login")):
        response = client.get(response.headers["Location"])
    return response
