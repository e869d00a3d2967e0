"""Project-wide middleware."""

import secrets

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils.cache import patch_vary_headers
from django.utils import translation


class PreferredLanguageMiddleware:
    """Send a visitor to a page's Russian or Kyrgyz twin when that is the language they want.

    English pages have no prefix (``prefix_default_language=False``), so an unprefixed URL
    (``/``, ``/commitments/``, ``/compliance/`` ...) would always answer in English. A GET of such
    a page redirects to its ``/ru/`` or ``/ky/`` twin when the visitor's language is Russian or
    Kyrgyz: the language they chose (the switcher's cookie, else a signed-in person's remembered
    language) wins; without a choice, the browser's Accept-Language decides. English stays
    unprefixed. The API (its own negotiation), the switcher, static files and htmx fragments are
    left alone.

    The answer of every unprefixed page depends on Accept-Language and the cookies, so it says so
    (``Vary: Accept-Language, Cookie``) for any cache in between; the public page cache
    (ogp_portal/cache.py) runs after this middleware, so a Russian browser is redirected before a
    cached English copy could be served to it. Place it after AuthenticationMiddleware.
    """

    SKIPPED = ("/api/", "/i18n/", "/static/", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            request.method not in ("GET", "HEAD")
            or path.startswith(self.SKIPPED)
            or translation.get_language_from_path(path)
            or request.headers.get("HX-Request")
        ):
            return self.get_response(request)
        language = self.wanted_language(request)
        if language and language != settings.LANGUAGE_CODE:
            target = translate_url(path, language)
            if target != path:
                if request.META.get("QUERY_STRING"):
                    target += "?" + request.META["QUERY_STRING"]
                response = HttpResponseRedirect(target)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    @staticmethod
    def wanted_language(request) -> str:
        """The language the visitor chose (cookie, then account), else the browser's; "" if none of ours."""
        languages = dict(settings.LANGUAGES)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in languages:
            return chosen
        browser = translation.get_language_from_request(request, check_path=False)
        if browser == settings.LANGUAGE_CODE:
            return browser  # English: nothing to redirect, so no need to look up the account
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from ogp_portal.languages import preferred_language

            remembered = preferred_language(user)
            if remembered in languages:
                return remembered
        return browser


class ApiLanguageMiddleware:
    """Under /api/, take the language from the cookie or Accept-Language.

    LocaleMiddleware treats every unprefixed path as the default language (``i18n_patterns``
    with ``prefix_default_language=False``); API clients choose theirs with Accept-Language.
    Place it right after LocaleMiddleware, which then reports the language in Content-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def _holds_nul(value) -> bool:
    return "\x00" in value


class RefuseUnstorableInputMiddleware:
    """Answer 400 with a message to a request whose path, query or form data holds a NUL character.

    PostgreSQL cannot store or compare text with a NUL (``\\x00``) in it: a query with one fails
    (a 500, or an export cut short once its stream has started). No page, filter or form has a use
    for it, so it is refused here, before any view runs, on every database alike. (Form and API
    fields also refuse it themselves: Django's and DRF's ``CharField`` validators.)
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._unstorable(request):
            return self._refuse(request)
        return self.get_response(request)

    def _unstorable(self, request) -> bool:
        if _holds_nul(request.path_info) or _holds_nul(request.META.get("QUERY_STRING", "")):
            return True
        # QUERY_STRING is still percent-encoded ("%00"): look at the decoded parameters.
        if any(_holds_nul(key) or any(_holds_nul(v) for v in values) for key, values in request.GET.lists()):
            return True
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            try:
                data = request.POST
            except Exception:  # a malformed body: left to the view, which answers 400 as before
                return False
            for key, values in data.lists():
                if _holds_nul(key) or any(isinstance(v, str) and _holds_nul(v) for v in values):
                    return True
            if any(_holds_nul(f.name or "") for files in request.FILES.lists() for f in files[1]):
                return True
        return False

    def _refuse(self, request):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _("The address or the form contains a null character, which cannot be stored. Remove it and try again.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"non_field_errors": [message]}, status=400)
        return render(request, "400.html", {"message": message}, status=400)


# --- CSRF masks from one call to the system's random source (issue #20: the fixed cost of every page) -------
#
# Every page with a form (the header's language switcher, a signed-in visitor's sign-out; a page served
# from the public cache gets its token put in afresh) masks the CSRF secret with 32 new random characters:
# Django draws them with ``secrets.choice``, one call of the random source and about 3-4 µs of Python
# each (~0.12 ms a page). The same characters (uniform over CSRF_ALLOWED_CHARS, from the same source,
# ``os.urandom`` through ``secrets``) are drawn here from one call: bytes at or above the largest
# multiple of the alphabet's size are discarded, so no character is likelier than another.


def new_csrf_string(length: int = 32, chars: str = "") -> str:
    """``length`` characters, each uniform over ``chars`` (CSRF_ALLOWED_CHARS), from ``secrets.token_bytes``."""
    from django.middleware.csrf import CSRF_ALLOWED_CHARS

    chars = chars or CSRF_ALLOWED_CHARS
    size = len(chars)
    limit = 256 - 256 % size  # 248 for 62 characters
    table = _byte_tables.get(chars)
    if table is None and chars.isascii():
        table = _byte_tables[chars] = (bytes(ord(chars[b % size]) for b in range(256)), bytes(range(limit, 256)))
    if table is not None:  # the same draw in C: each byte below the limit mapped to chars[byte % size], the others dropped
        drawn_bytes = b""
        while len(drawn_bytes) < length:
            drawn_bytes += secrets.token_bytes(length + length // 2).translate(*table)
        return drawn_bytes[:length].decode("ascii")
    drawn = []
    while len(drawn) < length:
        drawn.extend(chars[b % size] for b in secrets.token_bytes(length + length // 2) if b < limit)
    return "".join(drawn[:length])


_byte_tables: dict[str, tuple[bytes, bytes]] = {}


def _new_csrf_secret() -> str:
    from django.middleware.csrf import CSRF_SECRET_LENGTH

    return new_csrf_string(CSRF_SECRET_LENGTH)


_positions: dict[str, dict[str, int]] = {}


def mask_csrf_secret(secret: str) -> str:
    """Django's ``_mask_cipher_secret``: a new mask, then each secret character shifted by its mask character's position.

    The same cipher; the positions in the alphabet are read from a dict instead of two ``str.index``
    per character (~19 → ~5 µs on every page with a form; session 13, the page shell).
    """
    from django.middleware import csrf

    chars = csrf.CSRF_ALLOWED_CHARS
    position = _positions.get(chars)
    if position is None:
        position = _positions[chars] = {char: index for index, char in enumerate(chars)}
    mask = csrf._get_new_csrf_string()
    size = len(chars)
    try:
        return mask + "".join([chars[(position[x] + position[y]) % size] for x, y in zip(secret, mask)])
    except KeyError:  # not a secret of this alphabet: str.index's ValueError, as Django raised
        raise ValueError("substring not found") from None


def use_faster_csrf_strings() -> bool:
    """Put :func:`new_csrf_string` in Django's ``_get_new_csrf_string`` (masks and new secrets) and :func:`mask_csrf_secret`
    in its ``_mask_cipher_secret``; False if Django has no such functions."""
    from django.middleware import csrf

    if not callable(getattr(csrf, "_get_new_csrf_string", None)) or not callable(getattr(csrf, "_mask_cipher_secret", None)):
        return False
    csrf._get_new_csrf_string = _new_csrf_secret
    csrf._mask_cipher_secret = mask_csrf_secret
    return True


use_faster_csrf_strings()
