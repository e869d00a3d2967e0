"""Public, read-only pages: members, action plans and commitments.

Each view loads its page in a small, fixed number of queries (asserted in
``tests/commitments/test_views.py``), whatever the number of rows shown.
"""

import hashlib
from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, F, Func, OuterRef, Prefetch, Q, Subquery, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_POST

from compliance.models import Deadline, MemberStatus
from compliance.presentation import members_with_standing
from ogp_portal.cache import MAX_QUERY, derived, fragment
from ogp_portal.permissions import evidence_visible_to, published_updates, reviewable_by, visible_to

from . import exports, progress, services, timeline
from .marks import contested_commitments_q  # engagement's rule, registered at start-up
from .filters import NO_UPDATE, CommitmentFilterSet, overdue_milestones_q, search_languages
from .models import (
    ActionPlan,
    Commitment,
    Completion,
    Evidence,
    Member,
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


def _members(today):
    # The stored standing (compliance.MemberStanding, written by the sweep): status, open findings, plan due.
    return members_with_standing(Member.objects.all(), today)


def _plan_figures():
    """Annotations of a plan: its commitments, how many are complete, how many contested (a dispute awaits a response).

    Each is a correlated ``SELECT COUNT(*)`` in the plans' own query (no GROUP BY, no extra query).
    """
    mine = Commitment.objects.filter(plan=OuterRef("pk")).order_by()

    def count(qs):
        return Coalesce(Subquery(qs.annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1]), Value(0))

    return {
        "commitment_total": count(mine),
        "complete_total": count(mine.filter(completion=Completion.COMPLETE)),
        "contested_total": count(mine.filter(contested_commitments_q())),
    }


def _label_status(members, current_plans, today):
    for member in members:
        member.status_label = MemberStatus(member.status).label
        member.current_plan = current_plans.get(member.pk)


# The home page lists members a page at a time (issue #12: 3,000 members at scale 10).
MEMBERS_PER_PAGE = 25
HOME_VIEWS = ("all", "local")


def member_list(request):
    """Render the home page: headline figures, then the members, a page at a time, with status and current plan.

    ``?view=all`` (the default): national members first, each with its OGP Local members nested
    under it, then the OGP Local members whose national member is not on the portal.
    ``?view=local``: the OGP Local members alone. ``?page=N`` pages through either; every state
    is a shareable URL. Statuses are the ones the compliance sweep stored; nothing here
    evaluates the rules. The page runs the same queries whatever the number of members.
    """
    today = timezone.localdate()
    # The content is the same for every visitor: rendered once per query, day and language and shared
    # by anonymous and signed-in visitors until the next change (issue #20). A query string longer
    # than the page cache keeps is rendered, not kept (a bounded key space).
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    render_content = lambda: _home_content(request, today)  # noqa: E731
    if len(query) > MAX_QUERY:
        content = render_content()
    else:
        digest = hashlib.sha256(query.encode()).hexdigest()[:32]
        content = fragment(f"home:{digest}:{today.isoformat()}", render_content)
    return render(request, "commitments/member_list.html", {"home_content": content})


