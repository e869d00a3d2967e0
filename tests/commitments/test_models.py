"""Model validation: clear messages for bad input."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from commitments.models import (
    Activity,
    ActionPlan,
    Agency,
    Commitment,
    DatePrecision,
    Member,
    Milestone,
    ProgressUpdate,
    Role,
    period_end,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kg():
    return Member.objects.create(name="Kyrgyz Republic", code="KG", country="Kyrgyz Republic")


@pytest.fixture
def plan(kg):
    return ActionPlan.objects.create(
        member=kg, title="NAP 2018–2020", start_date=dt.date(2018, 9, 1), end_date=dt.date(2020, 8, 31)
    )


@pytest.fixture
def commitment(plan):
    return Commitment.objects.create(
        plan=plan, identifier="KG0001", title="Open data", start_date=dt.date(2018, 9, 1), end_date=dt.date(2020, 8, 31)
    )


def messages(exc):
    return {field: [str(m) for m in msgs] for field, msgs in exc.value.message_dict.items()}


def test_plan_end_before_start_is_refused_with_a_clear_message(kg):
    plan = ActionPlan(member=kg, title="Backwards", start_date=dt.date(2020, 1, 1), end_date=dt.date(2019, 1, 1))
    with pytest.raises(ValidationError) as exc:
        plan.full_clean()
    assert messages(exc) == {"end_date": ["The end date cannot be before the start date."]}


def test_commitment_identifier_must_carry_the_member_code(plan):
    c = Commitment(plan=plan, identifier="XX0001", title="Wrong prefix")
    with pytest.raises(ValidationError) as exc:
        c.full_clean()
    assert messages(exc)["identifier"] == ["The identifier must start with the member's code KG."]


def test_commitment_identifiers_are_unique(commitment, plan):
    duplicate = Commitment(plan=plan, identifier="KG0001", title="Again")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "identifier" in exc.value.message_dict
    with pytest.raises(IntegrityError):
        Commitment.objects.create(plan=plan, identifier="KG0001", title="Again")


def test_commitment_lead_agency_must_belong_to_the_member(plan):
    other = Member.objects.create(name="Bishkek", code="KGBSK", country="Kyrgyz Republic", kind="local")
    foreign = Agency.objects.create(member=other, name="Mayor's Office")
    c = Commitment(plan=plan, identifier="KG0002", title="T", lead_agency=foreign)
    with pytest.raises(ValidationError) as exc:
        c.full_clean()
    assert messages(exc)["lead_agency"] == ["The lead agency belongs to another member."]


def test_unknown_ogp_value_is_named_in_the_message(plan):
    c = Commitment(plan=plan, identifier="KG0003", title="T", ogp_values=["transparency-ish"])
    with pytest.raises(ValidationError) as exc:
        c.full_clean()
    assert messages(exc)["ogp_values"] == ["Unknown OGP value: transparency-ish."]


def test_milestone_cannot_end_after_its_commitment(commitment):
    m = Milestone(
        commitment=commitment,
        number="1.1",
        deliverable="Portal",
        start_date=dt.date(2019, 1, 1),
        start_precision=DatePrecision.MONTH,
        end_date=dt.date(2020, 12, 1),
        end_precision=DatePrecision.MONTH,
    )
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert messages(exc)["end_date"] == ["The milestone cannot end after its commitment (Aug. 31, 2020)."]


def test_milestone_cannot_start_before_its_commitment(commitment):
    m = Milestone(commitment=commitment, number="1.1", deliverable="x", start_date=dt.date(2018, 8, 1), start_precision="month")
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "start_date" in exc.value.message_dict


def test_month_precision_milestone_ending_in_the_commitments_last_month_is_valid(commitment):
    m = Milestone(
        commitment=commitment,
        number="1.4",
        deliverable="Expand",
        start_date=dt.date(2019, 3, 1),
        start_precision=DatePrecision.MONTH,
        end_date=dt.date(2020, 8, 1),
        end_precision=DatePrecision.MONTH,
    )
    m.full_clean()
    assert m.ends_on == dt.date(2020, 8, 31)


def test_milestone_end_before_start(commitment):
    m = Milestone(commitment=commitment, number="1.2", deliverable="x", start_date=dt.date(2019, 5, 1), end_date=dt.date(2019, 4, 1))
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert messages(exc)["end_date"] == ["The end date cannot be before the start date."]


def test_month_precision_date_must_be_first_of_month(commitment):
    m = Milestone(commitment=commitment, number="1.3", deliverable="x", start_date=dt.date(2019, 5, 5), start_precision="month")
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert messages(exc)["start_date"] == ["A date of month precision must be the first of the month."]


def test_milestone_activity_must_be_of_the_same_commitment(commitment, plan):
    other = Commitment.objects.create(plan=plan, identifier="KG0009", title="Other")
    activity = Activity.objects.create(commitment=other, number=1, title="A")
    m = Milestone(commitment=commitment, activity=activity, number="1.1", deliverable="x")
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert messages(exc)["activity"] == ["The activity belongs to another commitment."]


def test_period_end_of_a_month_is_its_last_day_including_leap_february():
    assert period_end(dt.date(2020, 2, 1), DatePrecision.MONTH) == dt.date(2020, 2, 29)
    assert period_end(dt.date(2019, 7, 1), DatePrecision.DAY) == dt.date(2019, 7, 1)


def test_evidence_links_are_refused_by_name_when_not_a_web_address(commitment, django_user_model):
    from commitments import progress

    m = Milestone.objects.create(commitment=commitment, number="1.1", deliverable="x")
    update = ProgressUpdate.objects.create(
        milestone=m, period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30), completion="limited"
    )
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    with pytest.raises(ValidationError) as exc:
        progress.add_evidence_link(update, "javascript:alert(1)", by=admin)
    assert messages(exc)["url"] == ["“javascript:alert(1)” is not a valid web address."]
    assert not update.evidence.exists()


def test_an_approved_update_without_its_date_is_refused_with_a_message_not_a_constraint_name(commitment):
    m = Milestone.objects.create(commitment=commitment, number="1.1", deliverable="x")
    update = ProgressUpdate(
        milestone=m, period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30), completion="limited", state="published"
    )
    with pytest.raises(ValidationError) as exc:
        update.full_clean()
    assert messages(exc) == {"published_at": ["An approved update needs the date it was approved."]}


def test_progress_update_period_must_be_ordered_in_the_database(commitment):
    m = Milestone.objects.create(commitment=commitment, number="1.1", deliverable="x")
    with pytest.raises(IntegrityError):
        ProgressUpdate.objects.create(
            milestone=m, period_start=dt.date(2019, 6, 30), period_end=dt.date(2019, 1, 1), completion="limited"
        )


def test_coordinator_role_needs_an_agency(kg, django_user_model):
    user = django_user_model.objects.create_user("coord")
    role = Role(user=user, member=kg, kind=Role.Kind.COORDINATOR)
    with pytest.raises(ValidationError) as exc:
        role.full_clean()
    assert "A coordinator role needs an agency." in str(exc.value)


def test_validation_messages_are_translated(kg):
    plan = ActionPlan(member=kg, title="Backwards", start_date=dt.date(2020, 1, 1), end_date=dt.date(2019, 1, 1))
    with translation.override("ru"):
        with pytest.raises(ValidationError) as exc:
            plan.full_clean()
        assert messages(exc)["end_date"] == ["Дата окончания не может быть раньше даты начала."]


def test_every_change_is_kept_in_history_with_its_author(commitment, django_user_model):
    editor = django_user_model.objects.create_user("editor")
    commitment.title_ru = "Открытые данные"
    commitment._history_user = editor
    commitment.save()
    latest = commitment.history.first()
    assert latest.history_user == editor
    assert latest.title_ru == "Открытые данные"
    assert commitment.history.count() == 2


def test_translated_text_falls_back_to_english(commitment):
    with translation.override("ky"):
        assert Commitment.objects.get(pk=commitment.pk).title == "Open data"
    commitment.title_ky = "Ачык маалыматтар"
    commitment.save()
    with translation.override("ky"):
        assert Commitment.objects.get(pk=commitment.pk).title == "Ачык маалыматтар"
