"""The plan page's shared parts "where the plan stands" and "about the plan" written in Python (issue #20).

A first render (nothing kept: the first visitor after a change, or a server without the page cache) rendered
``_plan_state.html``: about forty template nodes around the rows, charts and timeline that Python already
wrote. :func:`state_html` gives its bytes (tests/commitments/test_plan_page_html.py compares with the template
in en, ru and ky); the literal texts are translated once per language and process.
"""

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ogp_portal.languages import per_language
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.paths import path_of
from ogp_portal.translated import translated_columns

from .marks import contested_commitments_q  # engagement's rule, registered at start-up
from .models import Agency, Commitment
from .templatetags.portal import name_of, tr
from .timeline import date_label, escape_text

# The plan page's commitments as plain rows (issue #20: 17 model instances and their agencies cost ~0.5 ms of CPU a
# first render, the rows ~0.15): the columns shown, every language's title (``tr`` reads them as a model's), the
# contested mark, the lead agency's names and acronym.
_CODES = tuple(code.replace("-", "_") for code, _name in settings.LANGUAGES)
COMMITMENT_COLUMNS = ("pk", "identifier", "start_date", "end_date", "lead_agency_id", "contested", *(f"title_{c}" for c in _CODES))
AGENCY_COLUMNS = ("id", *(f"name_{c}" for c in _CODES), "acronym")


def _commitments_query(plan):
    """The plan's commitments in the page's order, each with its lead agency's columns (compiled once per process)."""
    agency = {f"agency_{name}": F(f"lead_agency__{name}") for name in AGENCY_COLUMNS}
    return (
        Commitment.objects.filter(plan_id=plan)
        .annotate(contested=contested_commitments_q(), **agency)
        .order_by("number", "identifier")
        .values_list(*COMMITMENT_COLUMNS, *agency)
    )


class Row:
    """A row read as plain values, its columns as attributes (``tr`` and ``name_of`` read it as they read a model)."""

    def __init__(self, values):
        self.__dict__.update(values)


def plan_commitments(plan) -> list:
    """The commitments the plan page shows, as :class:`Row`: ``title`` in the active language (modeltranslation's
    fallbacks, as a model instance answers), ``lead_agency`` a :class:`Row` with its ``name`` likewise, or None."""
    title = translated_columns(Commitment, "title")
    name = translated_columns(Agency, "name")
    size = len(COMMITMENT_COLUMNS)
    found = []
    for values in compiled_rows("plan-commitments", _commitments_query, plan=plan, generic_plan=True):
        commitment = Row(zip(COMMITMENT_COLUMNS, values[:size]))
        commitment.title = title([getattr(commitment, column) for column in title.columns])
        agency = dict(zip(AGENCY_COLUMNS, values[size:]))
        if agency["id"] is None:
            commitment.lead_agency = None
        else:
            agency["pk"] = agency.pop("id")
            agency["name"] = name([agency[column] for column in name.columns])
            commitment.lead_agency = Row(agency)
        found.append(commitment)
    return found


@per_language
def _texts() -> dict:
    """The part's literal texts and links in the active language, as ``{% translate %}`` writes them (not escaped)."""
    return {
        "where": _("Where the plan stands"),
        "as_of": _("As of %(day)s, from the published progress updates only."),
        "none": _("No commitments yet."),
        "timeline": _("Timeline"),
        "commitments": _("Commitments"),
        "search": _("Search and filter these commitments"),
        "identifier": _("Identifier"),
        "title": _("Title"),
        "agency": _("Lead agency"),
        "completion": _("Completion"),
        "latest": _("Last published update"),
        "milestones": _("Milestones"),
        "download": _("Download the commitments and milestones as CSV"),
        "list": escape_text(reverse("commitments:list")),
        "csv": path_of("commitments:plan_csv"),
    }


def _count(value) -> str:
    """An integer as ``{{ value }}`` writes it (localized, escaped)."""
    return escape_text(str(localize(value)))


