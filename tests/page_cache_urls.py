"""A page using the CSP nonce, for tests/test_page_cache.py (no public page uses one today)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from ogp_portal.urls import urlpatterns as portal_urlpatterns

TEMPLATE = engines["django"].from_string(
    '<script src="/static/js/x.js" nonce="{{ csp_nonce }}"></script>'
    '<form method="post">{% csrf_token %}</form>'
)


def nonce_page(request):
    return HttpResponse(TEMPLATE.render({}, request))


urlpatterns = [path("nonce-page/", nonce_page, name="nonce_page"), *portal_urlpatterns]
