"""One completion roll-up everywhere: stored on the commitment, shown the same on every page, list, export and API."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from commitments import filters, progress
from commitments.models import Commitment, Completion, rollup_completion
from compliance.engine import Period

H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
H2_2019 = Period(dt.date(2019, 7, 1), dt.date(2019, 12, 31), "2019-H2")
NOW = timezone.make_aware(dt.datetime(2019, 12, 20, 12))

pytestmark = pytest.mark.django_db


def approve(milestone, people, completion, period=H1_2019):
    coordinator, poc = people
    update = progress.save_progress(
        milestone, period, by=coordinator, data={"completion": completion, "narrative": "Reported."}, version=0, now=NOW
    )
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    return progress.approve_progress(update, by=poc, version=update.version, now=NOW)


def expected_rollup(commitment):
    """The rule applied by hand to the latest approved update of each milestone."""
    levels = []
    for m in commitment.milestones.all():
        latest = m.progress_updates.published().order_by("-period_end", "-published_at").first()
        levels.append(latest.completion if latest else None)
    return rollup_completion(levels)


def in_list(client, **params):
    html = client.get(reverse("commitments:list"), params).content.decode()
    return html


def test_approving_an_update_stores_the_rollup_on_the_commitment(kg17, people):
    assert (kg17.completion, kg17.completion_percent) == ("", 0)  # the seed: nothing approved yet
    m1, m2 = kg17.milestones.order_by("id")[:2]
    approve(m1, people, "complete")
    kg17.refresh_from_db()
    version = kg17.version
    rollup = expected_rollup(kg17)
    assert (kg17.completion, kg17.completion_percent) == (rollup.level, rollup.percent)
    approve(m2, people, "substantial")
    kg17.refresh_from_db()
    rollup = expected_rollup(kg17)
    assert (kg17.completion, kg17.completion_percent) == (rollup.level, rollup.percent)
    # A later period's update replaces the milestone's level in the roll-up.
    approve(m1, people, "limited", period=H2_2019)
    kg17.refresh_from_db()
    assert (kg17.completion, kg17.completion_percent) == (expected_rollup(kg17).level, expected_rollup(kg17).percent)
    # Derived, not edited: no new version (an open edit stays valid) and no history entry.
    assert kg17.version == version
    assert not any("completion" in f.name for f in kg17.history.model._meta.fields)


def test_a_submitted_or_draft_update_does_not_change_the_stored_rollup(kg17, people):
    coordinator, _poc = people
    m1 = kg17.milestones.order_by("id").first()
    update = progress.save_progress(m1, H1_2019, by=coordinator, data={"completion": "complete"}, version=0, now=NOW)
    progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    kg17.refresh_from_db()
    assert (kg17.completion, kg17.completion_percent) == ("", 0)


def test_the_same_commitment_shows_the_same_completion_on_every_page_export_and_api(client, kg17, people):
    m1, m2, m3 = kg17.milestones.order_by("id")[:3]
    approve(m1, people, "complete")
    approve(m2, people, "limited")
    approve(m3, people, "withdrawn")
    rollup = expected_rollup(kg17)
    # The latest approved update says "withdrawn": the commitment's completion is the roll-up, not that.
    assert rollup.level not in (None, Completion.WITHDRAWN)
    label = f"{rollup.get_level_display()} ({rollup.percent} %)"

    # Pages computing it from the updates they show.
    assert label in client.get(kg17.get_absolute_url()).content.decode()
    assert label in client.get(kg17.plan.get_absolute_url()).content.decode()
    # The list (its column) and the list's filter read the stored columns.
    assert label in in_list(client, q="KG0017")
    assert "KG0017" in in_list(client, member="KG", completion=rollup.level)
    other = Completion.COMPLETE if rollup.level != Completion.COMPLETE else Completion.LIMITED
    assert "KG0017" not in in_list(client, member="KG", completion=other)
    assert "KG0017" not in in_list(client, member="KG", completion="none")
    fs = filters.CommitmentFilterSet({"completion": rollup.level}, queryset=Commitment.objects.all())
    assert list(fs.qs.values_list("identifier", flat=True)) == ["KG0017"]

    # The exports.
    text = b"".join(client.get(reverse("commitments:export", args=["commitments", "csv"]), {"member": "KG"}).streaming_content)
    row = next(r for r in csv.DictReader(io.StringIO(text.decode("utf-8-sig"))) if r["Commitment Unique Identifier"] == "KG0017")
    assert (row["Completion (Progress Report)"], row["Completion Percent"]) == (str(rollup.get_level_display()), str(rollup.percent))
    data = json.loads(b"".join(client.get(reverse("commitments:export", args=["commitments", "json"])).streaming_content))
    row = next(r for r in data if r["Commitment Unique Identifier"] == "KG0017")
    assert (row["Completion (Progress Report)"], row["Completion Percent"]) == (str(rollup.get_level_display()), rollup.percent)

    # The API: the commitment, and its list filtered by completion.
    body = client.get(f"/api/v1/commitments/{kg17.pk}/").json()
    assert (body["completion"], body["completion_percent"]) == (rollup.level, rollup.percent)
    listed = client.get("/api/v1/commitments/", {"completion": rollup.level}).json()
    assert [c["identifier"] for c in listed["results"]] == ["KG0017"]
    other = client.get("/api/v1/commitments/", {"completion": "none", "member_code": "KG"}).json()
    assert all(c["completion"] is None for c in other["results"]) and other["results"]


def test_the_open_data_page_documents_the_rule(client):
    html = client.get(reverse("commitments:open_data")).content.decode()
    assert 'id="rollup-rule"' in html
    assert "latest approved update" in html


def test_the_command_and_the_seed_load_repair_a_stale_stored_rollup(kg17, people):
    m1 = kg17.milestones.order_by("id").first()
    approve(m1, people, "complete")
    kg17.refresh_from_db()
    right = (kg17.completion, kg17.completion_percent)
    Commitment.objects.filter(pk=kg17.pk).update(completion="", completion_percent=0)  # as a raw SQL edit would leave it
    call_command("refresh_completion", "--member", "KG", verbosity=0)
    kg17.refresh_from_db()
    assert (kg17.completion, kg17.completion_percent) == right
    Commitment.objects.filter(pk=kg17.pk).update(completion="", completion_percent=0)
    call_command("load_seed_data", verbosity=0)
    kg17.refresh_from_db()
    assert (kg17.completion, kg17.completion_percent) == right
    # Running it again changes nothing.
    assert progress.refresh_completion(Commitment.objects.all()) == 0


def test_an_administrator_deleting_a_milestone_updates_the_stored_rollup(admin_client, kg17, people):
    m1, m2 = kg17.milestones.order_by("id")[:2]
    approve(m1, people, "complete")
    before = Commitment.objects.get(pk=kg17.pk).completion_percent
    response = admin_client.post(reverse("admin:commitments_milestone_delete", args=[m2.pk]), {"post": "yes"})
    assert response.status_code == 302
    kg17.refresh_from_db()
    assert kg17.completion_percent > before
    assert (kg17.completion, kg17.completion_percent) == (expected_rollup(kg17).level, expected_rollup(kg17).percent)
