from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import work_cache
        from .backends import connect_signals

        connect_signals()  # a change to a user or their roles: the signed-in users kept in the cache are out of date
        work_cache.connect_signals()  # a change to a progress update: the "My work" pages kept showing it are out of date
