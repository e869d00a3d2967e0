"""Every state change of co-creation: one function each; views, the API and the seeding call them.

Each function checks the caller's right (``cocreation.*`` rules in ``permissions.py``), validates,
writes (history by django-simple-history), and posts its notices through the one outbox (``cocreation.notifications``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, Member
from forums.models import Meeting
from ogp import policy
from ogp_portal.cache import public_pages_changed
from ogp_portal.versioning import ANY_VERSION, StaleVersion, claim, current_version

from .models import (
    STAGE_ORDER,
    CoCreationProcess,
    Comment,
    DraftCommitment,
    DraftVersion,
    Merge,
    ProcessFollower,
    Proposal,
    Sector,
    Stage,
    Support,
)
from .notifications import notify_followers, notify_proposer

__all__ = ["StaleVersion"]

# How the stages are dated back from the plan deadline (days before it).
DECISION_DAYS_BEFORE = 30  # the forum decides a month before the deadline, leaving time to submit
DRAFTS_DAYS = 60  # the drafts are discussed for two months before the decision
PROPOSALS_MIN_DAYS = 30  # proposals are open for at least a month


def _require(by, perm, obj):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(gettext("You may not do this."))


def _today(now) -> dt.date:
    return timezone.localtime(now).date() if isinstance(now, dt.datetime) else now


def _claim(model, pk, version, queryset=None):
    """Claim the row for a change based on ``version`` (None: whatever is stored) through the portal's one lock.

    The row comes back locked with its version already advanced (``ogp_portal.versioning.claim``).
    """
    return claim(model, pk, ANY_VERSION if version is None else version, queryset=queryset)


def _bump(obj):
    """Advance the version of a row changed as part of another change (stored and in memory alike)."""
    claim(type(obj), obj.pk, ANY_VERSION, fetch=False)
    obj.version += 1


def _shown(*, process_id) -> None:
    """Mark the public pages showing co-creation out of date once the change commits, scoped to the member.

    The member page lists its processes (title, stage), the compliance member page counts its co-creation
    records (processes, drafts opened for comment, the forum's responses) and the API's co-creation lists show
    proposals, supporters, comments, drafts and responses: all kept for anonymous visitors. The change touches
    only this member's records, so other members' kept parts stay: as for an approval
    (``commitments.progress.members_shown_with``), the member and, as a margin, its parent, in one query.
    """
    row = Member.objects.filter(cocreation_processes=process_id).values_list("pk", "parent_id").first()
    public_pages_changed(members=[pk for pk in row or () if pk is not None])


def _save(obj, by):
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    obj.save()


# ---------------------------------------------------------------------------
# The deadline and the process
# ---------------------------------------------------------------------------


def plan_deadline_for(member: Member, now) -> dt.date | None:
    """The member's next action-plan deadline as the compliance engine gives it on ``now``."""
    from compliance import services as compliance

    evaluation = compliance.evaluate_member(member, now)
    return next((d.due for d in evaluation.next_deadlines if d.kind == "action_plan"), None)


def schedule(deadline: dt.date, opens_on: dt.date) -> dict:
    """The stages' dates counted back from ``deadline`` (proposals open from ``opens_on``).

    The forum decides a month before the deadline, after two months of public discussion of the drafts;
    proposals are open until then. A process opened too late for that shares the days left in the same
    proportions (proposals 40 %, drafts 30 %, decision 15 %, submission the rest).
    """
    decision_by = deadline - dt.timedelta(days=DECISION_DAYS_BEFORE)
    drafts_close_on = decision_by - dt.timedelta(days=1)
    proposals_close_on = drafts_close_on - dt.timedelta(days=DRAFTS_DAYS)
    if proposals_close_on < opens_on + dt.timedelta(days=PROPOSALS_MIN_DAYS):
        total = max((deadline - opens_on).days, 4)
        proposals_close_on = opens_on + dt.timedelta(days=total * 40 // 100)
        drafts_close_on = opens_on + dt.timedelta(days=total * 70 // 100)
        decision_by = opens_on + dt.timedelta(days=total * 85 // 100)
    return {
        "plan_deadline": deadline,
        "proposals_open_on": opens_on,
        "proposals_close_on": proposals_close_on,
        "drafts_close_on": drafts_close_on,
        "decision_by": decision_by,
    }


def open_process(member: Member, *, by, now, deadline: dt.date | None = None, title: str = "",
                 system: bool = False) -> CoCreationProcess:
    """Open the co-creation of ``member``'s next plan, dated back from the engine's plan deadline.

    ``system=True`` (the seeding and commands) skips the permission check.
    """
    if not system:
        _require(by, "cocreation.open_process", member)
    deadline = deadline or plan_deadline_for(member, now)
    if deadline is None:
        raise ValidationError(_("The compliance engine knows no next action-plan deadline for this member."))
    cycle = policy.cycle_label(deadline)
    if CoCreationProcess.objects.filter(member=member, cycle=cycle).exists():
        raise ValidationError(_("A co-creation process for this cycle is already open."))
    process = CoCreationProcess(
        member=member, cycle=cycle,
        title=title or gettext("Co-creation of the %(cycle)s action plan") % {"cycle": cycle},
        **schedule(deadline, _today(now)),
    )
    process.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            _save(process, by)
    except IntegrityError:  # opened by someone else meanwhile (the constraint once per member and cycle)
        raise ValidationError(_("A co-creation process for this cycle is already open.")) from None
    _shown(process_id=process.pk)
    return process


def advance_stage(process: CoCreationProcess, *, by, stage: str, version=None) -> CoCreationProcess:
    """Move the process to a later stage (the secretariat); "submitted" only through :func:`mark_submitted`."""
    _require(by, "cocreation.manage_process", process)
    if stage == Stage.SUBMITTED or stage not in Stage.values:
        raise ValidationError({"stage": _("Choose the next stage; the plan is marked submitted by the point of contact.")})
    with transaction.atomic():
        process = _claim(CoCreationProcess, process.pk, version)
        if STAGE_ORDER.index(stage) <= STAGE_ORDER.index(process.stage):
            raise ValidationError({"stage": _("The process is already at or past this stage.")})
        process.stage = stage
        _save(process, by)
        _shown(process_id=process.pk)
    return process


def follow(process: CoCreationProcess, *, by, following: bool = True) -> bool:
    _require(by, "cocreation.participate", process)
    if following:
        ProcessFollower.objects.get_or_create(process=process, user=by)
    else:
        ProcessFollower.objects.filter(process=process, user=by).delete()
    return following


# ---------------------------------------------------------------------------
# Proposals, support, comments, moderation
# ---------------------------------------------------------------------------


def submit_proposal(process: CoCreationProcess, *, by, data: dict, now) -> Proposal:
    """A confirmed account proposes a commitment while proposals are open."""
    if not (by and by.is_authenticated and by.is_active):
        raise PermissionDenied(gettext("Sign in with a confirmed account to propose."))
    process.refresh_from_db(fields=["stage"])
    if process.stage != Stage.PROPOSALS:
        raise ValidationError(_("Proposals are closed for this plan."))
    agency = data.get("agency")
    if agency is not None and agency.member_id != process.member_id:
        raise ValidationError({"agency": _("Choose an agency of this member.")})
    proposal = Proposal(
        process=process, author=by, title=(data.get("title") or "").strip(), problem=(data.get("problem") or "").strip(),
        proposed_commitment=(data.get("proposed_commitment") or "").strip(), agency=agency,
        agency_text=(data.get("agency_text") or "").strip(), sector=data.get("sector") or "", created_at=now,
    )
    proposal.full_clean()
    _save(proposal, by)
    ProcessFollower.objects.get_or_create(process=process, user=by)
    _shown(process_id=process.pk)
    return proposal


def set_support(proposal: Proposal, *, by, support: bool = True, now) -> bool:
    _require(by, "cocreation.participate", proposal)
    if proposal.hidden:
        raise ValidationError(_("This proposal was hidden by the secretariat."))
    if support:
        Support.objects.get_or_create(proposal=proposal, user=by, defaults={"created_at": now})
    else:
        Support.objects.filter(proposal=proposal, user=by).delete()
    _shown(process_id=proposal.process_id)  # the proposal's count of supporters
    return support


def add_comment(target, *, by, text: str, now) -> Comment:
    """Comment on a proposal, or on a draft while it is open for comment."""
    _require(by, "cocreation.participate", target)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    if isinstance(target, DraftCommitment):
        today = _today(now)
        if target.state != DraftCommitment.State.OPEN or (target.comment_closes_on and today > target.comment_closes_on):
            raise ValidationError(_("This draft is not open for comment."))
        comment = Comment(draft=target, author=by, text=text, created_at=now)
    else:
        if target.hidden:
            raise ValidationError(_("This proposal was hidden by the secretariat."))
        comment = Comment(proposal=target, author=by, text=text, created_at=now)
    comment.full_clean()
    _save(comment, by)
    _shown(process_id=target.process_id)
    return comment


def moderate(proposal: Proposal, *, by, hide: bool, reason: str, now, version=None) -> Proposal:
    """Hide a proposal (or show it again) with the reason, kept and shown; the proposer is told."""
    _require(by, "cocreation.moderate", proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the moderation: it is shown to the public.")})
    with transaction.atomic():
        proposal = _claim(Proposal, proposal.pk, version)
        proposal.visibility = Proposal.Visibility.HIDDEN if hide else Proposal.Visibility.PUBLISHED
        proposal.moderation_reason = reason
        proposal.moderated_at = now
        proposal.moderated_by = by
        _save(proposal, by)
        notify_proposer(proposal, "moderated", now=now)
        _shown(process_id=proposal.process_id)
    return proposal


# ---------------------------------------------------------------------------
# Draft commitments
# ---------------------------------------------------------------------------

DRAFT_FIELDS = ("title", "lead_agency", "problem", "description", "contribution", "relevance", "expected_results",
                "other_state_actors", "other_actors", "milestones", "start_date", "end_date")


def _snapshot(draft: DraftCommitment) -> dict:
    content = {name: getattr(draft, name) for name in DraftCommitment.TEXT_FIELDS}
    content["lead_agency"] = str(draft.lead_agency) if draft.lead_agency_id else ""
    return content


def _record_version(draft, *, by, now, note=""):
    DraftVersion.objects.create(draft=draft, number=draft.version, content=_snapshot(draft), note=note[:300],
                                created_at=now, created_by=by if by and by.is_authenticated else None)


def create_draft(process: CoCreationProcess, *, by, data: dict, proposals=(), now) -> DraftCommitment:
    """The secretariat drafts a commitment in OGP's template fields from one or more proposals (merges recorded)."""
    _require(by, "cocreation.manage_process", process)
    values = {name: data[name] for name in DRAFT_FIELDS if name in data}
    if values.get("lead_agency") is not None and values["lead_agency"].member_id != process.member_id:
        raise ValidationError({"lead_agency": _("Choose an agency of this member.")})
    with transaction.atomic():
        draft = DraftCommitment(process=process, created_at=now, **values)
        draft.full_clean()
        _save(draft, by)
        _record_version(draft, by=by, now=now, note=gettext("First version"))
        for proposal in proposals:
            merge_proposal(draft, proposal, by=by, now=now)
        _shown(process_id=process.pk)
    return draft


def merge_proposal(draft: DraftCommitment, proposal: Proposal, *, by, now) -> Merge:
    """Record that ``proposal`` went into ``draft``; the proposer is told."""
    _require(by, "cocreation.manage_process", draft)
    if proposal.process_id != draft.process_id:
        raise ValidationError(_("The proposal belongs to another co-creation process."))
    with transaction.atomic():
        merge, created = Merge.objects.get_or_create(draft=draft, proposal=proposal,
                                                     defaults={"merged_at": now, "merged_by": by})
        draft.sources.add(proposal)
        if created:
            proposal.draft = draft
            _save(proposal, by)
            notify_proposer(proposal, "merged", now=now)
            _shown(process_id=draft.process_id)
    return merge


def update_draft(draft: DraftCommitment, *, by, data: dict, version, now, note: str = "") -> DraftCommitment:
    """A new version of a draft (kept with the text of every earlier one, for the diff)."""
    _require(by, "cocreation.manage_process", draft)
    with transaction.atomic():
        draft = _claim(DraftCommitment, draft.pk, version)
        if draft.state in (DraftCommitment.State.ACCEPTED, DraftCommitment.State.REJECTED):
            raise ValidationError(_("The forum has decided on this draft: it is no longer changed."))
        for name in DRAFT_FIELDS:
            if name in data:
                setattr(draft, name, data[name])
        if draft.lead_agency_id and draft.lead_agency.member_id != draft.process.member_id:
            raise ValidationError({"lead_agency": _("Choose an agency of this member.")})
        draft.full_clean()
        _save(draft, by)
        _record_version(draft, by=by, now=now, note=note)
        _shown(process_id=draft.process_id)
    return draft


def open_for_comment(draft: DraftCommitment, *, by, now, days: int | None = None, version=None) -> DraftCommitment:
    """Publish a draft for public comment for a set period; the process's followers are told."""
    _require(by, "cocreation.manage_process", draft)
    today = _today(now)
    with transaction.atomic():
        draft = _claim(DraftCommitment, draft.pk, version, queryset=DraftCommitment.objects.select_related("process"))
        if draft.state not in (DraftCommitment.State.PREPARING, DraftCommitment.State.CLOSED):
            raise ValidationError(_("This draft cannot be opened for comment now."))
        draft.state = DraftCommitment.State.OPEN
        draft.comment_opens_on = today
        draft.comment_closes_on = today + dt.timedelta(days=days or draft.process.comment_days)
        _save(draft, by)
        process = draft.process
        if process.stage == Stage.PROPOSALS:
            process.stage = Stage.DRAFTS
            _bump(process)
            _save(process, by)
        notify_followers(process, "draft_open", now=now, obj=draft)
        _shown(process_id=process.pk)
    return draft


def diff(old: dict, new: dict) -> list[tuple[str, list[str]]]:
    """(field label, unified diff lines) of every field that differs between two versions' contents."""
    labels = {f.name: f.verbose_name for f in DraftCommitment._meta.fields}
    out = []
    for name in list(DraftCommitment.TEXT_FIELDS) + ["lead_agency"]:
        a, b = str(old.get(name) or ""), str(new.get(name) or "")
        if a == b:
            continue
        lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=2))[2:]
        out.append((str(labels.get(name, name)), lines))
    return out


# ---------------------------------------------------------------------------
# The forum's decision and the responses
# ---------------------------------------------------------------------------


def _check_meeting(process, meeting: Meeting):
    if meeting.forum.member_id != process.member_id:
        raise ValidationError({"meeting": _("Choose a meeting of this member's forum.")})
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError({"meeting": _("The decision is taken at a meeting that was held: record the meeting first.")})


def record_decision(process: CoCreationProcess, *, by, meeting: Meeting, drafts: dict, proposals: dict, now) -> CoCreationProcess:
    """The forum's decision at a held meeting.

    ``drafts``: {draft: (accepted: bool, reasons)}; ``proposals``: {proposal: (outcome, draft or None, response)}
    where outcome is accepted, merged or rejected; every response is published at once and the proposer
    told; the followers of the process are told the forum decided.
    """
    _require(by, "cocreation.manage_process", process)
    _check_meeting(process, meeting)
    with transaction.atomic():
        for draft, (accepted, reason) in drafts.items():
            if draft.process_id != process.pk:
                raise ValidationError(_("The draft belongs to another co-creation process."))
            draft.state = DraftCommitment.State.ACCEPTED if accepted else DraftCommitment.State.REJECTED
            draft.decision_meeting = meeting
            draft.decision_reason = (reason or "").strip()
            _bump(draft)
            _save(draft, by)
        for proposal, (outcome, draft, response) in proposals.items():
            if proposal.process_id != process.pk:
                raise ValidationError(_("The proposal belongs to another co-creation process."))
            if outcome not in (Proposal.Outcome.ACCEPTED, Proposal.Outcome.MERGED, Proposal.Outcome.REJECTED):
                raise ValidationError({"outcome": _("Choose accepted, merged into a draft, or rejected.")})
            if outcome == Proposal.Outcome.MERGED:
                if draft is None:
                    raise ValidationError({"draft": _("Name the draft the proposal was merged into.")})
                merge_proposal(draft, proposal, by=by, now=now)
                proposal.refresh_from_db()
            proposal.outcome = outcome
            proposal.decision_meeting = meeting
            _respond(proposal, by=by, text=response, now=now)
        if STAGE_ORDER.index(process.stage) < STAGE_ORDER.index(Stage.DECISION):
            process.stage = Stage.DECISION
            _bump(process)
            _save(process, by)
        notify_followers(process, "decided", now=now, obj=meeting)
        _shown(process_id=process.pk)
    return process


def _respond(proposal, *, by, text, now):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"response": _("Every proposal gets a reasoned response: write it.")})
    first = proposal.response_published_at is None
    proposal.response = text
    proposal.response_published_at = now
    proposal.responded_by = by
    _bump(proposal)
    proposal.full_clean()
    _save(proposal, by)
    if first:
        notify_proposer(proposal, "answered", now=now)


def respond(proposal: Proposal, *, by, text: str, now, version=None, outcome: str = "") -> Proposal:
    """Publish (or correct) the forum's reasoned response to one proposal (and, if given, its outcome)."""
    _require(by, "cocreation.moderate", proposal)
    with transaction.atomic():
        proposal = _claim(Proposal, proposal.pk, version)
        if outcome:
            if outcome not in Proposal.Outcome.values or outcome == Proposal.Outcome.PENDING:
                raise ValidationError({"outcome": _("Choose accepted, merged into a draft, or rejected.")})
            if outcome == Proposal.Outcome.MERGED and proposal.draft_id is None:
                raise ValidationError({"outcome": _("Merge the proposal into a draft first.")})
            proposal.outcome = outcome
        _respond(proposal, by=by, text=text, now=now)
        _shown(process_id=proposal.process_id)
    return proposal


def unanswered(process: CoCreationProcess):
    """Proposals still without a published response (hidden ones included: they get one too)."""
    return process.proposals.filter(response_published_at__isnull=True)


# ---------------------------------------------------------------------------
# Delivery: the accepted drafts become the plan (the importer's services), submission to OGP
# ---------------------------------------------------------------------------


def _next_identifiers(member: Member, count: int) -> list[str]:
    numbers = [int(m.group(1)) for ident in Commitment.objects.filter(identifier__startswith=member.code)
               .values_list("identifier", flat=True)
               if (m := re.fullmatch(re.escape(member.code) + r"(\d+)", ident))]
    start = max(numbers, default=0) + 1
    return [f"{member.code}{n:04d}" for n in range(start, start + count)]


def plan_data(process: CoCreationProcess, *, title: str, start_date: dt.date, end_date: dt.date) -> dict:
    """The accepted drafts as the importer's plan dictionary (the template parser's shape)."""
    drafts = list(process.drafts.filter(state=DraftCommitment.State.ACCEPTED).select_related("lead_agency").order_by("pk"))
    if not drafts:
        raise ValidationError(_("The forum accepted no draft commitment: there is no plan to build."))
    commitments = []
    for number, (draft, identifier) in enumerate(zip(drafts, _next_identifiers(process.member, len(drafts)), strict=True), 1):
        start = draft.start_date or start_date
        end = draft.end_date or end_date
        milestones = [
            {"number": f"{number}.{i}", "deliverable": line, "start": start.isoformat(), "end": end.isoformat(), "budget_sources": []}
            for i, line in enumerate(draft.milestone_lines(), 1)
        ]
        commitments.append({
            "identifier": identifier, "number": number, "title": draft.title,
            "lead_agency": draft.lead_agency.name if draft.lead_agency_id else "",
            "problem": draft.problem, "description": draft.description, "contribution": draft.contribution,
            "relevance": draft.relevance, "expected_results": draft.expected_results,
            "other_state_actors": draft.other_state_actors, "other_actors": draft.other_actors,
            "start": start.isoformat(), "end": end.isoformat(),
            "activities": [{"number": 1, "title": draft.title, "milestones": milestones}] if milestones else [],
        })
    return {
        "plan": {"title": title, "start": start_date.isoformat(), "end": end_date.isoformat(),
                 "co_creation": gettext("Co-created on the portal: %(url)s") % {"url": process.get_absolute_url()}},
        "agencies": [],
        "commitments": commitments,
        "language": "en",
    }


def build_plan(process: CoCreationProcess, *, by, title: str, start_date: dt.date, end_date: dt.date):
    """Make the new action plan from the accepted drafts through the plan importer (commitments, milestones,
    agencies, history), as an upload would; return the importer's outcome."""
    from commitments.importer import ParsedPlan, run_import

    _require(by, "cocreation.submit_plan", process)
    if process.plan_id:
        raise ValidationError(_("The plan was already made from this process."))
    data = plan_data(process, title=title, start_date=start_date, end_date=end_date)
    parsed = ParsedPlan(data, [], f"co-creation {process.cycle}", "text")
    with transaction.atomic():
        outcome = run_import(process.member, parsed, user=by, commit=True, reason=f"Co-creation {process.cycle}")
        if not outcome.committed:
            raise ValidationError([str(e) for e in outcome.errors] or _("The plan could not be made."))
        process.plan_id = outcome.plan_id
        _bump(process)
        _save(process, by)
        _shown(process_id=process.pk)
    return outcome


def mark_submitted(process: CoCreationProcess, *, by, submitted_on: dt.date, now, version=None) -> CoCreationProcess:
    """Mark the plan submitted to OGP on ``submitted_on``: the plan's delivery date the compliance engine reads.

    Refused while a proposal lacks a published response, or before the plan was made.
    """
    from commitments import services as commitments

    _require(by, "cocreation.submit_plan", process)
    if submitted_on > _today(now):
        raise ValidationError({"submitted_on": _("The plan cannot be submitted on a future day.")})
    with transaction.atomic():
        process = _claim(CoCreationProcess, process.pk, version)
        missing = unanswered(process).count()
        if missing:
            raise ValidationError(
                translation.ngettext(
                    "%(count)d proposal has no published response yet: answer every proposal before submitting.",
                    "%(count)d proposals have no published response yet: answer every proposal before submitting.",
                    missing,
                ) % {"count": missing}
            )
        if process.plan_id is None:
            raise ValidationError(_("Make the plan from the accepted drafts first."))
        plan = process.plan
        commitments.update_plan(plan, by=by, data={"submitted_on": submitted_on}, version=current_version(plan))
        process.submitted_on = submitted_on
        process.stage = Stage.SUBMITTED
        _save(process, by)
        _shown(process_id=process.pk)
    return process


# ---------------------------------------------------------------------------
# Figures (the ones seed 001 reports by hand)
# ---------------------------------------------------------------------------


def figures(process: CoCreationProcess) -> list[tuple[str, str, int]]:
    """(key, label, value) rows: proposals by sector, comments, supporters, discussions and participants,
    meetings held, responses given. Hidden proposals count as received."""
    proposals = process.proposals.all()
    by_sector = dict(proposals.values_list("sector").annotate(n=Count("pk")))
    rows = [("proposals", gettext("Proposals received"), proposals.count())]
    for value, label in Sector.choices:
        rows.append((f"proposals_{value}", gettext("Proposals from: %(sector)s") % {"sector": label}, by_sector.get(value, 0)))
    comments = Comment.objects.filter(Q(proposal__process=process) | Q(draft__process=process))
    supports = Support.objects.filter(proposal__process=process)
    discussions = process.drafts.exclude(state=DraftCommitment.State.PREPARING)
    participants = set(comments.values_list("author_id", flat=True)) | set(supports.values_list("user_id", flat=True)) | set(
        proposals.values_list("author_id", flat=True))
    draft_commenters = comments.filter(draft__isnull=False).values("author_id").distinct().count()
    meetings = Meeting.objects.filter(forum__member_id=process.member_id, status=Meeting.Status.HELD,
                                      starts_at__date__gte=process.proposals_open_on)
    rows += [
        ("comments", gettext("Comments"), comments.count()),
        ("supporters", gettext("Supporters"), supports.values("user_id").distinct().count()),
        ("discussions", gettext("Drafts discussed in public"), discussions.count()),
        ("discussion_participants", gettext("Participants in the discussions of drafts"), draft_commenters),
        ("participants", gettext("Participants in all"), len(participants)),
        ("meetings", gettext("Forum meetings held"), meetings.count()),
        ("responses", gettext("Responses given"), proposals.filter(response_published_at__isnull=False).count()),
    ]
    return rows
