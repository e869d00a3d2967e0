"""The home page's rows: its list of members written as HTML in Python, and the rows it is read from (issue #20).

``ogp_portal.pages`` renders the home page; here are its hot loops: :class:`_MemberRows` (a hundred
members and their current plans a page, without an include per row) and :class:`_Values` (the rows read
as ``values()`` with modeltranslation's fallbacks found once per query). Split from ``ogp_portal.pages``.
"""

import html

from django.conf import settings
from django.db.models import FileField
from django.db.models.query import ValuesIterable
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format, localize
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from modeltranslation.fields import NONE as MT_NONE
from modeltranslation.manager import FallbackValuesIterable
from modeltranslation.utils import build_localized_fieldname, resolution_order

from commitments.models import Member
from commitments.templatetags.portal import tr
from compliance.models import MemberStatus
from ogp_portal.pagination import pagination as _pagination
from ogp_portal.paths import path_of

def _escape(value) -> str:
    """``django.utils.html.escape`` without its lazy-argument wrapper: the same characters escaped, the same text.

    The home page's rows escape about a thousand values a page (issue #20); Django's ``escape`` is
    ``html.escape(str(value))`` behind a check of every argument for a lazy translation.
    """
    return html.escape(str(value))


def _path_maker(name):
    """Return a function giving ``reverse(name, args=[value])`` escaped for HTML, reversed once (:func:`path_of`).

    The home page's rows link each member, its compliance record and its plan (about 400 reversals a
    page, issue #20); the paths are the same strings, escaped as the template engine escapes a path.
    """
    path = path_of(name)
    return lambda value: _escape(path(value))


class _MemberRows:
    """The home page's list of members as HTML, built here rather than by an include per row (issue #20).

    A page shows about a hundred rows (25 members and their OGP Local members); through the template
    engine each cost an include, three reversals, ten translation tags and their filters, about 45 ms
    a page at scale 10. Here the paths are reversed once (:func:`_path_maker`), every label is
    translated once per page (the same messages as the templates had, so the catalogs hold them),
    and the values are escaped as the template engine escapes them: the HTML is the same as the
    include per row (``_member_row.html``) gave.
    """

    def __init__(self):
        self.member_path = _path_maker("commitments:member")
        self.compliance_path = _path_maker("compliance:member")
        self.plan_path = _path_maker("commitments:plan")
        self.contested_path = _escape(reverse("commitments:list"))
        self.home_path = _escape(reverse("commitments:home"))
        self.statuses = {value: str(label) for value, label in MemberStatus.choices}
        self.local = _escape(_("OGP Local"))
        self.current_plan = _escape(_("Current plan:"))
        self.no_plan = _escape(_("No action plan yet."))
        self.aria = _("%(name)s: compliance status %(status)s")
        self.findings = _("open findings: %(n)s")
        self.complete = _("complete: %(n)s")
        self.contested = _("contested: %(n)s")
        self.due = _("next action plan due %(day)s")
        self.local_in = _("OGP Local member in %(name)s")
        self.locals_in = _("OGP Local members in %(name)s")
        # A number as the template engine shows it (``localize``: plain digits unless thousands are grouped).
        self.number = localize if settings.USE_THOUSAND_SEPARATOR else str
        self.language = (get_language() or settings.LANGUAGE_CODE).replace("-", "_")
        self.commitments = {}  # the plural form of "N commitments", per number
        self.days = {}  # dates formatted, per day

    def _tr(self, obj, field) -> str:
        """``tr(obj, field)`` (``name_of`` for a member): the active language's own text escaped, read directly.

        Where that column is empty or absent (a fallback to the original, marked up), :func:`tr` itself.
        """
        own = obj.__dict__.get(f"{field}_{self.language}")
        return _escape(own) if own else tr(obj, field)

    def _count(self, n):
        if n not in self.commitments:
            if len(self.commitments) > 10_000:  # kept for the process: bounded
                self.commitments.clear()
            self.commitments[n] = ngettext("%(counter)s commitment", "%(counter)s commitments", n) % {"counter": self.number(n)}
        return self.commitments[n]

    def _day(self, day):
        if day not in self.days:
            if len(self.days) > 10_000:
                self.days.clear()
            self.days[day] = _escape(date_format(day, "DATE_FORMAT"))
        return self.days[day]

    def row(self, member) -> list:
        """One member: its name, kind, status, open findings, current plan with its figures, next plan due.

        As segments: strings, and the member's id where its current plan goes (:meth:`plan`), so the
        parts a publication does not change are kept across publications and only the plans filled in.
        """
        compliance = self.compliance_path(member.code)
        status = self.statuses.get(member.status) or str(MemberStatus(member.status).label)
        parts = [f'<a href="{self.member_path(member.code)}">{self._tr(member, "name")}</a>\n']
        if member.kind == Member.Kind.LOCAL:
            parts.append(f"<small>{self.local}</small>")
        aria = self.aria % {"name": _escape(member.name), "status": _escape(status)}
        parts.append(
            f'\n<a href="{compliance}" class="status status-{_escape(member.status)}" aria-label="{aria}">{_escape(status)}</a>\n'
        )
        if member.open_findings:
            parts.append(f'<a href="{compliance}" class="open-findings">{self.findings % {"n": self.number(member.open_findings)}}</a>')
        parts.append("\n<br><small>")
        head = "".join(parts)
        tail = "\n"
        if member.next_plan_due:
            tail += f" · {self.due % {'day': self._day(member.next_plan_due)}}"
        tail += "</small>\n"
        return [head, member.pk, tail]

    def plan(self, plan) -> str:
        """A row's current plan with its figures (``None``: no plan yet)."""
        if plan is None:
            return self.no_plan
        parts = [f'{self.current_plan} <a href="{self.plan_path(plan.pk)}">{self._tr(plan, "title")}</a>\n']
        parts.append(f'<span class="plan-standing"> · {self._count(plan.commitment_total)}')
        if plan.commitment_total:
            parts.append(f", {self.complete % {'n': self.number(plan.complete_total)}}")
        if plan.contested_total:
            parts.append(
                f', <a class="contested-badge" href="{self.contested_path}?plan={plan.pk}&amp;contested=true">'
                f"{self.contested % {'n': self.number(plan.contested_total)}}</a>"
            )
        parts.append("</span>")
        return "".join(parts)

    def segments(self, members, view) -> list:
        """The ``<ul class="member-list">`` of a page as segments (strings, and member ids where their plans go).

        Each member, with its OGP Local members nested (``view == "all"``); :meth:`fill` makes the HTML.
        """
        out = ['<ul class="member-list">\n    \n']
        for member in members:
            out.append("    <li>\n      ")
            out.extend(self.row(member))
            out.append("\n      ")
            if view == "local" and member.parent:
                out.append(f"<br><small>{self.local_in % {'name': _escape(member.parent.name)}}</small>")
            out.append("\n      ")
            if view == "all":
                locals_ = member.local_rows
                if locals_:
                    out.append(
                        f'\n      <ul class="nested-members" aria-label="{self.locals_in % {"name": _escape(member.name)}}">\n        \n'
                    )
                    for local in locals_:
                        out.append("        <li>")
                        out.extend(self.row(local))
                        out.append("</li>\n        \n")
                    out.append("      </ul>\n      ")
            out.append("\n    </li>\n    \n")
        out.append("  </ul>")
        # Adjacent strings joined: a short list to keep and to fill.
        joined = []
        for segment in out:
            if isinstance(segment, str) and joined and isinstance(joined[-1], str):
                joined[-1] += segment
            else:
                joined.append(segment)
        return joined

    def fill(self, segments, plans) -> str:
        """The HTML of :meth:`segments` with each member's current plan (``plans``: member id -> plan row)."""
        html = "".join(segment if isinstance(segment, str) else self.plan(plans.get(segment)) for segment in segments)
        return mark_safe(html)  # noqa: S308 - every value escaped above


