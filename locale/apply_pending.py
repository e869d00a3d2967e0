"""Write the translations kept in locale/pending/*.json into the ru and ky catalogs.

Run after `make messages` (which adds the new msgids to the catalogs):

    .venv/bin/python locale/apply_pending.py && make messages

Each JSON file is a list of {"msgid", "msgctxt", "msgid_plural", "ru", "ky"}; see README.md here.
An entry whose msgid is not in a catalog (the code no longer uses it) is reported and skipped.
Existing translations are overwritten only when the entry is fuzzy or empty, unless --force.
"""

import json
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
LANGS = ("ru", "ky")


def load_pending():
    entries = []
    for path in sorted((HERE / "pending").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            item["_file"] = path.name
            entries.append(item)
    return entries


def apply(force=False):
    pending = load_pending()
    missing = 0
    for lang in LANGS:
        po_path = HERE / lang / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(po_path), wrapwidth=79)
        index = {(e.msgctxt or None, e.msgid): e for e in po}
        written = 0
        for item in pending:
            entry = index.get((item.get("msgctxt") or None, item["msgid"]))
            value = item.get(lang)
            if entry is None or value in (None, "", []):
                if entry is None:
                    missing += 1
                continue
            if entry.translated() and not entry.fuzzy and not force:
                continue
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                if lang == "ru" and len(forms) == 3:
                    forms.append(forms[1])  # Django's ru formula has a fourth form (fractions): as "few"
                entry.msgstr_plural = {i: form for i, form in enumerate(forms)}
            else:
                entry.msgstr = value if isinstance(value, str) else value[0]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            entry.previous_msgid_plural = None
            entry.previous_msgctxt = None
            written += 1
        po.save()
        untranslated = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
        print(f"{lang}: {written} written, {len(untranslated)} still untranslated or fuzzy")
        for msgid in untranslated[:50]:
            print(f"   - {msgid[:100]!r}")
    if missing:
        print(f"{missing // len(LANGS)} pending entries are not in the catalogs (run `make messages` first?)")


if __name__ == "__main__":
    apply(force="--force" in sys.argv)
