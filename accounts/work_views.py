"""The staff's working pages: "My work" (per user, never a shared copy: rows written once a page, totals in
one SQL statement, milestones and updates as plain rows read by ``accounts.work_queries``; issue #20) and the
old address of the review queue."""

import unicodedata
from html import escape as _html_escape

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import SimpleLazyObject
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.utils.translation import gettext_noop

from commitments import progress, workload
from commitments.models import ActionPlan, Commitment, Completion, ProgressUpdate, Role
from forums.models import Forum
from ogp_portal.languages import per_language
from ogp_portal import permissions
from ogp_portal.compiled import compiled_sql
from ogp_portal.formats import formatted_day
from ogp_portal.paths import is_plain, path_of

from . import work_cache
from .work_queries import (  # noqa: F401 (QUEUE_SHOWN: the page's, read by its tests)
    QUEUE_SHOWN,
    _page_commitments,
    _queue_and_count,
    _scope_key,
    _work_plans,
    _work_roles,
    _workload,
)


# ---------------------------------------------------------------------------
# My work and the review queue (sign-in required)
# ---------------------------------------------------------------------------


# "My work" shows at most this many commitments a page, fewer where they hold many milestones (about
# ``workload.PAGE_MILESTONES`` a page: a point of contact's whole member can hold hundreds; issue #20), and
# the first ``QUEUE_SHOWN`` updates of the review queue, with the counts of all and a link on.
WORK_PAGE_SIZE = workload.PAGE_COMMITMENTS
# What the page reads of each commitment and milestone (not the long texts of the plan).
WORK_COMMITMENT_FIELDS = ("plan", "number", "identifier", "title", "lead_agency")


