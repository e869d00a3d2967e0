"""CSRF masks and secrets drawn in one call of the random source (ogp_portal/middleware.py; issue #20).

Django's ``_get_new_csrf_string`` is replaced by ``new_csrf_string``: the same alphabet and length, every
character uniform, from ``secrets``; and CSRF protection works as before (a page's token is accepted, a
wrong or missing one refused).
"""

import collections
import re

import pytest
from django.middleware import csrf
from django.test import Client
from django.urls import reverse

from ogp_portal.middleware import mask_csrf_secret, new_csrf_string


@pytest.mark.django_db
def test_django_draws_its_csrf_strings_with_ours():
    Client().get("/")  # the middleware is loaded
    assert csrf._get_new_csrf_string.__module__ == "ogp_portal.middleware"
    secret = csrf._get_new_csrf_string()
    assert len(secret) == csrf.CSRF_SECRET_LENGTH and set(secret) <= set(csrf.CSRF_ALLOWED_CHARS)
    token = csrf._mask_cipher_secret(secret)
    assert csrf._unmask_cipher_token(token) == secret


def test_every_character_is_as_likely_as_any_other():
    drawn = collections.Counter("".join(new_csrf_string(32) for _ in range(6000)))
    alphabet = csrf.CSRF_ALLOWED_CHARS
    assert set(drawn) == set(alphabet)
    expected = 6000 * 32 / len(alphabet)  # ~3,097 each
    chi_square = sum((drawn[c] - expected) ** 2 / expected for c in alphabet)
    assert chi_square < 130  # 61 degrees of freedom: above 130 has a probability under 1e-6
    assert len({new_csrf_string(32) for _ in range(1000)}) == 1000


@pytest.mark.django_db
def test_a_pages_token_is_accepted_and_a_wrong_one_refused():
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', page).group(1)
    form = {"username": "nobody", "password": "not-the-password-123"}
    assert client.post(reverse("accounts:login"), {**form, "csrfmiddlewaretoken": token}).status_code == 200  # the form, with its error
    wrong = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert client.post(reverse("accounts:login"), {**form, "csrfmiddlewaretoken": wrong}).status_code == 403
    assert client.post(reverse("accounts:login"), form).status_code == 403


def _django_mask(secret, mask):
    """Django's _mask_cipher_secret as it is written, for a given mask."""
    chars = csrf.CSRF_ALLOWED_CHARS
    pairs = zip((chars.index(x) for x in secret), (chars.index(x) for x in mask))
    return mask + "".join(chars[(x + y) % len(chars)] for x, y in pairs)


def test_a_masked_secret_is_djangos_cipher_and_unmasks_to_the_secret():
    assert csrf._mask_cipher_secret is mask_csrf_secret
    masks = set()
    for _ in range(2000):
        secret = new_csrf_string(csrf.CSRF_SECRET_LENGTH)
        token = mask_csrf_secret(secret)
        mask = token[: csrf.CSRF_SECRET_LENGTH]
        assert len(token) == csrf.CSRF_TOKEN_LENGTH and token == _django_mask(secret, mask)
        assert csrf._unmask_cipher_token(token) == secret and csrf._does_token_match(token, secret)
        masks.add(mask)
    assert len(masks) == 2000  # a new mask each time
    with pytest.raises(ValueError):
        mask_csrf_secret("!" * csrf.CSRF_SECRET_LENGTH)


def test_any_alphabet_is_drawn_from():
    assert set(new_csrf_string(300, "abc")) == set("abc")
    assert set(new_csrf_string(300, "абв")) == set("абв")  # not ASCII: drawn in Python, the same way
    assert len(new_csrf_string(7)) == 7 and len(new_csrf_string(200)) == 200
