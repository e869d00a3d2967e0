"""Public, read-only pages: action plans, commitments, their history and open data.

The progress workflow's pages (progress entry, evidence, review, status reports) are in
``progress_views.py``; the home page and a member's page, which show compliance, are the site's
(``ogp_portal/pages.py``).

Each view loads its page in a small, fixed number of queries (asserted in
``tests/commitments/test_views.py``), whatever the number of rows shown.
"""

import hashlib
import re
from html import escape

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import CharField, F, Prefetch, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import get_language

from ogp_portal.cache import derived, fragment
from ogp_portal.permissions import published_updates

from . import exports, services, timeline
from .templatetags.portal import name_of, tr
from .marks import contested_commitments_q  # engagement's rule, registered at start-up
from .filters import NO_UPDATE, CommitmentFilterSet, FastSelect, PlainChoices, search_languages
from .models import (
    ActionPlan,
    Activity,
    Commitment,
    Evidence,
    Milestone,
    ProgressUpdate,
    StatusReport,
    StatusReportLine,
    ROLLUP_RULE,
)


PAGE_SIZE = 25

# Commitment text fields shown in OGP's template order, under their model labels.
TEMPLATE_FIELDS = (
    "problem",
    "description",
    "contribution",
    "relevance",
    "additional_information",
    "expected_results",
)


def _published_updates_prefetch():
    # The plan page reads only an update's level and dates (not its narrative or review text).
    fields = ("milestone_id", "period_end", "published_at", "completion", "state")
    return Prefetch(
        "progress_updates",
        queryset=published_updates(ProgressUpdate.objects.only(*fields)).order_by("-period_end", "-published_at"),
        to_attr="published_updates",
    )


def _plan_state(request, plan, today) -> str:
    """Render the plan page's shared part: headline figures, charts, the milestone timeline, the commitments."""
    # Explicit orders equal to the models' own for one plan or commitment: Meta orders by the parent
    # first, which joins each row up to its member (and, for many rows, hashes every member).
    commitments = list(
        Commitment.objects.filter(plan=plan)
        .select_related("lead_agency")
        .annotate(contested=contested_commitments_q())
        .order_by("number", "identifier")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("id").prefetch_related(_published_updates_prefetch()))
        )
    )
    groups, all_milestones = [], []
    for commitment in commitments:
        milestones = timeline.annotate_milestone_progress(list(commitment.milestones.all()), today)
        timeline.annotate_commitment_progress(commitment, milestones)
        commitment.milestone_count = len(milestones)
        groups.append((commitment, milestones))
        all_milestones.extend(milestones)
    charts = [
        timeline.tally_chart(
            _("Commitments by completion"), _("commitments"), [c.rollup.level or NO_UPDATE for c in commitments]
        ),
        timeline.tally_chart(
            _("Milestones by completion"), _("milestones"), [m.state for m in all_milestones]
        ),
    ]
    context = {
        "plan": plan,
        "commitments": commitments,
        "charts": [c for c in charts if c.total],
        "gantt": timeline.build_gantt(groups, today),
        "milestone_count": len(all_milestones),
        "overdue_count": sum(1 for m in all_milestones if m.overdue),
        "today": today,
    }
    return render_to_string("commitments/_plan_state.html", context, request=request)


def plan_detail(request, pk):
    """Render an action plan, state first: progress charts, the milestone timeline, the commitments, then co-creation."""
    today = timezone.localdate()
    plan = get_object_or_404(ActionPlan.objects.select_related("member").prefetch_related("lead_institutions"), pk=pk)
    reports = plan.status_reports.filter(state=StatusReport.State.PUBLISHED).order_by("-period_start")
    context = {
        "plan": plan,
        "member": plan.member,
        "status_reports": reports,
        "can_publish": request.user.has_perm("commitments.publish_status_report", plan),
        # The same for every visitor: rendered once per plan, day and language, shared by anonymous and
        # signed-in visitors until the next change (issue #20); the follow button and the status
        # reports' link stay outside it.
        "plan_state": fragment(f"plan-state:{plan.pk}:{today.isoformat()}", lambda: _plan_state(request, plan, today)),
    }
    return render(request, "commitments/plan_detail.html", context)


# Filters whose options are the rows of one member: listed once a member is chosen (10,000 plans and
# 22,500 agencies at scale 10 would make every list page megabytes of options).
MEMBER_SCOPED_FILTERS = ("plan", "lead_agency")


