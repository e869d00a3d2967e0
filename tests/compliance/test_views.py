"""The public compliance pages: overview with a status filter, member page, printable letters."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from compliance import services
from compliance.models import StatusEvent
from tests.factories import ActionPlanFactory, LocalMemberFactory

from .conftest import bishkek


@pytest.fixture
def swept(kg, time_machine):
    time_machine.move_to(bishkek(2023, 3, 1), tick=False)
    local = LocalMemberFactory(parent=kg, joined_on=dt.date(2022, 1, 1))
    ActionPlanFactory(member=local, start_date=dt.date(2022, 9, 1), end_date=dt.date(2024, 8, 31), submitted_on=dt.date(2022, 8, 15))
    services.sweep_all(bishkek(2023, 3, 1), notify="none")
    return kg


def test_the_overview_lists_every_member_with_its_status(client, swept):
    response = client.get(reverse("compliance:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kyrgyz Republic" in html and "Bishkek" in html
    assert "Under procedural review" in html


def test_the_overview_filters_by_status(client, swept):
    kg_link, bishkek_link = 'href="/compliance/KG/"', 'href="/compliance/KGBSK/"'
    html = client.get(reverse("compliance:overview"), {"status": "under_review"}).content.decode()
    assert kg_link in html and bishkek_link not in html
    html = client.get(reverse("compliance:overview"), {"status": "active"}).content.decode()
    assert kg_link not in html and bishkek_link in html


@pytest.mark.parametrize("bad", ["nonsense", "<script>", "ACTIVE", "x" * 500])
def test_an_unknown_status_shows_everyone_with_a_message(client, swept, bad):
    response = client.get(reverse("compliance:overview"), {"status": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a known status" in html and "Bishkek" in html and "<script>" not in html


def test_the_member_page(client, swept):
    response = client.get(reverse("compliance:member", args=["KG"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Status history" in html
    assert "2023-2025" in html  # the next deadline's cycle
    assert "305" in html  # days left from 2023-03-01 to 2023-12-31
    assert "Open findings" in html and "Past findings: met again, resolved or withdrawn" in html


def test_an_unknown_member_is_404(client, db):
    assert client.get(reverse("compliance:member", args=["NOPE"])).status_code == 404
    assert client.get(reverse("compliance:letter", args=["NOPE", 1])).status_code == 404


def test_the_under_review_letter_is_filled_from_the_data(client, swept):
    event = StatusEvent.objects.get(member=swept, status="under_review")
    response = client.get(reverse("compliance:letter", args=["KG", event.pk]))
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "did not receive a new action plan from the Government of Kyrgyz Republic by the deadline of Dec. 31, 2022" in html
    assert "contrary to the OGP process for the 2022-2024 cycle" in html
    assert "must deliver a new action plan by Dec. 31, 2023" in html
    assert "css/compliance.css" in html
    assert "<style" not in html and "style=" not in html


def test_the_contrary_to_process_letter(client, swept):
    event = StatusEvent.objects.get(member=swept, status="contrary_to_process")
    html = " ".join(client.get(reverse("compliance:letter", args=["KG", event.pk])).content.decode().split())
    assert "as of the deadline of Dec. 31, 2021" in html
    assert "has to be delivered before Dec. 31, 2022" in html


def test_a_letter_of_another_member_is_404(client, swept):
    event = StatusEvent.objects.get(member=swept, status="under_review")
    assert client.get(reverse("compliance:letter", args=["KGBSK", event.pk])).status_code == 404


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_pages_render_in_every_language(client, swept, lang):
    event = StatusEvent.objects.filter(member=swept).first()
    with translation.override(lang):
        urls = [
            reverse("compliance:overview"),
            reverse("compliance:member", args=["KG"]),
            reverse("compliance:letter", args=["KG", event.pk]),
        ]
    for url in urls:
        assert url.startswith(f"/{lang}/")
        assert client.get(url).status_code == 200


def _publish_reports(member, day, periods):
    from commitments.models import StatusReport

    plan = member.plans.first()
    for start in periods:
        StatusReport.objects.create(
            member=member, plan=plan, period_label=f"{start:%Y-%m}", period_start=start,
            period_end=start.replace(month=start.month + 5, day=30), state="published", published_at=bishkek(*day),
        )


def test_published_days_count_each_day_once_however_many_reports(kg):
    # Two reports published on the same day are one day the obligation was met, not two.
    _publish_reports(kg, (2019, 1, 10), [dt.date(2018, 1, 1), dt.date(2018, 7, 1)])
    _publish_reports(kg, (2019, 7, 10), [dt.date(2019, 1, 1)])
    days = services.build_snapshot(kg).update_published_on
    assert sorted(days) == [dt.date(2019, 1, 10), dt.date(2019, 7, 10)]


def test_member_page_runs_the_same_queries_with_more_reports_findings_and_events(client, kg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("compliance:member", args=["KG"])

    def count():
        client.get(url)  # warm per-process caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _publish_reports(kg, (2019, 1, 10), [dt.date(2018, 7, 1)])
    services.sweep_member(kg.pk, now=bishkek(2021, 1, 1), notify="none")
    small = count()
    _publish_reports(kg, (2019, 7, 10), [dt.date(2019, 1, 1), dt.date(2019, 7, 1), dt.date(2020, 1, 1)])
    services.sweep_member(kg.pk, now=bishkek(2024, 6, 1), notify="none")  # more quarters, findings and events
    assert count() == small


def test_a_letter_greets_the_point_of_contact_by_name_and_title_else_the_role_never_the_login(client, swept):
    """Issue 18: letters greeted the point of contact by login name ("Dear kg-poc")."""
    from accounts.models import Preference
    from commitments.models import Role
    from tests.factories import AgencyFactory, UserFactory

    event = StatusEvent.objects.get(member=swept, status="under_review")
    url = reverse("compliance:letter", args=["KG", event.pk])
    # A coordinator listed first must not be the addressee; the point of contact has no name yet.
    coordinator = UserFactory(username="aaa-coordinator", first_name="", last_name="")
    Role.objects.create(user=coordinator, member=swept, kind=Role.Kind.COORDINATOR, agency=AgencyFactory(member=swept))
    poc = UserFactory(username="kg-poc", first_name="", last_name="")
    Role.objects.create(user=poc, member=swept, kind=Role.Kind.POINT_OF_CONTACT)
    html = " ".join(client.get(url).content.decode().split())
    assert "Dear kg-poc" not in html and "aaa-coordinator" not in html
    assert f"Dear Point of contact, {swept.name}," in html
    poc.first_name, poc.last_name = "Aida", "Bekova"
    poc.save()
    Preference.objects.create(user=poc, title="Deputy Minister of Digital Development")
    html = " ".join(client.get(url).content.decode().split())
    assert "Dear Aida Bekova," in html and "Deputy Minister of Digital Development" in html


# --- The member page from the stored evaluation (issue #20) ------------------------------------


def _page(client, url):
    """The page's HTML without what differs per response (the CSRF token, the CSP nonce)."""
    import re

    html = client.get(url).content.decode()
    return re.sub(r'nonce="[^"]+"', "", re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))


