from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Action plans and commitments")

    def ready(self):
        # Register the permission predicates (ogp_portal/permissions.py) once the apps are loaded.
        from ogp_portal import permissions  # noqa: F401
