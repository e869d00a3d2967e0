"""The compliance member page's content written in Python (issue #20), and the value writers its parts share.

A first render (nothing kept: the first visitor after a change, or a server without the page cache) rendered
``_member_detail.html`` around the parts ``views`` already wrote (status history, findings, minimum
requirements): :func:`content_html` gives its bytes (tests/compliance/test_member_page_html.py compares with the
template in en, ru and ky); the literal texts are translated once per language and process.
"""

import datetime as dt
import html

from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from commitments.templatetags.portal import name_of
from commitments.timeline import date_label
from ogp_portal.languages import per_language
from ogp_portal.paths import path_of


def text(value) -> str:
    """``{{ value }}`` as the template engine writes it: localized, then escaped unless already safe.

    Plain text and integers (most of the values of the requirements' tables, hundreds a page) take the
    short way: ``localize`` returns text unchanged and writes an integer as its digits unless thousands
    are grouped; only digits, nothing to escape.
    """
    kind = type(value)
    if kind is str:
        return html.escape(value)  # ``escape``'s text without its lazy-argument wrapper (hundreds a page)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return conditional_escape(str(localize(value)))


def day(value) -> str:
    """``{{ value|date:"DATE_FORMAT" }}``, a date's label kept per process and language (``timeline.date_label``).

    The date filter looks up the translated month names on every call: a member page labels about fifty dates.
    """
    if type(value) is dt.date:
        return html.escape(date_label(value))
    return text(date_filter(value, "DATE_FORMAT"))


def ymd(value) -> str:
    """``{{ value|date:"Y-m-d" }}`` (a date's ISO form, the same digits, without the formatter)."""
    if type(value) is dt.date:
        return value.isoformat()
    return text(date_filter(value, "Y-m-d"))


@per_language
def _texts() -> dict:
    """The content's literal texts and links in the active language, as ``{% translate %}`` writes them (not escaped)."""
    return {
        "breadcrumb": _("Breadcrumb"),
        "compliance": _("Compliance"),
        "status": _("Status:"),
        "since": _("since %(date)s"),
        "deadlines": _("Next deadlines"),
        "obligation": _("Obligation"),
        "period": _("Cycle or period"),
        "due": _("Due"),
        "days_left": _("Days left"),
        "set_by_ogp": _("Set by OGP:"),
        "no_deadline": _("No upcoming deadline."),
        "history": _("Status history"),
        "open": _("Open findings"),
        "resolved": _("Past findings: met again, resolved or withdrawn"),
        "requirements": _("OGP minimum requirements, per cycle"),
        "checked": _(
            "Checked from the portal's records; where OGP's wording was not retrieved, the records are shown "
            "without a verdict."
        ),
        "plans_and_forums": _("Action plans and forums of %(name)s"),
        "findings_csv": _("Findings as open data (CSV)"),
        "overview_path": html.escape(reverse("compliance:overview")),
        "member_path": path_of("commitments:member"),
        "export_path": html.escape(reverse("commitments:export", args=["findings", "csv"])),
    }


def content_html(member, evaluation, status_label, deadlines, status_history_html, open_groups_html,
                 resolved_groups_html, requirements_html) -> str:
    """``_member_detail.html``'s bytes: the breadcrumb, heading and status, next deadlines, and the parts given.

    ``deadlines``: ``{"deadline", "kind_label", "forum"}`` rows; the ``…_html`` parts as ``views`` writes them.
    """
    t = _texts()
    since = ""
    if evaluation.status_since:
        since = t["since"] % {"date": day(evaluation.status_since)}
    out = [
        f'\n<nav aria-label="{t["breadcrumb"]}" class="breadcrumb">\n  <ul>\n'
        f'    <li><a href="{t["overview_path"]}">{t["compliance"]}</a></li>\n'
        f'    <li><span aria-current="page">{text(member.name)}</span></li>\n'
        "  </ul>\n</nav>\n"
        f"<h1>{name_of(member)}</h1>\n"
        '<p class="current-status">\n'
        f'  {t["status"]} <span class="status status-{text(evaluation.status)}">{text(status_label)}</span>\n'
        f"  {since}\n</p>\n\n"
        '<section aria-labelledby="deadlines-heading">\n'
        f'  <h2 id="deadlines-heading">{t["deadlines"]}</h2>\n  '
    ]
    if deadlines:
        out.append(
            '\n  <table class="compliance-table stack">\n    <thead><tr>\n'
            f'      <th scope="col">{t["obligation"]}</th>\n'
            f'      <th scope="col">{t["period"]}</th>\n'
            f'      <th scope="col">{t["due"]}</th>\n'
            f'      <th scope="col">{t["days_left"]}</th>\n'
            "    </tr></thead>\n    <tbody>\n      "
        )
        for row in deadlines:
            deadline, forum = row["deadline"], row["forum"]
            on_forum = f" — {text(forum.name)}" if forum else ""
            set_by = ""
            if deadline.source == "administrator":
                set_by = f'<br><small>{t["set_by_ogp"]} {text(deadline.reason)}</small>'
            out.append(
                f'\n      <tr>\n        <td data-label="{t["obligation"]}">{text(row["kind_label"])}{on_forum}\n'
                f"          {set_by}</td>\n"
                f'        <td data-label="{t["period"]}">{text(deadline.period)}</td>\n'
                f'        <td data-label="{t["due"]}">{day(deadline.due)}</td>\n'
                f'        <td data-label="{t["days_left"]}">{text(deadline.days_left)}</td>\n'
                "      </tr>\n      "
            )
        out.append("\n    </tbody>\n  </table>\n  ")
    else:
        out.append(f'\n  <p>{t["no_deadline"]}</p>\n  ')
    name = text(member.name)
    out.append(
        "\n</section>\n\n"
        '<section aria-labelledby="history-heading">\n'
        f'  <h2 id="history-heading">{t["history"]}</h2>\n'
        f"  {status_history_html}\n</section>\n\n"
        '<section aria-labelledby="open-heading">\n'
        f'  <h2 id="open-heading">{t["open"]}</h2>\n'
        f"  {open_groups_html}\n</section>\n\n"
        '<section aria-labelledby="resolved-heading">\n'
        f'  <h2 id="resolved-heading">{t["resolved"]}</h2>\n'
        f"  {resolved_groups_html}\n</section>\n"
        '<section aria-labelledby="requirements-heading" id="minimum-requirements">\n'
        f'  <h2 id="requirements-heading">{t["requirements"]}</h2>\n'
        f'  <p><small>{t["checked"]}</small></p>\n'
        f"  {requirements_html}\n</section>\n"
        f'<p><a href="{html.escape(t["member_path"](member.code))}">{t["plans_and_forums"] % {"name": name}}</a>\n'
        f'  · <a href="{t["export_path"]}?member={text(member.code)}">{t["findings_csv"]}</a></p>\n'
    )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped, our own markup or already safe HTML