_ROWS_BY_LANGUAGE: dict = {}


def member_rows() -> "_MemberRows":
    """The :class:`_MemberRows` of the active language, made once per process and language (issue #20).

    Its paths, labels and the numbers and days it formatted are the same for every page in a language:
    making it reversed three patterns and translated about fifteen labels on every first render (~0.13 ms).
    """
    key = (get_language() or settings.LANGUAGE_CODE, settings.USE_THOUSAND_SEPARATOR, get_script_prefix())
    rows = _ROWS_BY_LANGUAGE.get(key)
    if rows is None:
        rows = _ROWS_BY_LANGUAGE[key] = _MemberRows()
    return rows


class _Row:
    """A member or a plan as the home page's rows read it: a ``values()`` row, not a model instance (issue #20).

    A hundred members and their current plans a page, each built as a model (modeltranslation's
    constructor, two signals, the prefetch's managers), cost more than their queries. The rows carry
    the columns as attributes; ``name`` or ``title`` is what the model's field gives (modeltranslation's
    ``values()`` applies the same fallback), so :func:`tr` and :meth:`_MemberRows._tr` read them as a model.
    """

    def __init__(self, values):
        self.__dict__.update(values)


class _Values(FallbackValuesIterable):
    """modeltranslation's ``values()`` rows (a translated field's value with its fallback), each fallback found directly.

    modeltranslation gives each row's translated fields by filling an object with the row and asking the
    field's descriptor (the language order worked out again per row and field): about 2,000 calls for the
    home page's 200 rows (issue #20). Here the order of the columns to try is worked out once per query
    and each row's first meaningful value taken as the descriptor takes it; a row with none, or a file
    field, asks the descriptor itself. The same values (tests/test_home_values.py compares them).
    """

    def __iter__(self):
        queryset = self.queryset
        fields = queryset.original_fields
        fields += tuple(f for f in queryset.query.annotation_select if f not in fields)
        language = get_language()
        plans = []
        for key in queryset.translation_fields:
            descriptor = getattr(queryset.model, key)
            undefined = descriptor.fallback_undefined
            if undefined is MT_NONE:
                undefined = descriptor.field.get_default()
            columns = [build_localized_fieldname(descriptor.field.name, code) for code in resolution_order(language, descriptor.fallback_languages)]
            plans.append((key, columns, undefined, descriptor, isinstance(descriptor.field, FileField)))
        for row in ValuesIterable.__iter__(self):
            for key, columns, undefined, descriptor, is_file in plans:
                for column in columns:
                    value = row.get(column)
                    if not is_file and value is not None and value != undefined:
                        row[key] = value
                        break
                else:
                    instance = self.X()
                    instance.__dict__.update(row)
                    row[key] = descriptor.__get__(instance, None)
            yield {k: row[k] for k in fields}


