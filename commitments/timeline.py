"""Pure functions behind the public progress pages: where milestones stand, charts and Gantt geometry.

Nothing here queries the database or reads the clock: callers pass prefetched
objects and ``today`` (computed once per request).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.template.defaultfilters import capfirst
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ogp_portal.languages import per_language
from .filters import NO_UPDATE, milestone_is_overdue
from .models import Completion, DatePrecision, rollup_completion

def escape_text(value) -> str:
    """``conditional_escape(value)``'s characters, without its lazy-argument wrapper for a plain ``str``.

    The plan page's Python-written rows escape several hundred values on every first render; Django's
    ``escape`` (``keep_lazy``) inspects its arguments on each call, several times ``html.escape``'s own
    cost. For a plain ``str`` the text is the same (``escape`` is ``html.escape(str(text))``); anything
    else (safe strings, lazy translations, numbers) goes through ``conditional_escape`` itself.
    """
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value)


# The order completion values are shown in (charts, tables), "no update" last.
COMPLETION_ORDER = [
    Completion.COMPLETE,
    Completion.SUBSTANTIAL,
    Completion.LIMITED,
    Completion.NOT_STARTED,
    Completion.NO_EVIDENCE,
    Completion.WITHDRAWN,
    NO_UPDATE,
]


def completion_label(value) -> str:
    if not value or value == NO_UPDATE:
        return _("No published update")
    try:
        return str(Completion(value).label)
    except ValueError:
        return str(value)


def latest_update(updates):
    """Return the most recent of ``updates`` (by reporting period, then publication), or None."""
    return max(updates, key=lambda u: (u.period_end, u.published_at), default=None)


@lru_cache(maxsize=8192)
def _date_label(day: dt.date, format_name: str, language: str) -> str:
    return date_format(day, format_name)


def date_label(day: dt.date | None, format_name: str = "DATE_FORMAT") -> str:
    """``date_format(day, format_name)`` in the active language, kept per process ("" for no date).

    A pure function of the date, the format and the language: a plan page labels hundreds of
    milestone dates, each a lookup of translated month names (issue #20), and the same dates recur.
    """
    if day is None:
        return ""
    return _date_label(day, format_name, get_language() or "")


def milestone_date_label(milestone, which: str) -> str:
    """The milestone's start or end as ``Milestone.format_date`` writes it: "December 2019" or a full date."""
    day = getattr(milestone, f"{which}_date")
    precision = getattr(milestone, f"{which}_precision")
    return date_label(day, "YEAR_MONTH_FORMAT" if precision == DatePrecision.MONTH else "DATE_FORMAT")


def annotate_milestone_progress(milestones, today):
    """Set ``latest_progress``, ``overdue``, ``state`` and the date labels on each milestone.

    Each milestone must carry ``published_updates`` (a prefetch of its published updates).
    ``state`` is the latest published completion, or ``"none"``.
    """
    language = get_language() or ""  # once for the call: a plan labels two dates of each of its hundreds of milestones
    month = DatePrecision.MONTH
    for m in milestones:
        updates = list(getattr(m, "published_updates", []))
        m.latest_progress = latest_update(updates)
        m.overdue = milestone_is_overdue(m, updates, today)
        m.state = m.latest_progress.completion if m.latest_progress else NO_UPDATE
        # Month-precision dates read "December 2019", day-precision ones a full date (``milestone_date_label``).
        day = m.start_date
        m.start_label = "" if day is None else _date_label(
            day, "YEAR_MONTH_FORMAT" if m.start_precision == month else "DATE_FORMAT", language
        )
        day = m.end_date
        m.end_label = "" if day is None else _date_label(
            day, "YEAR_MONTH_FORMAT" if m.end_precision == month else "DATE_FORMAT", language
        )
    return milestones


def annotate_commitment_progress(commitment, milestones):
    """Set ``latest_progress``, ``rollup`` and ``overdue_count`` from its (annotated) milestones.

    ``rollup`` follows the one roll-up rule, :func:`commitments.models.rollup_completion`, over the
    milestones' latest published levels: the same value ``progress.refresh_completion`` stores in
    ``commitment.completion`` and ``completion_percent`` (which this leaves untouched).
    """
    commitment.latest_progress = latest_update([m.latest_progress for m in milestones if m.latest_progress])
    commitment.rollup = rollup_completion(m.latest_progress.completion if m.latest_progress else None for m in milestones)
    commitment.overdue_count = sum(1 for m in milestones if m.overdue)
    return commitment


@dataclass
class Bar:
    value: str
    label: str
    count: int
    percent: int = 0
    width: float = 0.0
    y: float = 0.0


@dataclass
class BarChart:
    """A horizontal bar chart drawn by ``templates/commitments/_bar_chart.html`` (with its data table)."""

    title: str
    unit: str
    bars: list[Bar] = field(default_factory=list)
    total: int = 0
    row_height: float = 28.0
    label_width: float = 190.0
    bar_area: float = 260.0

    @property
    def height(self):
        return self.row_height * len(self.bars) + 4

    @property
    def width(self):
        return self.label_width + self.bar_area + 60

    def html(self, key) -> str:
        """The chart as ``templates/commitments/_bar_chart.html`` wrote it, byte for byte (without its last newline).

        The plan page draws two charts and the home page one on every first render: through the
        template, each bar took a dozen lookups and filters (issue #20). ``_bar_chart.html`` calls
        this, so both pages keep one writer. The SVG is inside ``{% localize off %}``: numbers as
        ``localize(..., use_l10n=False)`` writes them, ``|add:`` as an integer sum; the table's
        numbers localized as the template's ``{{ }}`` did.
        """
        esc = escape_text
        raw = _raw_number
        key = esc(key)
        title = esc(self.title)
        l_completion, l_share, l_total = esc(_("Completion")), esc(_("Share")), esc(_("Total"))
        lw = int(self.label_width)
        svg = []
        rows = []
        for bar in self.bars:
            label = esc(bar.label)
            y = int(bar.y)
            svg.append(
                f'\n    <g class="completion-{esc(bar.value)}">\n'
                f'      <text x="{lw - 8}" y="{y + 19}" text-anchor="end">{label}</text>\n'
                f'      <rect x="{raw(self.label_width)}" y="{y + 5}" width="{bar.width:.1f}" height="18" rx="2"></rect>\n'
                f'      <text class="value" x="{float(lw + int(bar.width) + 6):.1f}" y="{y + 19}">{raw(bar.count)}</text>\n'
                "    </g>\n    "
            )
            rows.append(
                f'<tr><th scope="row">{label}</th><td>{localize(bar.count)}</td><td>{localize(bar.percent)}%</td></tr>'
            )
        return (
            '\n<figure class="chart">\n'
            f'  <figcaption id="chart-{key}-title">{title}</figcaption>\n'
            f'  <svg class="bar-chart" viewBox="0 0 {raw(self.width)} {raw(self.height)}" role="img"'
            f' aria-labelledby="chart-{key}-title" focusable="false">\n    '
            + "".join(svg)
            + '\n  </svg>\n  <table class="chart-data">\n'
            f'    <caption class="visually-hidden">{title}</caption>\n'
            f'    <thead><tr><th scope="col">{l_completion}</th><th scope="col">{esc(capfirst(self.unit))}</th>'
            f'<th scope="col">{l_share}</th></tr></thead>\n'
            "    <tbody>\n      "
            + "".join(rows)
            + "\n    </tbody>\n"
            f'    <tfoot><tr><th scope="row">{l_total}</th><td>{localize(self.total)}</td><td>100%</td></tr></tfoot>\n'
            "  </table>\n</figure>"
        )


def _raw_number(value) -> str:
    """A number as ``{{ value }}`` writes it inside ``{% localize off %}``."""
    return localize(value, use_l10n=False)


def tally_chart(title, unit, values) -> BarChart:
    """Return a bar chart counting ``values`` (completion values) in OGP's order; empty categories left out.

    ``values`` is an iterable of values, or a ``Counter`` of value -> count (counted in the database).
    """
    counts = Counter(values)
    chart = BarChart(title=title, unit=unit, total=sum(counts.values()))
    top = max(counts.values(), default=0)
    for value in COMPLETION_ORDER:
        n = counts.get(value, 0)
        if not n:
            continue
        chart.bars.append(
            Bar(
                value=str(value),
                label=completion_label(value),
                count=n,
                percent=round(100 * n / chart.total) if chart.total else 0,
                width=round(chart.bar_area * n / top, 1) if top else 0,
                y=chart.row_height * len(chart.bars),
            )
        )
    # The labels are right-aligned before the bars: leave room for the longest one in the visitor's
    # language ("Нет опубликованных отчётов" is wider than "No published update"), about 7.2 units a
    # letter at the charts' 12px type, so that no label runs out of the viewBox.
    longest = max((len(str(bar.label)) for bar in chart.bars), default=0)
    chart.label_width = max(chart.label_width, float(math.ceil(longest * 7.2) + 16))
    return chart


# --- Gantt ------------------------------------------------------------------


@per_language
def _gantt_texts() -> dict:
    """The timeline's literal texts in the active language, translated once per process (``Gantt.html``).

    As ``{% translate %}`` and ``{% blocktranslate %}`` write them: the catalog's text, not escaped; the
    blocktranslate ones keep their ``%(…)s`` for the escaped values.
    """
    return {
        "title": _("Milestone timeline"),
        "desc": _(
            "Milestones from %(start)s to %(end)s; overdue milestones are marked with an exclamation mark. "
            "The table below gives the same data."
        ),
        "complete": _("Complete"),
        "substantial": _("Substantial"),
        "limited": _("Limited"),
        "none": _("No published update"),
        "overdue_note": _("Overdue: past its end without a published “complete”"),
        "today": _("Today, %(day)s"),
        "after": _("Today (%(day)s) is after the last milestone's end."),
        "before": _("Today (%(day)s) is before the first milestone starts."),
        "as_table": _("Timeline as a table"),
        "milestone": _("Milestone"),
        "start": _("Start"),
        "end": _("End"),
        "latest": _("Latest progress"),
        "overdue": _("Overdue"),
    }


@dataclass
class GanttRow:
    milestone: object
    x: float
    width: float
    y: float
    state: str
    overdue: bool


def _svg_int(value, offset: int) -> int:
    """A coordinate as the template's ``|add:`` filter wrote it: ``int(value) + offset``."""
    return int(value) + offset


@dataclass
class GanttGroup:
    commitment: object
    rows: list[GanttRow]
    y: float = 0.0
    height: float = 0.0
    label_width: float = 56.0

    @property
    def svg_rows(self) -> str:
        """The SVG of the group's milestone bars, made here rather than in ``_gantt.html``'s loop.

        The plan page draws one bar per milestone (hundreds on a large plan): written by the
        template, each took a dozen variable lookups and filters (issue #20). Byte for byte what
        the template's loop wrote (``|add:`` adds integers; ``|stringformat:'.1f'``).
        """
        parts = []
        for row in self.rows:
            overdue_class = " overdue" if row.overdue else ""
            mark = (
                f'<text class="overdue-mark" x="{"%.1f" % (int(row.x) + int(row.width) + 4)}" y="{_svg_int(row.y, 16)}">!</text>'
                if row.overdue
                else ""
            )
            parts.append(
                f'\n      <g class="completion-{escape_text(row.state)}{overdue_class}">'
                f'\n        <text class="row-label" x="{_svg_int(self.label_width, -6)}" y="{_svg_int(row.y, 15)}" '
                f'text-anchor="end">{escape_text(row.milestone.number)}</text>'
                f'\n        <rect x="{"%.1f" % row.x}" y="{_svg_int(row.y, 4)}" width="{"%.1f" % row.width}" height="14" rx="2"></rect>'
                f"\n        {mark}\n      </g>\n      "
            )
        return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Gantt:
    """Geometry of a milestone timeline in SVG user units (``Gantt.html``, once ``templates/commitments/_gantt.html``)."""

    start: dt.date
    end: dt.date
    today: dt.date
    groups: list[GanttGroup]
    ticks: list[Tick]
    today_x: float | None
    label_width: float
    chart_width: float
    row_height: float
    height: float

    @property
    def width(self):
        return self.label_width + self.chart_width + 10

    @property
    def today_label(self):
        return date_label(self.today, "DATE_FORMAT")

    @property
    def svg_body(self) -> str:
        """The chart's ticks, the commitments' groups (label and bars) and today's line, as ``_gantt.html``'s loops wrote them.

        Inside ``{% localize off %}``: numbers as Python writes them, ``|add:`` as an integer sum,
        ``|stringformat:'.1f'`` as ``%.1f`` (tests/commitments/test_gantt_rows.py compares with the loops).
        """
        height = localize(self.height, use_l10n=False)
        parts = ["    "]
        for tick in self.ticks:
            x = "%.1f" % tick.x
            parts.append(f'\n    <line class="tick" x1="{x}" x2="{x}" y1="18" y2="{height}"></line>\n    ')
            if tick.label:
                parts.append(f'<text class="tick-label" x="{x}" y="13" text-anchor="middle">{escape_text(tick.label)}</text>')
            parts.append("\n    ")
        parts.append("\n    ")
        for group in self.groups:
            parts.append(
                f'\n    <g class="gantt-group">\n      <text class="group-label" x="2" y="{_svg_int(group.y, 15)}">'
                f"{escape_text(group.commitment.identifier)}</text>\n      {group.svg_rows}\n    </g>\n    "
            )
        parts.append("\n    ")
        if self.today_x is not None:
            x = "%.1f" % self.today_x
            parts.append(f'\n    <line class="today" x1="{x}" x2="{x}" y1="16" y2="{height}"></line>\n    ')
        return mark_safe("".join(parts)[4:])  # noqa: S308 - every value escaped above; the template indents the first line

    @property
    def table_rows(self) -> str:
        """The rows of the timeline's data table ("Timeline as a table"), one per milestone.

        Written here rather than by a template loop, as :attr:`GanttGroup.svg_rows`: a large plan has
        hundreds of rows of a dozen lookups each (issue #20). The column labels are translated once.
        """
        # Translated literals, as {% translate %} writes them (a template's literal text is not escaped).
        l_milestone, l_start, l_end, l_latest, l_overdue = (
            _("Milestone"), _("Start"), _("End"), _("Latest progress"), _("Overdue")
        )
        labels = {}
        parts = []
        for group in self.groups:
            identifier = escape_text(group.commitment.identifier)
            for row in group.rows:
                m = row.milestone
                state = labels.get(row.state)
                if state is None:
                    state = labels[row.state] = escape_text(completion_label(row.state))
                overdue_class = ' class="overdue"' if row.overdue else ""
                parts.append(
                    f"\n      <tr{overdue_class}>"
                    f'\n        <th scope="row" data-label="{l_milestone}">{identifier} · {escape_text(m.number)}</th>'
                    f'\n        <td data-label="{l_start}">{escape_text(m.start_label or "—")}</td>'
                    f'\n        <td data-label="{l_end}">{escape_text(m.end_label or "—")}</td>'
                    f'\n        <td data-label="{l_latest}">{state}</td>'
                    f'\n        <td data-label="{l_overdue}">{l_overdue if row.overdue else "—"}</td>'
                    "\n      </tr>\n      "
                )
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped

    def html(self) -> str:
        """The whole timeline (the SVG, its legend, the data table) as ``_gantt.html`` wrote it, byte for byte.

        The plan and commitment pages include it on every first render (issue #20: about 20 template nodes around
        :attr:`svg_body` and :attr:`table_rows`); tests/commitments/test_gantt_html.py compares with the template.
        Numbers unlocalized as inside its ``{% localize off %}``; literal texts as ``{% translate %}`` writes them.
        """
        esc = escape_text
        t = _gantt_texts()
        desc = t["desc"] % {
            "start": esc(date_label(self.start, "YEAR_MONTH_FORMAT")), "end": esc(date_label(self.end, "YEAR_MONTH_FORMAT")),
        }
        day = esc(self.today_label)
        if self.today_x is not None:
            today = f'<li><span class="swatch today" aria-hidden="true"></span>{t["today"] % {"day": day}}</li>\n      '
        elif self.today_after_end:
            today = f"<li>{t['after'] % {'day': day}}</li>\n      "
        else:
            today = f"<li>{t['before'] % {'day': day}}</li>"
        return mark_safe(  # noqa: S308 - every value escaped above or escaped by svg_body and table_rows
            '\n<figure class="gantt">\n'
            f'  <svg viewBox="0 0 {esc(_raw_number(self.width))} {esc(_raw_number(self.height))}" role="img"'
            ' aria-labelledby="gantt-title gantt-desc" focusable="false">\n'
            f'    <title id="gantt-title">{t["title"]}</title>\n'
            f'    <desc id="gantt-desc">{desc}</desc>\n'
            f"    {self.svg_body}\n"
            "  </svg>\n  <figcaption>\n    <ul class=\"legend\">\n"
            f'      <li><span class="swatch completion-complete" aria-hidden="true"></span>{t["complete"]}</li>\n'
            f'      <li><span class="swatch completion-substantial" aria-hidden="true"></span>{t["substantial"]}</li>\n'
            f'      <li><span class="swatch completion-limited" aria-hidden="true"></span>{t["limited"]}</li>\n'
            f'      <li><span class="swatch completion-none" aria-hidden="true"></span>{t["none"]}</li>\n'
            f'      <li><span class="swatch overdue" aria-hidden="true">!</span>{t["overdue_note"]}</li>\n'
            f"      {today}\n"
            "    </ul>\n  </figcaption>\n</figure>\n"
            '<details class="gantt-data">\n'
            f'  <summary>{t["as_table"]}</summary>\n'
            '  <table class="stack">\n'
            f'    <caption class="visually-hidden">{t["title"]}</caption>\n'
            "    <thead><tr>\n"
            f'      <th scope="col">{t["milestone"]}</th><th scope="col">{t["start"]}</th><th scope="col">{t["end"]}</th>\n'
            f'      <th scope="col">{t["latest"]}</th><th scope="col">{t["overdue"]}</th>\n'
            "    </tr></thead>\n    <tbody>\n"
            f"      {self.table_rows}\n"
            "    </tbody>\n  </table>\n</details>\n"
        )

    @property
    def today_after_end(self):
        return self.today > self.end

    @property
    def today_before_start(self):
        return self.today < self.start


def build_gantt(commitments_with_milestones, today, *, label_width=56.0, chart_width=640.0, row_height=22.0, header=26.0):
    """Return the Gantt geometry for ``[(commitment, [milestone, …]), …]`` as of ``today``.

    Milestones without dates take their commitment's; a milestone's end is the last day its
    (month or day precision) end stands for. Each milestone must have gone through
    :func:`annotate_milestone_progress`. The axis spans every milestone; today's line is drawn
    when today falls inside it.
    """
    spans = []
    for commitment, milestones in commitments_with_milestones:
        for m in milestones:
            start = m.start_date or commitment.start_date
            end = m.ends_on or commitment.end_date
            if start and end:
                spans.append((start, max(start, end)))
    if not spans:
        return None
    axis_start = min(s for s, _e in spans).replace(day=1)
    axis_end = max(e for _s, e in spans)
    total = max((axis_end - axis_start).days + 1, 1)

    def x_of(day):
        return label_width + round(chart_width * (day - axis_start).days / total, 1)

    groups, y = [], header
    for commitment, milestones in commitments_with_milestones:
        group = GanttGroup(commitment=commitment, rows=[], y=y, label_width=label_width)
        y += row_height  # the commitment's own label row
        for m in milestones:
            start = m.start_date or commitment.start_date
            end = m.ends_on or commitment.end_date
            if not (start and end):
                continue
            end = max(start, end)
            x = x_of(start)
            width = max(x_of(end + dt.timedelta(days=1)) - x, 2.0)
            group.rows.append(GanttRow(milestone=m, x=x, width=width, y=y, state=m.state, overdue=m.overdue))
            y += row_height
        group.height = y - group.y
        groups.append(group)
    ticks = []
    months = (axis_end.year - axis_start.year) * 12 + axis_end.month - axis_start.month
    step = 3 if months <= 18 else 6
    day = dt.date(axis_start.year, 1, 1)
    while day <= axis_end:
        if day >= axis_start:
            if step == 3:
                label = date_label(day, "M Y")
            else:
                label = str(day.year) if day.month == 1 else ""
            ticks.append(Tick(x=x_of(day), label=label))
        month = day.month + step
        day = dt.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    today_x = x_of(today) if axis_start <= today <= axis_end else None
    return Gantt(
        start=axis_start,
        end=axis_end,
        today=today,
        groups=groups,
        ticks=ticks,
        today_x=today_x,
        label_width=label_width,
        chart_width=chart_width,
        row_height=row_height,
        height=y + 4,
    )
