# ruff: noqa: F811  (pytest fixtures imported from test_progress are parameters of these tests)
"""The coordinator's loop without dead ends: the current period, stale saves that can be retried,
nothing empty submitted, "as of" inside the period, and who may approve whose update."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments import progress
from commitments.models import ProgressUpdate, Role
from compliance.engine import Period
from tests.commitments.test_progress import (  # noqa: F401  (fixtures)
    H1_2019,
    NOW,
    PDF,
    _user,
    colleague,
    coordinator,
    media,
    milestone,
    poc,
    post_progress,
    progress_url,
)

H2_2020 = Period(dt.date(2020, 7, 1), dt.date(2020, 12, 31), "2020-H2")


# --- one current period -------------------------------------------------------------------------


def test_the_current_period_is_todays_while_the_plan_runs_and_its_last_once_it_has_ended(kg17):
    plan = kg17.plan  # 1 September 2018 – 31 August 2020
    assert progress.current_period(plan, dt.date(2019, 8, 15)).label == "2019-H2"
    assert progress.current_period(plan, dt.date(2026, 12, 7)).label == "2020-H2"
    assert progress.current_period(plan, dt.date(2018, 1, 1)) is None


@time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False)
def test_the_form_and_my_work_agree_on_the_period_and_the_form_starts_with_sensible_defaults(client, coordinator, milestone):
    client.force_login(coordinator)
    work = client.get(reverse("work:my_work"))
    (item,) = work.context["work"]
    assert item.period.label == "2020-H2"
    row = next(r for r in item.milestones if r.milestone.pk == milestone.pk)
    link = progress_url(milestone, "2020-H2")
    assert link in work.text  # a direct "report progress" link on the milestone's row
    assert 'class="work-commitment" open' in work.text  # what needs an update this period is open
    form = client.get(reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk]))
    assert form.context["period"].label == "2020-H2" == item.period.label
    assert row.missing
    # "As of" defaults to the period's last day that has passed, and completion to the milestone's last.
    assert form.context["form"].initial["as_of"] == dt.date(2020, 12, 31)
    assert form.context["form"].initial["completion"] == "not_started"


@time_machine.travel(dt.datetime(2019, 8, 15, 9, tzinfo=dt.UTC), tick=False)
def test_while_the_plan_runs_as_of_defaults_to_today_and_completion_to_the_last_update(client, coordinator, poc, milestone):
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "substantial"}, version=0, now=NOW)
    client.force_login(coordinator)
    form = client.get(reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk]))
    assert form.context["period"].label == "2019-H2"
    assert form.context["form"].initial["as_of"] == dt.date(2019, 8, 15)
    assert form.context["form"].initial["completion"] == update.completion


# --- a stale save is not a dead end -------------------------------------------------------------------


def test_a_stale_save_shows_their_version_beside_mine_and_saving_again_succeeds(client, coordinator, colleague, milestone, media):
    first = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited", "narrative": "Start"}, version=0, now=NOW)
    other = client.__class__()
    other.force_login(colleague)
    assert post_progress(other, milestone, narrative="Colleague's text", completion="substantial", version=first.version).status_code == 302

    client.force_login(coordinator)
    response = client.post(
        progress_url(milestone),
        {
            "period": "2019-H1", "completion": "complete", "narrative": "My text", "as_of": "2019-06-30",
            "version": first.version, "action": "save",
            "evidence_file": SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Their version (saved in the meantime)" in html and "Colleague&#x27;s text" in html
    assert "My text" in html  # mine is kept in the form
    assert "Your file was not saved: choose it again before saving." in html
    form = response.context["form"]
    assert form["version"].value() == 2 and form["narrative"].value() == "My text"
    assert ProgressUpdate.objects.get(milestone=milestone).narrative == "Colleague's text"  # nothing overwritten yet

    # The retry posts what the page now holds: it is based on version 2 and succeeds.
    retry = {name: form[name].value() for name in ("completion", "narrative", "as_of", "version")}
    response = client.post(progress_url(milestone), {**retry, "period": "2019-H1", "action": "save"})
    assert response.status_code == 302, response.content.decode()[:1500]
    update = ProgressUpdate.objects.get(milestone=milestone)
    assert (update.narrative, update.completion, update.version) == ("My text", "complete", 3)
    # Nothing is lost: the colleague's text stays in the update's history.
    assert "Colleague's text" in set(update.history.values_list("narrative", flat=True))


# --- validation -----------------------------------------------------------------------------------------


def test_an_empty_update_is_not_submitted_for_review(client, coordinator, milestone):
    client.force_login(coordinator)
    response = post_progress(client, milestone, completion="not_started", narrative="", action="submit")
    assert response.status_code == 400
    assert "There is nothing to submit yet" in response.content.decode()
    assert not ProgressUpdate.objects.filter(milestone=milestone).exists()  # nothing half-saved
    # A draft may stay empty; submitting it is refused by the service too (the API calls it).
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "not_started"}, version=0, now=NOW)
    with pytest.raises(ValidationError, match="nothing to submit"):
        progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    # Any one of: a changed completion, a narrative, evidence is enough.
    progress.add_evidence_link(update, "https://example.org/minutes", by=coordinator)
    assert progress.submit_progress(update, by=coordinator, version=update.version, now=NOW).state == "submitted"


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("1990-01-01", "must lie within the reporting period"),
        ("2099-01-01", "cannot be in the future"),
        ("2019-07-01", "must lie within the reporting period"),
    ],
)
def test_as_of_must_lie_in_the_period_and_not_in_the_future(client, coordinator, milestone, as_of, message):
    client.force_login(coordinator)
    response = post_progress(client, milestone, narrative="Text", as_of=as_of)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Text" in response.content.decode()  # what was typed stays
    assert not ProgressUpdate.objects.filter(milestone=milestone).exists()


# --- separation of duties ------------------------------------------------------------------------------


def _submitted(milestone, author):
    update = progress.save_progress(milestone, H1_2019, by=author, data={"completion": "limited"}, version=0, now=NOW)
    return progress.submit_progress(update, by=author, version=update.version, now=NOW)


def test_an_update_is_approved_by_someone_other_than_its_author(django_user_model, poc, milestone):
    second = _user(django_user_model, "kg-poc-2")
    Role.objects.create(user=second, member=milestone.commitment.plan.member, kind=Role.Kind.POINT_OF_CONTACT)
    update = _submitted(milestone, poc)
    with pytest.raises(ValidationError, match="approved by someone other than its author"):
        progress.approve_progress(update, by=poc, version=update.version, now=NOW)
    update.refresh_from_db()
    assert update.state == "submitted"
    update = progress.approve_progress(update, by=second, version=update.version, now=NOW)
    assert (update.state, update.self_approved) == ("published", False)


def test_a_single_point_of_contact_may_approve_their_own_update_shown_publicly_as_such(client, poc, coordinator, milestone):
    update = _submitted(milestone, poc)
    update = progress.approve_progress(update, by=poc, version=update.version, now=NOW)
    assert (update.state, update.self_approved) == ("published", True)
    page = client.get(milestone.commitment.get_absolute_url())
    assert "Approved by its author, the member's single point of contact." in page.content.decode()
    api = client.get("/api/v1/progress-updates/", {"milestone": milestone.pk}).json()
    rows = api["results"] if isinstance(api, dict) else api
    assert [row["self_approved"] for row in rows if row["id"] == update.pk] == [True]
    # A coordinator's update approved by the point of contact is not self-approved.
    other = milestone.commitment.milestones.exclude(pk=milestone.pk).first()
    theirs = _submitted(other, coordinator)
    assert progress.approve_progress(theirs, by=poc, version=theirs.version, now=NOW).self_approved is False



@time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False)
def test_the_as_of_date_input_holds_an_iso_date_in_russian_too(client, coordinator, milestone):
    client.force_login(coordinator)
    html = client.get("/ru" + reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk])).content.decode()
    assert 'type="date" name="as_of" value="2020-12-31"' in html


def test_when_the_other_person_submitted_in_between_my_text_is_still_shown(client, coordinator, colleague, milestone):
    first = progress.save_progress(milestone, H1_2019, by=coordinator, data={"completion": "limited", "narrative": "Start"}, version=0, now=NOW)
    seen = first.version  # the coordinator opened the form at this version; the colleague then submitted it
    progress.submit_progress(first, by=colleague, version=first.version, now=NOW)
    client.force_login(coordinator)
    response = post_progress(client, milestone, narrative="My careful paragraph", version=seen)
    assert response.status_code == 409, re.findall(r'role="alert">(.*?)</', response.content.decode(), re.DOTALL)
    html = response.content.decode()
    assert "My careful paragraph" in html and "Their version (saved in the meantime)" in html
    assert ProgressUpdate.objects.get(milestone=milestone).narrative == "Start"


def test_the_api_refuses_an_empty_submission_and_an_own_approval_with_400(django_user_model, poc, milestone):
    from tests.api.conftest import client_for

    def etag(row):
        return api.get(f"/api/v1/progress-updates/{row.pk}/")["ETag"]

    second = _user(django_user_model, "kg-poc-2")
    Role.objects.create(user=second, member=milestone.commitment.plan.member, kind=Role.Kind.POINT_OF_CONTACT)
    update = progress.save_progress(milestone, H1_2019, by=poc, data={"completion": "not_started"}, version=0, now=NOW)
    api = client_for(poc)
    url = f"/api/v1/progress-updates/{update.pk}/"
    refused = api.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=etag(update))
    assert refused.status_code == 400 and "nothing to submit" in str(refused.json())
    update = progress.save_progress(milestone, H1_2019, by=poc, data={"completion": "limited"}, version=update.version, now=NOW)
    assert api.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=etag(update)).status_code == 200
    update.refresh_from_db()
    refused = api.post(url + "approve/", {}, format="json", HTTP_IF_MATCH=etag(update))
    assert refused.status_code == 400 and "someone other than its author" in str(refused.json())
    approved = client_for(second).post(url + "approve/", {}, format="json", HTTP_IF_MATCH=etag(update))
    assert approved.status_code == 200 and approved.json()["self_approved"] is False


@pytest.mark.parametrize("code", ["en", "ru", "ky"])
def test_the_progress_forms_kept_widgets_are_djangos_own(code):
    """Issue #20: an unbound form's widgets are kept per language, field and value: the same HTML Django writes,
    a bound form (typed values, errors) and a narrative with a person's text always rendered afresh."""
    from django import forms as django_forms
    from django.utils import translation

    from commitments import progress_views

    class Plain(progress_views.ProgressForm):
        bound_field_class = django_forms.BoundField

    progress_views._kept_widgets.clear()
    with translation.override(code):
        for initial in (
            {"version": 0, "completion": "not_started", "as_of": dt.date(2020, 12, 31)},
            {"version": 7, "completion": "limited", "as_of": dt.date(2019, 8, 15), "narrative": "<b>Mine</b> & theirs"},
            {"version": 7, "completion": "complete", "as_of": None},
        ):
            for _ in range(2):  # rendered, then kept
                kept, plain = progress_views.ProgressForm(initial=initial), Plain(initial=initial)
                assert [str(kept[name]) for name in kept.fields] == [str(plain[name]) for name in plain.fields]
        bound = progress_views.ProgressForm({"completion": "nonsense", "as_of": "2020-12-31", "version": "7"})
        assert not bound.is_valid()
        assert str(bound["completion"]) == str(Plain(bound.data)["completion"]) and 'aria-invalid="true"' in str(bound["completion"])
    # A person's text is never kept (a new update's empty narrative is, like the other widgets: session 11).
    assert not [value for _language, name, value in progress_views._kept_widgets if name == "narrative" and value]
