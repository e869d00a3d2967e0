"""The progress workflow: entry with evidence, review, six-month status reports, conflicts, history."""

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from commitments import progress, services
from commitments.models import (
    ActionPlan,
    Agency,
    Evidence,
    Milestone,
    ProgressUpdate,
    Role,
    StatusReport,
    rollup_completion,
)
from compliance.engine import Period

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
NOW = timezone.make_aware(dt.datetime(2019, 7, 10, 12))


def at(day, hour=12):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- people on the real data --------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def milestone(kg17):
    return kg17.milestones.get(number="1.1")


def _user(django_user_model, name):
    return django_user_model.objects.create_user(name, f"{name}@example.org", f"{name}-pass-123")


@pytest.fixture
def coordinator(django_user_model, kg17):
    """The Accounts Chamber's coordinator: enters progress on KG0017."""
    user = _user(django_user_model, "ac-coordinator")
    Role.objects.create(user=user, member=kg17.plan.member, kind=Role.Kind.COORDINATOR, agency=kg17.lead_agency)
    return user


@pytest.fixture
def colleague(django_user_model, kg17):
    """A second coordinator of the same agency."""
    user = _user(django_user_model, "ac-colleague")
    Role.objects.create(user=user, member=kg17.plan.member, kind=Role.Kind.COORDINATOR, agency=kg17.lead_agency)
    return user


@pytest.fixture
def poc(django_user_model, kg17):
    """The Kyrgyz point of contact: reviews and publishes for the whole member."""
    user = _user(django_user_model, "kg-poc")
    Role.objects.create(user=user, member=kg17.plan.member, kind=Role.Kind.POINT_OF_CONTACT)
    return user


@pytest.fixture
def bishkek_coordinator(django_user_model, seed_data):
    user = _user(django_user_model, "bishkek-coordinator")
    agency = Agency.objects.filter(member__code="KGBSK").first() or Agency.objects.create(
        member_id=Agency.objects.get(member__code="KG", name="Accounts Chamber").member.local_members.get().pk, name="Mayor's office"
    )
    Role.objects.create(user=user, member=agency.member, kind=Role.Kind.COORDINATOR, agency=agency)
    return user


def progress_url(milestone, period="2019-H1"):
    return reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk]) + f"?period={period}"


def post_progress(client, milestone, period="2019-H1", **data):
    payload = {"period": period, "completion": "limited", "narrative": "", "as_of": "2019-06-30", "version": 0, "action": "save"}
    payload.update(data)
    return client.post(progress_url(milestone, period), payload)


def approved(milestone, by_coordinator, by_poc, completion="substantial", period=H1_2019, now=NOW):
    update = progress.save_progress(
        milestone, period, by=by_coordinator, data={"completion": completion, "narrative": "Done in part."}, version=0, now=now
    )
    update = progress.submit_progress(update, by=by_coordinator, version=update.version, now=now)
    return progress.approve_progress(update, by=by_poc, version=update.version, now=now)


# --- the roll-up rule (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "level", "percent"),
    [
        ([None, None], None, 0),
        (["complete", "complete"], "complete", 100),
        (["complete", None], "substantial", 50),
        (["limited", "not_started", None], "limited", 11),
        (["not_started", "no_evidence"], "not_started", 0),
        (["complete", "withdrawn"], "complete", 100),
        (["withdrawn"], "withdrawn", 0),
        (["substantial", "limited", "complete"], "substantial", 66),
    ],
)
def test_completion_rolls_up_from_milestones_by_one_rule(levels, level, percent):
    rollup = rollup_completion(levels)
    assert (rollup.level, rollup.percent) == (level, percent)