def _scope_choices_to_member(form):
    """Offer every member as a light option, and the plan and lead agency options of the chosen member only.

    Returns True when no member is chosen (the template then says to choose one first).

    Validation still accepts any plan or agency (a shared link keeps working); only the options
    rendered change. Without a member, a filter already set keeps its one option (so it shows
    and can be cleared), and an unset one is left out, with a note to choose a member first.
    """
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    member = data.get("member")
    # Every member is an option (3,000 at scale 10): read as (code, name) pairs, not model instances.
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    own = f"name_{language}" if language in settings.MODELTRANSLATION_LANGUAGES else "name_en"
    field = form.fields["member"]

    def options():
        # (code, the name in the visitor's language or else in English), in the filter's order, as the
        # cursor gives them: a plain query (modeltranslation's, and Django's, row iterators cost more
        # than the query here), read from the index member_kind_name alone.
        label = Coalesce(NullIf(own, Value("")), "name_en", output_field=CharField()) if own != "name_en" else F("name_en")
        members = QuerySet(field.queryset.model).order_by(*field.queryset.query.order_by).values_list("code", label)
        sql, params = members.query.sql_with_params()
        with connections[members.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return FastSelect.options_html((("", str(field.empty_label)), *rows))

    # The same for every visitor: the options' HTML kept under the public pages' generation (a member added
    # or renamed replaces it), per language; the selected one is marked when the select is rendered.
    field.widget.choices = PlainChoices(options=derived(f"member-options:{get_language()}", options))
    for name in MEMBER_SCOPED_FILTERS:
        field = form.fields[name]
        current = data.get(name)
        if member is not None:
            rows = list(field.queryset.filter(member=member))
            if current is not None and current not in rows:
                rows.append(current)
        elif current is not None:
            rows = [current]
        else:
            del form.fields[name]
            continue
        field.widget.choices = [("", field.empty_label), *((row.pk, field.label_from_instance(row)) for row in rows)]
    return member is None and any(name not in form.fields for name in MEMBER_SCOPED_FILTERS)


# The commitment list counts at most this many results (40 pages): a broad search or no filter at
# scale 10 would otherwise count 150,000 rows on every render (issue #20).
COUNT_LIMIT = 1000


class BoundedPaginator(Paginator):
    """A paginator that counts at most ``COUNT_LIMIT`` rows; ``capped`` says there are more.

    ``subset``: a queryset of some of the rows, cheaper to test (a search's matches by their own text):
    when it alone has more than ``COUNT_LIMIT`` rows, so has the list, and the list's rows are not
    counted. One query either way: ``CASE WHEN (count of the subset) > limit THEN … ELSE (count of
    the rows) END``, whose second count the database runs only when the first falls short.
    """

    capped = False

    def __init__(self, object_list, per_page, subset=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.subset = subset

    @cached_property
    def count(self):
        rows = self.object_list.order_by().values("pk")[: COUNT_LIMIT + 1]
        if self.subset is None:
            counted = rows.count()
        else:
            subset_sql, subset_params = self.subset.order_by().values("pk")[: COUNT_LIMIT + 1].query.sql_with_params()
            rows_sql, rows_params = rows.query.sql_with_params()
            with connections[rows.db].cursor() as cursor:
                cursor.execute(
                    f"SELECT CASE WHEN (SELECT COUNT(*) FROM ({subset_sql}) subset) > %s THEN %s "
                    f"ELSE (SELECT COUNT(*) FROM ({rows_sql}) counted) END",
                    [*subset_params, COUNT_LIMIT, COUNT_LIMIT + 1, *rows_params],
                )
                counted = cursor.fetchone()[0]
        if counted > COUNT_LIMIT:
            self.capped = True
            return COUNT_LIMIT
        return counted


def _languages_of(*fields):
    return [f"{field}_{code}" for field in fields for code in settings.MODELTRANSLATION_LANGUAGES]


# The columns the list shows (every language: a missing translation falls back to English), not the
# commitments' long texts in three languages (issue #20).
LIST_COLUMNS = (
    "identifier",
    "plan",
    "lead_agency",
    "completion",
    "completion_percent",
    "title",
    *_languages_of("title"),
    "plan__title",
    *_languages_of("plan__title"),
    "plan__member__name",
    *_languages_of("plan__member__name"),
    "lead_agency__name",
    "lead_agency__acronym",
    *_languages_of("lead_agency__name"),
)


def commitment_list(request):
    """Render the commitments, filtered, searched, sorted and paginated: every state is a GET URL."""
    today = timezone.localdate()
    filterset = CommitmentFilterSet(
        request.GET,
        queryset=Commitment.objects.select_related("plan__member", "lead_agency").only(*LIST_COLUMNS),
        today=today,
    )
    filterset.is_valid()  # the filters' values, for the options below and the status (a fragment may skip the rows)
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()

    def results():
        page = BoundedPaginator(filterset.qs, PAGE_SIZE, subset=filterset.search_subset_qs).get_page(request.GET.get("page"))
        context = {"page": page, "query": query, "search_note": _search_note(filterset, page), "rows": _list_rows(page.object_list)}
        return render_to_string("commitments/_commitment_results.html", context)

    # The results (count, rows, pages) are the same for every visitor: kept per filters, page, day and
    # language, shared by anonymous and signed-in visitors until the next change (issue #20).
    state = sorted((key, values) for key, values in request.GET.lists())
    key = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "choose_member_first": _scope_choices_to_member(filterset.form),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "results": fragment(f"commitment-list:{today.isoformat()}:{key}", results),
    }
    # A filter value that does not exist (a stale link): say so, show the rest, answer 400.
    return render(request, "commitments/commitment_list.html", context, status=400 if filterset.errors else 200)


# Characters that reverse() leaves as they are in a path: an argument made only of them is joined as it is.
_PLAIN_ARGUMENT = re.compile(r"[A-Za-z0-9._~-]+")


def _url_of(name):
    """Return a function of one argument giving ``reverse(name, args=[argument])``, reversed once per page.

    The list's rows link to their commitment and plan: one reversal each, not two per row (issue #20).
    An argument with other characters (quoted by reverse()) is reversed as before.
    """
    marker = "9753186420"  # digits: a valid argument of <int:…> and <str:…> alike
    prefix, suffix = reverse(name, args=[marker]).rsplit(marker, 1)

    def url(argument):
        text = str(argument)
        if _PLAIN_ARGUMENT.fullmatch(text):
            return f"{prefix}{text}{suffix}"
        return reverse(name, args=[argument])

    return url


def _list_rows(commitments) -> str:
    """Render the list's rows (``<tr>``), the same markup a template loop gave, in Python (issue #20).

    Per row: the identifier, the title (in the active language, or marked as English) with the
    contested mark, the member and plan, the lead agency, the stored roll-up, the last published
    update and the overdue milestones. The labels (``data-label``, for the stacked layout on small
    screens) and the two URL prefixes are computed once per page.
    """
    label = {
        key: escape(str(text))
        for key, text in (
            ("identifier", _("Identifier")),
            ("title", _("Title")),
            ("plan", _("Action plan")),
            ("agency", _("Lead agency")),
            ("completion", _("Completion")),
            ("latest", _("Last published update")),
            ("overdue", _("Overdue milestones")),
            ("contested", _("Contested")),
            ("no_update", _("No approved update yet")),
        )
    }
    commitment_url, plan_url = _url_of("commitments:commitment"), _url_of("commitments:plan")
    rows = []
    for c in commitments:
        contested = f' <strong class="contested-badge">{label["contested"]}</strong>' if c.contested else ""
        rollup = c.stored_rollup
        completion = f"{escape(str(rollup.get_level_display()))} ({rollup.percent} %)" if rollup.level else label["no_update"]
        latest = date_format(template_localtime(c.latest_update_at), "DATE_FORMAT") if c.latest_update_at else ""
        overdue = f'<span class="overdue-badge">{c.overdue_count}</span>' if c.overdue_count else "0"
        rows.append(
            "      <tr>\n"
            f'        <td data-label="{label["identifier"]}">{escape(c.identifier)}</td>\n'
            f'        <th scope="row" data-label="{label["title"]}"><a href="{escape(commitment_url(c.identifier))}">'
            f'{tr(c, "title")}</a>{contested}</th>\n'
            f'        <td data-label="{label["plan"]}"><a href="{escape(plan_url(c.plan_id))}">{name_of(c.plan.member)}</a>'
            f'<br><small>{tr(c.plan, "title")}</small></td>\n'
            f'        <td data-label="{label["agency"]}">{name_of(c.lead_agency)}</td>\n'
            f'        <td data-label="{label["completion"]}"><span class="completion completion-{escape(c.completion or "none")}">'
            f"{completion}</span></td>\n"
            f'        <td data-label="{label["latest"]}">{escape(latest or "—")}</td>\n'
            f'        <td data-label="{label["overdue"]}">{overdue}</td>\n'
            "      </tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above; tr and name_of escape theirs)


def _search_note(filterset, page) -> str:
    """Say in which languages the results shown matched ("" without a search or a match), for the list's note.

    A Russian or Kyrgyz visitor is told when nothing matched in their language and the results
    come from the English (or another language's) text. Tested on the page shown (at most
    PAGE_SIZE rows, already read), not on every result: word tests per language over all the
    results were most of the searched list's time (issue #20).
    """
    text = filterset.form.cleaned_data.get("q") if filterset.is_valid() else ""
    if not text:
        return ""
    shown = [commitment.pk for commitment in page.object_list]
    if not shown:
        return ""
    languages = search_languages(Commitment.objects.filter(pk__in=shown), text)
    if not languages:
        return ""
    current = get_language()
    languages.sort(key=lambda code: code != current)  # the visitor's own language first
    names = ", ".join(str(translation.get_language_info(code)["name_translated"]) for code in languages)
    if current in languages:
        return _("Matched in: %(languages)s.") % {"languages": names}
    return _("Nothing matched in %(language)s; these results matched the text in: %(languages)s.") % {
        "language": str(translation.get_language_info(current)["name_translated"]),
        "languages": names,
    }


def commitment_detail(request, identifier):
    """Render every field of a commitment, its activities and milestones with their published progress and timeline."""
    today = timezone.localdate()
    commitment = get_object_or_404(
        Commitment.objects.select_related("plan__member", "lead_agency").annotate(contested=contested_commitments_q()),
        identifier=identifier,
    )
    context = {
        "commitment": commitment,
        "plan": commitment.plan,
        "member": commitment.plan.member,
        # The same for every visitor: rendered once per commitment, day and language, shared by anonymous
        # and signed-in visitors until the next change (issue #20). The follow button stays outside it;
        # the links to enter progress, review, respond and hide are slots the page fills per visitor.
        "commitment_state": fragment(
            f"commitment:{commitment.pk}:{today.isoformat()}", lambda: _commitment_state(request, commitment, today)
        ),
    }
    return render(request, "commitments/commitment_detail.html", context)


def _commitment_state(request, commitment, today) -> str:
    """Render the commitment page's shared part: where it stands, its fields, activities and milestones, reports."""
    # Orders equal to the models' own within one commitment (see _plan_state), without the joins up to the member.
    prefetch_related_objects(
        [commitment],
        Prefetch("activities", queryset=Activity.objects.order_by("number")),
        Prefetch(
            "milestones",
            queryset=Milestone.objects.order_by("id").prefetch_related(
                Prefetch(
                    "progress_updates",
                    queryset=ProgressUpdate.objects.published()
                    .order_by("-period_end", "-published_at")
                    .prefetch_related(
                        Prefetch("evidence", queryset=Evidence.objects.order_by("update_id", "created_at", "pk"))
                    ),
                    to_attr="published_updates",
                )
            ),
        ),
    )
    milestones = timeline.annotate_milestone_progress(list(commitment.milestones.all()), today)
    timeline.annotate_commitment_progress(commitment, milestones)
    activities = list(commitment.activities.all())
    for activity in activities:
        activity.milestone_list = [m for m in milestones if m.activity_id == activity.pk]
    sections = [(Commitment._meta.get_field(name).verbose_name, name) for name in TEMPLATE_FIELDS]
    # The roll-up rule, from the same latest approved updates the table shows.
    rollup = commitment.rollup
    report_lines = (
        StatusReportLine.objects.filter(commitment=commitment, report__state=StatusReport.State.PUBLISHED)
        .select_related("report")
        .order_by("-report__period_start")
    )
    context = {
        "commitment": commitment,
        "plan": commitment.plan,
        "member": commitment.plan.member,
        "sections": sections,
        "activities": activities,
        "loose_milestones": [m for m in milestones if m.activity_id is None],
        "rollup": rollup,
        "report_lines": report_lines,
        "gantt": timeline.build_gantt([(commitment, milestones)], today),
        "today": today,
    }
    return render_to_string("commitments/_commitment_state.html", context, request=request)


def commitment_history(request, identifier):
    """Show the commitment's and its milestones' change history as readable diffs, in the visitor's language."""
    commitment = get_object_or_404(Commitment.objects.select_related("plan__member"), identifier=identifier)
    sections = [(commitment.identifier, services.history_entries(commitment))]
    for milestone in commitment.milestones.all():
        entries = services.history_entries(milestone)
        sections.append((_("Milestone %(number)s") % {"number": milestone.number}, entries))
    return render(
        request,
        "commitments/commitment_history.html",
        {"commitment": commitment, "plan": commitment.plan, "member": commitment.plan.member, "sections": sections},
    )
def open_data(request):
    """Render the open-data page: every dataset, its formats, every field and the licence."""
    context = {
        "datasets": [(d, exports.FILTER_HINTS.get(d.slug, "")) for d in exports.DATASETS.values()],
        "ogp_columns": {c.name for c in exports.OGP_COLUMNS},
        "rollup_rule": ROLLUP_RULE,
        "licence_name": exports.LICENCE_NAME,
        "licence_url": exports.LICENCE_URL,
    }
    return render(request, "commitments/open_data.html", context)


def export(request, dataset, fmt):
    """Stream one dataset as CSV or JSON, filtered by the same parameters as the pages (``?member=KG``)."""
    spec = exports.DATASETS.get(dataset)
    if spec is None or fmt not in ("csv", "json"):
        raise Http404(_("No such dataset."))
    rows, errors = spec.rows(request.GET, exports.today())
    if errors:
        message = "\n".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.stream_csv(spec, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{dataset}.csv"'
    else:
        response = StreamingHttpResponse(exports.stream_json(spec, rows), content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response
