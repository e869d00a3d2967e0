"""R17 The Russian and Kyrgyz catalogs: 0 untranslated, 0 fuzzy, 0 missing plural forms.

Russian has three plural forms (one, few, many; Django's Russian catalogs declare a fourth, for
fractions, which no whole number selects), Kyrgyz two (one, other): every plural message fills them.
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
PLURALS = {"ru": 3, "ky": 2}


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_r17_no_untranslated_fuzzy_or_missing_plural_form(lang, record_property):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    entries = [e for e in po if not e.obsolete]
    untranslated = [e.msgid for e in entries if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    header = po.metadata.get("Plural-Forms", "")
    declared = int(header.split("nplurals=")[1].split(";")[0]) if "nplurals=" in header else 0
    plural = [e for e in entries if e.msgid_plural]
    missing_forms = [
        e.msgid for e in plural
        if any(not e.msgstr_plural.get(i, "").strip() for i in range(PLURALS[lang]))
    ]
    figure = (f"{lang}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy, {len(missing_forms)} plural messages missing a form "
              f"(of {len(entries)} messages, {len(plural)} plural; nplurals={declared})")
    record_property("R17", figure)
    print("\nR17", figure, missing_forms[:5])
    assert len(entries) > 100
    assert declared >= PLURALS[lang], header
    assert untranslated == [] and fuzzy == [] and missing_forms == []
