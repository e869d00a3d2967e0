"""factory_boy factories for the domain models.

Each section belongs to the app it builds; add yours below, don't rewrite others'.
"""

import datetime as dt

import factory
from django.utils import timezone

from commitments.models import Activity, ActionPlan, Agency, Commitment, Member, Milestone, ProgressUpdate
from forums.models import Forum, ForumMembership, Meeting
from ogp.policy import cycle_label

# --- commitments ------------------------------------------------------------


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        django_get_or_create = ("code",)

    name = "Kyrgyz Republic"
    code = "KG"
    country = "Kyrgyz Republic"
    kind = Member.Kind.NATIONAL


class LocalMemberFactory(MemberFactory):
    name = "Bishkek"
    code = "KGBSK"
    kind = Member.Kind.LOCAL
    parent = factory.SubFactory(MemberFactory)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    member = factory.SubFactory(MemberFactory)
    name = factory.Sequence(lambda n: f"Ministry of Example Affairs {n}")
    acronym = ""


class ActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlan

    member = factory.SubFactory(MemberFactory)
    title = "National Action Plan 2018–2020"
    start_date = dt.date(2018, 9, 1)
    end_date = dt.date(2020, 8, 31)
    submitted_on = dt.date(2018, 12, 20)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    plan = factory.SubFactory(ActionPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    identifier = factory.LazyAttribute(lambda o: f"{o.plan.member.code}{o.number:04d}")
    title = factory.Sequence(lambda n: f"Open data commitment {n}")
    start_date = dt.date(2018, 9, 1)
    end_date = dt.date(2020, 8, 31)
    lead_agency = factory.SubFactory(AgencyFactory, member=factory.SelfAttribute("..plan.member"))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    commitment = factory.SubFactory(CommitmentFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Prepare the ground"
    expected_results = "A plan everyone agreed on."


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    commitment = factory.SubFactory(CommitmentFactory)
    activity = None
    number = factory.Sequence(lambda n: f"1.{n + 1}")
    deliverable = factory.Sequence(lambda n: f"Deliverable {n}")
    budget_national = True
    start_date = dt.date(2019, 1, 1)
    start_precision = "month"
    end_date = dt.date(2019, 6, 30)
    end_precision = "day"


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    """A progress update, approved (published) by default, with the commitment's stored roll-up refreshed
    as ``progress.approve_progress`` leaves it."""

    class Meta:
        model = ProgressUpdate
        skip_postgeneration_save = True

    milestone = factory.SubFactory(MilestoneFactory)
    period_start = dt.date(2019, 1, 1)
    period_end = dt.date(2019, 6, 30)
    completion = "substantial"
    narrative = "Half the datasets are out."
    state = ProgressUpdate.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def refresh_rollup(obj, create, extracted, **kwargs):
        if create:
            from commitments.progress import refresh_completion

            refresh_completion([obj.milestone.commitment_id])


# --- forums -----------------------------------------------------------------


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    member = factory.SubFactory(MemberFactory)
    name = "Open Government National Forum"
    founding_act = "Government Decree No. 123"
    founded_on = dt.date(2017, 5, 1)


class ForumMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumMembership

    forum = factory.SubFactory(ForumFactory)
    person = factory.Sequence(lambda n: f"Person {n}")
    organisation = "Example organisation"
    sector = ForumMembership.Sector.GOVERNMENT
    role = ForumMembership.Role.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    forum = factory.SubFactory(ForumFactory)
    title = factory.Sequence(lambda n: f"Forum meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.make_aware(dt.datetime(2019, 3, 15, 10, 0)))
    status = Meeting.Status.HELD


# --- compliance -------------------------------------------------------------

from django.contrib.auth import get_user_model  # noqa: E402

from commitments.models import Role  # noqa: E402
from compliance.models import Deadline, Decision  # noqa: E402


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Aibek"
    last_name = factory.Sequence(lambda n: f"Tester{n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    member = factory.SubFactory(MemberFactory)
    kind = Role.Kind.POINT_OF_CONTACT
    agency = None


class AdminDeadlineFactory(factory.django.DjangoModelFactory):
    """An action-plan deadline stated by OGP in a letter (seed 000)."""

    class Meta:
        model = Deadline

    member = factory.SubFactory(MemberFactory)
    kind = Deadline.Kind.ACTION_PLAN
    cycle = factory.LazyAttribute(lambda o: cycle_label(o.due_on))
    due_on = dt.date(2021, 12, 31)
    source = Deadline.Source.ADMINISTRATOR
    reason = "Stated in OGP's letter."


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    member = factory.SubFactory(MemberFactory)
    kind = Decision.Kind.IRM_MINIMUM_REQUIREMENTS
    decided_on = dt.date(2022, 9, 1)
    document = "IRM Action Plan Review"
