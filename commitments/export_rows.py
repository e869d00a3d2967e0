"""The open-data exports' rows as plain values (issue #20): what the columns of ``commitments/exports.py`` read.

A member's export read as model instances (a commitment with its plan, member and lead agency; a milestone
with its commitment and activity: every text in three languages) spent most of its time building them. These
rows hold the columns' values from one ``values_list`` and answer the same attribute reads; translated texts
are read as modeltranslation's field reads them (the active language, then its fallbacks, else "").
``tests/commitments/test_export_rows.py`` compares the bytes with the model-instance writer's.
"""

from datetime import date

from django.conf import settings
from django.utils import translation
from modeltranslation.utils import resolution_order

from ogp_portal import csv_safe
from ogp_portal.compiled import among, ids_text
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.paths import path_of

from .models import Completion, Evidence, OGPValues, period_end

CHUNK_SIZE = 500
_OGP_VALUES = (
    OGPValues.ACCESS_TO_INFORMATION, OGPValues.CIVIC_PARTICIPATION, OGPValues.PUBLIC_ACCOUNTABILITY, OGPValues.TECHNOLOGY_INNOVATION,
)


def _iso(day):
    return day.isoformat() if day else None


def _join(*parts):
    return "; ".join(p.strip() for p in parts if p and p.strip())


# A row's CSV cells written directly (issue #20; each row class's ``cells``): each cell is the text
# ``exports.csv_value`` gives of what its column reads (``None`` empty, booleans true/false), in the columns' order.
def _text(value):
    return "" if value is None else value if value.__class__ is str else str(value)


def _day(day):
    """A day's or a moment's ISO 8601 text ("" for none), each written once per process (issue #20: a member's
    ~800 updates share few days, and ``isoformat`` was ~1.2 µs a moment). A moment is kept with its time zone and
    fold: moments with the same zone are equal only when their wall times are, so the same instant in another zone
    or offset is its own entry; at most ``_MOST_DAYS``, all forgotten when full."""
    if not day:
        return ""
    key = (day, day.tzinfo, day.fold) if day.__class__ is not date else day
    text = _DAYS.get(key)
    if text is None:
        if len(_DAYS) >= _MOST_DAYS:
            _DAYS.clear()
        text = _DAYS[key] = day.isoformat()
    return text


def _checked_flag(value):
    """:func:`_flag` as a written cell (only a value that is not a boolean could need checking)."""
    return "" if value is None else ("true" if value else "false") if value.__class__ is bool else csv_safe.cell(str(value))


_DAYS: dict = {}
_MOST_DAYS = 65536


def _flag(value):
    return "" if value is None else ("true" if value else "false") if value.__class__ is bool else str(value)

def _translated(names):
    return tuple(f"{name}_{code}" for name in names for code in settings.MODELTRANSLATION_LANGUAGES)


class _Plain:
    """A row of plain values, one slot per column read (``of``: from a ``values_list`` row, in slot order)."""

    __slots__ = ()

    @classmethod
    def of(cls, values):
        row = cls.__new__(cls)
        for name, value in zip(cls.__slots__, values):
            setattr(row, name, value)
        return row


class _Translated(_Plain):
    """A plain row whose translated texts are read as modeltranslation's field reads them: ``row.title`` is the
    active language's ``title_<code>`` or its fallbacks', or ""."""

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.read(name, translation.get_language())

    def read(self, name, language):
        """``self.<name>`` as read in ``language`` (a page of rows asks for the active language once)."""
        # The slots to read, in the language's resolution order, found once per class, language and name
        # (issue #20: a plan's CSV asked modeltranslation for the order ~400 times a render).
        key = (type(self), language, name)
        slots = _READS.get(key)
        if slots is None:
            codes = resolution_order(language)
            slots = tuple(f"{name}_{code}" for code in codes) if f"{name}_{codes[0]}" in key[0].__slots__ else ()
            _READS[key] = slots  # (bounded: the classes here, the languages, the names the code reads)
        if not slots:
            raise AttributeError(name)
        for slot in slots:
            value = getattr(self, slot)
            if value is not None and value != "":
                return value
        return ""


_READS: dict = {}


class _Member(_Translated):
    __slots__ = ("code", *_translated(("name",)))


class _Agency(_Translated):
    __slots__ = _translated(("name",))


class _Plan(_Translated):
    __slots__ = ("submitted_on", "member", *_translated(("title",)))


