from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoCreationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cocreation"
    verbose_name = _("Co-creation")

    def ready(self):
        from . import permissions  # noqa: F401  (registers the rules)
