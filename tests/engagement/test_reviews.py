"""Civil-society reviews: states, the contested mark, who may respond, hiding with a kept reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from commitments.models import Commitment
from engagement import services
from engagement.models import Review

pytestmark = pytest.mark.django_db


def test_dispute_marks_update_and_commitment_contested_until_answered(people):
    u = people.users
    row = services.review(people.published, by=u.civil, stance="dispute", comment="The reports are not online.",
                          links=["https://www.esep.kg/"], now=timezone.now())
    assert row.is_contested
    contested = Commitment.objects.filter(services.contested_commitments_q())
    assert list(contested.values_list("identifier", flat=True)) == ["KG0017"]
    annotated = Commitment.objects.annotate(contested=services.contested_commitments_q()).get(identifier="KG0017")
    assert annotated.contested is True
    assert services.contested_update_ids([people.published.pk]) == {people.published.pk}

    services.respond(row, by=u.coordinator, text="They are at https://www.esep.kg/audit since June.", now=timezone.now())
    row.refresh_from_db()
    assert row.is_answered and not row.is_contested
    assert not Commitment.objects.filter(services.contested_commitments_q()).exists()
    # Who changed what is kept.
    assert [h.history_user for h in row.history.order_by("history_date")] == [u.civil, u.coordinator]


def test_agree_and_partly_do_not_contest(people):
    services.review(people.published, by=people.users.civil, stance="agree", comment="Confirmed.", now=timezone.now())
    services.review(people.published, by=people.users.civil2, stance="partly", comment="Half of it.", now=timezone.now())
    assert not Commitment.objects.filter(services.contested_commitments_q()).exists()


def test_changing_a_review_reopens_it(people):
    u = people.users
    row = services.review(people.published, by=u.civil, stance="dispute", comment="No.", now=timezone.now())
    services.respond(row, by=u.poc, text="Here is the link.", now=timezone.now())
    row = services.review(people.published, by=u.civil, stance="dispute", comment="The link is broken.", now=timezone.now())
    assert row.is_contested
    assert Review.objects.count() == 1


def test_only_published_updates_are_reviewed(people):
    with pytest.raises(PermissionDenied):
        services.review(people.draft, by=people.users.civil, stance="agree", comment="x", now=timezone.now())


def test_bad_input_is_refused(people):
    with pytest.raises(ValidationError):
        services.review(people.published, by=people.users.civil, stance="maybe", comment="x", now=timezone.now())
    with pytest.raises(ValidationError):
        services.review(people.published, by=people.users.civil, stance="agree", comment="  ", now=timezone.now())
    with pytest.raises(ValidationError):
        services.parse_links("javascript:alert(1)")


@pytest.mark.parametrize("who, allowed", [
    ("coordinator", True), ("poc", True), ("admin", True),
    ("other_coordinator", False), ("other_poc", False), ("civil2", False), ("civil", False),
])
def test_only_the_lead_agency_the_point_of_contact_or_an_administrator_respond(people, who, allowed):
    row = services.review(people.published, by=people.users.civil, stance="dispute", comment="No.", now=timezone.now())
    user = getattr(people.users, who)
    if allowed:
        services.respond(row, by=user, text="Reasons.", now=timezone.now())
        assert Review.objects.get(pk=row.pk).is_answered
    else:
        with pytest.raises(PermissionDenied):
            services.respond(row, by=user, text="Reasons.", now=timezone.now())


def test_hide_keeps_and_shows_the_reason(people, client):
    u = people.users
    row = services.review(people.published, by=u.civil, stance="dispute", comment="Insulting words", now=timezone.now())
    with pytest.raises(PermissionDenied):
        services.hide(row, by=u.coordinator, reason="Abuse", now=timezone.now())
    with pytest.raises(ValidationError):
        services.hide(row, by=u.admin, reason="", now=timezone.now())
    services.hide(row, by=u.admin, reason="Insults a named official", now=timezone.now())
    row.refresh_from_db()
    assert row.hidden_reason == "Insults a named official" and row.hidden_by == u.admin
    assert not row.is_contested
    page = client.get(people.commitment.get_absolute_url())
    text = page.content.decode()
    assert "Hidden by the moderators: Insults a named official" in text
    assert "Insulting words" not in text


def test_review_respond_and_hide_through_the_pages(people, client):
    u = people.users
    url = reverse("engagement:review", args=[people.published.pk])
    assert client.post(url, {"stance": "dispute", "comment": "x"}).status_code == 302  # to sign in
    client.force_login(u.civil)
    bad = client.post(url, {"stance": "maybe", "comment": ""})
    assert bad.status_code == 400
    assert b"Choose agree, partly agree or dispute." in bad.content
    bad_link = client.post(url, {"stance": "dispute", "comment": "No", "evidence": "not a link"})
    assert bad_link.status_code == 400
    assert not Review.objects.exists()
    ok = client.post(url, {"stance": "dispute", "comment": "Not online.", "evidence": "https://www.esep.kg/"})
    assert ok.status_code == 302
    row = Review.objects.get()
    assert row.evidence_links == ["https://www.esep.kg/"]
    page = client.get(people.commitment.get_absolute_url()).content.decode()
    assert "Contested" in page and "Not online." in page

    respond = reverse("engagement:respond", args=[row.pk])
    assert client.post(respond, {"response": "Reasons"}).status_code == 403
    client.force_login(u.coordinator)
    assert client.post(respond, {"response": ""}).status_code == 400
    assert client.post(respond, {"response": "Published on 3 June."}).status_code == 302
    page = client.get(people.commitment.get_absolute_url()).content.decode()
    assert "Published on 3 June." in page

    hide = reverse("engagement:hide", args=[row.pk])
    assert client.post(hide, {"reason": "x"}).status_code == 403
    client.force_login(u.admin)
    assert client.post(hide, {"reason": ""}).status_code == 400
    assert client.post(hide, {"reason": "Spam"}).status_code == 302
    assert Review.objects.get().hidden_reason == "Spam"


def test_draft_update_has_no_review_page(people, client):
    client.force_login(people.users.civil)
    assert client.get(reverse("engagement:review", args=[people.draft.pk])).status_code == 404


def test_a_response_whose_author_account_was_deleted_still_shows(people, client):
    u = people.users
    row = services.review(people.published, by=u.civil, stance="dispute", comment="Where is the report?", now=timezone.now())
    services.respond(row, by=u.poc, text="Published on the ministry's site.", now=timezone.now())
    u.poc.delete()  # the response stays (responded_by is set to NULL)

    page = client.get(people.commitment.get_absolute_url())

    assert page.status_code == 200
    text = page.content.decode()
    assert "Published on the ministry&#x27;s site." in text or "Published on the ministry's site." in text
    assert "a deleted account" in text
