"""Sign-in, sign-out, password change and reset, civil-society sign-up with a confirmed email, lockout."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.pages import assert_strict_page

from .conftest import PASSWORD, _user

pytestmark = pytest.mark.django_db


def _link(body):
    return re.search(r"https?://\S+", body).group(0)


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def test_sign_in_page_uses_the_site_layout_with_labelled_fields(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_strict_page(response)
    html = response.text
    assert 'site-header' in html
    assert re.search(r'<label for="id_username"', html) and re.search(r'<label for="id_password"', html)
    assert "<h1>" in html


def test_sign_in_page_is_translated(client):
    response = client.get("/ru/accounts/sign-in/")
    assert response.status_code == 200
    assert 'lang="ru"' in response.text


def test_a_person_signs_in_lands_on_my_work_and_signs_out(client):
    _user("chamber")
    response = client.post(reverse("accounts:login"), {"username": "chamber", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("work:my_work")
    page = client.get(reverse("work:my_work"))
    assert page.status_code == 200
    assert "Sign out (chamber)" in page.text
    out = client.post(reverse("accounts:logout"))
    assert out.status_code == 200
    assert not out.wsgi_request.user.is_authenticated
    assert client.get(reverse("work:my_work")).status_code == 302


def test_a_wrong_password_shows_a_message_not_an_error_page(client):
    _user("chamber")
    response = client.post(reverse("accounts:login"), {"username": "chamber", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_repeated_failures_lock_the_new_sign_in_form_with_a_page_of_the_site(client):
    _user("chamber")
    url = reverse("accounts:login")
    for _ in range(5):
        client.post(url, {"username": "chamber", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    locked = client.post(url, {"username": "chamber", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    assert "Too many attempts" in locked.text
    assert 'site-header' in locked.text
    # Another address is not locked out by someone else's failures.
    other = client.post(url, {"username": "chamber", "password": PASSWORD}, REMOTE_ADDR="10.0.0.10")
    assert other.status_code == 302


def test_password_change_needs_the_old_password(client):
    user = _user("chamber")
    client.force_login(user)
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": "nope", "new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"})
    assert bad.status_code == 200
    good = client.post(
        url, {"old_password": PASSWORD, "new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"}
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-77")


def test_password_reset_by_email(client):
    _user("chamber")
    response = client.post(reverse("accounts:password_reset"), {"email": "chamber@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chamber@example.org"]
    assert "new password" in message.subject
    form = client.get(_path(_link(message.body)), follow=True)
    assert form.status_code == 200
    assert "new_password1" in form.text
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "reset-pass-2026x", "new_password2": "reset-pass-2026x"})
    assert done.status_code == 302
    assert get_user_model().objects.get(username="chamber").check_password("reset-pass-2026x")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.status_code == 200
    assert mail.outbox == []
    assert "If an account uses that address" in response.text


def test_sign_up_needs_a_confirmed_email_before_signing_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "aigul", "email": "aigul@example.org", "password1": "civic-voice-2026", "password2": "civic-voice-2026"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="aigul")
    assert not user.is_active
    # Unconfirmed: cannot sign in.
    refused = client.post(reverse("accounts:login"), {"username": "aigul", "password": "civic-voice-2026"})
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated

    assert len(mail.outbox) == 1
    link = _path(_link(mail.outbox[0].body))
    # Opening the link (a mail scanner does) changes nothing; the button confirms.
    assert client.get(link).status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("work:my_work")).status_code == 200
    # The link works once.
    client.logout()
    assert client.post(link).status_code == 400


def test_a_forged_confirmation_link_is_refused(client):
    get_user_model().objects.create_user("aigul", "aigul@example.org", "civic-voice-2026", is_active=False)
    response = client.get(reverse("accounts:confirm_email", args=["MQ", "bad-token"]))
    assert response.status_code == 400
    assert "not valid" in response.text


def test_sign_up_with_a_taken_email_answers_as_for_a_new_account_and_tells_the_owner(client):
    owner = _user("chamber")
    accounts_before = get_user_model().objects.count()
    taken = client.post(
        reverse("accounts:signup"),
        {"username": "other", "email": "CHAMBER@example.org", "password1": "civic-voice-2026", "password2": "civic-voice-2026"},
    )
    fresh = client.post(
        reverse("accounts:signup"),
        {"username": "aigul", "email": "aigul@example.org", "password1": "civic-voice-2026", "password2": "civic-voice-2026"},
    )
    # The same answer either way: the form does not reveal who has an account.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("accounts:signup_done")
    assert get_user_model().objects.count() == accounts_before + 1
    assert not get_user_model().objects.filter(username="other").exists()
    # The owner of the address is told, with the links to sign in and to reset the password.
    to_owner = [m for m in mail.outbox if m.to == [owner.email]]
    assert len(to_owner) == 1
    assert "already has an account" in to_owner[0].body
    assert reverse("accounts:login") in to_owner[0].body and reverse("accounts:password_reset") in to_owner[0].body


def test_resend_sends_a_new_link_only_to_unconfirmed_accounts(client):
    get_user_model().objects.create_user("aigul", "aigul@example.org", "civic-voice-2026", is_active=False)
    _user("chamber")
    client.post(reverse("accounts:resend_confirmation"), {"email": "aigul@example.org"})
    client.post(reverse("accounts:resend_confirmation"), {"email": "chamber@example.org"})
    assert [m.to for m in mail.outbox] == [["aigul@example.org"]]


def test_a_deactivated_account_is_not_reactivated_by_an_old_link(client):
    from accounts.services import confirmation_url

    user = get_user_model().objects.create_user("aigul", "aigul@example.org", "civic-voice-2026", is_active=False)
    link = _path(confirmation_url(user))
    client.post(link)
    client.logout()
    user.refresh_from_db()
    assert user.is_active and user.last_login
    user.is_active = False
    user.save()
    assert client.post(link).status_code == 400
    user.refresh_from_db()
    assert not user.is_active
