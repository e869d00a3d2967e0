"""The real seed data, loaded through the models: counts and spot checks against the seed text."""

import datetime as dt

import pytest
from django.core.management import call_command

from commitments.models import ActionPlan, Commitment, Member, Milestone
from compliance.models import Deadline, StatusEvent
from forums.models import Forum, ForumMembership, Meeting

pytestmark = pytest.mark.django_db

# Milestones per commitment, in the order of seed 001 (KG0001 … KG0018).
MILESTONES_PER_COMMITMENT = [9, 8, 8, 5, 6, 5, 9, 3, 4, 9, 4, 5, 2, 8, 10, 5, 3, 7]


def test_the_national_plan_has_its_18_commitments(seed_data):
    plan = ActionPlan.objects.get(member__code="KG")
    assert plan.commitments.count() == 18
    assert plan.start_date == dt.date(2018, 9, 1)
    assert plan.end_date == dt.date(2020, 8, 31)
    assert plan.approval_act == "Government Decree No. 360-r"
    assert plan.approved_on == dt.date(2018, 10, 16)


def test_each_commitment_has_the_milestones_of_the_seed(seed_data):
    counts = [c.milestones.count() for c in Commitment.objects.filter(plan__member__code="KG").order_by("number")]
    assert counts == MILESTONES_PER_COMMITMENT


def test_the_auditing_commitment_is_led_by_the_accounts_chamber_with_both_budget_sources(seed_data):
    c = Commitment.objects.get(title="Implement an auditing system with public participation")
    assert c.lead_agency.name == "Accounts Chamber"
    m = c.milestones.get(number="2.2")
    assert (m.start_date, m.start_precision) == (dt.date(2019, 12, 1), "month")
    assert (m.end_date, m.end_precision) == (dt.date(2020, 8, 1), "month")
    assert m.budget_development_partners and m.budget_national
    assert m.format_date("start") == "December 2019"
    assert m.format_date("end") == "August 2020"


def test_a_milestone_dated_to_the_day_keeps_day_precision(seed_data):
    m = Milestone.objects.get(commitment__identifier="KG0001", number="3.1")
    assert (m.end_date, m.end_precision) == (dt.date(2019, 7, 1), "day")
    assert m.activity.number == 3


def test_the_open_data_commitment_keeps_every_template_field(seed_data):
    c = Commitment.objects.get(identifier="KG0001")
    assert c.title == "Implementation and promotion of open data policy in the Kyrgyz Republic"
    assert c.lead_agency.acronym == "SCITC"
    assert c.problem.startswith("Insufficient information in machine-readable format")
    assert c.description.startswith("Creating a national open data platform")
    assert c.contact_name == "Ms. B.Keneshova"
    assert "(0312) 605046" in c.contact_phone
    assert c.ogp_values == ["access_to_information", "civic_participation"]
    assert c.activities.count() == 3
    assert c.activities.get(number=1).expected_results.startswith("1.1. Public consultations")


def test_bishkek_is_an_ogp_local_member_with_its_plan_committee_and_monitoring_body(seed_data):
    bishkek = Member.objects.get(code="KGBSK")
    assert bishkek.kind == Member.Kind.LOCAL
    assert bishkek.parent.code == "KG"
    plan = bishkek.plans.get()
    assert plan.submitted_on == dt.date(2025, 1, 17)
    assert plan.end_date == dt.date(2025, 12, 31)
    assert "Alliance for Transparent Budget" in plan.monitoring_body
    assert list(plan.commitments.values_list("identifier", flat=True)) == ["KGBSK0001", "KGBSK0002", "KGBSK0003"]
    committee = Forum.objects.get(member=bishkek)
    sectors = list(committee.memberships.values_list("sector", flat=True))
    assert sectors.count(ForumMembership.Sector.GOVERNMENT) == 3
    assert sectors.count(ForumMembership.Sector.CIVIL_SOCIETY) == 3


def test_the_national_forum_of_decree_226r(seed_data):
    forum = Forum.objects.get(member__code="KG")
    assert forum.founding_act == "Government Decree No. 226-r"
    assert forum.founded_on == dt.date(2018, 6, 27)
    assert forum.memberships.filter(role=ForumMembership.Role.CO_CHAIR).count() == 2
    first = Meeting.objects.filter(forum=forum).order_by("starts_at").first()
    assert first.status == Meeting.Status.HELD
    assert first.starts_at.astimezone(dt.timezone(dt.timedelta(hours=6))).date() == dt.date(2018, 6, 30)