def state_html(plan, commitments, charts_html, gantt, commitment_rows, milestone_count, overdue_count, today) -> str:
    """``_plan_state.html``'s bytes for the plan page's figures, charts, timeline and table of commitments.

    ``charts_html``: the charts' HTML (empty when there is no chart), ``gantt``: ``timeline.Gantt`` or None,
    ``commitment_rows``: ``views.commitment_rows``' HTML.
    """
    t = _texts()
    n = len(commitments)
    # As {% blocktranslate count %} writes them: the plural form for the number, its ``%(counter)s`` filled in.
    words = [
        ngettext("commitment", "commitments", n),
        ngettext("milestone", "milestones", milestone_count),
        ngettext("milestone overdue", "milestones overdue", overdue_count),
    ]
    words = [word % {"counter": _count(count)} for word, count in zip(words, (n, milestone_count, overdue_count))]
    figures = (
        f'    <li><strong>{_count(n)}</strong> {words[0]}</li>\n'
        f'    <li><strong>{_count(milestone_count)}</strong> {words[1]}</li>\n'
        f'    <li class="{"is-overdue" if overdue_count else ""}"><strong>{_count(overdue_count)}</strong> {words[2]}</li>\n'
    )
    as_of = t["as_of"] % {"day": escape_text(date_label(today))}
    if charts_html:
        charts = f'\n  <div class="charts">\n    {charts_html}\n  </div>\n  '
    else:
        charts = f"\n  <p>{t['none']}</p>\n  "
    timeline = ""
    if gantt:
        timeline = (
            f'\n<section aria-labelledby="timeline-heading">\n  <h2 id="timeline-heading">{t["timeline"]}</h2>\n'
            f"  {gantt.html()}\n</section>\n"
        )
    if commitments:
        caption = ngettext("%(counter)s commitment in this plan", "%(counter)s commitments in this plan", n) % {
            "counter": _count(n)
        }
        table = (
            f'\n  <p><a href="{t["list"]}?plan={_count(plan.pk)}">{t["search"]}</a></p>\n'
            '  <table class="stack">\n'
            f'    <caption class="visually-hidden">{caption}</caption>\n'
            "    <thead>\n      <tr>\n"
            f'        <th scope="col">{t["identifier"]}</th>\n'
            f'        <th scope="col">{t["title"]}</th>\n'
            f'        <th scope="col">{t["agency"]}</th>\n'
            f'        <th scope="col">{t["completion"]}</th>\n'
            f'        <th scope="col">{t["latest"]}</th>\n'
            f'        <th scope="col">{t["milestones"]}</th>\n'
            "      </tr>\n    </thead>\n    <tbody>\n"
            f"      {commitment_rows}\n"
            "    </tbody>\n  </table>\n"
            f'  <p><a href="{escape_text(t["csv"](plan.pk))}" download>{t["download"]}</a></p>\n  '
        )
    else:
        table = f"\n  <p>{t['none']}</p>\n  "
    return mark_safe(  # noqa: S308 - every value above is escaped, our own markup or already safe HTML
        '\n<section aria-labelledby="summary-heading" class="plan-summary">\n'
        f'  <h2 id="summary-heading">{t["where"]}</h2>\n'
        '  <ul class="headline-figures">\n'
        f"{figures}"
        "  </ul>\n"
        f'  <p class="progress">{as_of}</p>\n'
        f"  {charts}\n</section>\n\n"
        f"{timeline}\n\n"
        '<section aria-labelledby="commitments-heading">\n'
        f'  <h2 id="commitments-heading">{t["commitments"]}</h2>\n'
        f"  {table}\n</section>\n\n"
    )


@per_language
def _about_texts() -> dict:
    """The "about the plan" part's literal texts in the active language, as ``{% translate %}`` writes them."""
    return {
        "about": _("About the plan"),
        "member": _("Member"),
        "period": _("Implementation period"),
        "not_stated": _("Not stated"),
        "submitted": _("Submitted on"),
        "no_submission": _("No submission date recorded"),
        "approved": _("Approved"),
        "leads": _("Lead institutions"),
        "monitoring": _("Monitoring body"),
        "themes": _("Themes"),
        "co_creation": _("Co-creation"),
    }


def _day(value) -> str:
    """``{{ value|day }}`` of a date (``portal.day``): its label, escaped; "" for none."""
    return "" if value is None else escape_text(date_label(value))


def about_html(plan, member, lead_institutions) -> str:
    """``_plan_about.html``'s bytes: the plan's facts (member, dates, approval, lead institutions, …) and co-creation.

    ``plan`` the whole row, ``member`` its member, ``lead_institutions`` its lead agencies (tests/commitments/
    test_plan_page_html.py compares with the template in en, ru and ky).
    """
    t = _about_texts()
    not_stated = t["not_stated"]
    if plan.start_date or plan.end_date:
        period = f"{_day(plan.start_date) or '…'} – {_day(plan.end_date) or '…'}"
    else:
        period = not_stated
    submitted = _day(plan.submitted_on) if plan.submitted_on else t["no_submission"]
    out = [
        '\n<section aria-labelledby="about-heading">\n'
        f'  <h2 id="about-heading">{t["about"]}</h2>\n'
        '  <dl class="facts">\n'
        f'    <dt>{t["member"]}</dt><dd><a href="{escape_text(member.get_absolute_url())}">{name_of(member)}</a></dd>\n'
        f'    <dt>{t["period"]}</dt>\n'
        f"    <dd>{period}</dd>\n"
        f'    <dt>{t["submitted"]}</dt>\n'
        f"    <dd>{submitted}</dd>\n    "
    ]
    if plan.approved_on or plan.approval_act:
        comma = ", " if plan.approval_act and plan.approved_on else ""
        out.append(
            f'\n    <dt>{t["approved"]}</dt>\n'
            f"    <dd>{escape_text(plan.approval_act)}{comma}{_day(plan.approved_on)}</dd>\n    "
        )
    leads = list(lead_institutions)
    leads = "; ".join(str(name_of(lead)) for lead in leads) if leads else not_stated
    out.append(f'\n    <dt>{t["leads"]}</dt>\n    <dd>{leads}</dd>\n    ')
    if plan.monitoring_body:
        out.append(f'\n    <dt>{t["monitoring"]}</dt><dd>{tr(plan, "monitoring_body")}</dd>\n    ')
    out.append("\n    ")
    if plan.themes:
        tags = "".join(f"<li>{escape_text(theme)}</li>" for theme in plan.themes)
        out.append(f'\n    <dt>{t["themes"]}</dt>\n    <dd><ul class="tags">{tags}</ul></dd>\n    ')
    out.append("\n  </dl>\n</section>\n\n")
    if plan.co_creation:
        out.append(
            '\n<section aria-labelledby="co-creation-heading">\n'
            f'  <h2 id="co-creation-heading">{t["co_creation"]}</h2>\n'
            f'  {tr(plan, "co_creation", block=True)}\n</section>\n'
        )
    out.append("\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped, our own markup or already safe HTML
