from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiTokensConfig(AppConfig):
    name = "apitokens"
    verbose_name = _("API tokens")

    def ready(self):
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
