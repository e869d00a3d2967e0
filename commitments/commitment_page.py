"""The commitment page's shared part below its headline figures, written in Python (issue #20).

A first render (nothing kept: the first visitor after a change, or a server without the page cache) rendered
these sections of ``_commitment_state.html`` (facts, the OGP template's texts, activities and milestone tables,
status reports, contact) through about a hundred template nodes. :func:`body_html` gives their bytes
(tests/commitments/test_commitment_page_html.py compares with the template in en, ru and ky); the literal texts
are translated once per language and process. The headline figures stay in the template: they ask engagement's
``{% commitment_contested %}`` (a layer above) whether the commitment is contested.
"""

from django.template.defaultfilters import capfirst, urlize
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ogp_portal.languages import per_language
from ogp_portal.paths import path_of

from .templatetags.portal import name_of, tr
from .timeline import date_label, escape_text

@per_language
def _texts() -> dict:
    """The part's literal texts and links in the active language, as ``{% translate %}`` writes them (not escaped)."""
    return {
        "period": _("Period"),
        "completion": _("Completion"),
        "agency": _("Lead implementing agency"),
        "not_stated": _("Not stated"),
        "state_actors": _("Other state actors involved"),
        "other_actors": _("CSOs, private sector, multilaterals, working groups"),
        "values": _("OGP values"),
        "themes": _("Themes"),
        "milestones_heading": _("Activities and milestones"),
        "activity": _("Activity %(number)s"),
        "expected": _("Expected results"),
        "activity_milestones": _("Milestones of activity %(number)s"),
        "milestones": _("Milestones"),
        "no_milestones": _("No milestones yet."),
        "reports": _("Six-month status reports"),
        "report": _("Status report %(label)s"),
        "published": _("published on %(day)s"),
        "no_report": _("No status report has been published yet."),
        "history": _("Change history"),
        "contact": _("Contact person"),
        "name": _("Name"),
        "title": _("Title, department"),
        "email": _("Email"),
        "phone": _("Phone"),
        "feed": _("Follow this page with a feed reader (Atom)"),
        "milestone": _("Milestone"),
        "deliverable": _("Deliverable"),
        "budget": _("Budget source"),
        "start": _("Start"),
        "end": _("End"),
        "progress": _("Published progress"),
        "where": _("Where it stands"),
        "rolled_up": _("completion, rolled up from the milestones"),
        "last_update": _("last published update"),
        "contested": _("Contested"),
        "disputed": _("a reviewer disputes a published update; no response yet"),
        "history_path": path_of("commitments:commitment_history"),
        "feed_path": path_of("commitments:commitment_feed"),
    }


def _value(value) -> str:
    """``{{ value }}`` as the template engine writes it: localized, then escaped unless already safe."""
    return escape_text(value if type(value) is str else localize(value))


def rollup_html(rollup) -> str:
    """What ``_rollup.html`` wrote (with its last newline): the rolled-up level and percent, or "no update"."""
    if rollup.level:
        return mark_safe(f"{_value(rollup.get_level_display())} ({_value(rollup.percent)} %)\n")  # noqa: S308 - escaped
    return mark_safe(_("No approved update yet") + "\n")  # noqa: S308 - a literal text, as {% translate %} writes it


def _milestone_table(t, caption, rows) -> str:
    """What ``_milestone_table.html`` wrote: the table around ``views.milestone_rows``' rows (``caption`` is safe)."""
    return (
        '\n<table class="stack milestones">\n'
        f'  <caption class="visually-hidden">{caption}</caption>\n'
        "  <thead>\n    <tr>\n"
        f'      <th scope="col">{t["milestone"]}</th>\n'
        f'      <th scope="col">{t["deliverable"]}</th>\n'
        f'      <th scope="col">{t["budget"]}</th>\n'
        f'      <th scope="col">{t["start"]}</th>\n'
        f'      <th scope="col">{t["end"]}</th>\n'
        f'      <th scope="col">{t["progress"]}</th>\n'
        "    </tr>\n  </thead>\n"
        f"  <tbody>{rows}\n  </tbody>\n</table>\n"
    )


