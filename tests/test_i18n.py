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


# --- plural forms and the mistranslations of issue 18 ---------------------------------------


def _nplurals(po) -> int:
    import re

    return int(re.search(r"nplurals\s*=\s*(\d+)", po.metadata["Plural-Forms"]).group(1))


@pytest.mark.parametrize(("lang", "at_least"), [("ru", 3), ("ky", 2)])
def test_every_plural_message_has_all_its_forms(lang, at_least):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    nplurals = _nplurals(po)
    assert nplurals >= at_least
    plurals = [e for e in po if e.msgid_plural and not e.obsolete]
    assert len(plurals) > 20
    incomplete = [e.msgid for e in plurals if any(not e.msgstr_plural.get(i) for i in range(nplurals))]
    assert incomplete == []


def test_kyrgyz_has_the_two_plural_forms_of_the_pending_translations():
    """Django's own ky catalog has one form; ours keeps two ([one, other], as locale/pending/README.md says)."""
    po = polib.pofile(str(LOCALE / "ky" / "LC_MESSAGES" / "django.po"))
    assert _nplurals(po) == 2 and "n != 1" in po.metadata["Plural-Forms"]


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [("ru", 1, "обязательство"), ("ru", 3, "обязательства"), ("ru", 18, "обязательств"), ("ru", 21, "обязательство"),
     ("ky", 1, "милдеттенме"), ("ky", 18, "милдеттенме"), ("en", 18, "commitments")],
)
def test_the_headline_counts_commitments_in_the_visitors_language(lang, count, expected):
    from django.template import engines

    template = engines["django"].from_string(
        "{% load i18n %}{% blocktranslate trimmed count counter=n %}commitment{% plural %}commitments{% endblocktranslate %}"
    )
    with translation.override(lang):
        assert template.render({"n": count}) == expected


def test_state_as_a_status_is_not_the_state_sector():
    with translation.override("ru"):
        assert translation.pgettext("status", "State") == "Состояние"
        assert translation.gettext("State") == "Государственный сектор"  # the agency kind
    with translation.override("ky"):
        assert translation.pgettext("status", "State") == "Абалы"


@pytest.mark.parametrize(("size", "expected"), [(5, "5\xa0байт"), (1, "1\xa0байт")])
def test_kyrgyz_file_sizes_say_byte_not_bit(size, expected):
    from django.template.defaultfilters import filesizeformat

    with translation.override("ky"):
        assert filesizeformat(size) == expected
        assert "МБ" in filesizeformat(3 * 1024 * 1024)


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_no_obvious_slips_in_the_catalogs(lang):
    """No word glued to a Latin abbreviation ("OGPдеги"), no lower-then-upper case inside a word, no double space."""
    import re

    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    slips = []
    for entry in po:
        if entry.obsolete:
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if re.search(r"[A-Za-z][а-яёөүң]|[а-яёөүң][А-ЯЁӨҮҢ]|\S  \S", text):
                slips.append(text)
    assert slips == []


@pytest.mark.django_db
def test_a_long_russian_subject_keeps_its_spaces_in_the_sent_message(mailoutbox):
    """Python < 3.13 dropped the space where a fold fell between two encoded words ("Заседаниефорума")."""
    from email import message_from_bytes
    from email.header import decode_header, make_header

    from django.core.mail import EmailMultiAlternatives

    subject = "Приглашение: Заседание форума, 14 января 2027 г. — Открытое правительство Кыргызской Республики"
    EmailMultiAlternatives(subject, "текст", "portal@example.org", ["member@example.org"]).send()
    raw = mailoutbox[0].message().as_bytes()
    assert str(make_header(decode_header(message_from_bytes(raw)["Subject"]))) == subject


def test_a_status_report_and_a_progress_update_are_told_apart_in_russian():
    with translation.override("ru"):
        assert translation.gettext("status report") != translation.gettext("progress update")
        assert translation.gettext("Status reports") == "Отчёты о статусе"
    with translation.override("ky"):
        assert translation.gettext("Period") == "Мезгил"  # a reporting period, not a due date ("Мөөнөтү")


