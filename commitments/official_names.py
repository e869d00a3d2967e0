"""Official Russian and Kyrgyz names of the seed's members, agencies and forums, by their English name.

The seed documents are in English; ``manage.py build_seed_fixtures`` adds the names below that a
fixture uses to it (``"names": {english: {"ru": …, "ky": …}}``) and ``load_seed_data`` stores them
in ``name_ru`` / ``name_ky``. The forms are the institutions' own at the time of the 2018–2020 plan
("under the Government" — при Правительстве, Өкмөтүнө караштуу), as on their websites and in the
plan's Russian and Kyrgyz texts. A name missing here stays English in every language (and the pages
mark it so).
"""

KR_RU = "Кыргызской Республики"
KR_KY = "Кыргыз Республикасынын"
UNDER_GOVERNMENT_RU = "при Правительстве Кыргызской Республики"
UNDER_GOVERNMENT_KY = "Кыргыз Республикасынын Өкмөтүнө караштуу"

OFFICIAL_NAMES: dict[str, dict[str, str]] = {
    # Members
    "Kyrgyz Republic": {"ru": "Кыргызская Республика", "ky": "Кыргыз Республикасы"},
    "Bishkek": {"ru": "Бишкек", "ky": "Бишкек"},
    # Forums
    "Open Government National Forum": {
        "ru": "Национальный форум Открытого правительства",
        "ky": "Ачык өкмөт боюнча Улуттук форум",
    },
    "Open Bishkek Committee": {"ru": "Комитет «Открытый Бишкек»", "ky": "«Ачык Бишкек» комитети"},
    # Agencies of the Kyrgyz national action plan 2018–2020
    "Accounts Chamber": {"ru": f"Счетная палата {KR_RU}", "ky": f"{KR_KY} Эсептөө палатасы"},
    "Central Election Commission of the Kyrgyz Republic": {
        "ru": f"Центральная комиссия по выборам и проведению референдумов {KR_RU}",
        "ky": f"{KR_KY} Шайлоо жана референдум өткөрүү боюнча борбордук комиссиясы",
    },
    "Fund of State Property Management": {
        "ru": f"Фонд по управлению государственным имуществом {UNDER_GOVERNMENT_RU}",
        "ky": f"{UNDER_GOVERNMENT_KY} Мамлекеттик мүлктү башкаруу боюнча фонд",
    },
    "Information Technologies Institution “Adilet Sot” under the Judicial Department at the Supreme Court of the Kyrgyz Republic": {
        "ru": f"Учреждение информационных технологий «Адилет Сот» при Судебном департаменте при Верховном суде {KR_RU}",
        "ky": f"{KR_KY} Жогорку сотуна караштуу Сот департаментинин алдындагы «Адилет Сот» маалыматтык технологиялар мекемеси",
    },
    "Government Office of the Kyrgyz Republic": {"ru": f"Аппарат Правительства {KR_RU}", "ky": f"{KR_KY} Өкмөтүнүн Аппараты"},
    "Ministry of the Economy of the Kyrgyz Republic": {"ru": f"Министерство экономики {KR_RU}", "ky": f"{KR_KY} Экономика министрлиги"},
    "Ministry of Education and Science of the Kyrgyz Republic": {
        "ru": f"Министерство образования и науки {KR_RU}",
        "ky": f"{KR_KY} Билим берүү жана илим министрлиги",
    },
    "Ministry of Internal Affairs of the Kyrgyz Republic": {
        "ru": f"Министерство внутренних дел {KR_RU}",
        "ky": f"{KR_KY} Ички иштер министрлиги",
    },
    "Ministry of Emergency Situations of the Kyrgyz Republic": {
        "ru": f"Министерство чрезвычайных ситуаций {KR_RU}",
        "ky": f"{KR_KY} Өзгөчө кырдаалдар министрлиги",
    },
    "Ministry of Finance of the Kyrgyz Republic": {"ru": f"Министерство финансов {KR_RU}", "ky": f"{KR_KY} Финансы министрлиги"},
    "Ministry of Health of the Kyrgyz Republic": {
        "ru": f"Министерство здравоохранения {KR_RU}",
        "ky": f"{KR_KY} Саламаттык сактоо министрлиги",
    },
    "Ministry of Justice of Kyrgyz Republic": {"ru": f"Министерство юстиции {KR_RU}", "ky": f"{KR_KY} Юстиция министрлиги"},
    "National Institute for Strategic Studies of the Kyrgyz Republic": {
        "ru": f"Национальный институт стратегических исследований {KR_RU}",
        "ky": f"{KR_KY} Улуттук стратегиялык изилдөөлөр институту",
    },
    "National Statistical Committee of the Kyrgyz Republic": {
        "ru": f"Национальный статистический комитет {KR_RU}",
        "ky": f"{KR_KY} Улуттук статистика комитети",
    },
    "Organization for Economic Co-operation and Development": {
        "ru": "Организация экономического сотрудничества и развития",
        "ky": "Экономикалык кызматташтык жана өнүгүү уюму",
    },
    "State Agency for Environmental Protection and Forestry under the Government of the Kyrgyz Republic": {
        "ru": f"Государственное агентство охраны окружающей среды и лесного хозяйства {UNDER_GOVERNMENT_RU}",
        "ky": f"{UNDER_GOVERNMENT_KY} Айлана-чөйрөнү коргоо жана токой чарба мамлекеттик агенттиги",
    },
    "State Agency for Local Government and Inter-Ethnic Relations under the Government of the Kyrgyz Republic": {
        "ru": f"Государственное агентство по делам местного самоуправления и межэтнических отношений {UNDER_GOVERNMENT_RU}",
        "ky": f"{UNDER_GOVERNMENT_KY} Жергиликтүү өз алдынча башкаруу иштери жана этностор аралык мамилелер боюнча мамлекеттик агенттик",
    },
    "State Committee of Industry, Energy and Subsoil Use of the Kyrgyz Republic": {
        "ru": f"Государственный комитет промышленности, энергетики и недропользования {KR_RU}",
        "ky": f"{KR_KY} Өнөр жай, энергетика жана жер казынасын пайдалануу боюнча мамлекеттик комитети",
    },
    "State Committee of Information Technologies and Communications": {
        "ru": f"Государственный комитет информационных технологий и связи {KR_RU}",
        "ky": f"{KR_KY} Маалыматтык технологиялар жана байланыш боюнча мамлекеттик комитети",
    },
    "State Financial Intelligence Service under the Government of the Kyrgyz Republic": {
        "ru": f"Государственная служба финансовой разведки {UNDER_GOVERNMENT_RU}",
        "ky": f"{UNDER_GOVERNMENT_KY} Мамлекеттик каржы чалгындоо кызматы",
    },
    "State Inspectorate for Environmental and Technical Safety under the Government of the Kyrgyz Republic": {
        "ru": f"Государственная инспекция по экологической и технической безопасности {UNDER_GOVERNMENT_RU}",
        "ky": f"{UNDER_GOVERNMENT_KY} Экологиялык жана техникалык коопсуздук боюнча мамлекеттик инспекция",
    },
    "State National Security Committee of the Kyrgyz Republic": {
        "ru": f"Государственный комитет национальной безопасности {KR_RU}",
        "ky": f"{KR_KY} Улуттук коопсуздук боюнча мамлекеттик комитети",
    },
    "State Registration Service under the Government of the Kyrgyz Republic": {
        "ru": f"Государственная регистрационная служба {UNDER_GOVERNMENT_RU}",
        "ky": f"{UNDER_GOVERNMENT_KY} Мамлекеттик каттоо кызматы",
    },
    # Lead institutions of the Bishkek OGP Local plan 2025
    "City Development Policy Department, Central Unit of the Mayor’s Office": {
        "ru": "Управление политики развития города центрального аппарата мэрии города Бишкек",
        "ky": "Бишкек шаарынын мэриясынын борбордук аппаратынын Шаарды өнүктүрүү саясаты башкармалыгы",
    },
    "Municipal Enterprise ‘Center for Digital Technologies’, Bishkek Mayor’s Office": {
        "ru": "Муниципальное предприятие «Центр цифровых технологий» мэрии города Бишкек",
        "ky": "Бишкек шаарынын мэриясынын «Санариптик технологиялар борбору» муниципалдык ишканасы",
    },
}


def names_used(data: dict) -> dict[str, dict[str, str]]:
    """Return the official names (``{english: {"ru", "ky"}}``) of the names a parsed seed fixture uses.

    Looks at the member (and its country), the agencies, the plan's lead institutions and the forum.
    """
    found = []
    if data.get("member"):
        found.extend([data["member"].get("name"), data["member"].get("country")])
    found.extend(a.get("name") for a in data.get("agencies", []))
    plan = data.get("plan") or {}
    leads = plan.get("lead_institutions") or plan.get("lead_institution") or []
    found.extend([leads] if isinstance(leads, str) else leads)
    if data.get("forum"):
        found.append(data["forum"].get("name"))
    return {name: OFFICIAL_NAMES[name] for name in sorted(n for n in set(found) if n in OFFICIAL_NAMES)}
