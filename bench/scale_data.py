"""Deterministic synthetic data at OGP-wide scale, for benchmarks and query-count tests.

``generate(scale, seed)`` writes, at scale 1, about today's OGP: 300 members (75
national, 225 OGP Local), 1,000 action plans, 15,000 commitments, 30,000
activities, 75,000 milestones, ~270,000 progress updates, 300 forums with 6,000
memberships, 5,000 meetings with their attendance, ~2,250 agencies and the
action-plan and status-update deadlines. Scale 10 is ten times that.

It also makes civil society's side in proportion: 10 reviewer accounts per
member (3,000 at scale 1, unusable passwords), reviews of about 5 % of the
published updates (~13,000; a third disputes, half of those answered) and 8
follows per reviewer (their member, one plan, six commitments: 24,000).

What it does not make: staff accounts and roles, compliance findings and status
events (the sweep writes those).

Design:

* Deterministic: the members and their agencies from one
  ``random.Random(seed)``, and each chunk of members (forums, meetings, reviewers, plans, commitments,
  milestones, updates, reviews, follows, deadlines) from its own generator seeded
  by the seed and the chunk's number, drawn in a fixed order; dates counted from
  a fixed day (``ANCHOR``), never from the clock. Two runs with the same scale and
  seed write the same rows, whatever the number of processes (only primary keys,
  the ``created_at``/``updated_at`` stamps, and links that quote a primary key differ).
* Bulk inserts: PostgreSQL's COPY through the one bulk-insert module, ``ogp_portal/bulk.py`` (``bulk_create(batch_size=…)`` elsewhere),
  members in chunks so memory stays flat at any scale, model instances built
  without ``Model.__init__`` (:func:`_make`). No ``save()`` or ``full_clean()``
  per row: the generator builds valid rows itself. No signals, so
  django-simple-history records no history for these rows (acceptable for
  synthetic data: nobody edited them).
* Fast on PostgreSQL (``manage.py generate_scale_data``): the loaded tables'
  secondary indexes, unique constraints and foreign keys are dropped first and
  recreated from their own catalog definitions afterwards, two processes write
  the chunks, commits do not wait for the WAL flush, and the commitments'
  completion roll-up is computed while generating instead of updated afterwards.
* Only the fields a row needs are set; every other field (including fields other
  branches add with defaults) takes its default.
* Text in English, Russian and Kyrgyz (``title_en``/``title_ru``/``title_ky`` …)
  with lengths like the real Kyrgyz plan's: commitment titles ~70 characters,
  problem ~430, description ~330, milestone deliverables ~130.
* Member codes start with ``XN`` (national) and ``XL`` (local), never a real
  OGP code such as KG or KGBSK, so the real seed data can sit beside them.

Over 600 lines as one cohesive thing: one deterministic generator.  The order in which the
chunks draw from their random generators is what makes two runs write the same rows; split, that
order would be spread over modules and easy to break.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import math
import multiprocessing
import random
import sys
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, connections, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from compliance.models import Deadline
from engagement.models import Follow, Review
from forums.models import Attendance, Forum, ForumMembership, Meeting
from ogp.policy import cycle_label
from ogp_portal import bulk

from commitments.models import (
    Activity,
    ActionPlan,
    Agency,
    Commitment,
    Completion,
    DatePrecision,
    Member,
    Milestone,
    OGPValues,
    ProgressUpdate,
    rollup_completion,
)

NATIONAL_PREFIX = "XN"
LOCAL_PREFIX = "XL"
# Dates are counted from this fixed day, not from today, so the data never depends on the clock.
ANCHOR = dt.date(2026, 11, 1)
BATCH = 2000
MEMBERS_PER_CHUNK = 20

# At scale 1 (today's OGP).
BASE = {
    "national": 75,
    "local": 225,
    "plans": 1000,
    "national_plan_share": 0.375,
    "meetings": 5000,
}
COMMITMENTS_PER_PLAN = (5, 25)  # mean 15
MILESTONES_PER_COMMITMENT = (2, 8)  # mean 5
ACTIVITIES_PER_COMMITMENT = (1, 3)  # mean 2
AGENCIES = {"national": 12, "local": 6}
FORUM_MEMBERSHIPS = 20
REVIEWERS_PER_MEMBER = 10
REVIEW_SHARE = 0.05  # of published progress updates
COMMITMENT_FOLLOWS = 6  # per reviewer, plus their member and one plan
ATTENDANCE_PER_MEETING = 10

LANGS = ("en", "ru", "ky")

# ------------------------------------------------------------------ vocabulary
# Aligned lists: the same index means the same thing in each language, so a
# commitment's three texts are translations of each other.

VERBS = {
    "en": ["Ensure", "Develop", "Introduce", "Publish", "Improve", "Create", "Expand", "Revise"],
    "ru": ["Обеспечить", "Разработать", "Внедрить", "Опубликовать", "Усовершенствовать", "Создать", "Расширить", "Пересмотреть"],
    "ky": ["камсыз кылуу", "иштеп чыгуу", "киргизүү", "жарыялоо", "өркүндөтүү", "түзүү", "кеңейтүү", "кайра кароо"],
}
OBJECTS = {
    "en": [
        "an open data platform",
        "the e-procurement system",
        "a register of beneficial owners",
        "a mechanism of public oversight",
        "the procedure for handling citizens' appeals",
        "a citizens' budget",
        "a system to monitor local budget spending",
        "a single portal of public services",
        "access to information on the work of state bodies",
        "the procedure for public hearings",
        "an electronic register of land plots",
        "the publication of court decisions",
    ],
    "ru": [
        "открытую платформу данных",
        "систему электронных закупок",
        "реестр бенефициарных собственников",
        "механизм общественного контроля",
        "порядок рассмотрения обращений граждан",
        "бюджет для граждан",
        "систему мониторинга расходов местного бюджета",
        "единый портал государственных услуг",
        "доступ к информации о деятельности государственных органов",
        "процедуру общественных слушаний",
        "электронный реестр земельных участков",
        "публикацию судебных актов",
    ],
    "ky": [
        "ачык маалыматтар платформасын",
        "электрондук сатып алуулар системасын",
        "бенефициардык ээлердин реестрин",
        "коомдук көзөмөл механизмин",
        "жарандардын кайрылууларын кароо тартибин",
        "жарандар үчүн бюджетти",
        "жергиликтүү бюджеттин чыгашаларына мониторинг системасын",
        "мамлекеттик кызматтардын бирдиктүү порталын",
        "мамлекеттик органдардын иши тууралуу маалыматка жетүүнү",
        "коомдук угуулардын тартибин",
        "жер участокторунун электрондук реестрин",
        "сот актыларын жарыялоону",
    ],
}
QUALIFIERS = {
    "en": [
        "in machine-readable formats",
        "with the participation of civil society",
        "in the state and official languages",
        "by the end of the reporting period",
        "in pilot regions",
        "in line with the legislation",
        "together with local self-government bodies",
        "on the basis of international standards",
    ],
    "ru": [
        "в машиночитаемом формате",
        "с участием гражданского общества",
        "на государственном и официальном языках",
        "до конца отчётного периода",
        "в пилотных регионах",
        "в соответствии с законодательством",
        "совместно с органами местного самоуправления",
        "на основе международных стандартов",
    ],
    "ky": [
        "машина окуй турган форматта",
        "жарандык коомдун катышуусу менен",
        "мамлекеттик жана расмий тилдерде",
        "отчеттук мезгилдин аягына чейин",
        "пилоттук аймактарда",
        "мыйзамдарга ылайык",
        "жергиликтүү өз алдынча башкаруу органдары менен биргеликте",
        "эл аралык стандарттардын негизинде",
    ],
}
SENTENCES = {
    "en": [
        "Citizens and civil society organisations lack timely information on decisions that affect them.",
        "Data are published irregularly and rarely in machine-readable formats.",
        "The results will be reviewed with the multi-stakeholder forum every six months.",
        "Public consultations involved representatives of civil society, business and local governments.",
        "Progress is reported in the six-month status update and published on the portal.",
        "The commitment strengthens transparency, accountability and civic participation.",
        "Several state bodies keep the same records on paper, which slows down services and invites abuse.",
        "At least two hundred representatives of civil society and entrepreneurs will be consulted.",
    ],
    "ru": [
        "Граждане и организации гражданского общества не получают своевременной информации о решениях, которые их касаются.",
        "Данные публикуются нерегулярно и редко в машиночитаемом формате.",
        "Результаты будут рассматриваться на многостороннем форуме каждые шесть месяцев.",
        "В общественных консультациях участвовали представители гражданского общества, бизнеса и органов местного самоуправления.",
        "Ход выполнения отражается в полугодовом отчёте и публикуется на портале.",
        "Обязательство укрепляет прозрачность, подотчётность и гражданское участие.",
        "Несколько государственных органов ведут одни и те же записи на бумаге, что замедляет услуги и создаёт риски злоупотреблений.",
        "Будут проведены консультации не менее чем с двумястами представителями гражданского общества и предпринимателей.",
    ],
    "ky": [
        "Жарандар жана жарандык коом уюмдары аларга тиешелүү чечимдер тууралуу маалыматты өз убагында алышпайт.",
        "Маалыматтар үзгүлтүк менен жана машина окуй турган форматта сейрек жарыяланат.",
        "Жыйынтыктар ар алты айда көп тараптуу форумда каралат.",
        "Коомдук консультацияларга жарандык коомдун, бизнестин жана жергиликтүү өз алдынча башкаруу органдарынын өкүлдөрү катышты.",
        "Аткаруунун жүрүшү алты айлык отчетто чагылдырылып, порталда жарыяланат.",
        "Милдеттенме ачык-айкындуулукту, отчеттуулукту жана жарандык катышууну бекемдейт.",
        "Бир нече мамлекеттик орган бирдей жазууларды кагаз түрүндө жүргүзөт, бул кызматтарды жайлатып, кыянаттык коркунучун жаратат.",
        "Жарандык коомдун жана ишкерлердин кеминде эки жүз өкүлү менен консультациялар өткөрүлөт.",
    ],
}
AGENCY_NAMES = [
    ("Ministry of Finance", "MoF"),
    ("Ministry of Justice", "MoJ"),
    ("Ministry of Economy and Commerce", "MoEC"),
    ("Ministry of Health", "MoH"),
    ("Ministry of Education and Science", "MoES"),
    ("Ministry of Digital Development", "MDD"),
    ("Ministry of Natural Resources and Ecology", "MNRE"),
    ("Ministry of Labour and Social Development", "MLSD"),
    ("State Tax Service", "STS"),
    ("State Customs Service", "SCS"),
    ("Accounts Chamber", "AC"),
    ("Central Election Commission", "CEC"),
    ("Supreme Court", "SC"),
    ("Prosecutor General's Office", "PGO"),
    ("State Agency for Civil Service", "SACS"),
    ("National Statistical Committee", "NSC"),
    ("Agency for Land Registration", "ALR"),
    ("Anti-Corruption Service", "ACS"),
    ("Ombudsman's Office", "OO"),
    ("Association of Civil Society Organisations", "ACSO"),
]
LOCAL_AGENCY_NAMES = [
    ("Mayor's Office", ""),
    ("City Council", ""),
    ("Department of Finance", "DF"),
    ("Department of Urban Planning", "DUP"),
    ("Department of Transport", "DT"),
    ("Department of Education", "DE"),
    ("Municipal Enterprise for Water Supply", "MEWS"),
    ("Open City Committee", "OCC"),
    ("Youth Council", ""),
    ("Local Public Council", ""),
]
SYLLABLES = ["ka", "ra", "lo", "ven", "dar", "is", "tan", "mor", "bel", "zu", "ar", "nia", "sol", "ter", "vi", "on"]
FIRST_NAMES = ["Aibek", "Aigul", "Nurlan", "Elena", "Bakyt", "Cholpon", "Dmitry", "Gulnara", "Timur", "Asel", "Marat", "Olga"]
LAST_NAMES = ["Abdyldaev", "Sadykova", "Ivanov", "Toktogulova", "Kasymov", "Petrova", "Osmonov", "Bekova", "Usenov"]
THEMES = ["Open data", "Public service delivery", "Anti-corruption", "Fiscal openness", "Justice", "Civic space", "Health", "Education"]
NARRATIVE = {
    Completion.NOT_STARTED: "Work has not started yet: the responsible department is preparing the terms of reference.",
    Completion.LIMITED: "Preparatory work has begun; consultations with civil society took place and a draft is under discussion.",
    Completion.SUBSTANTIAL: "Most of the work is done: the draft was adopted and the first data sets are published on the portal.",
    Completion.COMPLETE: "The milestone is complete: the results are published and were presented to the forum.",
    Completion.NO_EVIDENCE: "No evidence was provided for this reporting period.",
}
COMPLETION_STEPS = [Completion.NOT_STARTED, Completion.LIMITED, Completion.SUBSTANTIAL, Completion.COMPLETE]


def _sentence(rng: random.Random) -> dict[str, str]:
    """Return one action sentence in every language (the same meaning)."""
    v, o, q = rng.randrange(len(VERBS["en"])), rng.randrange(len(OBJECTS["en"])), rng.randrange(len(QUALIFIERS["en"]))
    ky = f"{QUALIFIERS['ky'][q].capitalize()} {OBJECTS['ky'][o]} {VERBS['ky'][v]}."
    return {
        "en": f"{VERBS['en'][v]} {OBJECTS['en'][o]} {QUALIFIERS['en'][q]}.",
        "ru": f"{VERBS['ru'][v]} {OBJECTS['ru'][o]} {QUALIFIERS['ru'][q]}.",
        "ky": ky,
    }


def _title(rng: random.Random) -> dict[str, str]:
    return {lang: text.rstrip(".") for lang, text in _sentence(rng).items()}


def _text(rng: random.Random, length: int) -> dict[str, str]:
    """Return a paragraph of about ``length`` characters (English) in every language."""
    parts = {lang: [] for lang in LANGS}
    size = 0
    while size < length:
        if rng.random() < 0.5:
            s = _sentence(rng)
        else:
            i = rng.randrange(len(SENTENCES["en"]))
            s = {lang: SENTENCES[lang][i] for lang in LANGS}
        for lang in LANGS:
            parts[lang].append(s[lang])
        size += len(s["en"]) + 1
    return {lang: " ".join(parts[lang]) for lang in LANGS}


def _translated(name: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{name}_{lang}": texts[lang] for lang in LANGS}


def _place_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return dt.date(year, month % 12 + 1, 1) if day.day == 1 else dt.date(year, month % 12 + 1, min(day.day, 28))


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)), dt.UTC)


def _spread(total: int, n: int) -> list[int]:
    """Split ``total`` into ``n`` near-equal whole parts."""
    if n <= 0:
        return []
    q, r = divmod(total, n)
    return [q + (1 if i < r else 0) for i in range(n)]


# ------------------------------------------------------------------ counts


@dataclass
class Counts:
    members: int = 0
    agencies: int = 0
    plans: int = 0
    lead_institutions: int = 0
    commitments: int = 0
    activities: int = 0
    milestones: int = 0
    progress_updates: int = 0
    forums: int = 0
    memberships: int = 0
    meetings: int = 0
    attendances: int = 0
    deadlines: int = 0
    users: int = 0
    reviews: int = 0
    follows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, other: "Counts") -> None:
        for name, value in vars(other).items():
            if name == "seconds":
                for key, seconds in value.items():
                    self.seconds[key] = self.seconds.get(key, 0.0) + seconds
            else:
                setattr(self, name, getattr(self, name) + value)

    def as_rows(self):
        return [(name, value) for name, value in vars(self).items() if name != "seconds"]


def existing_synthetic_members():
    return Member.objects.filter(code__startswith=NATIONAL_PREFIX) | Member.objects.filter(code__startswith=LOCAL_PREFIX)


def plan_sizes(scale: float) -> tuple[int, int, int, int, list[int], list[int]]:
    """Return (national, local, plans, meetings, plans per national member, plans per local member)."""
    national = max(1, math.ceil(BASE["national"] * scale))
    local = max(1, math.ceil(BASE["local"] * scale))
    plans = max(national + local, round(BASE["plans"] * scale))
    national_plans = max(national, round(plans * BASE["national_plan_share"]))
    local_plans = max(local, plans - national_plans)
    meetings = max(national + local, round(BASE["meetings"] * scale))
    return national, local, plans, meetings, _spread(national_plans, national), _spread(local_plans, local)


# ------------------------------------------------------------------ generator


class _Writer:
    """Insert rows with ``bulk_create`` or, on PostgreSQL, with ``COPY`` (method ``copy``: ``ogp_portal.bulk``).

    COPY skips Django's SQL compiler (the bulk of the load time at scale 1): the
    primary keys are reserved from the table's sequence first, so children can
    point at their parents, and every other column takes the value the model
    instance holds (its default unless the generator set it). Each column is
    formatted by a converter chosen once per model, not by type tests per value.

    ``insert(..., defer=True)`` (COPY only) reserves the primary keys now and
    writes the rows at ``flush()``, so the generator can still set columns that
    depend on rows made later (a commitment's completion roll-up). The foreign
    keys are ``DEFERRABLE INITIALLY DEFERRED``, so children may be written first.
    """

    def __init__(self, rng: random.Random, counts: Counts, log, method: str):
        self.rng = rng
        self.counts = counts
        self.log = log
        self.method = method
        self._deferred = []

    def insert(self, model, objs, counter: str, defer: bool = False):
        if not objs:
            return objs
        started = time.perf_counter()
        if self.method == "copy":
            self._reserve(model, objs)
            if defer:
                self._deferred.append((model, objs, counter))
            else:
                self._copy(model, objs)
        else:
            objs = model.objects.bulk_create(objs, batch_size=BATCH)
        self._tally(counter, started, 0 if defer and self.method == "copy" else len(objs))
        return objs

    def flush(self):
        """Write the rows held back by ``insert(..., defer=True)``."""
        deferred, self._deferred = self._deferred, []
        for model, objs, counter in deferred:
            started = time.perf_counter()
            self._copy(model, objs)
            self._tally(counter, started, len(objs))

    def _tally(self, counter, started, rows):
        self.counts.seconds[counter] = self.counts.seconds.get(counter, 0.0) + time.perf_counter() - started
        setattr(self.counts, counter, getattr(self.counts, counter) + rows)

    def _reserve(self, model, objs):
        bulk.reserve_pks(model, objs)

    def _copy(self, model, objs):
        bulk.copy_objects(model, objs)


_INIT_PLANS: dict = {}


def _make(model, **values):
    """Return ``model(**values)`` built without ``Model.__init__`` (with modeltranslation's wrapper,
    a fifth of the loader's time): the same attributes, every other field at its default.

    Plain fields go straight into the instance's ``__dict__``; a foreign key given as an object is
    stored as its id with the object cached, as the descriptor would; anything else (a translated
    field's own name, a property) goes through ``setattr``. No ``pre_init``/``post_init`` signals:
    the only receiver is modeltranslation's, which clears a flag this path never sets.
    """
    plan = _INIT_PLANS.get(model)
    if plan is None:
        plan = _INIT_PLANS[model] = _init_plan(model)
    constants, calls, plain, related = plan
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    attrs.update(constants)
    for attname, default in calls:
        attrs[attname] = default()
    for name, value in values.items():
        if name in plain:
            attrs[name] = value
        elif name in related:
            attrs[related[name]] = None if value is None else value.pk
            obj._state.fields_cache[name] = value
        else:
            setattr(obj, name, value)
    return obj


def _init_plan(model):
    from modeltranslation.fields import TranslationFieldDescriptor

    constants, calls, plain, related = {}, [], set(), {}
    for f in model._meta.fields:
        if f.column is None or f.generated:
            continue
        translated = isinstance(model.__dict__.get(f.name), TranslationFieldDescriptor)
        # A translated field's own attribute keeps its default in __dict__, as its descriptor does in __init__.
        target = f.name if translated else f.attname
        if f.has_default() and callable(f.default):
            calls.append((target, f.get_default))
        else:
            constants[target] = f.get_default()
        if translated:
            continue
        plain.add(f.attname)
        if f.is_relation:
            related[f.name] = f.attname
    return constants, calls, plain, related


def _members(w: _Writer, national: int, local: int) -> list[Member]:
    rng = w.rng
    nationals = []
    for i in range(national):
        country = f"{_place_name(rng)}ia"
        nationals.append(
            _make(
                Member,
                name=f"Republic of {country}",
                kind=Member.Kind.NATIONAL,
                code=f"{NATIONAL_PREFIX}{i + 1:04d}",
                country=country,
                joined_on=dt.date(2011 + rng.randrange(0, 8), rng.randint(1, 12), 1),
            )
        )
    nationals = w.insert(Member, nationals, "members")
    locals_ = []
    for i in range(local):
        parent = nationals[i % len(nationals)]
        locals_.append(
            _make(
                Member,
                name=f"City of {_place_name(rng)}",
                kind=Member.Kind.LOCAL,
                code=f"{LOCAL_PREFIX}{i + 1:04d}",
                country=parent.country,
                parent=parent,
                joined_on=dt.date(2016 + rng.randrange(0, 6), rng.randint(1, 12), 1),
            )
        )
    return nationals + w.insert(Member, locals_, "members")


def _plan_dates(member: Member, index: int, count: int) -> tuple[dt.date, dt.date, int, int]:
    """Return (start, end, period months, periods) of the member's plan ``index`` of ``count``.

    National plans last two years and report every six months; OGP Local plans
    last one year and report every quarter. The last plan is under way on ANCHOR.
    """
    if member.kind == Member.Kind.NATIONAL:
        start = dt.date(2025 - 2 * (count - 1 - index), 9, 1)
        return start, _add_months(start, 24) - dt.timedelta(days=1), 6, 4
    start = dt.date(2026 - (count - 1 - index), 1, 1)
    return start, _add_months(start, 12) - dt.timedelta(days=1), 3, 4


def _chunk(
    w: _Writer,
    members: list[Member],
    plans_of: dict[int, int],
    agencies_of: dict[int, list[Agency]],
    meetings_of: dict[int, int],
):
    # The members' forums (with meetings and attendance) and civil-society reviewers first.
    _forums(w, members, meetings_of)
    reviewers_of = _reviewers(w, members)
    rng = w.rng
    plans, plan_meta = [], []
    for member in members:
        count = plans_of[member.pk]
        for k in range(count):
            start, end, months, periods = _plan_dates(member, k, count)
            submitted = start - dt.timedelta(days=rng.randint(0, 60))
            kind = "National Action Plan" if member.kind == Member.Kind.NATIONAL else "OGP Local Action Plan"
            years = f"{start.year}–{end.year}" if start.year != end.year else f"{start.year}"
            title = {
                "en": f"{kind} of {member.name} {years}",
                "ru": f"План действий {member.name} на {years} годы",
                "ky": f"{member.name}: {years}-жылдарга иш-аракеттер планы",
            }
            plans.append(
                _make(
                    ActionPlan,
                    member=member,
                    start_date=start,
                    end_date=end,
                    submitted_on=submitted,
                    approved_on=submitted - dt.timedelta(days=rng.randint(5, 40)),
                    approval_act=f"Decree No. {rng.randint(10, 999)}-r",
                    themes=rng.sample(THEMES, 3),
                    **_translated("title", title),
                    **_translated("co_creation", _text(rng, 600)),
                    **_translated("monitoring_body", _text(rng, 60) if member.kind == Member.Kind.LOCAL else dict.fromkeys(LANGS, "")),
                )
            )
            plan_meta.append((member, months, periods))
    plans = w.insert(ActionPlan, plans, "plans")

    through = ActionPlan.lead_institutions.through
    lead = []
    for p in plans:
        own = agencies_of[p.member_id]
        lead += [_make(through, actionplan_id=p.pk, agency_id=a.pk) for a in rng.sample(own, min(2, len(own)))]
    w.insert(through, lead, "lead_institutions")

    # Commitments, numbered per member across its plans (XN00010001 …).
    commitments, commitment_meta = [], []
    next_number: dict[int, int] = {}
    for plan, (member, months, periods) in zip(plans, plan_meta, strict=True):
        for j in range(1, rng.randint(*COMMITMENTS_PER_PLAN) + 1):
            n = next_number.get(member.pk, 0) + 1
            next_number[member.pk] = n
            commitments.append(
                _make(
                    Commitment,
                    plan=plan,
                    number=j,
                    identifier=f"{member.code}{n:04d}",
                    start_date=plan.start_date,
                    end_date=plan.end_date,
                    lead_agency=rng.choice(agencies_of[member.pk]),
                    ogp_values=sorted(rng.sample(OGPValues.values, rng.randint(1, 3))),
                    themes=rng.sample(THEMES, 2),
                    contact_name=_person(rng),
                    contact_email=f"contact{n}@{member.code.lower()}.example.org",
                    contact_phone=f"+996 312 {rng.randint(100000, 999999)}",
                    **_translated("title", _title(rng)),
                    **_translated("problem", _text(rng, 430)),
                    **_translated("description", _text(rng, 330)),
                    **_translated("contribution", _text(rng, 280)),
                    **_translated("relevance", _text(rng, 200)),
                    **_translated("expected_results", _text(rng, 150)),
                    **_translated("other_state_actors", _text(rng, 60)),
                    **_translated("contact_title", _text(rng, 40)),
                )
            )
            commitment_meta.append((plan, months, periods))
    # With COPY the commitments are written at the end of the chunk, with their completion roll-up.
    commitments = w.insert(Commitment, commitments, "commitments", defer=True)

    activities, activity_meta = [], []
    for commitment, meta in zip(commitments, commitment_meta, strict=True):
        for a in range(1, rng.randint(*ACTIVITIES_PER_COMMITMENT) + 1):
            activities.append(
                _make(
                    Activity,
                    commitment=commitment,
                    number=a,
                    **_translated("title", _text(rng, 80)),
                    **_translated("expected_results", _text(rng, 420)),
                )
            )
            activity_meta.append((commitment, meta))
    activities = w.insert(Activity, activities, "activities")
    by_commitment: dict[int, list[Activity]] = {}
    for activity in activities:
        by_commitment.setdefault(activity.commitment_id, []).append(activity)

    milestones, milestone_meta = [], []
    for commitment, (plan, months, periods) in zip(commitments, commitment_meta, strict=True):
        acts = by_commitment[commitment.pk]
        span = (plan.end_date.year - plan.start_date.year) * 12 + plan.end_date.month - plan.start_date.month
        for k in range(rng.randint(*MILESTONES_PER_COMMITMENT)):
            activity = acts[k % len(acts)]
            first = rng.randrange(0, max(1, span - 2))
            last = rng.randint(first + 1, span)
            month_precision = rng.random() < 0.6
            start = _add_months(plan.start_date, first)
            end = _add_months(plan.start_date, last) if month_precision else _add_months(plan.start_date, last) + dt.timedelta(days=rng.randint(0, 27))
            end = min(end, plan.end_date)
            milestones.append(
                _make(
                    Milestone,
                    commitment=commitment,
                    activity=activity,
                    number=f"{activity.number}.{k // len(acts) + 1}",
                    budget_development_partners=rng.random() < 0.4,
                    budget_national=rng.random() < 0.7,
                    start_date=start,
                    start_precision=DatePrecision.MONTH if month_precision else DatePrecision.DAY,
                    end_date=end.replace(day=1) if month_precision else end,
                    end_precision=DatePrecision.MONTH if month_precision else DatePrecision.DAY,
                    **_translated("deliverable", _text(rng, 130)),
                )
            )
            milestone_meta.append((plan, months, periods))
    milestones = w.insert(Milestone, milestones, "milestones")

    # Progress: one update per elapsed reporting period; all published but the
    # latest, which may still be a draft or awaiting publication.
    updates, reviews = [], []
    latest_level: dict[int, str] = {}  # milestone pk: completion of its latest published update
    latest_moment: dict[int, tuple] = {}  # milestone pk: (period end, published at) of that update

    def flush_updates(batch):
        # Reviews of the published updates just written (they need the updates' primary keys).
        w.insert(ProgressUpdate, batch, "progress_updates")
        for update in batch:
            pool = reviewers_of.get(update.milestone.commitment.plan.member_id)
            if pool and update.published_at is not None and rng.random() < REVIEW_SHARE:
                reviews.append(_review(rng, update, rng.choice(pool)))

    for milestone, (plan, months, periods) in zip(milestones, milestone_meta, strict=True):
        level = 0
        for p in range(periods):
            period_start = _add_months(plan.start_date, p * months)
            period_end = _add_months(period_start, months) - dt.timedelta(days=1)
            if period_end >= ANCHOR:
                break
            level = min(level + rng.randint(0, 1), len(COMPLETION_STEPS) - 1)
            completion = COMPLETION_STEPS[level] if rng.random() > 0.03 else Completion.NO_EVIDENCE
            last = p == periods - 1 or _add_months(period_end, months) >= ANCHOR
            state = ProgressUpdate.State.PUBLISHED
            if last and rng.random() < 0.2:
                state = rng.choice([ProgressUpdate.State.DRAFT, ProgressUpdate.State.SUBMITTED])
            published = _noon(period_end + dt.timedelta(days=rng.randint(5, 40))) if state == ProgressUpdate.State.PUBLISHED else None
            if state == ProgressUpdate.State.PUBLISHED:
                latest_level[milestone.pk] = completion
                latest_moment[milestone.pk] = (period_end, published)
            updates.append(
                _make(
                    ProgressUpdate,
                    milestone=milestone,
                    period_start=period_start,
                    period_end=period_end,
                    completion=completion,
                    narrative=f"{NARRATIVE[completion]} {_text(rng, 200)['en' if rng.random() < 0.7 else 'ru']}",
                    **_evidence(plan, milestone, p, completion),
                    state=state,
                    published_at=published,
                )
            )
            if len(updates) >= BATCH * 5:
                flush_updates(updates)
                updates = []
    flush_updates(updates)
    w.insert(Review, reviews, "reviews")
    _follows(w, members, plans, commitments, reviewers_of)
    # The stored completion roll-up, as approving the updates one by one would have left it.
    if w.method == "copy":
        # Computed here by the one rule from the updates just made (the same result as
        # progress.refresh_completion, which the bulk path runs), then the commitments are written.
        levels: dict[int, list] = {c.pk: [] for c in commitments}
        newest: dict[int, tuple] = {}  # commitment pk: its newest published update (Commitment.latest_update_at)
        for milestone in milestones:
            levels[milestone.commitment_id].append(latest_level.get(milestone.pk))
            moment = latest_moment.get(milestone.pk)
            if moment and (milestone.commitment_id not in newest or moment > newest[milestone.commitment_id]):
                newest[milestone.commitment_id] = moment
        for commitment in commitments:
            rollup = rollup_completion(levels[commitment.pk])
            commitment.completion, commitment.completion_percent = rollup.level or "", rollup.percent
            commitment.latest_update_at = newest[commitment.pk][1] if commitment.pk in newest else None
        w.flush()
    else:
        from commitments.progress import refresh_completion

        refresh_completion([c.pk for c in commitments])

    # Deadlines: the action plan each plan met, the next one still open, and
    # the six-month status updates of each plan.
    deadlines = []
    for member in members:
        own = sorted((p for p in plans if p.member_id == member.pk), key=lambda p: p.start_date)
        seen = set()
        for previous, plan in zip([None, *own], [*own, None], strict=True):
            if previous is None:
                due = _add_months(member.joined_on, 12)
            else:
                due = _add_months(previous.end_date, 12 if member.kind == Member.Kind.NATIONAL else 1)
            cycle = cycle_label(due)
            if cycle in seen:
                continue
            seen.add(cycle)
            deadlines.append(
                _make(
                    Deadline,
                    member=member,
                    plan=plan,
                    kind=Deadline.Kind.ACTION_PLAN,
                    cycle=cycle,
                    due_on=due,
                    met_on=plan.submitted_on if plan and plan.submitted_on <= due else None,
                )
            )
        for plan in own:
            for half in range(0, 24 if member.kind == Member.Kind.NATIONAL else 12, 6):
                end = _add_months(plan.start_date, half + 6) - dt.timedelta(days=1)
                cycle = f"{end.year}-H{1 if end.month <= 6 else 2}"
                if cycle in seen:
                    continue
                seen.add(cycle)
                deadlines.append(
                    _make(
                        Deadline,
                        member=member,
                        plan=plan,
                        kind=Deadline.Kind.STATUS_UPDATE,
                        cycle=cycle,
                        due_on=end + dt.timedelta(days=30),
                        met_on=end + dt.timedelta(days=rng.randint(5, 40)) if end < ANCHOR else None,
                    )
                )
    w.insert(Deadline, deadlines, "deadlines")


def _forums(w: _Writer, members: list[Member], meetings_of: dict[int, int]):
    rng = w.rng
    forums = w.insert(
        Forum,
        [
            _make(
                Forum,
                member=m,
                name=f"Open Government Forum of {m.name}",
                founding_act=f"Decree No. {rng.randint(10, 999)}",
                founded_on=m.joined_on,
                cadence=Forum.Cadence.QUARTERLY,
                description=_text(rng, 300)["en"],
            )
            for m in members
        ],
        "forums",
    )
    sectors = [ForumMembership.Sector.GOVERNMENT, ForumMembership.Sector.CIVIL_SOCIETY, ForumMembership.Sector.OTHER]
    memberships = w.insert(
        ForumMembership,
        [
            _make(
                ForumMembership,
                forum=f,
                person=_person(rng),
                organisation=rng.choice(AGENCY_NAMES)[0],
                position="Specialist",
                sector=sectors[0] if k % 2 == 0 else sectors[1 + (k % 5 == 1)],
                role=ForumMembership.Role.CO_CHAIR if k < 2 else ForumMembership.Role.MEMBER,
                term_start=f.founded_on,
            )
            for f in forums
            for k in range(FORUM_MEMBERSHIPS)
        ],
        "memberships",
    )
    people: dict[int, list[ForumMembership]] = {}
    for m in memberships:
        people.setdefault(m.forum_id, []).append(m)
    meetings = []
    for f in forums:
        count = meetings_of[f.member_id]
        # Quarterly meetings back from the anchor, the last one planned.
        for q in range(count):
            day = _add_months(ANCHOR, -3 * (count - 1 - q) + 1) + dt.timedelta(days=rng.randint(0, 20))
            status = Meeting.Status.PLANNED if day >= ANCHOR else (
                Meeting.Status.CANCELLED if rng.random() < 0.05 else Meeting.Status.HELD
            )
            meetings.append(
                _make(
                    Meeting,
                    forum=f,
                    title=f"Forum meeting {day:%B %Y}",
                    starts_at=_noon(day),
                    ends_at=_noon(day) + dt.timedelta(hours=2),
                    place="Government House, conference hall",
                    status=status,
                    agenda=_text(rng, 300)["en"],
                    minutes=_text(rng, 800)["ru" if rng.random() < 0.5 else "en"] if status == Meeting.Status.HELD else "",
                )
            )
    meetings = w.insert(Meeting, meetings, "meetings")
    attendances = []
    for meeting in meetings:
        if meeting.status != Meeting.Status.HELD:
            continue
        for person in rng.sample(people[meeting.forum_id], ATTENDANCE_PER_MEETING):
            attendances.append(_attendance(meeting, person, rng.random() < 0.9))
        if len(attendances) >= BATCH * 5:  # flat memory at scale 10 (450,000 rows)
            w.insert(Attendance, attendances, "attendances")
            attendances = []
    w.insert(Attendance, attendances, "attendances")


_HAS_EVIDENCE_LINKS = any(f.name == "evidence_links" for f in ProgressUpdate._meta.concrete_fields)


def _evidence(plan, milestone, period, completion) -> dict:
    # Links on the update itself where the model has them (evidence as its own model is not generated yet).
    if not _HAS_EVIDENCE_LINKS:
        return {}
    done = completion in (Completion.SUBSTANTIAL, Completion.COMPLETE)
    return {"evidence_links": [f"https://{plan.member.code.lower()}.example.org/evidence/{milestone.pk}/{period}"] if done else []}


_ATTENDANCE_HAS_STATUS = any(f.name == "status" for f in Attendance._meta.concrete_fields)


def _attendance(meeting, person, present: bool) -> Attendance:
    # Attendance records a status (present / absent / represented) where the forums app has one,
    # else a present flag.
    if _ATTENDANCE_HAS_STATUS:
        return _make(Attendance, meeting=meeting, membership=person, status="present" if present else "absent")
    return _make(Attendance, meeting=meeting, membership=person, present=present)


def _reviewers(w: _Writer, members: list[Member]) -> dict[int, list]:
    """Civil-society accounts, ten per member, that cannot sign in (unusable passwords)."""
    User = get_user_model()
    users, owner = [], []
    for m in members:
        for k in range(1, REVIEWERS_PER_MEMBER + 1):
            name = f"reviewer-{m.code.lower()}-{k:02d}"
            users.append(_make(User, username=name, email=f"{name}@example.org", password=UNUSABLE_PASSWORD_PREFIX, is_active=True))
            owner.append(m.pk)
    reviewers_of: dict[int, list] = {}
    for member_pk, user in zip(owner, w.insert(User, users, "users"), strict=True):
        reviewers_of.setdefault(member_pk, []).append(user)
    return reviewers_of


def _review(rng: random.Random, update: ProgressUpdate, author) -> Review:
    stance = rng.choice([Review.Stance.AGREE, Review.Stance.PARTLY, Review.Stance.DISPUTE])
    created = update.published_at + dt.timedelta(days=rng.randint(1, 30))
    answered = stance == Review.Stance.DISPUTE and rng.random() < 0.5
    lang = "ru" if rng.random() < 0.5 else "en"
    return _make(
        Review,
        update=update,
        author=author,
        stance=stance,
        comment=_text(rng, 180)[lang],
        evidence_links=[f"https://monitor.example.org/{update.pk}"] if stance == Review.Stance.DISPUTE else [],
        created_at=created,
        response=_text(rng, 150)[lang] if answered else "",
        responded_at=created + dt.timedelta(days=rng.randint(1, 20)) if answered else None,
    )


def _follows(w: _Writer, members, plans, commitments, reviewers_of) -> None:
    """Each reviewer follows their member, one of its plans and six of its commitments."""
    rng = w.rng
    plans_of: dict[int, list] = {}
    for p in plans:
        plans_of.setdefault(p.member_id, []).append(p)
    commitments_of: dict[int, list] = {}
    for c in commitments:
        commitments_of.setdefault(c.plan.member_id, []).append(c)
    follows = []
    for m in members:
        for user in reviewers_of.get(m.pk, []):
            follows.append(_make(Follow, user=user, member=m))
            if plans_of.get(m.pk):
                follows.append(_make(Follow, user=user, plan=rng.choice(plans_of[m.pk])))
            own = commitments_of.get(m.pk, [])
            follows += [_make(Follow, user=user, commitment=c) for c in rng.sample(own, min(COMMITMENT_FOLLOWS, len(own)))]
    w.insert(Follow, follows, "follows")


def _agencies(w: _Writer, members: list[Member]) -> dict[int, list[Agency]]:
    rng = w.rng
    agencies = []
    for m in members:
        pool = AGENCY_NAMES if m.kind == Member.Kind.NATIONAL else LOCAL_AGENCY_NAMES
        count = min(len(pool), AGENCIES["national" if m.kind == Member.Kind.NATIONAL else "local"])
        for name, acronym in rng.sample(pool, count):
            kind = Agency.Kind.CIVIL_SOCIETY if "Civil Society" in name or "Council" in name else Agency.Kind.STATE
            agencies.append(_make(Agency, member=m, name=name, acronym=acronym, kind=kind))
    agencies_of: dict[int, list[Agency]] = {}
    for a in w.insert(Agency, agencies, "agencies"):
        agencies_of.setdefault(a.member_id, []).append(a)
    return agencies_of


def _loaded_tables() -> list[str]:
    """The big tables the generator fills, whose indexes and constraints ``defer_indexes`` rebuilds."""
    return [
        model._meta.db_table
        for model in (
            ActionPlan, ActionPlan.lead_institutions.through, Commitment, Activity, Milestone, ProgressUpdate,
            ForumMembership, Meeting, Attendance, Deadline, Review, Follow,
        )
    ]


def drop_secondary_indexes(tables: list[str]) -> list[str]:
    """Drop the foreign keys, unique constraints and indexes (not the primary keys) of ``tables``.

    Returns the statements that recreate exactly what was dropped, read from PostgreSQL's own
    catalog (``pg_get_indexdef``, ``pg_get_constraintdef``), as ``(table, statement)``: indexes
    first, then unique constraints, then foreign keys (table ``None``: they run last, one at a
    time; each is validated in one pass, far cheaper than a check per row).
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY (%s::regclass[]) AND c.contype IN ('f', 'u')
            ORDER BY c.conrelid::regclass::text, c.conname
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY (%s::regclass[]) AND NOT i.indisprimary
              -- A partial index's predicate would come back re-parsed (casts moved), which could
              -- change which queries the planner proves it serves: those stay (they are small anyway).
              AND i.indpred IS NULL
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c
                WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
              )
            ORDER BY 1, 2
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for kind in ("f", "u"):
            for table, name, contype, _definition in constraints:
                if contype == kind:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for _table, name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    restore = [(table, definition) for table, _name, definition in indexes]
    for kind in ("u", "f"):
        restore += [
            (table if kind == "u" else None, f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            for table, name, contype, definition in constraints
            if contype == kind
        ]
    return restore


def restore_indexes(statements: list[tuple[str | None, str]], log=None, threads: int = 1) -> None:
    """Run what :func:`drop_secondary_indexes` returned: each table's indexes and unique constraints
    in ``threads`` connections at once (one table per connection), then the foreign keys."""
    log = log or (lambda message: None)
    per_table: dict[str, list[str]] = {}
    for table, statement in statements:
        if table is not None:
            per_table.setdefault(table, []).append(statement)
    # The tables with the most to build first (the search indexes' tables).
    _run_groups(sorted(per_table.values(), key=len, reverse=True), log, threads)
    _run_groups([[statement for table, statement in statements if table is None]], log, 1)


def _run_groups(groups: list[list[str]], log, threads: int) -> None:
    """Run each group's statements in order; groups in ``threads`` connections at once.

    Needs autocommit for ``threads`` > 1 (the other connections must see the tables as they are).
    """

    def run(group, own_connection):
        try:
            with connection.cursor() as cursor:
                # Index builds sort in memory up to maintenance_work_mem (64 MB by default): give them more.
                cursor.execute("SET maintenance_work_mem = '512MB'")
                for statement in group:
                    started = time.perf_counter()
                    cursor.execute(statement)
                    if time.perf_counter() - started > 0.5:
                        log(f"{time.perf_counter() - started:6.1f} s  {statement[:110]}")
                cursor.execute("RESET maintenance_work_mem")
        finally:
            if own_connection:
                connection.close()

    if threads <= 1 or connection.in_atomic_block:
        for group in groups:
            run(group, False)
        return
    # psycopg releases the GIL while PostgreSQL works; each thread has its own connection.
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(run, group, True) for group in groups]:
            future.result()


def generate(
    scale: float = 1.0,
    seed: int = 42,
    log=None,
    method: str = "auto",
    defer_indexes: bool = False,
    workers: int = 1,
) -> Counts:
    """Write synthetic members and everything under them; return what was written.

    Refuses (ValueError) when synthetic members already exist: load into an
    empty (or flushed) database. ``method``: ``bulk`` (``bulk_create``), ``copy``
    (PostgreSQL COPY) or ``auto`` (COPY on PostgreSQL, else ``bulk_create``).

    ``defer_indexes`` (PostgreSQL): drop the loaded tables' secondary indexes, unique
    constraints and foreign keys first and recreate them from the catalog's own definitions
    after the load (``manage.py generate_scale_data`` does; at scale 10 maintaining them row
    by row was most of the server's time). Their DDL takes the tables' locks until the load ends.

    ``workers`` > 1 (COPY, outside a transaction): that many processes write the members'
    chunks, each over its own connection. The rows are the same whatever the number.
    """
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "bulk"
    if method not in {"bulk", "copy"} or (method == "copy" and connection.vendor != "postgresql"):
        raise ValueError("The method must be bulk, or copy on PostgreSQL.")
    if scale <= 0:
        raise ValueError("The scale must be positive.")
    if existing_synthetic_members().exists():
        raise ValueError("Synthetic members (codes XN…, XL…) already exist: flush the database first.")
    if defer_indexes and connection.vendor != "postgresql":
        raise ValueError("Deferring the indexes needs PostgreSQL.")
    if workers > 1 and (method != "copy" or connection.in_atomic_block):
        # Other processes see only committed rows, and SQLite has one writer.
        raise ValueError("Several processes need COPY on PostgreSQL, outside a transaction.")
    log = log or (lambda message: None)
    rng = random.Random(seed)
    counts = Counts()
    w = _Writer(rng, counts, log, method)
    started = time.perf_counter()
    restore = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A crash loses at most the last chunks (never corrupts): no wait for the WAL flush per commit.
            cursor.execute("SET synchronous_commit = off")
    try:
        if defer_indexes:
            with transaction.atomic():
                restore = drop_secondary_indexes(_loaded_tables())
            log(f"dropped {len(restore)} indexes and constraints; they are recreated after the load")
        _load(w, rng, counts, log, scale, started, seed, workers)
    finally:
        if restore:
            rebuilt = time.perf_counter()
            restore_indexes(restore, log, threads=workers)
            counts.seconds["indexes"] = time.perf_counter() - rebuilt
            log(f"recreated {len(restore)} indexes and constraints in {counts.seconds['indexes']:.0f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    # Every milestone's stored "done" flag in one set-based pass, once the indexes are back
    # (the bulk path's refresh_completion has set them already: then this changes nothing).
    flagged = time.perf_counter()
    from commitments.progress import refresh_done_flags

    refresh_done_flags()
    counts.seconds["done flags"] = time.perf_counter() - flagged
    if connection.vendor == "postgresql":
        # Fresh statistics: with none (before autovacuum gets to these tables) the planner
        # has been seen to take 17 minutes over the compliance page's published-days query.
        analyzed = time.perf_counter()
        _run_groups(
            [
                [f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}"]
                for model in (Commitment, ProgressUpdate, Milestone, Activity, Member, Agency, ActionPlan, Forum,
                              ForumMembership, Meeting, Attendance, Deadline, get_user_model(), Review, Follow)
            ],
            log,
            workers,
        )
        counts.seconds["analyze"] = time.perf_counter() - analyzed
    counts.seconds["total"] = time.perf_counter() - started
    return counts


def _load(w: _Writer, rng: random.Random, counts: Counts, log, scale: float, started: float, seed: int, workers: int) -> None:
    national, local, _plans, meetings, national_plans, local_plans = plan_sizes(scale)
    with transaction.atomic():
        members = _members(w, national, local)
        agencies_of = _agencies(w, members)
        plans_of = {m.pk: n for m, n in zip(members, national_plans + local_plans, strict=True)}
        meetings_of = {m.pk: n for m, n in zip(members, _spread(meetings, len(members)), strict=True)}
    chunks = [members[i : i + MEMBERS_PER_CHUNK] for i in range(0, len(members), MEMBERS_PER_CHUNK)]
    state = (w.method, seed, chunks, plans_of, agencies_of, meetings_of, log, started)
    if workers > 1 and len(chunks) > 1:
        # Members are independent: each process writes every n-th chunk over its own connection.
        global _WORKER_STATE
        _WORKER_STATE = state
        connections.close_all()  # a forked child must not share the parent's socket
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_load_chunks, [(k, workers) for k in range(workers)])
        finally:
            _WORKER_STATE = None
        for result in results:
            counts.add(result)
    else:
        counts.add(_load_chunks((0, 1), state))


_WORKER_STATE = None


def _load_chunks(part: tuple[int, int], state=None) -> Counts:
    """Write chunks ``k``, ``k + n``, ``k + 2n``… of ``part`` = (k, n); return their counts.

    Each chunk draws from its own generator, seeded by the seed and the chunk's number, so the
    rows do not depend on how many processes share the work.
    """
    method, seed, chunks, plans_of, agencies_of, meetings_of, log, started = state or _WORKER_STATE
    k, n = part
    counts = Counts()
    w = _Writer(None, counts, log, method)
    if n > 1 and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    done = 0
    for index in range(k, len(chunks), n):
        chunk = chunks[index]
        w.rng = random.Random(f"{seed}:{index}")
        with transaction.atomic():
            _chunk(w, chunk, plans_of, agencies_of, meetings_of)
        done += len(chunk)
        log(
            f"{'process %d: ' % (k + 1) if n > 1 else ''}members {done}/{sum(len(c) for c in chunks[k::n])}: "
            f"{counts.commitments} commitments, {counts.progress_updates} progress updates, "
            f"{time.perf_counter() - started:.0f} s"
        )
        sys.stdout.flush()  # a pool's process ends without flushing its buffers
    if n > 1:
        connections.close_all()
    return counts
