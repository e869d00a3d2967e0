from django.apps import AppConfig


class OgpPortalConfig(AppConfig):
    name = "ogp_portal"
    verbose_name = "OGP portal"

    def ready(self):
        from .mail import keep_spaces_in_headers

        keep_spaces_in_headers()
