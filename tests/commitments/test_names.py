"""Names of members, agencies and forums in English, Russian and Kyrgyz: from the seed to the pages."""

import json

import pytest
from django.core.management import call_command
from django.utils import translation

from commitments.models import Agency, Commitment, Member
from commitments.official_names import OFFICIAL_NAMES
from ogp_portal.seeding import FIXTURES_DIR
from forums.models import Forum

pytestmark = pytest.mark.django_db

KG = ("Kyrgyz Republic", "Кыргызская Республика", "Кыргыз Республикасы")
CHAMBER = ("Accounts Chamber", "Счетная палата Кыргызской Республики", "Кыргыз Республикасынын Эсептөө палатасы")
FINANCE = ("Ministry of Finance of the Kyrgyz Republic", "Министерство финансов Кыргызской Республики", "Кыргыз Республикасынын Финансы министрлиги")
FORUM = ("Open Government National Forum", "Национальный форум Открытого правительства", "Ачык өкмөт боюнча Улуттук форум")
OPEN_BISHKEK = ("Open Bishkek Committee", "Комитет «Открытый Бишкек»", "«Ачык Бишкек» комитети")


def names(obj):
    return obj.name_en, obj.name_ru, obj.name_ky


def test_the_fixtures_carry_the_official_names_of_what_they_name():
    national = json.loads((FIXTURES_DIR / "kg_nap_2018_2020.json").read_text(encoding="utf-8"))
    local = json.loads((FIXTURES_DIR / "bishkek_2025.json").read_text(encoding="utf-8"))
    for en, ru, ky in (KG, CHAMBER, FINANCE, FORUM):
        assert national["names"][en] == {"ru": ru, "ky": ky}
    assert local["names"][OPEN_BISHKEK[0]] == {"ru": OPEN_BISHKEK[1], "ky": OPEN_BISHKEK[2]}
    # Every agency of the national plan has its names; nothing of another fixture leaks in.
    assert {a["name"] for a in national["agencies"]} <= set(national["names"])
    assert "Open Bishkek Committee" not in national["names"]
    assert all(en in OFFICIAL_NAMES for en in [*national["names"], *local["names"]])


def test_the_seed_loads_the_names_in_three_languages_and_again_changes_nothing(seed_data):
    assert names(Member.objects.get(code="KG")) == KG
    assert names(Agency.objects.get(member__code="KG", acronym="MoF")) == FINANCE
    assert names(Commitment.objects.get(identifier="KG0017").lead_agency) == CHAMBER
    assert names(Forum.objects.get(member__code="KG")) == FORUM
    assert names(Forum.objects.get(member__code="KGBSK")) == OPEN_BISHKEK
    bishkek = Member.objects.get(code="KGBSK")
    assert (bishkek.name_ky, bishkek.country_ru, bishkek.country_ky) == ("Бишкек", KG[1], KG[2])
    assert not Agency.objects.filter(name_ru__isnull=True).exists()
    histories = Member.history.count() + Agency.history.count() + Forum.history.count()
    call_command("load_seed_data", verbosity=0)
    assert Member.history.count() + Agency.history.count() + Forum.history.count() == histories
    # History keeps every language.
    assert Member.history.filter(code="KG").latest("history_date").name_ky == KG[2]


@pytest.mark.parametrize("lang, index", [("en", 0), ("ru", 1), ("ky", 2)])
def test_pages_show_the_names_in_the_visitors_language(client, seed_data, lang, index):
    prefix = "" if lang == "en" else f"/{lang}"
    home = client.get(f"{prefix}/").content.decode()
    assert KG[index] in home
    commitment = client.get(f"{prefix}/commitments/KG0017/").content.decode()
    assert KG[index] in commitment and CHAMBER[index] in commitment
    listing = client.get(f"{prefix}/commitments/?member=KG").content.decode()
    assert CHAMBER[index] in listing and FINANCE[index] in listing
    member = client.get(f"{prefix}/members/KG/").content.decode()
    assert f"<h1>{KG[index]}</h1>" in member and FORUM[index] in member
    assert OPEN_BISHKEK[index] in client.get(f"{prefix}/members/KGBSK/").content.decode()
    with translation.override("en"):
        forum_url = Forum.objects.get(member__code="KG").get_absolute_url()
    assert FORUM[index] in client.get(f"{prefix}{forum_url}").content.decode()
    if lang != "en":
        assert FORUM[0] not in member and CHAMBER[0] not in listing


def test_a_name_not_yet_translated_shows_in_english_with_its_language_and_a_note(client, seed_data):
    chamber = Commitment.objects.get(identifier="KG0017").lead_agency
    chamber.name_ky = None
    chamber.save()
    html = client.get("/ky/commitments/KG0017/").content.decode()
    assert '<span lang="en" class="fallback">Accounts Chamber</span>' in html
    assert 'class="fallback-note"' in html
    assert CHAMBER[1] not in html  # Russian is not a fallback for Kyrgyz: English, the original, is
