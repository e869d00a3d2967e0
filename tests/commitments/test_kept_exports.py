"""Open-data exports are kept (issue #20): a second reader gets the kept bytes, a change gives the next reader the new ones.

Each answer is kept per query string, language and day under the token every change to its rows replaces
(``commitments.exports.kept_key``): an export filtered by one member under that member's scope (a
publication of this member, an import, an admin edit, a sweep that writes replace it), any other under the
generation. The page cache is on here (off in the test settings) and starts empty.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments import exports
from commitments import progress as commitment_progress
from commitments.models import ActionPlan, Role
from tests.engagement.conftest import people, submitted_update  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def url(slug, fmt="csv", query="member=KG"):
    return reverse("commitments:export", args=[slug, fmt]) + (f"?{query}" if query else "")


def body(response):
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def made_afresh(settings, address):
    """The export as it is made from the database now (nothing kept)."""
    settings.PUBLIC_PAGE_CACHE = False
    try:
        return body(Client().get(address))
    finally:
        settings.PUBLIC_PAGE_CACHE = True


def _export_rows_read(ctx):
    """The queries of the export's rows (not the member's id, looked up again after a change to find its scope)."""
    return [
        q["sql"] for q in ctx.captured_queries
        if ("commitments_" in q["sql"] or "compliance_" in q["sql"]) and not q["sql"].startswith('SELECT "commitments_member"."id" AS "pk" FROM "commitments_member" WHERE')
    ]


@pytest.mark.parametrize("slug", ["commitments", "milestones", "progress-updates", "findings"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_second_reader_gets_the_kept_bytes_without_reading_the_rows(people, slug, fmt):
    address = url(slug, fmt)
    first = Client().get(address)
    assert first.streaming  # made and streamed, kept once all was sent
    made = body(first)
    signed_in = Client()
    signed_in.force_login(people.users.coordinator)  # the rows read nothing of the reader
    for reader in (Client(), signed_in):
        with CaptureQueriesContext(connection) as ctx:
            second = reader.get(address)
        assert body(second) == made
        assert not _export_rows_read(ctx)
        for header in ("Content-Type", "Content-Disposition", "Access-Control-Allow-Origin"):
            assert second.get(header) == first.get(header)


def test_each_query_and_language_has_its_own_answer(people):
    everything, kg, bishkek = (body(Client().get(url("commitments", query=q))) for q in ("", "member=KG", "member=KGBSK"))
    assert len({everything, kg, bishkek}) == 3
    assert body(Client().get(url("commitments", query="member=KGBSK"))) == bishkek
    assert body(Client().get(url("commitments", query=""))) == everything
    with CaptureQueriesContext(connection) as ctx:  # another language: made again (the exports are in English)
        russian = body(Client().get("/ru" + url("commitments")))
    assert _export_rows_read(ctx) and russian == kg


def test_a_publication_gives_the_next_reader_the_new_update_and_keeps_other_members_answers(
    people, settings, django_capture_on_commit_callbacks
):
    u = people.users
    Role.objects.create(user=u.civil2, member=people.kg, kind=Role.Kind.POINT_OF_CONTACT)
    kg_address, bishkek_address = url("progress-updates"), url("progress-updates", query="member=KGBSK")
    body(Client().get(kg_address))
    body(Client().get(bishkek_address))
    update, now = submitted_update(people)
    assert b"All audit reports are online." not in body(Client().get(kg_address))  # submitted, not published
    with django_capture_on_commit_callbacks(execute=True):
        commitment_progress.approve_progress(update, by=u.poc, version=update.version, now=now)
    after = body(Client().get(kg_address))
    assert b"All audit reports are online." in after and after == made_afresh(settings, kg_address)
    with CaptureQueriesContext(connection) as ctx:  # another member's answer is still the kept one
        body(Client().get(bishkek_address))
    assert not _export_rows_read(ctx)


def test_an_import_gives_the_next_reader_the_new_content(people, settings, django_capture_on_commit_callbacks):
    from commitments.csv_io import export_plan_csv
    from commitments.importer import read_file, run_import

    address = url("commitments")
    before = body(Client().get(address))
    plan = ActionPlan.objects.get(pk=people.plan.pk)
    title = people.commitment.title
    edited = export_plan_csv(plan).replace(title, title + " across all regions", 1)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run_import(people.kg, read_file("plan.csv", edited.encode(), people.kg), user=people.users.admin, commit=True)
    assert outcome.committed, outcome.errors
    after = body(Client().get(address))
    assert after != before and b" across all regions" in after
    assert after == made_afresh(settings, address)


def test_an_admin_edit_gives_the_next_reader_the_new_content(people, settings, django_capture_on_commit_callbacks):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from commitments.models import Milestone

    address = url("milestones")
    before = body(Client().get(address))
    milestone = people.commitment.milestones.order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        Milestone.objects.filter(pk=milestone.pk).update(budget_text="Edited by the administrator: 40,000 som")
        LogEntry.objects.create(
            user_id=people.users.admin.pk, content_type=ContentType.objects.get_for_model(Milestone),
            object_id=str(milestone.pk), object_repr=str(milestone), action_flag=CHANGE,
        )
    after = body(Client().get(address))
    assert after != before and b"Edited by the administrator: 40,000 som" in after
    assert after == made_afresh(settings, address)


def test_the_sweep_gives_the_next_reader_the_new_findings(seed_data, settings, django_capture_on_commit_callbacks):
    from compliance import services as compliance_services

    address = url("findings")
    with django_capture_on_commit_callbacks(execute=True):
        compliance_services.sweep_all(timezone.make_aware(dt.datetime(2026, 11, 29, 12)), notify="none")
    before = body(Client().get(address))
    with django_capture_on_commit_callbacks(execute=True):
        results = compliance_services.sweep_all(timezone.make_aware(dt.datetime(2027, 12, 1, 12)), notify="none")
    assert any(r.changed for r in results)
    after = body(Client().get(address))
    assert after != before and after == made_afresh(settings, address)


def test_an_answer_larger_than_the_bound_is_streamed_and_not_kept(people, monkeypatch):
    monkeypatch.setattr(exports, "KEPT_BYTES", 1000)
    address = url("commitments")
    first = body(Client().get(address))
    assert len(first) > 1000
    with CaptureQueriesContext(connection) as ctx:
        second = Client().get(address)
    assert second.streaming and body(second) == first and _export_rows_read(ctx)


def test_bad_parameters_are_still_refused(people):
    response = Client().get(url("commitments", query="member=NOPE"))
    assert response.status_code == 400
    assert Client().get(url("commitments", query="member=NOPE")).status_code == 400
