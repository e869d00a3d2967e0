"""Strings that Django itself shows and that the portal translates better than Django's own catalogs.

Never imported: ``makemessages`` reads these calls so that the entries stay in the portal's catalogs
(which win over Django's). Django's Kyrgyz catalog writes "бит" (bit) for a byte and mixes unit
names; file sizes (``filesizeformat``) appear beside evidence files.
"""

from django.utils.translation import gettext, ngettext


def _file_sizes():  # pragma: no cover - read by makemessages only
    ngettext("%(size)d byte", "%(size)d bytes", 0)
    gettext("%s KB")
    gettext("%s MB")
    gettext("%s GB")
    gettext("%s TB")
    gettext("%s PB")