def _day(value) -> str:
    """``{{ value|day }}`` (``portal.day``): a date's or a datetime's local day, labelled; "" for none."""
    if value in (None, ""):
        return ""
    if hasattr(value, "tzinfo"):  # a datetime: the template engine gives the filter its local time
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return escape_text(date_label(value))


def head_html(commitment, rollup, contested, gantt) -> str:
    """``_commitment_state.html``'s bytes up to its facts: the headline figures and the timeline (``gantt`` or None).

    ``commitment`` carries ``latest_progress`` and ``overdue_count`` (``timeline.annotate_commitment_progress``);
    ``contested``: whether a published update is disputed (engagement's ``{% commitment_contested %}``, asked by
    the view).
    """
    t = _texts()
    latest = commitment.latest_progress
    latest = f"<strong>{_day(latest.published_at)}</strong>" if latest else "<strong>—</strong>"
    count = commitment.overdue_count
    overdue = ngettext("milestone overdue", "milestones overdue", count) % {"counter": _value(count)}
    disputed = ""
    if contested:
        disputed = (
            f'<li class="is-contested"><strong class="contested-badge">{t["contested"]}</strong><br><small>'
            f'{t["disputed"]}</small></li>'
        )
    return mark_safe(  # noqa: S308 - every value above is escaped, our own markup or already safe HTML
        '\n<section aria-labelledby="state-heading" class="commitment-state">\n'
        f'  <h2 id="state-heading">{t["where"]}</h2>\n'
        '  <ul class="headline-figures">\n'
        f'    <li><span class="completion completion-{escape_text(rollup.level or "none")}"><strong>{rollup_html(rollup)}'
        f'</strong></span><br><small>{t["rolled_up"]}</small></li>\n'
        f'    <li>{latest}<br><small>{t["last_update"]}</small></li>\n'
        f'    <li class="{"is-overdue" if count else ""}"><strong>{_value(count)}</strong><br><small>{overdue}</small></li>\n'
        f"    {disputed}\n"
        "  </ul>\n"
        f"  {gantt.html() if gantt else ''}\n"
        "</section>\n\n"
    )