_COMMITMENT_TEXTS = (
    "title", "description", "other_state_actors", "other_actors", "problem", "contribution", "relevance",
    "additional_information", "expected_results",
)
_PLAN_VALUES = ("plan__submitted_on", *(f"plan__{name}" for name in _translated(("title",))))
_MEMBER_VALUES = ("plan__member__code", *(f"plan__member__{name}" for name in _translated(("name",))))
_AGENCY_VALUES = tuple(f"lead_agency__{name}" for name in _translated(("name",)))


class _CommitmentRow(_Translated):
    """What COMMITMENT_COLUMNS read of a commitment, its plan, member and lead agency, as plain values."""

    __slots__ = (
        "identifier", "number", "themes", "ogp_values", "completion", "completion_percent", "latest_update_at",
        "start_date", "end_date", "plan_id", "overdue_count", "lead_agency_id", *_translated(_COMMITMENT_TEXTS),
        *_PLAN_VALUES, *_MEMBER_VALUES, *_AGENCY_VALUES, "plan_number", "path",
    )

    @property
    def plan(self):
        member = _Member.of([getattr(self, name) for name in _MEMBER_VALUES])
        return _Plan.of([getattr(self, name) for name in _PLAN_VALUES[:1]] + [member] + [getattr(self, name) for name in _PLAN_VALUES[1:]])

    @property
    def lead_agency(self):
        if self.lead_agency_id is None:
            return None
        return _Agency.of([getattr(self, name) for name in _AGENCY_VALUES])

    def get_absolute_url(self):
        return self.path(self.identifier)

    def cells(self):
        """The CSV cells of ``exports.COMMITMENT_COLUMNS`` (OGP's columns, then the portal's)."""
        values, submitted, language = self.ogp_values or [], self.plan__submitted_on, translation.get_language()
        return [
            _text(self.identifier), self.title_en or self.read("title", language), "", self.description_en or self.read("description", language),
            self.read("plan__member__name", language), "", "; ".join(self.themes or []), str(submitted.year) if submitted else "",
            _text(self.plan_number), _text(self.number),
            self.read("lead_agency__name", language) if self.lead_agency_id is not None else "",
            _join(self.other_state_actors_en or self.read("other_state_actors", language), self.other_actors_en or self.read("other_actors", language)),
            settings.SITE_URL.rstrip("/") + self.path(self.identifier),
            *["Yes" if value in values else "No" for value in _OGP_VALUES], "", "",
            str(Completion(self.completion).label) if self.completion else "", "",
            _text(self.plan__member__code), self.plan__title_en or self.read("plan__title", language), _day(self.start_date), _day(self.end_date),
            self.problem_en or self.read("problem", language), self.contribution_en or self.read("contribution", language), self.relevance_en or self.read("relevance", language),
            self.additional_information_en or self.read("additional_information", language), self.expected_results_en or self.read("expected_results", language),
            _text(self.completion_percent), _day(self.latest_update_at),
            _text(self.overdue_count),
        ]


class _Number:
    __slots__ = ("number",)

    def __init__(self, number):
        self.number = number


class _MilestoneRow(_Plain):
    """What MILESTONE_COLUMNS read of a milestone, its commitment and activity, as plain values (a ``values_list`` row)."""

    __slots__ = (
        "commitment__identifier", "activity_id", "activity__number", "number", *(f"deliverable_{code}" for code in settings.MODELTRANSLATION_LANGUAGES),
        "start_date", "start_precision", "end_date", "end_precision", "budget_development_partners", "budget_national",
        "budget_text", "latest_completion", "is_overdue",
    )

    @property
    def commitment(self):
        commitment = _Commitment()
        commitment.identifier = self.commitment__identifier
        return commitment

    @property
    def activity(self):
        return _Number(self.activity__number) if self.activity_id is not None else None

    @property
    def deliverable(self):
        """The active language's deliverable, or its fallbacks' (as modeltranslation's field reads it), or ""."""
        for code in resolution_order(translation.get_language()):
            value = getattr(self, f"deliverable_{code}", None)
            if value is not None and value != "":
                return value
        return ""

    @property
    def ends_on(self):
        return period_end(self.end_date, self.end_precision)

    def cells(self):
        """The CSV cells of ``exports.MILESTONE_COLUMNS``."""
        return [
            _text(self.commitment__identifier), _text(self.number), _text(self.activity__number) if self.activity_id is not None else "",
            self.deliverable_en or self.deliverable, _day(self.start_date), _text(self.start_precision), _day(self.end_date),
            _text(self.end_precision), _day(period_end(self.end_date, self.end_precision)), _flag(self.budget_development_partners),
            _flag(self.budget_national), _text(self.budget_text), _text(self.latest_completion), _flag(self.is_overdue),
        ]

    def line(self):
        """The CSV record of :meth:`cells`, written directly: ISO days and true/false never need neutralising or
        quoting, the texts go through ``csv_safe.cell`` (issue #20; the bytes ``csv_safe.line(self.cells())`` gives)."""
        cell, end = csv_safe.cell, self.end_date
        activity = cell(self.activity__number) if self.activity_id is not None else ""
        return (
            f"{cell(self.commitment__identifier)},{cell(self.number)},{activity},{cell(self.deliverable_en or self.deliverable)},"
            f"{_day(self.start_date)},{cell(self.start_precision)},{_day(end)},{cell(self.end_precision)},"
            f"{_day(period_end(end, self.end_precision))},{_checked_flag(self.budget_development_partners)},"
            f"{_checked_flag(self.budget_national)},{cell(self.budget_text)},{cell(self.latest_completion)},{_checked_flag(self.is_overdue)}\r\n"
        )


