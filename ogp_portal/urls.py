from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language
from commitments import urls as commitments_urls
from forums import urls as forums_urls

from . import pages

# The site's pages that show compliance beside the domain (ogp_portal/pages.py) keep their names in the
# domain's namespaces: the domain's URL modules may not import them (README, "Layers").
commitments_pages = [
    path("", pages.member_list, name="home"),
    path("members/<str:code>/", pages.member_detail, name="member"),
    path("members/<str:code>/feed/", pages.MemberFeed(), name="member_feed"),
]
forums_pages = [
    path("calendar/<str:code>.ics", pages.member_calendar, name="member_calendar"),
]

urlpatterns = [
    # Django's switcher (django.conf.urls.i18n), wrapped to remember a signed-in person's choice.
    path("i18n/setlang/", set_language, name="set_language"),
    # The API and its pages take their language from Accept-Language (or the language cookie), not the path.
    path("api/", include("ogp_portal.api_urls")),
    path("api/", include("apitokens.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("work/", include("accounts.work_urls")),
    path("forums/", include((forums_pages + forums_urls.urlpatterns, forums_urls.app_name))),
    path("compliance/", include("compliance.urls")),
    path("engagement/", include("engagement.urls")),
    path("co-creation/", include("cocreation.urls")),
    path("", include((commitments_pages + commitments_urls.urlpatterns, commitments_urls.app_name))),
    prefix_default_language=False,
)

handler500 = "ogp_portal.views.server_error"
handler404 = "ogp_portal.api.page_not_found"
