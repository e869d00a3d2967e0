"""The language an account is written to in: chosen in the language switcher, kept for emails and notices."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone, translation

from accounts.models import Preference
from accounts.services import preferred_language
from commitments.models import Member
from compliance.models import Notification
from compliance.services import language_for, send_once

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def person(db):
    return get_user_model().objects.create_user("aigul", "aigul@example.kg", PASSWORD)


def test_a_signed_in_person_who_switches_to_russian_is_written_to_in_russian(client, person):
    client.force_login(person)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})

    assert response.status_code == 302
    assert Preference.objects.get(user=person).language == "ru"
    with translation.override("en"):  # a Celery task runs in the default language: the choice wins
        assert language_for(person) == "ru"


def test_switching_again_replaces_the_choice(client, person):
    client.force_login(person)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    client.post("/i18n/setlang/", {"language": "ky", "next": "/"})

    assert list(Preference.objects.filter(user=person).values_list("language", flat=True)) == ["ky"]


def test_an_anonymous_switch_stores_nothing_and_an_unknown_language_is_not_stored(client, person):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert not Preference.objects.exists()

    client.force_login(person)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code < 500
    assert not Preference.objects.exists()
    with translation.override("ky"):  # no choice recorded: the active language, as before
        assert language_for(person) == "ky"


def test_an_account_opened_in_kyrgyz_is_written_to_in_kyrgyz(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(
        "/ky/accounts/sign-up/",
        {"username": "nurlan", "email": "nurlan@example.kg", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(username="nurlan")
    assert preferred_language(user) == "ky"


def test_a_compliance_notice_goes_out_in_the_recipients_language(seed_data, person, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Preference.objects.create(user=person, language="ru")
    context = {"confirm_url": "https://example.org/confirm"}
    with translation.override("ru"):
        russian = " ".join(translation.gettext("Confirm your email address for the OGP action-plan portal").split())

    with translation.override("en"):
        sent = send_once(
            key="test:language", kind=Notification.Kind.STATUS, member=Member.objects.get(code="KG"), user=person,
            template="account-confirm", context=context, now=timezone.now(),
        )

    assert sent
    assert russian != "Confirm your email address for the OGP action-plan portal"
    assert mail.outbox[-1].subject == russian
    assert Notification.objects.get(key="test:language").language == "ru"
