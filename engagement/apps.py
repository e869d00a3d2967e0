from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Civil-society engagement")

    def ready(self):
        # The receivers of the domain apps' events (progress, reviews, meetings): notices through the outbox.
        from . import receivers  # noqa: F401
