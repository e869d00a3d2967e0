"""Language for the API's addresses, which carry no language prefix."""

from django.utils import translation


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