def _home_content(request, today) -> str:
    """Render the home page's content: headline figures, next deadlines, the page of members."""
    view = request.GET.get("view", "all")
    if view not in HOME_VIEWS:
        view = "all"
    counts = Member.objects.aggregate(
        all=Count("pk"),
        local=Count("pk", filter=Q(kind=Member.Kind.LOCAL)),
        top=Count("pk", filter=Q(parent__isnull=True)),
    )
    if view == "local":
        members = _members(today).filter(kind=Member.Kind.LOCAL).select_related("parent").order_by("name", "pk")
        total = counts["local"]
    else:
        # Top-level members: national members, then local members without one, each by name.
        members = (
            _members(today)
            .filter(parent__isnull=True)
            .prefetch_related(Prefetch("local_members", queryset=_members(today).order_by("name", "pk")))
            .order_by(Case(When(kind=Member.Kind.NATIONAL, then=Value(0)), default=Value(1)), "name", "pk")
        )
        total = counts["top"]
    paginator = Paginator(members, MEMBERS_PER_PAGE)
    paginator.count = total  # known from the aggregate above: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    nested = [local for member in shown if view == "all" for local in member.local_members.all()]
    rows = [*shown, *nested]
    # The current plan of each member shown: its latest by start (or submission), in one query.
    current_plans = {}
    plans = (
        ActionPlan.objects.filter(member__in=[m.pk for m in rows])
        .only("member_id", "start_date", "submitted_on", "title", *(f"title_{code}" for code in settings.MODELTRANSLATION_LANGUAGES))
        .annotate(**_plan_figures())  # each plan's commitments, complete and contested: in the same query
    )
    for plan in plans.order_by(
        "member_id", "-start_date", "-submitted_on", "-pk"
    ):
        current_plans.setdefault(plan.member_id, plan)
    _label_status(rows, current_plans, today)
    figures = derived(f"home-figures-2:{today.isoformat()}", lambda: _headline_figures(today))
    commitments_chart = timeline.tally_chart(_("Commitments by completion"), _("commitments"), figures["completions"])
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "view": view,
        "page": page,
        "members": shown,
        "member_counts": counts,
        "query": params.urlencode(),
        "chart": commitments_chart,
        "overdue_milestones": figures["overdue"],
        "contested_commitments": figures["contested"],
        "next_deadlines": Deadline.objects.filter(met_on__isnull=True, due_on__gte=today)
        .select_related("member")
        .order_by("due_on", "member__name")[:5],
        "today": today,
    }
    return render_to_string("commitments/_home.html", context, request=request)


def _headline_figures(today):
    """Return the commitments by stored roll-up and the number of overdue milestones, portal-wide.

    Both scan whole tables (about 4 s at scale 10), so the home page keeps them in the cache per
    day and generation (``ogp_portal.cache.derived``): publishing an update replaces them.
    """
    # One scan: the commitments by roll-up, and how many of each are contested (a dispute awaits a response).
    rows = list(
        Commitment.objects.order_by("completion")
        .values_list("completion")
        .annotate(n=Count("pk"), contested=Count("pk", filter=contested_commitments_q()))
    )
    return {
        "completions": Counter({(value or NO_UPDATE): n for value, n, _contested in rows}),
        "overdue": Milestone.objects.filter(overdue_milestones_q(today)).count(),
        "contested": sum(contested for _value, _n, contested in rows),
    }


def member_detail(request, code):
    """Render one member: its compliance status (as stored), action plans, forums and OGP Local members."""
    member = get_object_or_404(
        members_with_standing(Member.objects.select_related("parent"), timezone.localdate()).prefetch_related(
            Prefetch(
                "plans",
                queryset=ActionPlan.objects.annotate(commitment_count=Count("commitments")).order_by("-start_date"),
            ),
            "forums",
            Prefetch("local_members", queryset=Member.objects.order_by("name")),
        ),
        code=code,
    )
    member.status_label = MemberStatus(member.status).label
    return render(request, "commitments/member_detail.html", {"member": member})


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
    commitments = list(
        Commitment.objects.filter(plan=plan)
        .select_related("lead_agency")
        .annotate(contested=contested_commitments_q())
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.prefetch_related(_published_updates_prefetch())))
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
    members = field.queryset.values_list("code", "name_en", own) if own != "name_en" else (
        (code, name, name) for code, name in field.queryset.values_list("code", "name_en")
    )
    field.widget.choices = [("", field.empty_label), *((code, name or english) for code, english, name in members)]
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
    """A paginator that counts at most ``COUNT_LIMIT`` rows; ``capped`` says there are more."""

    capped = False

    @cached_property
    def count(self):
        counted = self.object_list.order_by().values("pk")[: COUNT_LIMIT + 1].count()
        if counted > COUNT_LIMIT:
            self.capped = True
            return COUNT_LIMIT
        return counted