# --- texts translated in Python: makemessages must find them (pages written in Python, issue #20) ----------
#
# Rows and sections written in Python instead of templates translate their labels with gettext. xgettext
# (makemessages) finds a text only as the literal argument of a gettext function called by its own name:
# not inside an f-string's braces, not through an alias such as ``N_``, not when the text comes from a
# loop over a tuple of plain strings. A text it does not find drops out of the catalogs at the next
# ``make messages`` and the page shows it in English: "Reason", "Ends", "This period", "Requirement" … did.

TRANSLATING = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
               "npgettext", "npgettext_lazy"}
SKIPPED_DIRS = {".venv", "tests", "bench", "migrations", "staticfiles", "node_modules", ".ci-tmp", ".bench", "locale"}


def _project_modules():
    import ast

    root = Path(settings.BASE_DIR)
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            continue
        yield str(path.relative_to(root)), ast.parse(path.read_text(encoding="utf-8"))


def _name(call):
    import ast

    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _translating_calls(tree):
    import ast

    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _name(node) in TRANSLATING]


def test_no_text_is_translated_inside_an_f_strings_braces():
    import ast

    found = []
    for path, tree in _project_modules():
        for fstring in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
            found += [
                f"{path}:{call.lineno} {ast.unparse(call)[:70]}"
                for call in _translating_calls(fstring)
                if any(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in call.args)
            ]
    assert found == [], "xgettext does not read f-strings: translate into a variable first"


def test_a_loop_over_texts_to_translate_marks_each_with_gettext_noop():
    """``(_(text) for text in ("Period", "Status"))`` translates texts makemessages never sees."""
    import ast

    found = []
    for path, tree in _project_modules():
        for loop in (n for n in ast.walk(tree) if isinstance(n, (ast.GeneratorExp, ast.ListComp, ast.DictComp, ast.SetComp))):
            element = ast.Module(body=[ast.Expr(getattr(loop, "elt", None) or loop.value)], type_ignores=[])
            if not any(call.args and isinstance(call.args[0], ast.Name) for call in _translating_calls(element)):
                continue
            for generator in loop.generators:
                marked = {id(c) for call in _translating_calls(generator.iter) for c in ast.walk(call)}
                # Texts, not keys: a dict's keys ("milestone", "ends") are lower-case identifiers.
                plain = [c for c in ast.walk(generator.iter) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                         and id(c) not in marked and (not c.value.isidentifier() or c.value[:1].isupper())]
                found += [f"{path}:{c.lineno} {c.value!r}" for c in plain]
    assert sorted(set(found)) == []


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_every_text_the_code_translates_has_a_translation(lang):
    import ast

    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    translated = {(e.msgctxt, e.msgid) for e in po.translated_entries() if "fuzzy" not in e.flags}
    missing, checked = [], 0
    for path, tree in _project_modules():
        for call in _translating_calls(tree):
            context = _name(call).startswith(("pgettext", "npgettext"))
            args = call.args[1:] if context else call.args
            if not args or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
                continue
            msgctxt = call.args[0].value if context and isinstance(call.args[0], ast.Constant) else None
            checked += 1
            if (msgctxt, args[0].value) not in translated:
                missing.append(f"{path}:{call.lineno} {args[0].value[:60]!r}")
    assert checked > 300
    assert missing == []


def test_a_text_to_translate_is_written_as_its_characters_not_escapes():
    """xgettext keeps ``\\u201c`` in a Python literal as six characters: the catalog's msgid then never
    equals the text gettext looks up, and Russian and Kyrgyz readers see English (My work, session 11)."""
    import ast
    import re

    escape = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|N\{)")
    root = Path(settings.BASE_DIR)
    found = []
    for path, tree in _project_modules():
        source = (root / path).read_text(encoding="utf-8")
        for call in _translating_calls(tree):
            for arg in call.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    segment = ast.get_source_segment(source, arg) or ""
                    if escape.search(segment):
                        found.append(f"{path}:{arg.lineno} {segment[:60]}")
    assert found == []
