from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from . import signals

        signals.connect()

        # The stored policy versions, read by the domain (reporting periods, forum cadence) without importing compliance.
        from ogp.policy_store import register_versions_reader

        from .models import Policy

        register_versions_reader(Policy.objects.versions_for)

        # The findings as an open-data dataset of /data/ (commitments/exports.py serves and documents it).
        from . import exports

        exports.register()