@login_required
def my_work(request):
    """Render what the signed-in person has to do: milestones due, overdue and missing, and updates to review.

    Coordinators see their agency's commitments, points of contact their whole member (with the
    review queue), administrators everything; a fixed number of queries whatever the data size.
    The totals at the top count every commitment in one SQL aggregate (``workload.totals_query``);
    only the page shown is loaded with its milestones and updates (issue #20).
    """
    now = timezone.now()
    today = timezone.localdate(now)
    user = request.user
    # The page's content as this person last had it, if nothing it shows has changed since (``work_cache``):
    # the frame around it (header, CSRF token, messages) is rendered every time.
    kept = work_cache.read(request, today, permissions._roles(user))
    if kept.html is not None:
        return render(request, "accounts/my_work.html", {"content": mark_safe(kept.html)})  # noqa: S308 (our own HTML)
    roles = _work_roles(user)
    permissions.remember_roles(user, roles)  # the rules below (and the page's tags) read these: not again
    # The person's commitments (``permissions.editable_by``), built only when a query's SQL is compiled:
    # the queries below are compiled once per process and scope (``ogp_portal.compiled``; issue #20).
    scope = _scope_key(user)

    def editable():
        return permissions.editable_by(user, Commitment.objects.all())

    # The plans of the person's commitments, with the current reporting period of each, as the progress
    # form opens on it (progress.current_period: today's while the plan runs, its last once it has
    # ended), under the member's compliance policy (one query for all). A plan not started yet has
    # none to report on. Plain rows (``_work_plans``), not model instances (issue #20).
    plans = _work_plans(scope, lambda: ActionPlan.objects.filter(pk__in=editable().values("plan_id")).order_by())
    policies = progress.update_policies_by_member({plan.member_id: plan.member for plan in plans.values()}.values())
    current = {pk: progress.current_period(plan, today, policies[plan.member_id]) for pk, plan in plans.items()}
    periods = {pk: current[pk] or progress.reporting_period(today, policies[plan.member_id]) for pk, plan in plans.items()}
    reportable = {pk for pk, period in current.items() if period}
    order = ("plan__member__name", "plan__start_date", "number", "identifier")
    totals = workload.totals_query(
        None, periods, today, scope=compiled_sql(("work-scope", scope), lambda: editable().order_by().values("pk"))
    ) if plans else {}
    work_page = None
    if plans:
        # Pages of whole commitments, as many as hold about ``workload.PAGE_MILESTONES`` milestones (the
        # totals count both); the paginator pages the positions only (counted with the totals: no COUNT
        # of its own), the page's commitments are read below.
        count = totals.pop("commitments")
        per_page = workload.page_size(count, totals["milestones"])
        work_page = Paginator(range(count), per_page).get_page(request.GET.get("page"))
        commitments = _page_commitments(scope, lambda: editable().order_by(*order), (work_page.number - 1) * per_page, per_page, plans)
        work_page.object_list = _displayed(_workload(commitments, plans, periods, reportable, today, instances=False))
    distinct_periods = sorted(set(periods.values()), key=lambda p: (p.start, p.end))
    ended_plans = sorted((p for p in plans.values() if p.end_date and p.end_date < today), key=lambda p: (p.end_date, p.pk))
    may_review = permissions.is_administrator(user) or any(r.kind == Role.Kind.POINT_OF_CONTACT for r in roles)
    queue, queue_count = _queue_and_count(user) if may_review else ([], 0)
    secretariat_members = [r.member_id for r in roles if r.kind == Role.Kind.SECRETARIAT]
    forums = list(Forum.objects.filter(member_id__in=secretariat_members).select_related("member")) if secretariat_members else []
    context = {
        "now": now,
        # The period in the page's first sentence; with several (members under different cadences),
        # each commitment names its own.
        "period": distinct_periods[0] if len(distinct_periods) == 1 else None,
        "several_periods": len(distinct_periods) > 1,
        "ended_plans": ended_plans,
        "roles": roles,
        # Every commitment's workload, read only by whoever asks for it (tests compare the page with
        # it); the page itself renders ``work_page`` and the ``totals``.
        "work": SimpleLazyObject(
            lambda: _workload(
                editable().select_related("lead_agency").only(*WORK_COMMITMENT_FIELDS).order_by(*order), plans, periods, reportable, today
            )
        ),
        "work_page": work_page,
        "work_html": _work_html(work_page.object_list, len(distinct_periods) > 1 or bool(ended_plans)) if work_page else "",
        "totals": totals,
        "may_review": may_review,
        "queue": queue,
        "queue_count": queue_count,
        "queue_rows": _queue_rows(queue),
        "review_url": _path("commitments:review"),
        "forums": forums,
        "is_administrator": permissions.is_administrator(user),
        "may_import": user.has_perm("commitments.import_plan"),
    }
    context["request"] = request
    content = _content_html(context)
    kept.store(content)
    context["content"] = content  # (the rest for whoever reads the context: the tests)
    return render(request, "accounts/my_work.html", context)


def _v(value) -> str:
    """``{{ value }}``: localized, then escaped unless already safe (``conditional_escape``)."""
    return conditional_escape(localize(value))


