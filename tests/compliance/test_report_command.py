"""`compliance_report --as-of` gives the statuses of seed 000 on the real seed data, and writes nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compliance.models import Finding, Notification, StatusEvent

STATUSES = {"active", "contrary_to_process", "under_review", "inactive_recommended", "inactive", "removal_recommended"}


def report(*args):
    out = StringIO()
    call_command("compliance_report", *args, stdout=out)
    return out.getvalue()


def kg_as_of(day):
    [entry] = json.loads(report("--as-of", day, "--member", "KG", "--json"))
    return entry


def plan_due(entry):
    return next(d["due"] for d in entry["next_deadlines"] if d["kind"] == "action_plan")


@pytest.mark.parametrize(
    "day,status,due",
    [
        ("2021-12-31", "active", "2021-12-31"),
        ("2022-01-01", "contrary_to_process", "2022-12-31"),
        ("2023-01-01", "under_review", "2023-12-31"),
        ("2023-12-31", "under_review", "2023-12-31"),
        ("2024-01-01", "inactive_recommended", "2024-12-31"),
    ],
)
def test_the_seed_000_statuses_to_the_day(seed_data, day, status, due):
    entry = kg_as_of(day)
    assert entry["member"] == "KG"
    assert entry["status"] == status
    assert plan_due(entry) == due


def test_the_json_shape(seed_data):
    entries = json.loads(report("--as-of", "2022-01-01", "--json"))
    assert {e["member"] for e in entries} == {"KG", "KGBSK"}
    for entry in entries:
        assert entry["status"] in STATUSES
        for f in entry["findings"]:
            assert {"kind", "period", "effective_date"} <= set(f)
        for d in entry["next_deadlines"]:
            assert {"kind", "due"} <= set(d)
    kg = next(e for e in entries if e["member"] == "KG")
    assert {"kind": "contrary_to_process", "subject": "", "period": "2021-2023", "effective_date": "2022-01-01"} in kg[
        "findings"
    ]


def test_it_writes_nothing(seed_data):
    before = (Finding.objects.count(), StatusEvent.objects.count(), Notification.objects.count())
    report("--as-of", "2024-01-01")
    report("--as-of", "2024-01-01", "--json")
    assert (Finding.objects.count(), StatusEvent.objects.count(), Notification.objects.count()) == before


def test_the_text_form(seed_data):
    text = report("--as-of", "2023-01-01", "--member", "kg")
    assert "KG (Kyrgyz Republic): under_review since 2023-01-01" in text
    assert "action_plan 2023-2025 due 2023-12-31" in text


def test_bad_arguments(seed_data):
    with pytest.raises(CommandError):
        report("--as-of", "31.12.2021")
    with pytest.raises(CommandError):
        report("--member", "XX")


def test_the_sweep_twin_records_what_the_report_shows(seed_data):
    out = StringIO()
    call_command("compliance_sweep", "--as-of", "2024-01-01", "--member", "KG", stdout=out)
    assert "KG: inactive_recommended" in out.getvalue()
    assert list(StatusEvent.objects.filter(member__code="KG").order_by("effective_on").values_list("status", flat=True)) == [
        "contrary_to_process",
        "under_review",
        "inactive_recommended",
    ]
    call_command("send_reminders", "--as-of", "2024-01-01", stdout=StringIO())