def _reads_the_rules_inputs(ctx):
    return any('"compliance_deadlineextension"' in q["sql"] for q in ctx.captured_queries)


def test_the_member_page_shows_the_stored_evaluation_of_today_as_the_rules_give_it(client, swept):
    """Swept today, the page reads the standing, deadlines and cycles the sweep stored instead of evaluating the rules."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compliance.models import MemberStanding

    url = reverse("compliance:member", args=["KG"])
    with CaptureQueriesContext(connection) as stored_ctx:
        stored = _page(client, url)
    assert not _reads_the_rules_inputs(stored_ctx)
    assert "2023-2025" in stored and "305" in stored  # the next deadline's cycle and days left, as stored
    # Not today's (e.g. before the daily sweep): the rules are evaluated live, and give the same page.
    MemberStanding.objects.filter(member=swept).update(evaluated_on=dt.date(2023, 2, 28))
    with CaptureQueriesContext(connection) as live_ctx:
        live = _page(client, url)
    assert _reads_the_rules_inputs(live_ctx)
    assert live == stored
    assert len(stored_ctx.captured_queries) < len(live_ctx.captured_queries)


def test_a_change_to_the_members_record_shows_at_once_and_the_stored_evaluation_again_once_swept(
    client, swept, django_capture_on_commit_callbacks
):
    """The change's own transaction marks the stored standing out of date: the page evaluates live until the sweep."""
    from commitments import services as commitment_services
    from compliance.models import MemberStanding
    from tests.factories import UserFactory

    url = reverse("compliance:member", args=["KG"])
    before = _page(client, url)
    admin = UserFactory(username="ogp-admin-20", is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the recompute waits for the commit
        commitment_services.create_plan(by=admin, data={
            "member": swept, "title": "National Action Plan 2023–2025", "start_date": dt.date(2023, 1, 1),
            "end_date": dt.date(2024, 12, 31), "submitted_on": dt.date(2023, 1, 15),
        })
    assert MemberStanding.objects.get(member=swept).evaluated_on is None
    changed = _page(client, url)
    assert changed != before and "National Action Plan 2023–2025" in changed  # the new plan, counted at once
    assert "305" not in changed  # the 2023 deadline is met: no longer 305 days left
    for callback in callbacks:
        callback()  # the member is swept
    assert MemberStanding.objects.get(member=swept).evaluated_on == dt.date(2023, 3, 1)
    stored = _page(client, url)  # the stored evaluation again (with the status history the sweep recorded)
    assert "National Action Plan 2023–2025" in stored and "305" not in stored
    MemberStanding.objects.filter(member=swept).update(evaluated_on=None)
    assert _page(client, url) == stored  # evaluated live: the same
