"""Co-creation pages: the public process page, proposals, drafts, the secretariat's and the point of contact's forms,
and the member's document repository with its Atom feed. Every change goes through ``services``."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commitments.models import Member
from forums.models import Meeting
from ogp_portal.permissions import is_administrator, member_ids_with_role
from ogp_portal.versioning import StaleVersion

from . import documents, permissions, services
from .forms import (
    CommentForm,
    DeliveryForm,
    DocumentFilterForm,
    DraftForm,
    ModerationForm,
    OpenProcessForm,
    ProposalForm,
    ResponseForm,
    SubmissionForm,
    StageForm,
)
from .models import STAGE_ORDER, CoCreationProcess, Comment, DraftCommitment, Proposal, Stage, Support


def _today():
    return timezone.localdate()


def _errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def process_list(request):
    processes = CoCreationProcess.objects.select_related("member").order_by("member__name", "-plan_deadline")
    return render(request, "cocreation/process_list.html", {"processes": processes, "today": _today()})


def process_detail(request, pk):
    process = get_object_or_404(CoCreationProcess.objects.select_related("member", "plan"), pk=pk)
    user = request.user
    proposals = (permissions.visible_to(user, process.proposals.all()).select_related("agency", "draft")
                 .prefetch_related("supports"))
    drafts = permissions.visible_to(user, process.drafts.all()).select_related("lead_agency")
    today = _today()
    following = user.is_authenticated and process.followers.filter(user=user).exists()
    return render(request, "cocreation/process_detail.html", {
        "process": process, "member": process.member, "proposals": proposals, "drafts": drafts, "today": today,
        "days_left": process.days_left(today), "days_late": -process.days_left(today), "figures": services.figures(process), "following": following,
        "can_propose": user.has_perm("cocreation.propose", process),
        "can_manage": user.has_perm("cocreation.manage_process", process),
        "can_submit": user.has_perm("cocreation.submit_plan", process),
        "next_stage": _next_stage(process),
        "unanswered": services.unanswered(process).count(),
    })


def _next_stage(process):
    """(value, label) of the stage the secretariat may move the process to, or None (submission is the contact's)."""
    following = STAGE_ORDER[STAGE_ORDER.index(process.stage) + 1] if process.stage != Stage.SUBMITTED else None
    return None if following in (None, Stage.SUBMITTED) else (following.value, following.label)


def _members_opening(user):
    """The members whose next plan's co-creation the user may open (administrators: all)."""
    members = Member.objects.order_by("name")
    if is_administrator(user):
        return members
    return members.filter(pk__in=member_ids_with_role(user, "secretariat", "point_of_contact"))


@login_required
def open_new(request):
    """The point of contact or the forum secretariat opens the co-creation of the member's next plan.

    The deadline comes from the compliance engine (it may be changed) and the stages are counted back from it."""
    members = _members_opening(request.user)
    if not members.exists():
        raise PermissionDenied(_("Only the point of contact or the forum secretariat of a member opens its co-creation."))
    now = timezone.now()
    code = request.POST.get("member") or request.GET.get("member")
    if code is None and members.count() == 1:
        code = members.first().code
    member = members.filter(code=code).first() if code else None
    engine_deadline = services.plan_deadline_for(member, now) if member else None
    form = OpenProcessForm(request.POST or None, members=members,
                           initial={"member": member.code if member else None, "deadline": engine_deadline})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                process = services.open_process(form.cleaned_data["member"], by=request.user, now=now,
                                                deadline=form.cleaned_data["deadline"], title=form.cleaned_data["title"])
                return redirect(process)
            except ValidationError as error:
                _errors(form, error)
        status = 400
    deadline = getattr(form, "cleaned_data", {}).get("deadline") or engine_deadline
    plan = CoCreationProcess(**services.schedule(deadline, _today())).stage_dates() if deadline else None
    existing = member.cocreation_processes.order_by("-plan_deadline") if member else []
    return render(request, "cocreation/open.html", {
        "form": form, "member": member, "engine_deadline": engine_deadline, "schedule": plan, "existing": existing,
    }, status=status)


@login_required
@require_POST
def advance(request, pk):
    """The secretariat moves the process to its next stage (the version read with the page guards against a stale move)."""
    process = get_object_or_404(CoCreationProcess, pk=pk)
    if not request.user.has_perm("cocreation.manage_process", process):
        raise PermissionDenied
    form = StageForm(request.POST)
    back = process.get_absolute_url()
    if not form.is_valid():
        return render(request, "cocreation/refused.html", {
            "messages_": [_("Choose the next stage.")], "back": back}, status=400)
    try:
        services.advance_stage(process, by=request.user, stage=form.cleaned_data["stage"], version=form.cleaned_data["version"])
    except StaleVersion:
        return render(request, "cocreation/refused.html", {
            "messages_": [_("Someone changed this process meanwhile: read it again.")], "back": back}, status=409)
    except ValidationError as error:
        return render(request, "cocreation/refused.html", {"messages_": error.messages, "back": back}, status=400)
    return redirect(process)


def figures_csv(request, pk):
    process = get_object_or_404(CoCreationProcess, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cocreation-{process.member.code}-{process.cycle}.csv"'
    writer = csv.writer(response)
    writer.writerow(["figure", "label", "value"])
    for key, label, value in services.figures(process):
        writer.writerow([key, label, value])
    return response


@login_required
@require_POST
def follow(request, pk):
    process = get_object_or_404(CoCreationProcess, pk=pk)
    services.follow(process, by=request.user, following=request.POST.get("action") != "unfollow")
    return redirect(process)


@login_required
def propose(request, pk):
    process = get_object_or_404(CoCreationProcess.objects.select_related("member"), pk=pk)
    if not request.user.has_perm("cocreation.propose", process):
        raise PermissionDenied(_("Proposals are closed for this plan."))
    form = ProposalForm(request.POST or None, member=process.member)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = services.submit_proposal(process, by=request.user, data=form.cleaned_data, now=timezone.now())
                return redirect(proposal)
            except ValidationError as error:
                _errors(form, error)
        status = 400
    return render(request, "cocreation/proposal_form.html", {"process": process, "form": form}, status=status)


def proposal_detail(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("process__member", "agency", "draft", "decision_meeting"), pk=pk)
    if not permissions.can_see_proposal(request.user, proposal):
        raise Http404
    user = request.user
    today = _today()
    return render(request, "cocreation/proposal_detail.html", {
        "days_left": proposal.process.days_left(today), "days_late": -proposal.process.days_left(today),
        "proposal": proposal, "process": proposal.process, "comments": proposal.comments.select_related("author"),
        "supporters": proposal.supports.count(),
        "supported": user.is_authenticated and Support.objects.filter(proposal=proposal, user=user).exists(),
        "comment_form": CommentForm(), "can_moderate": user.has_perm("cocreation.moderate", proposal),
        "can_participate": user.has_perm("cocreation.participate", proposal) and not proposal.hidden,
    })


@login_required
@require_POST
def support(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    if not permissions.can_see_proposal(request.user, proposal):
        raise Http404
    try:
        services.set_support(proposal, by=request.user, support=request.POST.get("action") != "withdraw", now=timezone.now())
    except ValidationError as error:
        return render(request, "cocreation/refused.html", {"messages_": error.messages, "back": proposal.get_absolute_url()}, status=400)
    return redirect(proposal)


@login_required
@require_POST
def comment(request, kind, pk):
    if kind not in ("proposal", "draft"):
        raise Http404
    model = Proposal if kind == "proposal" else DraftCommitment
    target = get_object_or_404(model, pk=pk)
    scope = permissions.visible_to(request.user, model.objects.filter(pk=pk))
    if not scope.exists():
        raise Http404
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("text", [])))
        services.add_comment(target, by=request.user, text=form.cleaned_data["text"], now=timezone.now())
    except ValidationError as error:
        return render(request, "cocreation/refused.html", {"messages_": error.messages, "back": target.get_absolute_url()}, status=400)
    return redirect(target.get_absolute_url() + "#comments")


@login_required
def moderate(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("process"), pk=pk)
    if not request.user.has_perm("cocreation.moderate", proposal):
        raise PermissionDenied
    form = ModerationForm(request.POST or None, initial={"hide": "show" if proposal.hidden else "hide"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.moderate(proposal, by=request.user, hide=form.cleaned_data["hide"], reason=form.cleaned_data["reason"],
                                  now=timezone.now(), version=request.POST.get("version"))
                return redirect(proposal)
            except (ValidationError, StaleVersion) as error:
                _errors(form, error if isinstance(error, ValidationError) else ValidationError(_("Someone changed this proposal meanwhile: read it again.")))
        status = 400
    return render(request, "cocreation/moderate.html", {"proposal": proposal, "form": form}, status=status)


@login_required
def respond(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("process"), pk=pk)
    if not request.user.has_perm("cocreation.moderate", proposal):
        raise PermissionDenied
    form = ResponseForm(request.POST or None, initial={"outcome": proposal.outcome, "response": proposal.response})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.respond(proposal, by=request.user, text=form.cleaned_data["response"],
                                 outcome=form.cleaned_data["outcome"], now=timezone.now())
                return redirect(proposal)
            except ValidationError as error:
                _errors(form, error)
        status = 400
    return render(request, "cocreation/respond.html", {"proposal": proposal, "form": form}, status=status)


def draft_detail(request, pk):
    draft = get_object_or_404(DraftCommitment.objects.select_related("process__member", "lead_agency"), pk=pk)
    if not permissions.visible_to(request.user, DraftCommitment.objects.filter(pk=pk)).exists():
        raise Http404
    versions = list(draft.versions.all())
    changes, old, new = [], None, None
    if len(versions) > 1:
        numbers = {v.number: v for v in versions}
        try:
            new = numbers.get(int(request.GET.get("to", versions[-1].number)), versions[-1])
            old = numbers.get(int(request.GET.get("from", new.number - 1)), versions[-2])
        except ValueError:
            new, old = versions[-1], versions[-2]
        changes = services.diff(old.content, new.content)
    today = _today()
    return render(request, "cocreation/draft_detail.html", {
        "days_left": draft.process.days_left(today), "days_late": -draft.process.days_left(today), "draft": draft, "process": draft.process, "versions": versions, "changes": changes, "old": old, "new": new,
        "comments": Comment.objects.filter(draft=draft).select_related("author"), "comment_form": CommentForm(),
        "merges": draft.merges.select_related("proposal"),
        "open": draft.state == DraftCommitment.State.OPEN and (draft.comment_closes_on is None or today <= draft.comment_closes_on),
        "can_manage": request.user.has_perm("cocreation.manage_process", draft),
    })


@login_required
def draft_edit(request, pk=None, process_pk=None):
    draft = get_object_or_404(DraftCommitment, pk=pk) if pk else None
    process = draft.process if draft else get_object_or_404(CoCreationProcess, pk=process_pk)
    if not request.user.has_perm("cocreation.manage_process", process):
        raise PermissionDenied
    form = DraftForm(request.POST or None, instance=draft, process=process,
                     initial={"proposals": list(draft.sources.all()) if draft else []})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.DRAFT_FIELDS}
            try:
                now = timezone.now()
                if draft is None:
                    draft = services.create_draft(process, by=request.user, data=data, proposals=form.cleaned_data["proposals"], now=now)
                else:
                    draft = services.update_draft(draft, by=request.user, data=data, version=request.POST.get("version"), now=now,
                                                  note=form.cleaned_data["note"])
                    for proposal in form.cleaned_data["proposals"]:
                        services.merge_proposal(draft, proposal, by=request.user, now=now)
                return redirect(draft)
            except StaleVersion:
                form.add_error(None, _("Someone changed this draft meanwhile: read it again."))
            except ValidationError as error:
                _errors(form, error)
        status = 400
    return render(request, "cocreation/draft_form.html", {"process": process, "draft": draft, "form": form}, status=status)


@login_required
@require_POST
def draft_open(request, pk):
    draft = get_object_or_404(DraftCommitment, pk=pk)
    try:
        services.open_for_comment(draft, by=request.user, now=timezone.now())
    except ValidationError as error:
        return render(request, "cocreation/refused.html", {"messages_": error.messages, "back": draft.get_absolute_url()}, status=400)
    return redirect(draft)


@login_required
def decision(request, pk):
    """The forum's decision at a held meeting: every draft accepted or rejected, every proposal answered."""
    process = get_object_or_404(CoCreationProcess.objects.select_related("member"), pk=pk)
    if not request.user.has_perm("cocreation.manage_process", process):
        raise PermissionDenied
    meetings = Meeting.objects.filter(forum__member=process.member, status=Meeting.Status.HELD).order_by("-starts_at")
    drafts = list(process.drafts.exclude(state__in=["accepted", "rejected"]))
    proposals = list(process.proposals.filter(response_published_at__isnull=True))
    errors = []
    if request.method == "POST":
        post = request.POST
        meeting = meetings.filter(pk=post.get("meeting") or 0).first()
        draft_ids = {d.pk: d for d in process.drafts.all()}
        try:
            if meeting is None:
                raise ValidationError(_("Choose the meeting at which the forum decided."))
            draft_choices = {d: (post.get(f"draft-{d.pk}") == "accept", post.get(f"draft-{d.pk}-reason", ""))
                             for d in drafts if post.get(f"draft-{d.pk}") in ("accept", "reject")}
            proposal_choices = {}
            for p in proposals:
                outcome = post.get(f"proposal-{p.pk}")
                if not outcome:
                    continue
                merged_into = draft_ids.get(int(post.get(f"proposal-{p.pk}-draft") or 0))
                proposal_choices[p] = (outcome, merged_into, post.get(f"proposal-{p.pk}-response", ""))
            services.record_decision(process, by=request.user, meeting=meeting, drafts=draft_choices,
                                     proposals=proposal_choices, now=timezone.now())
            return redirect(process.get_absolute_url() + "#responses")
        except ValidationError as error:
            errors = error.messages
        except ValueError:
            errors = [_("Choose a draft from the list.")]
    return render(request, "cocreation/decision.html", {
        "process": process, "meetings": meetings, "drafts": drafts, "proposals": proposals, "errors": errors,
        "all_drafts": process.drafts.all(), "outcomes": [c for c in Proposal.Outcome.choices if c[0] != "pending"],
    }, status=400 if errors else 200)


@login_required
def deliver(request, pk):
    """The point of contact makes the plan from the accepted drafts, then marks it submitted to OGP."""
    process = get_object_or_404(CoCreationProcess.objects.select_related("member", "plan"), pk=pk)
    if not request.user.has_perm("cocreation.submit_plan", process):
        raise PermissionDenied
    build = DeliveryForm(request.POST if request.POST.get("step") == "build" else None,
                         initial={"title": process.title})
    submit = SubmissionForm(request.POST if request.POST.get("step") == "submit" else None, initial={"submitted_on": _today()})
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("step") == "build" and build.is_valid():
                services.build_plan(process, by=request.user, **build.cleaned_data)
                return redirect("cocreation:deliver", process.pk)
            if request.POST.get("step") == "submit" and submit.is_valid():
                services.mark_submitted(process, by=request.user, submitted_on=submit.cleaned_data["submitted_on"], now=timezone.now())
                return redirect(process)
        except ValidationError as error:
            _errors(build if request.POST.get("step") == "build" else submit, error)
        status = 400
    return render(request, "cocreation/deliver.html", {
        "process": process, "build": build, "submit": submit, "unanswered": services.unanswered(process),
    }, status=status)


# ---------------------------------------------------------------------------
# The member's document repository (MR 2.2)
# ---------------------------------------------------------------------------


def repository(request, code):
    member = get_object_or_404(Member, code=code)
    every = documents.documents_for(member)
    form = DocumentFilterForm(request.GET or None)
    form.fields["kind"].choices = [("", _("All types"))] + [(k, v) for k, v in documents.TYPES.items()]
    form.fields["cycle"].choices = [("", _("All cycles"))] + [(c, c) for c in sorted({d.cycle for d in every if d.cycle})]
    rows = every
    if form.is_valid():
        rows = [d for d in every if (not form.cleaned_data["kind"] or d.type == form.cleaned_data["kind"])
                and (not form.cleaned_data["cycle"] or d.cycle == form.cleaned_data["cycle"])]
    return render(request, "cocreation/repository.html", {
        "member": member, "documents": rows, "form": form, "last_updated": every[0].date if every else None,
        "count": len(every),
    })


class RepositoryFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, code):
        return get_object_or_404(Member, code=code)

    def title(self, obj):
        return _("Documents of %(member)s") % {"member": obj.name}

    def link(self, obj):
        from django.urls import reverse

        return reverse("cocreation:repository", args=[obj.code])

    def items(self, obj):
        return documents.documents_for(obj)[:100]

    def item_title(self, item):
        return f"{item.type_label}: {item.title}"

    def item_description(self, item):
        return f"{item.type_label} · {item.date.isoformat()}" + (f" · {item.cycle}" if item.cycle else "")

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return f"{item.type}:{item.url}:{item.date.isoformat()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        import datetime as dt

        return dt.datetime.combine(item.date, dt.time(12), tzinfo=timezone.get_current_timezone())

    def item_updateddate(self, item):
        return self.item_pubdate(item)