def body_html(commitment, rollup, sections, activities, loose_milestones, loose_rows, report_lines) -> str:
    """``_commitment_state.html``'s bytes from its facts to its feed link (without the last newline).

    ``commitment`` as the shared part reads it (``lead_agency`` attached), ``rollup`` its rolled-up level,
    ``sections`` ``(label, field)`` of the OGP template's texts, ``activities`` each with ``milestone_list`` and
    ``milestone_rows``, ``loose_rows`` the rows of the milestones outside an activity, ``report_lines`` its lines
    in published status reports.
    """
    t = _texts()
    c = commitment
    not_stated = t["not_stated"]
    if c.start_date or c.end_date:
        period = f"{_day(c.start_date)} – {_day(c.end_date)}"
    else:
        period = not_stated
    out = [
        '<dl class="facts">\n'
        f'  <dt>{t["period"]}</dt>\n'
        f"  <dd>{period}</dd>\n"
        f'  <dt>{t["completion"]}</dt>\n'
        f"  <dd>{rollup_html(rollup)}</dd>\n"
        f'  <dt>{t["agency"]}</dt>\n'
        f"  <dd>{name_of(c.lead_agency, not_stated)}</dd>\n  "
    ]
    if c.other_state_actors:
        out.append(f'\n  <dt>{t["state_actors"]}</dt><dd>{tr(c, "other_state_actors", block=True)}</dd>\n  ')
    out.append("\n  ")
    if c.other_actors:
        out.append(f'\n  <dt>{t["other_actors"]}</dt><dd>{tr(c, "other_actors", block=True)}</dd>\n  ')
    out.append("\n  ")
    values = c.get_ogp_values_display()
    if values:
        tags = "".join(f"<li>{_value(value)}</li>" for value in values)
        out.append(f'\n  <dt>{t["values"]}</dt>\n  <dd><ul class="tags">{tags}</ul></dd>\n  ')
    out.append("\n  ")
    if c.themes:
        tags = "".join(f"<li>{_value(theme)}</li>" for theme in c.themes)
        out.append(f'\n  <dt>{t["themes"]}</dt>\n  <dd><ul class="tags">{tags}</ul></dd>\n  ')
    out.append("\n</dl>\n\n")
    for label, name in sections:
        text = getattr(c, name, "")
        shown = tr(c, name, block=True) if text else f"<p>{not_stated}</p>"
        out.append(f"\n<section>\n  <h2>{_value(capfirst(label))}</h2>\n  {shown}\n</section>\n")
    out.append(
        '\n\n<section aria-labelledby="milestones-heading">\n'
        f'  <h2 id="milestones-heading">{t["milestones_heading"]}</h2>\n  '
    )
    for activity in activities:
        number = _value(activity.number)
        title = f": {tr(activity, 'title')}" if activity.title else ""
        heading = t["activity"] % {"number": number}
        out.append(f"\n  <article>\n    <h3>{heading}{title}</h3>\n    ")
        if activity.expected_results:
            out.append(f'\n    <h4>{t["expected"]}</h4>\n    {tr(activity, "expected_results", block=True)}\n    ')
        out.append("\n    ")
        if activity.milestone_list:
            caption = t["activity_milestones"] % {"number": number}
            out.append(f"\n    \n    {_milestone_table(t, caption, activity.milestone_rows)}\n    ")
        out.append("\n  </article>\n  ")
    out.append("\n  ")
    if loose_milestones:
        out.append(f'\n  \n  {_milestone_table(t, t["milestones"], loose_rows)}\n  ')
    out.append("\n  ")
    if not activities and not loose_milestones:
        out.append(f'\n  <p>{t["no_milestones"]}</p>\n  ')
    out.append(
        "\n</section>\n\n"
        '<section aria-labelledby="reports-heading">\n'
        f'  <h2 id="reports-heading">{t["reports"]}</h2>\n  '
    )
    lines = list(report_lines)
    if lines:
        out.append("\n  <ul>\n    ")
        for line in lines:
            report = line.report
            name = t["report"] % {"label": _value(report.period_label)}
            published = t["published"] % {"day": _day(report.published_at)}
            if line.completion:
                level = f"{_value(line.get_completion_display())}, {_value(line.percent)} %"
            else:
                level = "—"
            out.append(
                f'\n    <li><a href="{escape_text(report.get_absolute_url())}">{name}</a>\n'
                f"      ({published}):\n"
                f"      {level}</li>\n    "
            )
        out.append("\n  </ul>\n  ")
    else:
        out.append(f'\n  <p>{t["no_report"]}</p>\n  ')
    identifier = c.identifier
    out.append(
        f'\n  <p><a href="{escape_text(t["history_path"](identifier))}">'
        f'{t["history"]}</a></p>\n</section>\n\n'
        '<section aria-labelledby="contact-heading">\n'
        f'  <h2 id="contact-heading">{t["contact"]}</h2>\n  '
    )
    if c.contact_name or c.contact_email or c.contact_phone:
        out.append('\n  <dl class="facts">\n    ')
        if c.contact_name:
            out.append(f'<dt>{t["name"]}</dt><dd>{_value(c.contact_name)}</dd>')
        out.append("\n    ")
        if c.contact_title:
            out.append(f'<dt>{t["title"]}</dt><dd>{tr(c, "contact_title")}</dd>')
        out.append("\n    ")
        if c.contact_email:
            out.append(f'<dt>{t["email"]}</dt><dd>{urlize(c.contact_email, autoescape=True)}</dd>')
        out.append("\n    ")
        if c.contact_phone:
            out.append(f'<dt>{t["phone"]}</dt><dd>{_value(c.contact_phone)}</dd>')
        out.append("\n  </dl>\n  ")
    else:
        out.append(f"\n  <p>{not_stated}</p>\n  ")
    out.append(
        "\n</section>\n"
        f'<p class="feed-link"><a href="{escape_text(t["feed_path"](identifier))}"'
        f' type="application/atom+xml">{t["feed"]}</a></p>'
    )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped, our own markup or already safe HTML

