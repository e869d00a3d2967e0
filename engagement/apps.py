from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Civil-society engagement")

    def ready(self):
        # The receivers of the domain apps' events (progress, reviews, meetings): notices through the outbox.
        from . import receivers  # noqa: F401

        # The "contested" mark of the commitment lists (commitments/marks.py): the domain reads it without importing engagement.
        from commitments.marks import register_commitment_mark

        from .services import contested_commitments_q

        register_commitment_mark("contested", contested_commitments_q)
