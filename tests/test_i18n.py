"""English, Russian and Kyrgyz catalogs are complete and compiled."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_every_message_is_translated(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert len(po) > 100
    assert missing == []


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_compiled_catalog_matches_the_source(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))
    translated = {e.msgid for e in po.translated_entries()}
    assert translated <= {e.msgid for e in mo}


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_placeholders_survive_translation(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    broken = [
        e.msgid
        for e in po.translated_entries()
        if sorted(pattern.findall(e.msgid)) != sorted(pattern.findall(e.msgstr or next(iter(e.msgstr_plural.values()), "")))
    ]
    assert broken == []


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_pages_switch_language(client, lang):
    with translation.override(lang):
        url = reverse("admin:login")
    response = client.get(url)
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.text