def test_plan_and_commitment_pages_show_the_same_rolled_up_completion(client, kg17, coordinator, poc):
    m1, m2 = kg17.milestones.order_by("id")[:2]
    approved(m1, coordinator, poc, completion="complete")
    approved(m2, coordinator, poc, completion="limited")
    expected = rollup_completion(
        [u.completion if (u := m.progress_updates.published().first()) else None for m in kg17.milestones.all()]
    )
    label = f"{expected.get_level_display()} ({expected.percent} %)"
    assert label in client.get(kg17.get_absolute_url()).content.decode()
    assert label in client.get(kg17.plan.get_absolute_url()).content.decode()


# --- entering progress ---------------------------------------------------------------------------


def test_a_coordinator_saves_a_draft_then_submits_it_with_a_link_and_a_file(client, coordinator, milestone, media):
    client.force_login(coordinator)
    assert client.get(progress_url(milestone)).status_code == 200
    response = post_progress(client, milestone, narrative="Audit methodology drafted with CSOs.", completion="substantial")
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(milestone=milestone)
    assert (update.state, update.version, update.author) == ("draft", 1, coordinator)
    response = client.post(
        progress_url(milestone),
        {
            "period": "2019-H1", "completion": "substantial", "narrative": "Methodology adopted.", "version": 1,
            "evidence_url": "https://www.esep.kg/report", "action": "submit",
            "evidence_file": SimpleUploadedFile("methodology.pdf", PDF, content_type="application/octet-stream"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    update.refresh_from_db()
    assert update.state == "submitted" and update.narrative == "Methodology adopted."
    kinds = sorted(update.evidence.values_list("kind", "content_type"))
    assert kinds == [("file", "application/pdf"), ("link", "")]
    stored = update.evidence.get(kind="file")
    assert stored.original_name == "methodology.pdf" and "methodology" not in stored.file.name
    assert len(stored_files(media)) == 1
    # Submitted: no longer editable by the coordinator.
    response = post_progress(client, milestone, narrative="Changed after submitting", version=update.version)
    assert response.status_code == 400
    assert "can no longer be edited" in response.content.decode()


def test_the_form_answers_htmx_with_the_panel_only(client, coordinator, milestone):
    client.force_login(coordinator)
    response = client.post(
        progress_url(milestone),
        {"period": "2019-H1", "completion": "limited", "version": 0, "action": "save"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="progress-panel"') and "<html" not in html


def test_the_form_opens_on_the_periods_update_else_on_the_latest_earlier_completion(client, coordinator, milestone):
    """Issue #20: the period's update and the latest earlier one are read in one query; the form shows the
    update's own values, or for a new one the completion of the latest update that ended before the period."""
    client.force_login(coordinator)

    def completion_offered(period):
        form = client.get(progress_url(milestone, period)).context["form"]
        return form.initial["completion"], form.initial["version"]

    assert completion_offered("2019-H1") == ("not_started", 0)  # nothing earlier
    for start, end, completion in [
        (dt.date(2018, 7, 1), dt.date(2018, 12, 31), "limited"),
        (dt.date(2019, 1, 1), dt.date(2019, 6, 30), "substantial"),
    ]:
        ProgressUpdate.objects.create(
            milestone=milestone, completion=completion, author=coordinator, state="draft", period_start=start, period_end=end
        )
    ProgressUpdate.objects.create(  # a later period's update is neither the period's nor earlier
        milestone=milestone, completion="complete", author=coordinator, state="draft",
        period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 6, 30),
    )
    assert completion_offered("2019-H1") == ("substantial", 1)  # the period's own update
    assert completion_offered("2019-H2") == ("substantial", 0)  # a new one: the latest earlier completion
    assert completion_offered("2018-H2") == ("limited", 1)
    current = client.get(reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk])).context["period"]
    assert client.get(progress_url(milestone, "nonsense")).context["period"] == current  # an unknown label: the current period


def test_the_page_loads_htmx_with_the_csp_nonce(client, coordinator, milestone):
    client.force_login(coordinator)
    response = client.get(progress_url(milestone))
    from tests.pages import assert_strict_page

    assert_strict_page(response)
    assert "htmx" in response.content.decode()


def test_validation_messages_are_clear_and_nothing_is_saved(client, coordinator, milestone):
    client.force_login(coordinator)
    response = post_progress(client, milestone, completion="almost")
    assert response.status_code == 400
    assert "Select a valid choice. almost is not one of the available choices." in response.content.decode()
    response = post_progress(client, milestone, evidence_url="javascript:alert(1)")
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()
    assert not ProgressUpdate.objects.filter(milestone=milestone).exists()


def test_returning_needs_a_comment_and_only_submitted_updates_are_reviewed(coordinator, poc, milestone):
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    with pytest.raises(ValidationError) as exc:
        progress.approve_progress(update, by=poc, version=update.version, now=NOW)
    assert exc.value.messages == ["Only a submitted update can be approved."]
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    with pytest.raises(ValidationError) as exc:
        progress.return_progress(update, by=poc, version=update.version, now=NOW, comment="  ")
    assert exc.value.message_dict == {"comment": ["Say what should change before returning the update."]}
    update = progress.return_progress(update, by=poc, version=update.version, now=NOW, comment="Add the decree's number.")
    assert update.state == "returned"
    # Edited after being returned: a draft again, then submitted and approved.
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited", "narrative": "Decree 12"}, version=update.version, now=NOW)
    assert update.state == "draft"


def test_a_coordinator_cannot_review_and_another_agency_cannot_enter(client, coordinator, poc, seed_data, milestone):
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    with pytest.raises(PermissionDenied):
        progress.approve_progress(update, by=coordinator, version=update.version, now=NOW)
    other = Milestone.objects.filter(commitment__plan__member__code="KG").exclude(commitment__lead_agency=milestone.commitment.lead_agency).first()
    client.force_login(coordinator)
    assert client.get(progress_url(other)).status_code == 404
    assert client.post(reverse("commitments:review_progress", args=[update.pk]), {"action": "approve", "version": update.version}).status_code == 404
    update.refresh_from_db()
    assert update.state == "submitted"


# --- rejected uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", EXE, "This type of file is not accepted"),
        ("report.pdf", b"just some text, not a PDF\n", "does not match its name"),
        ("photo.pdf", PNG, "does not match its name"),
        ("C:report.pdf", PDF, "without a folder or path"),
        ("..report.pdf", PDF, "without a folder or path"),
    ],
    ids=["exe-named-pdf", "text-named-pdf", "png-named-pdf", "drive-path", "dot-dot"],
)
def test_refused_uploads_answer_400_and_store_nothing(client, coordinator, milestone, media, name, content, message):
    client.force_login(coordinator)
    response = post_progress(client, milestone, evidence_file=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_path_in_the_raw_upload_name_is_never_used_for_storage(client, coordinator, milestone, media):
    """Django drops the folders of a multipart file name; what is stored has a random name under evidence/."""
    client.force_login(coordinator)
    boundary = "BoUnDaRy"
    parts = []
    fields = {"period": "2019-H1", "completion": "limited", "version": "0", "action": "save"}
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence_file"; filename="../../etc/passwd.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode() + PDF + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    response = client.post(progress_url(milestone), b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "passwd.pdf"
    [path] = stored_files(media)
    assert path.parent == media / "evidence" and "passwd" not in path.name


@pytest.mark.parametrize("name", ["report\u202efdp.exe.pdf", "re\u200bport\u0007.pdf", "\ufeffreport\u2066.pdf"])
def test_control_and_format_characters_are_stripped_from_evidence_names(client, coordinator, milestone, media, name):
    """Issue 17.7: a right-to-left override (U+202E), zero-width, BOM, bidi isolates, bell: never kept.

    Django's multipart parser drops unprintable characters of names it parses; the service is the
    one place every upload passes (pages, API, scripts), so it strips them whatever the caller.
    """
    import unicodedata

    client.force_login(coordinator)
    response = post_progress(client, milestone, evidence_file=SimpleUploadedFile(name, PDF, content_type="application/pdf"))
    assert response.status_code == 302, response.content.decode()[:2000]
    update = ProgressUpdate.objects.get(milestone=milestone)
    progress.add_evidence_file(update, SimpleUploadedFile(name, PDF), by=coordinator)
    for stored in Evidence.objects.values_list("original_name", flat=True):
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in stored)
        assert stored in ("reportfdp.exe.pdf", "report.pdf")


def test_a_file_above_the_limit_is_refused(client, coordinator, milestone, media, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(coordinator)
    response = post_progress(client, milestone, evidence_file=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert response.status_code == 400
    assert "The file is too large: at most 1.0\xa0KB." in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_a_draft_file_is_hidden_from_others_and_public_once_approved(client, coordinator, poc, bishkek_coordinator, milestone, media):
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    evidence = progress.add_evidence_file(update, SimpleUploadedFile("act.pdf", PDF), by=coordinator)
    url = reverse("commitments:evidence", args=[evidence.pk])
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(bishkek_coordinator)  # another member's coordinator, by URL
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    progress.approve_progress(update, by=poc, version=update.version, now=NOW)
    client.logout()
    assert client.get(url).status_code == 200


# --- conflicts -------------------------------------------------------------------------------------


def test_the_second_of_two_editors_is_refused_and_sees_what_the_first_changed(client, coordinator, colleague, milestone):
    first = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited", "narrative": "Start"}, version=0, now=NOW)
    # Both open the form at version 1; the colleague saves first.
    other = client.__class__()
    other.force_login(colleague)
    assert post_progress(other, milestone, narrative="Colleague's text", completion="substantial", version=first.version).status_code == 302
    client.force_login(coordinator)
    response = post_progress(client, milestone, narrative="My text", completion="complete", version=first.version)
    assert response.status_code == 409
    html = response.content.decode()
    assert "nothing of yours was saved" in html
    assert "Narrative: Colleague&#x27;s text" in html and "Completion: Substantial" in html
    update = ProgressUpdate.objects.get(milestone=milestone)
    assert (update.narrative, update.completion, update.version) == ("Colleague's text", "substantial", 2)


def test_fifty_concurrent_saves_of_one_version_keep_exactly_one(transactional_db, seed_data, coordinator, milestone):
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    results, barrier = [], threading.Barrier(50)

    def save(n):
        try:
            barrier.wait()
            progress.save_progress(
                milestone, H1_2019, by=coordinator, data={"completion": "substantial", "narrative": f"writer {n}"},
                version=update.version, now=NOW,
            )
            results.append("saved")
        except services.StaleVersion:
            results.append("stale")
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(results)) == ["saved", "stale"], results
    assert results.count("saved") == 1
    update.refresh_from_db()
    assert update.version == 2 and update.narrative.startswith("writer ")
    assert update.history.count() == 2  # the creation and the one winning save


def test_versions_give_an_etag_and_if_match_reads_it_back(coordinator, milestone):
    # The one ETag format (ogp_portal.versioning.etag): the version in quotes; If-Match reads it back, weak or not.
    from ogp_portal.api import _if_match_versions
    from ogp_portal.versioning import etag

    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    tag = etag(update)
    assert tag == '"1"'
    assert _if_match_versions(tag) == ["1"] and _if_match_versions("W/" + tag) == ["1"]
    assert _if_match_versions("*") == []


def test_a_stale_milestone_edit_is_refused_and_nothing_is_overwritten(poc, milestone, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    services.update_versioned(milestone, {"budget_text": "Republican budget"}, by=admin, version=1)
    stale = Milestone.objects.get(pk=milestone.pk)
    stale.version = 1
    with pytest.raises(services.StaleVersion) as exc:
        services.update_versioned(stale, {"budget_text": "Donor funds"}, by=admin, version=1)
    assert [(c.field, c.theirs) for c in exc.value.changes] == [("budget_text", "Republican budget")]
    milestone.refresh_from_db()
    assert (milestone.budget_text, milestone.version) == ("Republican budget", 2)


# --- history ---------------------------------------------------------------------------------------


def test_history_shows_who_when_and_field_before_after_in_the_visitors_language(client, kg17, milestone, django_user_model):
    from django.utils.formats import date_format

    admin = django_user_model.objects.create_superuser("auditor", "a@example.org", "pw")
    old_end_day = date_format(milestone.end_date, "DATE_FORMAT")
    services.update_versioned(milestone, {"end_date": dt.date(2020, 6, 1), "end_precision": "day"}, by=admin, version=1)
    services.update_versioned(kg17, {"title_en": "Audit with the public"}, by=admin, version=kg17.version)
    [entry] = [e for e in services.history_entries(milestone) if not e["created"]]
    assert entry["who"] == admin
    changes = {c.label: (c.before, c.theirs) for c in entry["changes"]}
    assert changes["end"] == (old_end_day, "June 1, 2020")
    html = client.get(reverse("commitments:commitment_history", args=["KG0017"])).content.decode()
    assert "Audit with the public" in html and "auditor" in html and "June 1, 2020" in html
    # In Russian: the field's Russian name, the dates in Russian.
    with translation.override("ru"):
        [entry_ru] = [e for e in services.history_entries(milestone) if not e["created"]]
        changes_ru = {c.label: c.theirs for c in entry_ru["changes"]}
    assert changes_ru["окончание"] == "1 июня 2020 г."
    html = client.get("/ru" + reverse("commitments:commitment_history", args=["KG0017"])).content.decode()
    assert "Окончание" in html and "Audit with the public" not in html  # the Russian title did not change


# --- six-month status report and compliance ---------------------------------------------------------


def test_publishing_the_status_report_resolves_the_compliance_finding_for_its_period(kg17, coordinator, poc, django_user_model):
    from compliance.models import Finding
    from compliance.services import sweep_member

    plan = kg17.plan
    ActionPlan.objects.filter(pk=plan.pk).update(submitted_on=dt.date(2018, 8, 31))
    member = plan.member
    sweep_member(member.pk, now=at(dt.date(2019, 7, 5)), notify="none")
    finding = Finding.objects.get(member=member, kind="missed_status_update", period="2019-H1")
    assert finding.resolved_on is None

    report = progress.open_status_report(plan, H1_2019, by=poc)
    assert report.lines.count() == plan.commitments.count() == 18
    with pytest.raises(ValidationError) as exc:
        progress.publish_status_report(report, by=poc, version=report.version, now=NOW)
    assert "Missing: KG0001" in exc.value.messages[0]
    report.refresh_from_db()
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    for commitment in plan.commitments.all():
        approved(commitment.milestones.order_by("id").first(), admin, poc)
    report = progress.publish_status_report(report, by=poc, version=report.version, now=NOW)
    assert report.is_published and report.lines.exclude(milestones=[]).count() == 18

    sweep_member(member.pk, now=at(dt.date(2019, 7, 15)), notify="none")
    finding.refresh_from_db()
    assert (finding.met_again_on, finding.resolved_on) == (dt.date(2019, 7, 10), None)  # issue 19: it stays missed
    # A published report is immutable: publishing again is refused.
    with pytest.raises(ValidationError):
        progress.publish_status_report(report, by=poc, version=report.version, now=NOW)


def test_single_approved_updates_do_not_count_as_the_six_month_report(kg17, coordinator, poc):
    from compliance.models import Finding
    from compliance.services import sweep_member

    ActionPlan.objects.filter(pk=kg17.plan_id).update(submitted_on=dt.date(2018, 8, 31))
    approved(kg17.milestones.first(), coordinator, poc, now=at(dt.date(2019, 5, 1)))
    sweep_member(kg17.plan.member_id, now=at(dt.date(2019, 7, 15)), notify="none")
    assert Finding.objects.get(kind="missed_status_update", period="2019-H1").resolved_on is None


def test_the_published_report_appears_on_the_public_pages(client, kg17, poc, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    for commitment in kg17.plan.commitments.all():
        approved(commitment.milestones.order_by("id").first(), admin, poc)
    report = progress.open_status_report(kg17.plan, H1_2019, by=poc)
    assert client.get(report.get_absolute_url()).status_code == 404  # not public while in preparation
    progress.publish_status_report(report, by=poc, version=report.version, now=NOW)
    for url in (kg17.get_absolute_url(), kg17.plan.get_absolute_url(), report.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Status report 2019-H1" in html, url
    assert StatusReport.objects.get().published_at == NOW


def test_a_published_reports_date_ends_its_sentence_with_one_full_stop_in_every_language(client, kg17, poc, django_user_model):
    """Russian dates end in "г.": "Опубликован 10 июля 2019 г. Этот отчёт…", never "г.." (the translation adds its own stop)."""
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    for commitment in kg17.plan.commitments.all():
        approved(commitment.milestones.order_by("id").first(), admin, poc)
    report = progress.open_status_report(kg17.plan, H1_2019, by=poc)
    progress.publish_status_report(report, by=poc, version=report.version, now=NOW)
    states = {}
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            html = client.get(report.get_absolute_url()).content.decode()
        states[code] = re.search(r'<p class="state">([^<]*)</p>', html).group(1)
        assert ".." not in states[code], (code, states[code])
    assert states["en"].startswith("Published on July 10, 2019. This report")
    assert states["ru"].startswith("Опубликован 10 июля 2019 г. Этот отчёт")
    assert states["ky"].startswith("10 Июль 2019 ж. жарыяланган.")


# --- admin ------------------------------------------------------------------------------------------


def _admin_payload(update, **changes):
    payload = {
        "milestone": update.milestone_id,
        "period_start": "2019-01-01",
        "period_end": "2019-06-30",
        "completion": "limited",
        "narrative": "",
        "state": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "base_version": update.version,
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
    }
    payload.update(changes)
    return payload


def test_admin_shows_a_translated_message_not_a_constraint_name(admin_client, coordinator, milestone):
    # (The state is read-only in the admin since issue 16, so the period's order is the constraint at hand.)
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    url = reverse("admin:commitments_progressupdate_change", args=[update.pk])
    response = admin_client.post(url, _admin_payload(update, period_end="2018-12-31"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in html
    assert "progress_period_ordered" not in html
    update.refresh_from_db()
    assert update.period_end == dt.date(2019, 6, 30)


def test_the_admin_cannot_publish_an_update_by_editing_its_state(admin_client, coordinator, milestone):
    """The review workflow owns the state: a posted state (and approval date) is ignored, the rest is saved."""
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    url = reverse("admin:commitments_progressupdate_change", args=[update.pk])
    payload = _admin_payload(update, state="published", published_at_0="2019-07-01", published_at_1="12:00:00", narrative="Edited")
    response = admin_client.post(url, payload)
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.state, update.published_at, update.narrative) == ("draft", None, "Edited")
    assert not ProgressUpdate.objects.published().exists()
    html = admin_client.get(url).content.decode()
    assert 'name="state"' not in html and 'name="published_at_0"' not in html


def test_the_admin_approves_submitted_updates_through_the_service(admin_client, coordinator, milestone):
    draft = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    other = milestone.commitment.milestones.exclude(pk=milestone.pk).order_by("id").first()
    submitted = progress.save_progress(other, H1_2019, by=coordinator, data={"completion": "substantial"}, version=0, now=NOW)
    submitted = progress.submit_progress(submitted, by=coordinator, version=submitted.version, now=NOW)
    response = admin_client.post(
        reverse("admin:commitments_progressupdate_changelist"),
        {"action": "approve_selected", "_selected_action": [draft.pk, submitted.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 updates approved." in response.content.decode()
    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert draft.state == "draft"  # only submitted updates are approved
    assert submitted.state == "published" and submitted.published_at is not None
    assert submitted.version == 3  # claimed by the service: saved, submitted, approved
    assert submitted.history.first().state == "published"  # kept in history, as every service change


def test_the_admin_cannot_publish_a_status_report_by_editing_it(admin_client, kg17, poc):
    report = progress.open_status_report(kg17.plan, H1_2019, by=poc)
    url = reverse("admin:commitments_statusreport_change", args=[report.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="state"' not in html and 'name="published_at_0"' not in html
    response = admin_client.post(
        reverse("admin:commitments_statusreport_changelist"), {"action": "publish_selected", "_selected_action": [report.pk]}, follow=True
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.state == "draft"  # the service refuses: no commitment has an approved update for the period
    assert "Every commitment needs an approved update for the period first." in response.content.decode()


def test_admin_refuses_a_stale_save_and_keeps_the_newer_text(admin_client, coordinator, milestone):
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    url = reverse("admin:commitments_progressupdate_change", args=[update.pk])
    stale_version = update.version
    progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited", "narrative": "Newer"}, version=1, now=NOW)
    response = admin_client.post(url, _admin_payload(update, narrative="Older", base_version=stale_version))
    assert response.status_code == 200
    assert "Narrative: Newer" in response.content.decode()
    update.refresh_from_db()
    assert update.narrative == "Newer"


def test_admin_picks_milestones_by_autocomplete_and_lists_telling_columns(admin_client, coordinator, milestone):
    progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited"}, version=0, now=NOW)
    html = admin_client.get(reverse("admin:commitments_progressupdate_add")).content.decode()
    assert "admin-autocomplete" in html
    html = admin_client.get(reverse("admin:commitments_progressupdate_changelist")).content.decode()
    assert "KG0017" in html and "1.1" in html
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "commitments", "model_name": "progressupdate", "field_name": "milestone", "term": "KG0017"},
    ).json()
    assert any(r["id"] == str(milestone.pk) for r in found["results"]), found


def test_the_review_queue_runs_the_same_number_of_queries_at_two_sizes(client, kg17, coordinator, poc, django_user_model):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    commitments = list(kg17.plan.commitments.order_by("number")[:6])

    def submit(commitment):
        milestone = commitment.milestones.order_by("id").first()
        update = progress.save_progress(milestone, H1_2019, by=admin, data={"completion": "limited"}, version=0, now=NOW)
        progress.add_evidence_link(update, "https://www.gov.kg/", by=admin)
        progress.submit_progress(update, by=admin, version=update.version, now=NOW)

    client.force_login(poc)

    def count():
        with CaptureQueriesContext(conn) as queries:
            response = client.get(reverse("commitments:review"))
        assert response.status_code == 200
        return len(queries), response.content.decode().count("Approve and publish")

    submit(commitments[0])
    small = count()
    for commitment in commitments[1:]:
        submit(commitment)
    large = count()
    assert small[1] == 1 and large[1] == 6
    assert small[0] == large[0]


def test_the_review_queue_runs_the_same_queries_in_every_language(client, kg17, poc, django_user_model):
    """The queue reads only the columns it shows of each milestone and commitment (issue #20), each translated one in
    every language: a column left out would be read again for each update in Russian or Kyrgyz."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    for commitment in kg17.plan.commitments.order_by("number")[:3]:
        milestone = commitment.milestones.order_by("id").first()
        update = progress.save_progress(milestone, H1_2019, by=admin, data={"completion": "limited"}, version=0, now=NOW)
        progress.submit_progress(update, by=admin, version=update.version, now=NOW)
    client.force_login(poc)
    counts = {}
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            url = reverse("commitments:review")
        client.get(url)
        with CaptureQueriesContext(conn) as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.content.decode().count('name="version"') == 3
        counts[code] = len(queries)
    assert counts["en"] == counts["ru"] == counts["ky"], counts