def _content_html(c) -> str:
    """The page's content, as ``accounts/my_work.html`` wrote it inside its frame until session 11 of issue #20, in Python.

    The same bytes in every language (tests/accounts/test_my_work.py renders the template it replaced with
    the same context and compares): each ``{% translate "…" %}`` as it is (a literal is safe), each ``{% blocktranslate %}``'s
    text as it is and its values escaped, ``{{ value }}`` localized and escaped. About 0.7-0.9 ms of the template's
    tags and includes on a first render; the disputes and co-creation sections are their apps' tags. Every text
    through ``gettext`` itself (not a helper), so that the catalogs' extraction finds it.
    """
    from engagement.templatetags.engagement import my_disputes
    from cocreation.templatetags.cocreation_links import my_cocreation
    from ogp_portal.templatetags.sentences import single_stops

    out = ["\n<h1>", gettext("My work"), "</h1>\n"]
    period = c["period"]
    if period:
        sentence = gettext("Today is %(today)s. The current reporting period runs from %(start)s to %(end)s.") % {
            "today": escape(formatted_day(template_localtime(c["now"]).date(), "DATE_FORMAT")), "start": escape(formatted_day(period.start, "DATE_FORMAT")),
            "end": escape(formatted_day(period.end, "DATE_FORMAT"))}
        out += ["\n<p>", single_stops(mark_safe(sentence)), "</p>\n"]  # noqa: S308 (values escaped)
    out.append("\n")
    ended = gettext("The action plan “%(title)s” ended on %(end)s: its progress is reported for its last reporting period.")
    for plan in c["ended_plans"]:
        out += ["\n<p>", ended % {"title": _v(plan.title), "end": escape(formatted_day(plan.end_date, "DATE_FORMAT"))}, "</p>\n"]
    out += ['\n\n<section aria-labelledby="roles-heading">\n  <h2 id="roles-heading">', gettext("Your roles"), "</h2>\n  "]
    roles, administrator = c["roles"], c["is_administrator"]
    if roles or administrator:
        out.append("\n  <ul>\n    ")
        if administrator:
            out += ["<li>", gettext("Administrator (OGP staff)"), ' \u2014 <a href="', escape(_path("admin:index")), '">', gettext("administration"), "</a></li>"]
        out.append("\n    ")
        for role in roles:
            agency = f", {_v(role.agency)}" if role.agency else ""
            out += ["\n    <li>", _v(role.get_kind_display()), ': <a href="', _v(role.member.get_absolute_url()), '">', _v(role.member.name),
                    "</a>", agency, "</li>\n    "]
        out.append("\n  </ul>\n  ")
    else:
        out += ["\n  <p>", gettext("You have a civil-society account: you can follow and review the commitments of every member. "
                                   "Government coordinators and points of contact receive their roles from the OGP administrators.") % {},
                ' <a href="', escape(_path("commitments:home")), '">', gettext("Browse the members and their commitments"), "</a></p>\n  "]
    out += ['\n  <p><a href="', escape(_path("accounts:password_change")), '">', gettext("Change your password"), "</a></p>\n</section>\n\n"]
    user = c["request"].user
    out += [my_disputes(user), "\n", my_cocreation(user), "\n\n"]
    if c["may_review"]:
        count, queue = c["queue_count"], c["queue"]
        heading = ngettext("%(counter)s update to review", "%(counter)s updates to review", count) % {"counter": _v(count)}
        out += ['\n<section aria-labelledby="review-heading">\n  <h2 id="review-heading">', heading, "</h2>\n  "]
        if count > len(queue):
            out += ["<p>", gettext("The %(shown)s waiting longest:") % {"shown": _v(len(queue))}, "</p>"]
        out += ["\n  ", _review_table_html(c), "\n</section>\n"]
    out.append("\n\n")
    if c["may_import"]:
        out += ['\n<section aria-labelledby="import-heading">\n  <h2 id="import-heading">', gettext("Action plans"), "</h2>\n  <p><a href=\"",
                escape(_path("commitments:import_upload")), '">', gettext("Import an action plan"), "</a>:\n    ",
                gettext("a Word or plain-text file in OGP's commitment template, or the portal's CSV; you see every change before anything is saved."),
                "</p>\n</section>\n"]
    out.append("\n\n")
    if c["forums"]:
        out += ['\n<section aria-labelledby="forums-heading">\n  <h2 id="forums-heading">', gettext("Forums you keep"), "</h2>\n  <ul>"]
        schedule, meeting_new = gettext("Schedule a meeting"), path_of("forums:meeting_new")
        for forum in c["forums"]:
            out += ['<li><a href="', _v(forum.get_absolute_url()), '">', _v(forum.name), "</a> (", _v(forum.member.name), ") \u00b7 <a href=\"",
                    escape(meeting_new(forum.pk)), '" class="schedule-meeting">', schedule, "</a></li>"]
        out.append("</ul>\n</section>\n")
    out.append("\n\n")
    page = c["work_page"]
    if page:
        totals = c["totals"]
        out += ['\n<section aria-labelledby="milestones-heading">\n  <h2 id="milestones-heading">', gettext("Your commitments and milestones"),
                '</h2>\n  <ul class="work-totals">\n    <li>',
                ngettext("%(counter)s milestone overdue", "%(counter)s milestones overdue", totals["overdue"]) % {"counter": _v(totals["overdue"])},
                "</li>\n    <li>",
                ngettext("%(counter)s milestone due this period", "%(counter)s milestones due this period", totals["due"]) % {"counter": _v(totals["due"])},
                "</li>\n    <li>",
                ngettext("%(counter)s update missing for this period", "%(counter)s updates missing for this period", totals["missing"])
                % {"counter": _v(totals["missing"])},
                "</li>\n  </ul>\n  "]
        other_pages = page.has_other_pages()
        if other_pages:
            out += ["<p>", gettext("Commitments %(first)s–%(last)s of %(total)s") % {
                "first": _v(page.start_index()), "last": _v(page.end_index()), "total": _v(page.paginator.count)}, "</p>"]
        out += ["\n  \n  \n  ", c["work_html"], "\n  ", _pagination_html(page) if other_pages else "", "\n\n</section>\n"]
    out.append("\n")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


