"""The portal's URLs plus /bench/one-row/: one database row through the full middleware stack."""

from django.http import HttpResponse
from django.urls import path

from commitments.models import Member
from ogp_portal.urls import urlpatterns as portal_urlpatterns


def one_row(request):
    """Read one row and answer in plain text: the floor every page is measured against."""
    code = Member.objects.order_by("pk").values_list("code", flat=True).first()
    return HttpResponse(f"{code}\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/one-row/", one_row, name="bench-one-row"), *portal_urlpatterns]
