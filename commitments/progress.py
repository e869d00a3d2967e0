"""The progress workflow: reporting periods, progress updates, the completion roll-up, status reports.

Each state change is one function here (draft, submit, approve, return, publish), called by the HTML
views, the admin and the API. Each checks permission through ``ogp_portal/permissions.py``, claims
the row's ``version`` with ``services.claim`` (a stale change raises ``services.StaleVersion`` and
writes nothing) and records history: the acting user is set on the instance, so history names them
outside a request too.

Moved here from ``services.py``; import these names from ``commitments.progress``. An update's evidence
(files and links) is in ``commitments.evidence``; its functions are re-exported here.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ogp import policy, policy_store
from ogp_portal.cache import public_pages_changed
from ogp_portal.text_limits import check_lengths

from .models import (
    Commitment,
    Completion,
    Member,
    Milestone,
    ProgressUpdate,
    StatusReport,
    StatusReportLine,
    rollup_completion,
)
from ogp.signals import record_changed

from . import signals
from .figures import refresh_plan_figures
from .evidence import (  # noqa: F401  (re-exported: callers use ``progress.add_evidence_file`` etc.)
    EVIDENCE_TYPES,
    add_evidence_file,
    add_evidence_link,
    check_evidence_file,
    clean_file_name,
    detect_evidence_type,
    remove_evidence,
)
from .services import StaleVersion, _claimed, _require, changes_since, claim


# ------------------------------------------------------------- reporting periods


def update_policies(member):
    """Return the compliance policy versions that apply to ``member`` (as the compliance engine reads them)."""
    return update_policies_by_member([member])[member.pk]


def update_policies_by_member(members):
    """Return ``{member pk: policy versions}`` for ``members`` in one query, as the compliance engine reads them.

    ``ogp.policy.versions_for`` decides which apply (a version for OGP Local members does not apply
    to a national one); compliance's ``Policy.objects.versions_for`` only reads the stored rows, and is
    registered at start-up as the reader of ``ogp.policy_store``.
    """
    return policy_store.versions_by_member(members)


def reporting_period(day, policies):
    """Return the reporting period holding ``day``: the update cadence of the compliance policy in force that day.

    The one definition of "the reporting period" (six months by default: 2019-H2; a quarter under a
    quarterly cadence), read by progress updates, status reports and "My work" alike. ``policies``:
    the member's versions (:func:`update_policies`). Pure: no query, no clock (``ogp.policy.reporting_period``).
    """
    return policy.reporting_period(day, policies)


def reporting_periods(plan, today, policies=None):
    """Return the update periods of ``plan`` (:func:`reporting_period`, one after the other) up to ``today``, latest first."""
    if not plan.start_date:
        return []
    policies = policies if policies is not None else update_policies(plan.member)
    until = min(plan.end_date or today, today)
    periods, day = [], plan.start_date
    while day <= until:
        period = reporting_period(day, policies)
        periods.append(period)
        day = period.end + dt.timedelta(days=1)
    return periods[::-1]


def current_period(plan, today, policies=None):
    """Return the reporting period progress on ``plan`` is reported for on ``today``; None before the plan starts.

    The one "current period" of the progress form and "My work": while the plan is in implementation,
    the period holding today; once it has ended, its last period (the end-of-term update, which is
    still the one to complete). Pure apart from reading the policies when none are given.
    """
    periods = reporting_periods(plan, today, policies)
    return periods[0] if periods else None


def period_label_of(update):
    """Return the label of the reporting period an update belongs to (such as 2019-H2)."""
    plan = update.milestone.commitment.plan
    for period in reporting_periods(plan, max(timezone.localdate(), update.period_end)):
        if period.start == update.period_start:
            return period.label
    return ""


def find_period(plan, label, today):
    """Return the plan's reporting period called ``label``; raise ValidationError if it has none."""
    from django.utils.translation import gettext as _

    for period in reporting_periods(plan, today):
        if period.label == label:
            return period
    raise ValidationError({"period": _("Choose one of the plan's reporting periods.")})