def _review_table_html(c) -> str:
    """``accounts/_review_table.html`` (the review section's table, its rows from :func:`_queue_rows`), in Python."""
    if not c["queue"]:
        return "\n<p>" + gettext("No update is waiting for review.") + "</p>\n\n"
    waiting = gettext("Updates waiting for review")
    labels = [gettext(text) for text in (
        gettext_noop("Commitment"), gettext_noop("Milestone"), gettext_noop("Reporting period"), gettext_noop("Completion"),
        gettext_noop("Author"), gettext_noop("Submitted"))]
    heads = "".join(f'      <th scope="col">{label}</th>\n' for label in labels)
    review = c["review_url"]
    review_these = gettext("Review these updates")
    link = f'<p><a href="{_v(review)}" role="button">{review_these}</a></p>' if review else ""
    return (f'\n<div class="overflow-auto" tabindex="0" role="region" aria-label="{waiting}">\n<table class="striped">\n'
            f'  <caption class="visually-hidden">{waiting}</caption>\n  <thead>\n    <tr>\n{heads}    </tr>\n  </thead>\n  <tbody>\n'
            f'    {c["queue_rows"]}\n  </tbody>\n</table>\n</div>\n{link}\n\n')


def _pagination_html(page) -> str:
    """``_pagination.html`` for a page that has others (``{% page_url %}`` without a query: ``?page=N``), in Python."""
    out = ['\n<nav aria-label="', gettext("Pages"), '" class="pagination">\n  <ul>\n    ']
    if page.has_previous():
        out += ['<li><a href="?page=', _v(page.previous_page_number()), '" rel="prev">', gettext("Previous page"), "</a></li>"]
    out += ["\n    <li>", gettext("Page %(number)s of %(total)s") % {"number": _v(page.number), "total": _v(page.paginator.num_pages)},
            "</li>\n    "]
    if page.has_next():
        out += ['<li><a href="?page=', _v(page.next_page_number()), '" rel="next">', gettext("Next page"), "</a></li>"]
    out.append("\n  </ul>\n</nav>\n")
    return "".join(out)


