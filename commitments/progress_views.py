"""Progress workflow pages: progress entry, evidence, the review queue, status reports.

For coordinators and the point of contact (moved here from ``views.py``, whose public pages of plans
and commitments they sit beside in ``commitments/urls.py``). Each change is one function of
``commitments.progress``.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ogp_portal.cache import derived_in_process
from ogp_portal.compiled import compiled, ids_text, one_or_404
from ogp_portal.compiled import day as sql_day
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.formats import formatted_day
from ogp_portal.permissions import evidence_visible_to, is_administrator, member_ids_with_role, reviewable_by, visible_to
from ogp_portal.translated import translated_columns

from . import progress, services
from .models import ActionPlan, Completion, Evidence, Milestone, ProgressUpdate, StatusReport
from .progress_rows import (
    REVIEW_COLUMNS,
    kept_form_fields,
    period_options,
    progress_heading,
    progress_panel,
    review_articles,
    review_evidence,
    ReviewedUpdate,
    ReviewEvidence,
    status_report_rows,
)

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


def _milestone_query(pk, identifier):
    # Not the lead agency's row: the rules read its id, the page shows nothing of it (issue #20).
    return Milestone.objects.select_related("commitment__plan__member").filter(pk=pk, commitment__identifier=identifier).order_by()


# What the form's page (GET) reads of the milestone, its commitment, plan and member: the rules (the lead agency's
# and the member's ids), the reporting periods (the plan's dates, the member's kind), the heading and breadcrumb.
# Not their texts in every language (~5 KB a row, a converter per column: most of the page's query; issue #20).
_MILESTONE_SHOWN = (
    "number", "deliverable", "commitment__identifier", "commitment__lead_agency_id", "commitment__plan__start_date",
    "commitment__plan__end_date", "commitment__plan__member__kind",
)


def _milestone_shown_query(pk, identifier):
    return _milestone_query(pk, identifier).only(*_MILESTONE_SHOWN)


def _milestone_for(request, identifier, pk):
    """Return the milestone if the user may enter its progress; 404 otherwise (no hint that it exists for others)."""
    # Its query compiled once per process (``ogp_portal.compiled``; issue #20): building it cost more than running it.
    # A save (POST) reads the whole rows, which the services write from.
    build = _milestone_query if request.method == "POST" else _milestone_shown_query
    milestone = one_or_404(compiled(("progress-milestone", build is _milestone_query), build, pk=pk, identifier=identifier))
    if not request.user.has_perm("commitments.enter_progress", milestone):
        raise Http404
    return milestone


def _update_policies(member):
    """The member's policy versions (``progress.update_policies``), kept in this process under the generation:
    every visit of a staff page read them again (one query; issue #20), and only an unscoped change alters them."""
    return derived_in_process(("update-policies", member.pk, member.kind), lambda: progress.update_policies(member))


class _KeptWidgetField(forms.BoundField):
    """A field of the unbound progress form whose widget's HTML is kept per process (issue #20).

    An unbound form's widget is a function of the field, its value and the language (the choices' labels)
    alone: the completion select, the "as of" day, the empty link and file inputs and the version recur
    across people and requests, and Django's widget templates cost about a millisecond a form. So does a new
    update's empty narrative; a narrative with a person's text and every bound form (typed values, errors)
    are rendered as Django does.
    """

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if self.form.is_bound or widget is not None or attrs or only_initial:
            return super().as_widget(widget, attrs, only_initial)
        value = self.value()
        if self.name not in _KEPT_WIDGETS and (self.name not in _KEPT_WHEN_EMPTY or value not in (None, "")):
            return super().as_widget(widget, attrs, only_initial)
        key = (get_language(), self.name, value)
        try:
            return _kept_widgets[key]
        except (KeyError, TypeError):  # (a value that cannot be a key: rendered, not kept)
            pass
        html = super().as_widget(widget, attrs, only_initial)
        if len(_kept_widgets) >= 1024:
            _kept_widgets.clear()
        try:
            _kept_widgets[key] = html
        except TypeError:
            pass
        return html


# The progress form's fields whose widget is kept (``_KeptWidgetField``): not the narrative, a person's text, ...
_KEPT_WIDGETS = frozenset({"completion", "as_of", "evidence_url", "evidence_file", "version"})
# ... and those kept only when empty (a new update's narrative: the same for everybody; a person's text is not kept).
_KEPT_WHEN_EMPTY = frozenset({"narrative"})
_kept_widgets: dict = {}


class ProgressForm(forms.Form):
    bound_field_class = _KeptWidgetField
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


def _update_evidence(update):
    return Evidence.objects.filter(update=update).order_by("created_at", "pk")


def _progress_context(request, milestone, period, periods, update, form, errors=()):
    # The model's order for one update, without its joins up to the member; compiled once per process (issue #20).
    evidence = list(compiled("progress-evidence", _update_evidence, update=update.pk)) if update and update.pk else []
    return {
        # Written in Python when the template shows them (issue #20): the form's fields once its errors are in.
        "period_options": lambda: period_options(periods, period),
        "form_fields": lambda: kept_form_fields(form, settings.EVIDENCE_MAX_BYTES),
        "milestone": milestone,
        "commitment": milestone.commitment,
        "heading": progress_heading(milestone, milestone.commitment),
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
    if not context.get("conflict"):  # the panel written in Python (issue #20); a conflict's by the template
        context["panel_html"] = progress_panel(request, context)
    if request.htmx:
        template += "#panel"
    return render(request, template, context, status=status)


_UNREAD = object()


def _progress_initial(milestone, period, update, today, earlier=_UNREAD):
    """Return the form's starting values: the update's own, else sensible defaults for a new one.

    A new update starts from the milestone's completion before this period (so that only a change
    needs a click; ``earlier``, the latest earlier update, when the caller has read it) and "as of"
    the last day of the period that has passed (today while the period runs, its last day once it
    has ended).
    """
    if update:
        return {"version": update.version, "completion": update.completion, "narrative": update.narrative, "as_of": update.as_of}
    if earlier is not _UNREAD:
        completion = (earlier.completion if earlier else "") or Completion.NOT_STARTED
    else:
        probe = ProgressUpdate(milestone=milestone, period_start=period.start, period_end=period.end)
        completion = progress.previous_completion(probe)
    return {"version": 0, "completion": completion, "as_of": min(today, period.end)}


def _update_and_earlier_query(milestone, start, end):
    return (
        ProgressUpdate.objects.filter(milestone=milestone)
        .filter(Q(period_start=sql_day(start), period_end=sql_day(end)) | Q(period_end__lt=sql_day(start)))
        .order_by("-period_end")[:2]
    )


def _update_and_earlier(milestone, period):
    """Return (the milestone's update for ``period`` or None, its latest update before the period or None), in one query.

    The earlier one is what ``progress.previous_completion`` reads (the latest ending before the
    period starts); the period's own update ends after every earlier one, so it comes first.
    Compiled once per process (``ogp_portal.compiled``), the days as parameters.
    """
    rows = list(
        compiled(
            "progress-update-and-earlier", _update_and_earlier_query,
            milestone=milestone.pk, start=period.start.isoformat(), end=period.end.isoformat(),
        )
    )
    if rows and rows[0].period_start == period.start and rows[0].period_end == period.end:
        return rows[0], (rows[1] if len(rows) > 1 else None)
    return None, (rows[0] if rows else None)


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
    periods = progress.reporting_periods(plan, today, _update_policies(plan.member) if plan.start_date else ())
    if not periods:
        raise Http404
    label = request.POST.get("period") or request.GET.get("period") or periods[0].label  # periods[0]: current_period
    # The plan's period of that label (``progress.find_period``, read from the periods just computed), else the current one.
    period = next((p for p in periods if p.label == label), periods[0])
    update, earlier = _update_and_earlier(milestone, period)
    if request.method != "POST":
        form = ProgressForm(initial=_progress_initial(milestone, period, update, today, earlier))
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
    # Each update as a plain row (``ReviewedUpdate``) with only what its article prints: not the update,
    # milestone, commitment and author as model instances (their deferred columns' bookkeeping and the
    # instances were most of the page's time; issue #20). The deliverable in the language shown.
    deliverable = translated_columns(Milestone, "deliverable")
    user = request.user
    # Both queries compiled once per process (``ogp_portal.compiled``; issue #20: building them through the ORM cost
    # more than running them). The review scope's SQL depends on whether the reader is an administrator and on the
    # members they are the point of contact of (``permissions.reviewable_by``): both in the shape's name.
    scope = (is_administrator(user), tuple(sorted(member_ids_with_role(user, "point_of_contact"))), tuple(deliverable.columns))
    rows = compiled_rows(
        ("review-queue", scope),
        lambda: reviewable_by(user, ProgressUpdate.objects.all()).order_by("submitted_at", "pk").values_list(
            *REVIEW_COLUMNS, *(f"milestone__{name}" for name in deliverable.columns)
        ),
    )
    updates = [ReviewedUpdate(row[: len(REVIEW_COLUMNS)], deliverable(row[len(REVIEW_COLUMNS):])) for row in rows]
    if not user.has_perm("commitments.review_progress", None) and not updates:
        raise Http404
    # Each update's evidence in the model's order (Meta orders by update first, which joined every row up to
    # its member for the sort), one query grouped here: ``update.evidence_items`` (the prefetch machinery's
    # queryset per update cost more than the rows; issue #20), each as what the article prints of it.
    evidence: dict = {}
    if updates:
        for update_id, *item in compiled_rows("review-evidence", review_evidence, updates=ids_text(u.pk for u in updates)):
            evidence.setdefault(update_id, []).append(ReviewEvidence(*item))
    # What each article prints, computed once here rather than by a translation tag or a display method per
    # update in the template (issue #20): the same text.
    completions = {value: str(label) for value, label in Completion.choices}
    milestone = _("milestone %(number)s")
    days: dict = {}  # the same periods recur: each day formatted once

    def day(value):
        if value not in days:
            days[value] = formatted_day(value, "DATE_FORMAT") if value else ""
        return days[value]

    for update in updates:
        update.evidence_items = update.evidence.items = evidence.get(update.pk, [])
        update.completion_label = completions.get(update.completion, update.completion)
        update.milestone_label = milestone % {"number": update.milestone.number}
        update.period_text = f"{day(update.period_start)} – {day(update.period_end)}"
        update.as_of_text = day(update.as_of) or "—"
    context = {"updates": updates, "articles": review_articles(updates, get_token(request))}
    return render(request, "commitments/review_queue.html", context)


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


def _status_reports_plan(pk):
    return ActionPlan.objects.select_related("member").filter(pk=pk).order_by()


# What the page (GET) reads of the plan and its member: the title, the dates of its periods, the breadcrumb, the
# rules and policies (the member's id and kind). Not their texts in every language (issue #20).
_STATUS_PLAN_SHOWN = ("title", "start_date", "end_date", "member__name", "member__code", "member__kind")


def _status_reports_plan_shown(pk):
    return _status_reports_plan(pk).only(*_STATUS_PLAN_SHOWN)


def _status_reports_of(user, plan):
    """The plan's status reports ``user`` may see (``visible_to``), in a query compiled once per process and reader's scope."""
    # The SQL of ``visible_to`` for status reports depends on whether the reader is an administrator and on the members
    # they are the point of contact of (``permissions._status_report_visible_to``): both in the shape's name. Not in
    # the model's order (by member, which joined the member's own order): the page takes them by period.
    scope = (is_administrator(user), tuple(sorted(member_ids_with_role(user, "point_of_contact"))))
    return compiled(
        ("status-reports", scope),
        lambda plan: visible_to(user, StatusReport.objects.filter(plan=plan)).order_by(),
        plan=plan.pk,
    )


def status_reports(request, pk):
    """List a plan's reporting periods with their status reports; the point of contact opens one here."""
    # Its queries compiled once per process (``ogp_portal.compiled``), the policies kept (issue #20).
    # A POST (a report prepared) reads the whole rows, which the service writes from.
    build = _status_reports_plan if request.method == "POST" else _status_reports_plan_shown
    plan = one_or_404(compiled(("status-reports-plan", build is _status_reports_plan), build, pk=pk))
    can_publish = request.user.has_perm("commitments.publish_status_report", plan)
    reports = {r.period_start: r for r in _status_reports_of(request.user, plan)}
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
    policies = _update_policies(plan.member) if plan.start_date else ()
    for period in progress.reporting_periods(plan, timezone.localdate(), policies):
        report = reports.get(period.start)
        if report and (report.is_published or can_publish):
            periods.append((period, report))
        elif can_publish:
            periods.append((period, None))
    rows = status_report_rows(periods, can_publish, get_token(request) if can_publish else "")
    return render(request, "commitments/status_reports.html", {"plan": plan, "rows": rows, "can_publish": can_publish})


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
