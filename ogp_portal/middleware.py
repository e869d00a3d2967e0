"""Project-wide middleware."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils.cache import patch_vary_headers
from django.utils import translation
from django.utils.translation import get_language_from_request


class PreferredLanguageMiddleware:
    """Send a visitor arriving at ``/`` to the home page in the language their browser asks for.

    English pages have no prefix (``prefix_default_language=False``), so ``/`` would always
    answer in English. Only the bare home page redirects, and only when the visitor has not
    chosen a language with the switcher (the language cookie): every other URL keeps its
    language, so shared links stay what they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/" and request.method in ("GET", "HEAD"):
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                language = get_language_from_request(request, check_path=False)
                if language != settings.LANGUAGE_CODE:
                    target = translate_url("/", language)
                    if request.META.get("QUERY_STRING"):
                        target += "?" + request.META["QUERY_STRING"]
                    response = HttpResponseRedirect(target)
                    patch_vary_headers(response, ("Accept-Language", "Cookie"))
                    return response
            response = self.get_response(request)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            return response
        return self.get_response(request)


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