@per_language
def _texts() -> dict:
    """The labels :func:`_displayed`, :func:`_work_html` and :func:`_queue_rows` write, in the active language: translated
    once per language (issue #20: ~70 gettext calls a render)."""
    label = {
        key: escape(gettext(text))
        for key, text in (
            ("milestone", gettext_noop("Milestone")), ("ends", gettext_noop("Ends")), ("status", gettext_noop("Status")), ("latest", gettext_noop("Latest update")),
            ("period", gettext_noop("This period")), ("progress", gettext_noop("Progress")), ("enter", gettext_noop("enter progress")),
            ("missing", gettext_noop("Update missing")), ("nothing", gettext_noop("Nothing missing")), ("report", gettext_noop("Report progress")),
            ("open", gettext_noop("Open the commitment")), ("lead", gettext_noop("Lead agency:")),
        )
    }
    return {
        "completions": {value: str(text) for value, text in Completion.choices},
        "states": {value: str(text) for value, text in ProgressUpdate.State.choices},
        # Each status: its label, marked (overdue, due) or not, and its class (accounts/_status.html, inlined).
        "statuses": {
            workload.OVERDUE: (gettext("Overdue"), True, ""),
            workload.DUE: (gettext("Due this period"), True, ""),
            workload.DONE: (gettext("Done"), False, " status-done"),
            workload.UPCOMING: (gettext("Upcoming"), False, ""),
            workload.UNSCHEDULED: (gettext("No end date"), False, ""),
        },
        "for_milestone": gettext("milestone %(number)s, %(period)s"),
        "milestones_of": gettext("Milestones of %(id)s"),
        "counts": gettext("overdue: %(overdue)s, due: %(due)s, missing updates: %(missing)s"),
        "truncation": _truncation(),
        "label": label,
        "progress_head": '<th scope="col">' + label["progress"] + "</th>",
        "reporting": gettext("reporting period %(start)s – %(end)s"),
        "deleted": escape(gettext("a deleted account")),
    }


_PATHS: dict = {}