def commitment_list(request):
    """Render the commitments, filtered, searched, sorted and paginated: every state is a GET URL."""
    filterset = CommitmentFilterSet(
        request.GET,
        queryset=Commitment.objects.select_related("plan__member", "lead_agency"),
        today=timezone.localdate(),
    )
    page = BoundedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "choose_member_first": _scope_choices_to_member(filterset.form),
        "page": page,
        "query": params.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "search_note": _search_note(filterset, page),
    }
    # A filter value that does not exist (a stale link): say so, show the rest, answer 400.
    return render(request, "commitments/commitment_list.html", context, status=400 if filterset.errors else 200)


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
    prefetch_related_objects(
        [commitment],
        "activities",
        Prefetch(
            "milestones",
            queryset=Milestone.objects.prefetch_related(
                Prefetch(
                    "progress_updates",
                    queryset=ProgressUpdate.objects.published()
                    .order_by("-period_end", "-published_at")
                    .prefetch_related("evidence"),
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


# =============================================================================
# Progress workflow pages (coordinators and the point of contact)
# =============================================================================
#
# Every form posts normally and works with JavaScript off (post, then redirect); with htmx the
# same view returns just the panel it changed. Bad input answers 400 with the form as typed,
# a stale version 409 with what the other person changed; nothing saved is ever lost.


def _login_required(view):
    return login_required(view)


def _now():
    return timezone.now()


def _status_for(error):
    return 409 if isinstance(error, services.StaleVersion) else 400


def _errors(error):
    """Return a flat list of messages from a ValidationError or StaleVersion."""
    if isinstance(error, services.StaleVersion):
        return [error.message]
    if hasattr(error, "message_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _milestone_for(request, identifier, pk):
    """Return the milestone if the user may enter its progress; 404 otherwise (no hint that it exists for others)."""
    milestone = get_object_or_404(
        Milestone.objects.select_related("commitment__plan__member", "commitment__lead_agency"),
        pk=pk,
        commitment__identifier=identifier,
    )
    if not request.user.has_perm("commitments.enter_progress", milestone):
        raise Http404
    return milestone


class ProgressForm(forms.Form):
    completion = forms.ChoiceField(label=gettext_lazy("Completion"), choices=Completion.choices)
    # A date input takes ISO dates whatever the page's language (Russian's own format would leave it empty).
    as_of = forms.DateField(
        label=gettext_lazy("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    narrative = forms.CharField(label=gettext_lazy("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    evidence_url = forms.URLField(
        label=gettext_lazy("Add a link to evidence"), required=False, assume_scheme="https", max_length=1000
    )
    evidence_file = forms.FileField(
        label=gettext_lazy("Add a file as evidence"),
        required=False,
        help_text=gettext_lazy("PDF, image, office document or plain text."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _progress_context(request, milestone, period, periods, update, form, errors=()):
    evidence = list(update.evidence.all()) if update and update.pk else []
    return {
        "milestone": milestone,
        "commitment": milestone.commitment,
        "period": period,
        "periods": periods,
        "update": update,
        "evidence": evidence,
        "form": form,
        "errors": errors,
        "max_bytes": settings.EVIDENCE_MAX_BYTES,
        "history": services.history_entries(update) if update and update.pk else [],
    }


def _render_progress(request, context, status=200):
    template = "commitments/progress_entry.html"
    if request.htmx:
        template += "#panel"
    return render(request, template, context, status=status)


def _progress_initial(milestone, period, update, today):
    """Return the form's starting values: the update's own, else sensible defaults for a new one.

    A new update starts from the milestone's completion before this period (so that only a change
    needs a click) and "as of" the last day of the period that has passed (today while the period
    runs, its last day once it has ended).
    """
    if update:
        return {"version": update.version, "completion": update.completion, "narrative": update.narrative, "as_of": update.as_of}
    probe = ProgressUpdate(milestone=milestone, period_start=period.start, period_end=period.end)
    return {"version": 0, "completion": progress.previous_completion(probe), "as_of": min(today, period.end)}


def _refused(form, error):
    """Put a refusal's field messages on ``form`` (shown at the field); return the other messages, for the top."""
    if isinstance(error, services.StaleVersion) or not hasattr(error, "message_dict"):
        return _errors(error)
    rest = []
    for field, messages_ in error.message_dict.items():
        if field in form.fields and form.is_bound:
            for message in messages_:
                form.add_error(field, message)
        else:
            rest.extend(messages_)
    return rest


@_login_required
def progress_entry(request, identifier, pk):
    """Enter a milestone's progress for one reporting period: save a draft, add evidence, submit for review.

    Without ``?period=`` the form opens on the plan's current period (``progress.current_period``,
    the same one "My work" shows). A save based on an old version answers 409 with the other
    person's version beside what this user typed, and carries the new version, so saving again
    succeeds (and overwrites theirs knowingly).
    """
    milestone = _milestone_for(request, identifier, pk)
    plan = milestone.commitment.plan
    today = timezone.localdate()
    periods = progress.reporting_periods(plan, today)
    if not periods:
        raise Http404
    label = request.POST.get("period") or request.GET.get("period") or periods[0].label  # periods[0]: current_period
    try:
        period = progress.find_period(plan, label, today)
    except ValidationError:
        period = periods[0]
    update = ProgressUpdate.objects.filter(milestone=milestone, period_start=period.start, period_end=period.end).first()
    if request.method != "POST":
        form = ProgressForm(initial=_progress_initial(milestone, period, update, today))
        return _render_progress(request, _progress_context(request, milestone, period, periods, update, form))

    form = ProgressForm(request.POST, request.FILES)
    action = request.POST.get("action", "save")
    if not form.is_valid():
        context = _progress_context(request, milestone, period, periods, update, form)
        return _render_progress(request, context, status=400)
    data = form.cleaned_data
    version = data.get("version") or 0
    now = _now()
    try:
        upload = data.get("evidence_file")
        if upload is not None:
            # Checked before anything is written, so a refused file leaves no trace.
            progress.check_evidence_file(upload)
        with transaction.atomic():
            update = progress.save_progress(milestone, period, by=request.user, data=data, version=version, now=now)
            if data.get("evidence_url"):
                progress.add_evidence_link(update, data["evidence_url"], by=request.user)
            if upload is not None:
                progress.add_evidence_file(update, upload, by=request.user)
            if action == "submit":
                update = progress.submit_progress(update, by=request.user, version=update.version, now=now)
    except (ValidationError, services.StaleVersion) as error:
        current = ProgressUpdate.objects.filter(milestone=milestone, period_start=period.start, period_end=period.end).first()
        conflict = None
        if isinstance(error, services.StaleVersion):
            # What this person typed stays; the form now names the version they have seen, so the
            # next save is based on it (no dead end). A chosen file cannot be kept by the browser.
            typed = request.POST.copy()
            typed["version"] = current.version if current else 0
            form = ProgressForm(typed)
            form.is_valid()
            conflict = {"theirs": current, "changes": error.changes, "had_file": upload is not None}
            errors = _errors(error) if error.changes else []
            errors.append(_("Their version is shown beside yours, which is kept below: change yours if needed and save again."))
        else:
            errors = _refused(form, error)
        context = _progress_context(request, milestone, period, periods, current, form, errors=errors)
        context["conflict"] = conflict
        return _render_progress(request, context, status=_status_for(error))
    if action == "submit":
        messages.success(request, _("Submitted for review. The point of contact will approve it or return it to you."))
    else:
        messages.success(request, _("Draft saved."))
    url = reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk]) + f"?period={period.label}"
    if request.htmx:
        fresh = ProgressForm(initial=_progress_initial(milestone, period, update, today))
        return _render_progress(request, _progress_context(request, milestone, period, periods, update, fresh))
    return redirect(url)


@_login_required
@require_POST
def evidence_remove(request, pk):
    """Remove a piece of evidence from an editable update."""
    evidence = get_object_or_404(evidence_visible_to(request.user, Evidence.objects.select_related("update__milestone__commitment")), pk=pk)
    update = evidence.update
    try:
        progress.remove_evidence(evidence, by=request.user)
    except ValidationError as error:
        return HttpResponse("; ".join(_errors(error)), status=400, content_type="text/plain; charset=utf-8")
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Evidence removed."))
    period = progress.period_label_of(update)
    milestone = update.milestone
    return redirect(reverse("commitments:progress", args=[milestone.commitment.identifier, milestone.pk]) + f"?period={period}")


def evidence_download(request, pk):
    """Send an evidence file: to everyone once its update is approved, before that only to those who may see the update."""
    evidence = get_object_or_404(
        evidence_visible_to(request.user, Evidence.objects.filter(kind=Evidence.Kind.FILE)), pk=pk
    )
    response = FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    if evidence.update.state != ProgressUpdate.State.PUBLISHED:
        response["Cache-Control"] = "private, no-store"
    return response


@_login_required
def review_queue(request):
    """List the updates waiting for the point of contact's review, with approve and return forms."""
    updates = reviewable_by(
        request.user,
        ProgressUpdate.objects.select_related("milestone__commitment__plan__member", "author")
        .prefetch_related("evidence")
        .order_by("submitted_at", "pk"),
    )
    if not request.user.has_perm("commitments.review_progress", None) and not updates:
        raise Http404
    return render(request, "commitments/review_queue.html", {"updates": updates})


@_login_required
@require_POST
def review_progress(request, pk):
    """Approve or return one submitted update (the point of contact)."""
    # Any state: a review posted after someone else's answers with what they changed (StaleVersion).
    update = get_object_or_404(
        reviewable_by(request.user, ProgressUpdate.objects.select_related("milestone__commitment__plan"), pending=False), pk=pk
    )
    action = request.POST.get("action")
    version = _int(request.POST.get("version"))
    comment = request.POST.get("comment", "")
    try:
        if action == "approve":
            progress.approve_progress(update, by=request.user, version=version, now=_now(), comment=comment)
            messages.success(request, _("Update approved: it is now public."))
        elif action == "return":
            progress.return_progress(update, by=request.user, version=version, now=_now(), comment=comment)
            messages.success(request, _("Update returned with your comment."))
        else:
            return HttpResponse(_("Unknown action."), status=400, content_type="text/plain; charset=utf-8")
    except (ValidationError, services.StaleVersion) as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("commitments:review")
    except PermissionDenied:
        raise Http404 from None
    return redirect("commitments:review")


def status_reports(request, pk):
    """List a plan's reporting periods with their status reports; the point of contact opens one here."""
    plan = get_object_or_404(ActionPlan.objects.select_related("member"), pk=pk)
    can_publish = request.user.has_perm("commitments.publish_status_report", plan)
    reports = {r.period_start: r for r in visible_to(request.user, plan.status_reports.all())}
    if request.method == "POST":
        if not can_publish:
            raise Http404
        try:
            period = progress.find_period(plan, request.POST.get("period", ""), timezone.localdate())
        except ValidationError as error:
            messages.error(request, "; ".join(_errors(error)))
            return redirect("commitments:status_reports", pk=plan.pk)
        report = progress.open_status_report(plan, period, by=request.user)
        return redirect(report)
    periods = []
    for period in progress.reporting_periods(plan, timezone.localdate()):
        report = reports.get(period.start)
        if report and (report.is_published or can_publish):
            periods.append((period, report))
        elif can_publish:
            periods.append((period, None))
    return render(request, "commitments/status_reports.html", {"plan": plan, "periods": periods, "can_publish": can_publish})


def status_report_detail(request, pk):
    """Show a status report: published ones to everyone, one in preparation to the point of contact, who publishes it here."""
    report = get_object_or_404(
        visible_to(request.user, StatusReport.objects.select_related("plan", "member", "published_by")), pk=pk
    )
    can_publish = request.user.has_perm("commitments.publish_status_report", report)
    status = 200
    if request.method == "POST":
        if not can_publish:
            raise Http404
        try:
            progress.publish_status_report(report, by=request.user, version=_int(request.POST.get("version")), now=_now())
            messages.success(request, _("Status report published."))
            return redirect(report)
        except (ValidationError, services.StaleVersion) as error:
            for message in _errors(error):
                messages.error(request, message)
            status = _status_for(error)
            report.refresh_from_db()
    lines, missing = progress.report_readiness(report)
    if report.is_published:
        for line in lines:
            line.snapshot = [
                {**m, "completion_label": Completion(m["completion"]).label, "as_of": _date_or_none(m.get("as_of"))}
                for m in line.milestones
            ]
    return render(
        request,
        "commitments/status_report.html",
        {"report": report, "plan": report.plan, "lines": lines, "missing": missing, "can_publish": can_publish},
        status=status,
    )


def _date_or_none(value):
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None


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