def members_shown_with(*, update_id=None, member_id=None):
    """The members whose own pages show a progress update (by ``update_id``) or a member's reports: it and its parent.

    What ``public_pages_changed(members=…)`` is told when a change touches only these records (an update
    approved, a report published, a review of an update written, answered or hidden): the shared parts of
    every other member's pages stay valid. The parent too, as a margin: its page lists its local members.
    """
    members = Member.objects.all()
    members = members.filter(plans__commitments__milestones__progress_updates=update_id) if update_id else members.filter(pk=member_id)
    row = members.values_list("pk", "parent_id").first()
    return [pk for pk in row or () if pk is not None]


# ------------------------------------------------------------- progress updates


# What a person edits in a progress update: the fields a conflict message names.
PROGRESS_FIELDS = ("completion", "narrative", "as_of", "state")


def _set_progress_fields(update, data):
    update.completion = data.get("completion") or ""
    update.narrative = (data.get("narrative") or "").strip()
    update.as_of = data.get("as_of") or None


def check_as_of(as_of, period, today):
    """Raise ValidationError unless ``as_of`` (or None) lies within ``period`` and not after ``today``. Pure."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    if as_of is None:
        return
    if as_of > today:
        raise ValidationError({"as_of": _("The “as of” date cannot be in the future.")})
    if not period.start <= as_of <= period.end:
        raise ValidationError(
            {
                "as_of": _("The “as of” date must lie within the reporting period, from %(start)s to %(end)s.")
                % {"start": date_format(period.start, "DATE_FORMAT"), "end": date_format(period.end, "DATE_FORMAT")}
            }
        )


def previous_completion(update):
    """Return the completion the milestone had before ``update``'s period: its latest earlier update's, else not started."""
    earlier = (
        ProgressUpdate.objects.filter(milestone_id=update.milestone_id, period_end__lt=update.period_start)
        .order_by("-period_end")
        .values_list("completion", flat=True)
        .first()
    )
    return earlier or Completion.NOT_STARTED


def check_not_empty(update):
    """Raise ValidationError if ``update`` says nothing: completion unchanged, no narrative and no evidence."""
    from django.utils.translation import gettext as _

    if update.narrative.strip() or update.completion != previous_completion(update) or update.evidence.exists():
        return
    raise ValidationError(
        _("There is nothing to submit yet: change the completion, describe the progress or add evidence first.")
    )


def save_progress(milestone, period, *, by, data, version, now):
    """Create or change the draft update of ``milestone`` for ``period``; return it.

    ``data`` holds ``completion``, ``narrative`` and ``as_of``. ``version`` is the version the
    form was based on (0 for a new update). A returned update becomes a draft again.
    """
    from django.utils.translation import gettext as _

    _require(by, "commitments.enter_progress", milestone)
    check_as_of(data.get("as_of") or None, period, timezone.localdate(now))
    with transaction.atomic():
        update = ProgressUpdate.objects.filter(
            milestone=milestone, period_start=period.start, period_end=period.end
        ).first()
        if update is None:
            if version:
                # The form was based on an update that no longer exists.
                raise StaleVersion(ProgressUpdate(milestone=milestone), [])
            update = ProgressUpdate(milestone=milestone, period_start=period.start, period_end=period.end, author=by)
            _set_progress_fields(update, data)
            update._history_user = by
            try:
                update.full_clean()
                with transaction.atomic():
                    update.save()
            except (IntegrityError, ValidationError):
                # Someone created this period's update between our read and our insert.
                current = ProgressUpdate.objects.filter(milestone=milestone, period_start=period.start, period_end=period.end).first()
                if current is None:
                    raise
                raise StaleVersion(current, changes_since(current, 0, PROGRESS_FIELDS)) from None
            return update
        if not update.is_editable:
            if update.version != version:
                raise StaleVersion(update, changes_since(update, version, PROGRESS_FIELDS))
            raise ValidationError(_("This update is %(state)s and can no longer be edited.") % {"state": update.get_state_display().lower()})
        claim(update, version, PROGRESS_FIELDS)
        _set_progress_fields(update, data)
        update.state = ProgressUpdate.State.DRAFT
        update.full_clean()
        update._history_user = by
        update.save()
    return update


def submit_progress(update, *, by, version, now):
    """Send a draft (or returned) update to the point of contact for review."""
    from django.utils.translation import gettext as _

    _require(by, "commitments.enter_progress", update)
    with _claimed(update, version, PROGRESS_FIELDS):
        if update.state not in ProgressUpdate.EDITABLE_STATES:
            raise ValidationError(_("Only a draft or a returned update can be submitted."))
        check_not_empty(update)
        update.state = ProgressUpdate.State.SUBMITTED
        update.submitted_at = now
        update._history_user = by
        update.save()
        signals.send_on_commit(signals.progress_submitted, ProgressUpdate, update=update, by=by)
    return update


def self_approval_allowed(update):
    """Return True if the member of ``update`` has a single point of contact (who may then approve their own updates)."""
    from .models import Role

    member_id = update.milestone.commitment.plan.member_id
    points_of_contact = Role.objects.filter(member_id=member_id, kind=Role.Kind.POINT_OF_CONTACT)
    return points_of_contact.values("user_id").distinct().count() == 1


def approve_progress(update, *, by, version, now, comment=""):
    """Approve a submitted update: it becomes public (``published``) as of ``now``.

    Separation of duties: the reviewer is not the update's author, unless the member has a single
    point of contact (:func:`self_approval_allowed`); such an approval is stored as ``self_approved``
    and shown publicly as such.

    In the same transaction: the commitment's stored roll-up and its milestones' done flags
    (:func:`refresh_completion`), so a 'complete' update stops the milestone being overdue.
    """
    from django.utils.translation import gettext as _

    _require(by, "commitments.review_progress", update)
    check_lengths(ProgressUpdate, review_comment=comment)
    with _claimed(update, version, PROGRESS_FIELDS):
        if update.state != ProgressUpdate.State.SUBMITTED:
            raise ValidationError(_("Only a submitted update can be approved."))
        own = update.author_id is not None and update.author_id == by.pk
        if own and not self_approval_allowed(update):
            raise ValidationError(
                _("You wrote this update, so another point of contact approves it: an update is approved by someone other than its author.")
            )
        update.self_approved = own
        update.state = ProgressUpdate.State.PUBLISHED
        update.published_at = now
        update.reviewed_by = by
        update.review_comment = comment
        update._history_user = by
        update.save()
        refresh_completion([update.milestone.commitment_id])
        signals.send_on_commit(signals.progress_approved, ProgressUpdate, update=update, by=by)
        public_pages_changed(members=members_shown_with(update_id=update.pk))
    return update


def return_progress(update, *, by, version, now, comment):
    """Return a submitted update to its authors with a comment saying what to change."""
    from django.utils.translation import gettext as _

    _require(by, "commitments.review_progress", update)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change before returning the update.")})
    check_lengths(ProgressUpdate, review_comment=comment.strip())
    with _claimed(update, version, PROGRESS_FIELDS):
        if update.state != ProgressUpdate.State.SUBMITTED:
            raise ValidationError(_("Only a submitted update can be returned."))
        update.state = ProgressUpdate.State.RETURNED
        update.reviewed_by = by
        update.review_comment = comment.strip()
        update._history_user = by
        update.save()
        signals.send_on_commit(signals.progress_returned, ProgressUpdate, update=update, by=by)
    return update


# ------------------------------------------------------------- completion roll-up


def commitment_rollups(commitments, *, until=None):
    """Return ``{commitment pk: Rollup}`` by :func:`~commitments.models.rollup_completion`, in two queries.

    ``until``: count only updates of periods ending on or before that day (a status report's period).
    """
    return _rollups_and_latest(commitments, until=until)[0]


def _rollups_and_latest(commitments, *, until=None):
    """Return ``({commitment pk: Rollup}, {commitment pk: latest_update_at})`` in two queries.

    The second: ``published_at`` of the commitment's newest published update by (period end, publication),
    of any milestone, or None (the rule of ``filters._latest_update_at``), read from the same rows.
    """
    commitments = list(commitments)
    ids = [c.pk for c in commitments]
    milestones = list(Milestone.objects.filter(commitment_id__in=ids).values_list("pk", "commitment_id"))
    updates = ProgressUpdate.objects.published().filter(milestone__commitment_id__in=ids)
    if until:
        updates = updates.filter(period_end__lte=until)
    latest, newest = {}, {}
    for milestone_id, completion, period_end, published_at in updates.order_by(
        "milestone_id", "period_end", "published_at"
    ).values_list("milestone_id", "completion", "period_end", "published_at"):
        latest[milestone_id] = completion  # ordered oldest first: the last one wins
        if milestone_id not in newest or (period_end, published_at) >= newest[milestone_id]:
            newest[milestone_id] = (period_end, published_at)
    levels, moments = {}, {}
    for milestone_id, commitment_id in milestones:
        levels.setdefault(commitment_id, []).append(latest.get(milestone_id))
        if milestone_id in newest and (commitment_id not in moments or newest[milestone_id] > moments[commitment_id]):
            moments[commitment_id] = newest[milestone_id]
    rollups = {pk: rollup_completion(levels.get(pk, [])) for pk in ids}
    return rollups, {pk: moments[pk][1] if pk in moments else None for pk in ids}


def refresh_done_flags(milestones=None):
    """Store ``Milestone.done`` (a published update says complete or withdrawn) on ``milestones``; return how many changed.

    ``milestones``: a queryset of milestones, their ids, or ``None`` for every milestone. Set-based:
    two UPDATEs whatever the number of rows (one sets the flag where a closing update exists, one
    clears it where none does any more), writing only rows whose flag is wrong, with no history
    entry and no new ``version``. :func:`refresh_completion` calls it for the milestones of the
    commitments it refreshes, so every path that stores the roll-up (approving an update, the
    admin, an import, the seed loader) stores the flags too; ``generate_scale_data`` and
    ``manage.py refresh_completion`` call it for every milestone (migration 0008 fills the flags
    by the same rule, in its own copy).
    """
    from .filters import milestones_done_q

    if milestones is None:
        rows = Milestone.objects.all()
    elif isinstance(milestones, models.QuerySet):
        rows = milestones
    else:
        rows = Milestone.objects.filter(pk__in=list(milestones))
    rows = rows.order_by()
    closed = rows.filter(done=False).filter(milestones_done_q()).update(done=True)
    reopened = rows.filter(done=True).exclude(milestones_done_q()).update(done=False)
    return closed + reopened


def refresh_completion(commitments):
    """Store the roll-up (:func:`~commitments.models.rollup_completion`) and ``latest_update_at`` (when the newest
    published update was published) on ``commitments``; return how many changed.

    ``commitments``: a queryset of commitments, or their ids. Call it in the same transaction as
    whatever changed an input of the rule: an update approved (or changed or deleted by an
    administrator), a milestone added, moved or deleted, an import, generated data. Writes only
    rows whose stored value differs, with a plain UPDATE: no history entry and no new ``version``
    (a review must not make a coordinator's open edit stale). Works in chunks, so a whole
    database can be refreshed (``manage.py refresh_completion``). Stores the done flags of the
    commitments' milestones too (:func:`refresh_done_flags`: the same input, the approved updates),
    and their plans' stored figures (``figures.refresh_plan_figures``).
    """
    if isinstance(commitments, models.QuerySet):
        ids = list(commitments.order_by().values_list("pk", flat=True))
    else:
        ids = sorted({pk for pk in commitments if pk is not None})
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = list(
            Commitment.objects.filter(pk__in=ids[start : start + 500]).only(
                "pk", "plan_id", "completion", "completion_percent", "latest_update_at"
            )
        )
        rollups, moments = _rollups_and_latest(chunk)
        stale = []
        for commitment in chunk:
            rollup = rollups[commitment.pk]
            values = (rollup.level or "", rollup.percent, moments[commitment.pk])
            if (commitment.completion, commitment.completion_percent, commitment.latest_update_at) != values:
                commitment.completion, commitment.completion_percent, commitment.latest_update_at = values
                stale.append(commitment)
        Commitment.objects.bulk_update(stale, ["completion", "completion_percent", "latest_update_at"])
        refresh_done_flags(Milestone.objects.filter(commitment_id__in=[c.pk for c in chunk]))
        refresh_plan_figures({c.plan_id for c in chunk})  # the home page's sums (commitments.figures)
        changed += len(stale)
    return changed


# ------------------------------------------------------------- six-month status reports


def open_status_report(plan, period, *, by):
    """Return the plan's status report for ``period``, creating it (one line per commitment) on first use."""
    _require(by, "commitments.publish_status_report", plan)
    with transaction.atomic():
        report, created = StatusReport.objects.get_or_create(
            plan=plan,
            period_start=period.start,
            defaults={"member": plan.member, "period_end": period.end, "period_label": period.label},
        )
        if created or not report.is_published:
            have = set(report.lines.values_list("commitment_id", flat=True))
            StatusReportLine.objects.bulk_create(
                [StatusReportLine(report=report, commitment=c) for c in plan.commitments.all() if c.pk not in have]
            )
    return report


def report_readiness(report):
    """Return ``(lines, missing)``: each line with its commitment's approved updates for the period, and the lines without any."""
    lines = list(report.lines.select_related("commitment").order_by("commitment__number", "commitment__identifier"))
    approved = {}
    for update in (
        ProgressUpdate.objects.published()
        .filter(
            milestone__commitment__in=[line.commitment_id for line in lines],
            period_start=report.period_start,
            period_end=report.period_end,
        )
        .select_related("milestone")
        .order_by("milestone_id")
    ):
        approved.setdefault(update.milestone.commitment_id, []).append(update)
    for line in lines:
        line.approved_updates = approved.get(line.commitment_id, [])
    return lines, [line for line in lines if not line.approved_updates]


def publish_status_report(report, *, by, version, now):
    """Publish the status report as a dated, immutable snapshot.

    Steps: claim the report at ``version``; refuse if any commitment has no approved update for
    the period; fill every line with the rolled-up completion and the approved milestone updates;
    mark it published at ``now``. The compliance engine counts it from then on.
    """
    from django.utils.translation import gettext as _

    _require(by, "commitments.publish_status_report", report)
    with _claimed(report, version):
        if report.is_published:
            raise ValidationError(_("This status report is already published."))
        lines, missing = report_readiness(report)
        if missing:
            raise ValidationError(
                _("Every commitment needs an approved update for the period first. Missing: %(ids)s.")
                % {"ids": ", ".join(line.commitment.identifier for line in missing)}
            )
        rollups = commitment_rollups([line.commitment for line in lines], until=report.period_end)
        for line in lines:
            rollup = rollups[line.commitment_id]
            line.completion = rollup.level or ""
            line.percent = rollup.percent
            line.milestones = [
                {
                    "update": u.pk,
                    "milestone": u.milestone.number,
                    "completion": u.completion,
                    "narrative": u.narrative,
                    "as_of": u.as_of.isoformat() if u.as_of else None,
                }
                for u in line.approved_updates
            ]
        StatusReportLine.objects.bulk_update(lines, ["completion", "percent", "milestones"])
        report.state = StatusReport.State.PUBLISHED
        report.published_at = now
        report.published_by = by
        report._history_user = by
        report.save()
        signals.send_on_commit(signals.status_report_published, StatusReport, report=report, by=by)
        record_changed(StatusReport, report.member_id)  # the compliance rules count published reports
        public_pages_changed(members=members_shown_with(member_id=report.member_id))
    return report