def test_the_deadline_history_and_letters_of_seed_000(seed_data):
    deadlines = Deadline.objects.filter(member__code="KG", kind=Deadline.Kind.ACTION_PLAN).order_by("due_on")
    assert [d.due_on for d in deadlines] == [dt.date(2021, 12, 31), dt.date(2022, 12, 31), dt.date(2023, 12, 31)]
    assert all(d.source == Deadline.Source.ADMINISTRATOR and d.reason for d in deadlines)
    events = StatusEvent.objects.filter(member__code="KG").order_by("effective_on")
    assert [(e.status, e.effective_on) for e in events][:2] == [
        ("contrary_to_process", dt.date(2022, 1, 1)),
        ("under_review", dt.date(2023, 1, 1)),
    ]
    assert "2022-03-09" in events[0].reference
    assert "2023-02-24" in events[1].reference


def test_loading_twice_changes_nothing(seed_data):
    before = (Commitment.objects.count(), Milestone.objects.count(), Deadline.objects.count(), Meeting.objects.count())
    history_before = Commitment.history.count()
    call_command("load_seed_data", verbosity=0)
    after = (Commitment.objects.count(), Milestone.objects.count(), Deadline.objects.count(), Meeting.objects.count())
    assert after == before
    assert Commitment.history.count() == history_before


def test_the_letters_go_through_the_compliance_services(db, monkeypatch):
    """The seed's letters are recorded by the compliance services an administrator's letter uses, not written directly."""
    from compliance import services as compliance_services

    calls = []
    for name in ("record_letter_deadline", "record_letter_status"):
        real = getattr(compliance_services, name)
        monkeypatch.setattr(compliance_services, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    call_command("load_seed_data", verbosity=0)
    assert calls.count("record_letter_deadline") == 3 and calls.count("record_letter_status") == 2
    events = list(StatusEvent.objects.filter(member__code="KG").order_by("effective_on"))
    # Each letter's status follows the one before it; its words stay in English, the other languages fall back to them.
    assert [(e.previous_status, e.status) for e in events] == [("active", "contrary_to_process"), ("contrary_to_process", "under_review")]
    assert events[0].reason_en and events[0].reason_ru == "" and events[0].reason_ky == ""
    history = (Deadline.history.count(), StatusEvent.history.count())
    call_command("load_seed_data", verbosity=0)
    assert (Deadline.history.count(), StatusEvent.history.count()) == history  # loading again writes no history


def test_a_letter_takes_over_the_rules_deadline_for_its_cycle(db):
    from compliance import services as compliance_services
    from tests.factories import MemberFactory

    kg = MemberFactory(code="KG")
    Deadline.objects.create(member=kg, kind=Deadline.Kind.ACTION_PLAN, cycle="2022-2024", due_on=dt.date(2022, 8, 31))
    row = compliance_services.record_letter_deadline(
        kg, kind=Deadline.Kind.ACTION_PLAN, cycle="2022-2024", due_on=dt.date(2022, 12, 31),
        reason="OGP letter of 2022-03-09: the next action plan must be delivered by 2022-12-31.", reference="OGP letter of 2022-03-09",
    )
    assert Deadline.objects.get(member=kg, cycle="2022-2024") == row
    assert (row.source, row.due_on) == (Deadline.Source.ADMINISTRATOR, dt.date(2022, 12, 31))


def test_a_changed_seed_gives_the_changed_commitment_a_new_version(seed_data, tmp_path, settings):
    import json
    import shutil

    for path in (settings.BASE_DIR / "fixtures").glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    national = json.loads((tmp_path / "kg_nap_2018_2020.json").read_text(encoding="utf-8"))
    national["commitments"][16]["title"] = "Implement an auditing system with citizens' participation"
    (tmp_path / "kg_nap_2018_2020.json").write_text(json.dumps(national), encoding="utf-8")
    call_command("load_seed_data", "--fixtures", str(tmp_path), verbosity=0)
    changed = Commitment.objects.get(identifier=national["commitments"][16]["identifier"])
    assert changed.title == "Implement an auditing system with citizens' participation" and changed.version == 2
    assert set(Commitment.objects.exclude(pk=changed.pk).values_list("version", flat=True)) == {1}
