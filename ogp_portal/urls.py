from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language

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
    path("forums/", include("forums.urls")),
    path("compliance/", include("compliance.urls")),
    path("engagement/", include("engagement.urls")),
    path("co-creation/", include("cocreation.urls")),
    path("", include("commitments.urls")),
    prefix_default_language=False,
)

handler500 = "ogp_portal.views.server_error"
handler404 = "ogp_portal.api.page_not_found"
