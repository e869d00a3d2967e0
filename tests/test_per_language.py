"""``ogp_portal.languages.per_language``: a page's fixed texts translated once per language, never another language's."""

from django.utils import translation
from django.utils.translation import gettext

from ogp_portal.languages import per_language


def test_texts_are_built_once_per_language_and_each_language_gets_its_own():
    built = []

    @per_language
    def texts():
        built.append(translation.get_language())
        return {"overdue": gettext("Overdue")}

    seen = {}
    for language in ("en", "ru", "ky", "en", "ru", "ky"):
        with translation.override(language):
            seen.setdefault(language, texts())
            assert texts() is seen[language]  # the same dict again: not translated a second time
    assert built == ["en", "ru", "ky"]
    assert seen["en"]["overdue"] == "Overdue"
    assert seen["ru"]["overdue"] != "Overdue" and seen["ky"]["overdue"] != "Overdue"
    assert seen["ru"]["overdue"] != seen["ky"]["overdue"]
