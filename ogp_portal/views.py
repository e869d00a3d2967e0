"""Project-wide views: the server-error page."""

import logging

from django.http import HttpResponseServerError
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

PLAIN_500 = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Server error</title></head>"
    "<body><main><h1>Something went wrong</h1><p>Please try again in a few minutes.</p></main></body></html>"
)


@requires_csrf_token
def server_error(request):
    """Render the translated 500 page inside the site's layout, or a plain page if even that fails.

    Django's default handler renders ``500.html`` without the request, which the layout
    needs (language switcher, CSP nonce).
    """
    try:
        html = render_to_string("500.html", request=request)
    except Exception:  # noqa: BLE001 - the error page must never fail
        logger.exception("The 500 page could not be rendered")
        html = PLAIN_500
    return HttpResponseServerError(html)