def _fast_values(queryset):
    """``queryset`` (a ``values()`` of a translated model) read with :class:`_Values`."""
    if queryset._iterable_class is FallbackValuesIterable:
        queryset._iterable_class = _Values
    return queryset


def home_html(*, view, page, members, rows_html, member_counts, query, chart, overdue, contested, next_deadlines) -> str:
    """The home page's content (``templates/commitments/_home.html``), written here: the same bytes (issue #20).

    Its template (twenty translation tags, three includes, the deadlines' loop) cost ~1 ms of every first
    render. The messages are the template's own (the catalogs hold them; each translated into a variable
    first, where xgettext reads it); as the template engine does, a literal message is not escaped and
    every value is (numbers localized as ``{{ }}`` shows them). tests/test_home_html.py compares the two.
    """
    rows = member_rows()
    number = rows.number
    list_path = rows.contested_path  # the commitment list's path, escaped
    home = rows.home_path
    total = chart.total
    title = _("Open Government Partnership action plans")
    lead = _(
        "Where each member's action plan stands: commitments, milestones, published progress and compliance with OGP's process."
    )
    glance = _("At a glance")
    commitments = ngettext("commitment", "commitments", total)
    overdue_label = ngettext("milestone overdue", "milestones overdue", overdue)
    contested_label = ngettext("commitment contested", "commitments contested", contested)
    deadlines_heading = _("Next deadlines")
    out = [
        f"\n<h1>{title}</h1>\n<p>{lead}</p>\n\n",
        '<section aria-labelledby="figures-heading">\n',
        f'  <h2 id="figures-heading">{glance}</h2>\n  <ul class="headline-figures">\n',
        f"    <li><strong>{_escape(number(total))}</strong> {commitments}</li>\n",
        f'    <li class="{"is-overdue" if overdue else ""}"><a href="{list_path}?overdue=true"><strong>{_escape(number(overdue))}</strong> '
        f"{overdue_label}</a></li>\n",
        f'    <li class="{"is-contested" if contested else ""}"><a href="{list_path}?contested=true"><strong>{_escape(number(contested))}</strong> '
        f"{contested_label}</a></li>\n",
        '  </ul>\n  <div class="charts">\n    ',
        chart.html("home") + "\n" if total else "",
        f"\n    <div>\n      <h3>{deadlines_heading}</h3>\n      ",
    ]
    if next_deadlines:
        out.append("\n      <ul>\n        ")
        for deadline in next_deadlines:
            member = deadline.member
            cycle = f" ({_escape(deadline.cycle)})" if deadline.cycle else ""
            out.append(
                f'\n        <li><strong>{rows._day(deadline.due_on)}</strong>: <a href="{rows.compliance_path(member.code)}">'
                f"{_escape(member.name)}</a> — {_escape(deadline.get_kind_display())}{cycle}</li>\n        "
            )
        out.append("\n      </ul>\n      ")
    else:
        none_due = _("No upcoming deadline.")
        out.append(f"\n      <p>{none_due}</p>\n      ")
    out.append("\n    </div>\n  </div>\n</section>\n\n")
    heading = _("Members")
    national = _("National members of the Open Government Partnership, with the OGP Local members in their country.")
    which = _("Which members")
    everyone = _("All members (%(n)s)") % {"n": _escape(number(member_counts["all"]))}
    locals_only = _("OGP Local members only (%(n)s)") % {"n": _escape(number(member_counts["local"]))}
    current = ' aria-current="page"'
    out += [
        '<section aria-labelledby="members-heading">\n',
        f'  <h2 id="members-heading">{heading}</h2>\n  <p>{national}</p>\n',
        f'  <nav aria-label="{which}" class="member-views">\n    <ul>\n',
        f'      <li><a href="{home}"{current if view == "all" else ""}>{everyone}</a></li>\n',
        f'      <li><a href="{home}?view=local"{current if view == "local" else ""}>{locals_only}</a></li>\n',
        "    </ul>\n  </nav>\n  ",
    ]
    if members:
        out += ["\n  ", rows_html, "\n  ", _pagination(page, query, number), "\n  "]
    else:
        no_members = _("No members yet.")
        out.append(f"\n  <p>{no_members}</p>\n  ")
    out.append("\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above, the messages are ours
