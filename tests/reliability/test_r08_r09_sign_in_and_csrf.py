"""R8 Sign-in lockout at the 5th failure (both sign-in forms); R9 CSRF on every state-changing form.

R9 walks every URL pattern of the site (tests/reliability/urlwalk.py), signs in as an administrator
and POSTs without a CSRF token: 403 everywhere, except the declared exemptions.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.reliability.urlwalk import every_url

pytestmark = pytest.mark.django_db

# Views that take no CSRF token, and why.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST without a token; the signed token in the URL is the credential.
    "engagement:unsubscribe",
    # The same for the one-click unsubscribe from notices and the daily digest (its signed token is the credential).
    "engagement:notices_unsubscribe",
}


@pytest.mark.parametrize("url_name", ["accounts:login", "admin:login"])
def test_r8_sign_in_locks_at_the_fifth_failure(client, django_user_model, url_name, record_property):
    django_user_model.objects.create_superuser("poc", "poc@example.org", "right-password-123")
    url = reverse(url_name)
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    answers = []
    for _attempt in range(limit):
        answers.append(client.post(url, {"username": "poc", "password": "wrong"}, REMOTE_ADDR="10.0.0.1").status_code)
    locked = client.post(url, {"username": "poc", "password": "right-password-123"}, REMOTE_ADDR="10.0.0.1")
    locked_at = next((n + 1 for n, code in enumerate(answers) if code == 429), None)
    record_property("R8", f"{url_name}: failures 1-4 answered {answers[:4]}, locked at failure {locked_at}; right password then {locked.status_code}")
    assert answers[:4] == [200] * 4
    assert locked_at == 5
    assert locked.status_code == 429 and not locked.wsgi_request.user.is_authenticated


def test_r9_every_post_without_a_csrf_token_is_refused(admin_user, record_property):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    checked, refused, exempt, unresolved, not_refused = 0, 0, [], [], []
    for path, name, callback in every_url():
        try:
            resolve(path)
        except Resolver404:
            unresolved.append(path)
            continue
        if name in CSRF_EXEMPT:
            exempt.append(name)
            continue
        response = browser.post(path, {"x": "1"})
        checked += 1
        if response.status_code == 403:
            refused += 1
        else:
            not_refused.append((path, name, response.status_code))
    expected = checked
    figure = f"{refused} of {expected} URL patterns refuse a POST without a CSRF token ({100 * refused / expected:.0f} %); declared exempt: {sorted(CSRF_EXEMPT)}"
    record_property("R9", figure)
    print("\nR9", figure, "unresolved:", unresolved)
    assert checked > 100
    assert not_refused == []
    assert sorted(set(exempt)) == sorted(CSRF_EXEMPT), "a declared exemption no longer exists"
    assert len(unresolved) <= checked // 20, unresolved