class _Commitment:
    __slots__ = ("identifier",)


class _Milestone:
    __slots__ = ("number", "commitment")


class _Evidence(list):
    def all(self):
        return self


class _UpdateRow:
    """What UPDATE_COLUMNS read of a progress update, its milestone, commitment and evidence, as plain values."""

    __slots__ = ("pk", "period_start", "period_end", "completion", "narrative", "published_at", "milestone__number",
                 "milestone__commitment__identifier", "evidence")

    def __init__(self, pk, period_start, period_end, completion, narrative, published_at, number, identifier, evidence):
        self.pk, self.period_start, self.period_end, self.completion, self.narrative = pk, period_start, period_end, completion, narrative
        self.published_at, self.milestone__number, self.milestone__commitment__identifier = published_at, number, identifier
        self.evidence = evidence

    @property
    def milestone(self):
        milestone, commitment = _Milestone(), _Commitment()
        milestone.number, milestone.commitment = self.milestone__number, commitment
        commitment.identifier = self.milestone__commitment__identifier
        return milestone

    def cells(self):
        """The CSV cells of ``exports.UPDATE_COLUMNS``."""
        return [
            _text(self.pk), _text(self.milestone__commitment__identifier), _text(self.milestone__number), _day(self.period_start),
            _day(self.period_end), _text(self.completion), _text(self.narrative), " ".join(map(str, self.evidence)) if self.evidence else "",
            _day(self.published_at),
        ]

    def line(self):
        """The CSV record of :meth:`cells`, written directly: the id and the ISO days and moment never need
        neutralising or quoting (digits, "-", ":", "T", "+", "."), the texts go through ``csv_safe.cell``
        (issue #20: a member's ~800 updates; the bytes ``csv_safe.line(self.cells())`` gives)."""
        cell = csv_safe.cell
        return (
            f"{self.pk},{cell(self.milestone__commitment__identifier)},{cell(self.milestone__number)},{_day(self.period_start)},"
            f"{_day(self.period_end)},{cell(self.completion)},{cell(self.narrative)},"
            f"{cell(' '.join(map(str, self.evidence))) if self.evidence else ''},{_day(self.published_at)}\r\n"
        )


def _update_rows_with_evidence(values, chunk_size=CHUNK_SIZE):
    """Yield an :class:`_UpdateRow` a row, their evidence read a chunk at a time (one query a chunk, as a prefetch;
    rows already read, such as a member's, give their whole length as ``chunk_size``: one query)."""
    chunk = []
    for value in values:
        chunk.append(value)
        if len(chunk) == chunk_size:
            yield from _with_evidence(chunk)
            chunk = []
    if chunk:
        yield from _with_evidence(chunk)


def _chunk_evidence(ids):
    return (
        Evidence.objects.filter(among('"commitments_evidence"."update_id"', ids))
        .order_by("update", "created_at", "pk")  # Evidence's own order
        .values_list("update_id", "pk", "kind", "url")
    )


def _with_evidence(chunk):
    # The chunk's evidence in one query compiled once per process (issue #20: building ``update_id__in=[500 ids]``
    # through the ORM was ~3 ms a chunk), its links written as ``Evidence.get_absolute_url`` gives them.
    evidence = {}
    site = settings.SITE_URL.rstrip("/")
    file_path = path_of("commitments:evidence")
    found = compiled_rows(("export-evidence",), _chunk_evidence, ids=ids_text([value[0] for value in chunk]))
    for update_id, pk, kind, url in found:
        evidence.setdefault(update_id, _Evidence()).append(url if kind == Evidence.Kind.LINK else site + file_path(pk))
    for value in chunk:
        yield _UpdateRow(*value, evidence.get(value[0]) or _Evidence())