def _path(name) -> str:
    """``reverse(name)`` of a pattern without arguments, reversed once per process, language and script prefix (the
    page links five of them; issue #20)."""
    key = (name, get_language(), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    path = _PATHS.get(key)
    if path is None:
        if len(_PATHS) > 256:
            _PATHS.clear()
        path = _PATHS[key] = reverse(name)
    return path


_IDENTIFIER_MARK = "ZZ1357924680"  # a plain identifier no commitment has: where each one goes in the reversed path


def _progress_path():
    """``identifier -> (pk -> reverse("commitments:progress", args=[identifier, pk]))``, reversed once (``path_of``'s way);
    an identifier that ``reverse()`` would quote is reversed as before."""
    with_mark = path_of("commitments:progress", _IDENTIFIER_MARK)
    prefix, suffix = with_mark(_MILESTONE_MARK).split(_MILESTONE_MARK)
    if prefix.count(_IDENTIFIER_MARK) != 1:  # (never with these patterns: safe either way)
        return lambda identifier: path_of("commitments:progress", identifier)
    before, after = prefix.split(_IDENTIFIER_MARK)

    def progress(identifier):
        if not is_plain(identifier):
            return path_of("commitments:progress", identifier)
        start = f"{before}{identifier}{after}"
        return lambda pk: f"{start}{pk}{suffix}" if type(pk) is int else path_of("commitments:progress", identifier)(pk)

    return progress


_MILESTONE_MARK = "8642097531"


def _displayed(work):
    """Give the rows of the page shown what its table prints, computed once here rather than per row in the template.

    The same text as the template's ``{% url %}``, ``|date``, ``|truncatechars``, ``get_…_display``
    and ``{% blocktranslate %}`` gave (issue #20: about half the page's time went to them, 100 rows a page).
    """
    texts = _texts()
    statuses, for_milestone, milestones_of, counts = texts["statuses"], texts["for_milestone"], texts["milestones_of"], texts["counts"]
    completions, states = texts["completions"], texts["states"]
    progress_path = _progress_path()
    ends: dict = {}
    truncation = texts["truncation"]
    for item in work:
        commitment = item.commitment
        item.title = _truncated(commitment.title, 120, truncation)
        item.counts = counts % {"overdue": item.overdue, "due": item.due, "missing": item.missing}
        item.milestones_of = milestones_of % {"id": commitment.identifier}
        query = f"?period={item.period.label}" if item.reportable else ""
        # The progress form's address, reversed once a page (placeholders where the identifier and each milestone's id go).
        progress = progress_path(commitment.identifier)
        for row in item.milestones:
            milestone = row.milestone
            row.progress_url = f"{progress(milestone.pk)}{query}"
            row.deliverable = _truncated(milestone.deliverable, 100, truncation)
            day = milestone.ends_on
            if day not in ends:
                ends[day] = formatted_day(day, "DATE_FORMAT") if day else "—"
            row.ends = ends[day]
            latest = row.latest
            row.status_label, row.marked, row.status_class = statuses[row.status]
            row.latest_text = f"{completions.get(latest.completion, latest.completion)} ({states.get(latest.state, latest.state)})" if latest else "—"
            row.report_label = for_milestone % {"number": milestone.number, "period": item.period.label}
    return work



def _work_html(work, several_periods) -> str:
    """Render the page's commitments and their milestone tables (``<details>`` each) in Python (issue #20).

    The same HTML as the template's loop over ``work_page`` wrote (tests/accounts/test_my_work.py
    compares them byte for byte in every language): about a hundred rows a page through the template
    engine were some 40 % of a point of contact's page. Every value is escaped as the template escaped
    it; the labels are translated once a page. ``work``: the rows of :func:`_displayed`;
    ``several_periods``: each commitment names its reporting period (members under different cadences,
    or a plan that has ended).
    """
    texts = _texts()
    label, progress_head, reporting = texts["label"], texts["progress_head"], texts["reporting"]
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    commitment_path = path_of("commitments:commitment")
    names: dict = {}  # members' names and agencies, escaped once each
    days: dict = {}
    parts = []
    for item in work:
        commitment = item.commitment
        member = commitment.plan.member
        if ("m", member.pk) not in names:
            names["m", member.pk] = escape(member.name)
        lead = ""
        if commitment.lead_agency_id:
            if ("a", commitment.lead_agency_id) not in names:
                names["a", commitment.lead_agency_id] = escape(str(commitment.lead_agency))
            lead = f"{label['lead']} {names['a', commitment.lead_agency_id]} · "
        period = ""
        if several_periods:
            for day in (item.period.start, item.period.end):
                if day not in days:
                    days[day] = escape(formatted_day(day, "DATE_FORMAT"))
            period = reporting % {"start": days[item.period.start], "end": days[item.period.end]} + " ·"
        milestones_of = escape(item.milestones_of)
        reportable = item.reportable
        parts.append(
            f'\n  <details class="work-commitment"{" open" if item.needs_update else ""}>\n'
            "    <summary>\n"
            f"      <strong>{escape(commitment.identifier)}</strong> {escape(item.title)}\n"
            f"      <small>— {escape(item.counts)}</small>\n"
            "    </summary>\n"
            f"    <p>{lead}{names['m', member.pk]} ·\n"
            f"      {period}\n"
            f'      <a href="{escape(commitment_path(commitment.identifier))}">{label["open"]}</a></p>\n'
            f'    <div class="overflow-auto" tabindex="0" role="region" aria-label="{milestones_of}">\n'
            '    <table class="striped">\n'
            f'      <caption class="visually-hidden">{milestones_of}</caption>\n'
            "      <thead>\n"
            "        <tr>\n"
            f'          <th scope="col">{label["milestone"]}</th>\n'
            f'          <th scope="col">{label["ends"]}</th>\n'
            f'          <th scope="col">{label["status"]}</th>\n'
            f'          <th scope="col">{label["latest"]}</th>\n'
            f'          <th scope="col">{label["period"]}</th>\n'
            f"          {progress_head if reportable else ''}\n"
            "        </tr>\n"
            "      </thead>\n"
            "      <tbody>\n"
            "        "
        )
        for row in item.milestones:
            url = escape(row.progress_url)
            label_text = escape(row.status_label)
            if row.marked:
                status = f'<mark class="status status-{row.status}">{label_text}</mark>'
            else:
                status = f'<span class="status{row.status_class}">{label_text}</span>'
            missing = f"<mark>{label['missing']}</mark>" if row.missing else label["nothing"]
            report = (
                f'<td><a href="{url}" class="report-progress">{label["report"]}'
                f'<span class="visually-hidden"> — {escape(row.report_label)}</span></a></td>'
                if reportable else ""
            )
            parts.append(
                "\n        <tr>\n"
                f'          <th scope="row"><a href="{url}">{number(row.milestone.number)}'
                f'<span class="visually-hidden"> — {label["enter"]}</span></a>\n'
                f'            <span class="deliverable">{escape(row.deliverable)}</span></th>\n'
                f"          <td>{escape(row.ends)}</td>\n"
                f"          <td>{status}</td>\n"
                f"          <td>{escape(row.latest_text)}</td>\n"
                f"          <td>{missing}</td>\n"
                f"          {report}\n"
                "        </tr>\n"
                "        "
            )
        parts.append(
            "\n      </tbody>\n"
            "    </table>\n"
            "    </div>\n"
            "  </details>\n"
            "  "
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)


def _queue_rows(queue) -> str:
    """Render the rows of "My work"'s review table (``accounts/_review_table.html``) in Python (issue #20).

    The same HTML as the template's loop wrote (tests/accounts/test_my_work.py compares them in
    every language): each row's commitment link, member, milestone, period, completion, author and
    day of submission, every value escaped as the template escaped it.
    """
    texts = _texts()
    completions, deleted, truncation = texts["completions"], texts["deleted"], texts["truncation"]
    commitment_path = path_of("commitments:commitment")
    rows = []
    for update in queue:
        milestone = update.milestone
        commitment = milestone.commitment
        author = update.author
        who = escape(author.get_full_name() or author.get_username()) if author else deleted
        completion = completions.get(update.completion, update.completion)
        rows.append(
            "\n    <tr>\n"
            f'      <td><a href="{escape(commitment_path(commitment.identifier))}">{escape(commitment.identifier)}</a>\n'
            f"        <small>{escape(commitment.plan.member.name)}</small></td>\n"
            f"      <td>{escape(milestone.number)} {escape(_truncated(milestone.deliverable, 80, truncation))}</td>\n"
            f'      <td>{escape(formatted_day(update.period_start, "SHORT_DATE_FORMAT"))}–'
            f'{escape(formatted_day(update.period_end, "SHORT_DATE_FORMAT"))}</td>\n'
            f"      <td>{escape(completion)}</td>\n"
            f"      <td>{who}</td>\n"
            # (the day it was in the time zone shown: DATE_FORMAT prints only the day)
            f'      <td>{escape(formatted_day(template_localtime(update.updated_at).date(), "DATE_FORMAT"))}</td>\n'
            "    </tr>\n"
            "    "
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)


def escape(text) -> str:
    """``django.utils.html.escape``'s text (it is ``html.escape`` of ``str(text)``), without its wrapper for lazy
    arguments, which cost more than the escaping on the page's ~450 values (issue #20). The caller marks the whole safe."""
    return _html_escape(str(text))


def _truncated(text, length, truncate=None):
    """``text|truncatechars:length``, without walking each character of a text that is short enough or plain ASCII.

    ``truncate``: the truncation text (``_truncation()``), translated once by a caller that truncates many.
    """
    text = unicodedata.normalize("NFC", text)
    if len(text) <= length:
        return text
    if truncate is None:
        truncate = _truncation()
    if text.isascii():  # no combining character: as Truncator.chars, without looking at each one
        return add_truncation_text(text[: calculate_truncate_chars_length(length, truncate)], truncate)
    return Truncator(text).chars(length, truncate=truncate)


def _truncation():
    """The text ``truncatechars`` ends a truncated text with (``django.utils.text.add_truncation_text``'s), translated."""
    return pgettext("String to return when truncating text", "%(truncated_text)s…")


@login_required
def review_queue(request):
    """Lead a point of contact (or an administrator) to the one review queue, ``/review/``; refuse anyone else.

    Kept so that links to ``/work/reviews/`` still work; the queue itself, with the approve and
    return forms, is ``commitments.progress_views.review_queue``.
    """
    user = request.user
    if not (permissions.is_administrator(user) or permissions.member_ids_with_role(user, Role.Kind.POINT_OF_CONTACT)):
        raise PermissionDenied
    return redirect("commitments:review")
