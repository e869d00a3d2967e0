"""OGP compliance rules as pure functions of (a member's data, now).

Nothing here touches the database or reads the clock: ``services.py`` builds a
:class:`MemberSnapshot` from the ORM, converts every instant to a local date in
the portal's zone (Asia/Bishkek) at that edge, and calls :func:`evaluate` with
the ``now`` it read once. Tests build snapshots by hand.

The rules (docs ogp-rules.md §3 and §4):

* **Action-plan cycles.** Every cycle has one delivery deadline. It is computed
  from the last delivered plan by the policy in force (the 2019 calendar, or the
  end of the last plan + 12 months), unless an administrator set the deadline,
  which wins. A plan delivered by the deadline meets the cycle. Nothing by the
  deadline: the member acted contrary to process for the cycle from the next
  day, a new cycle is considered started, and its deadline is 12 months later.
* **The status ladder.** Contrary to process in ``under_review_after_cycles``
  consecutive cycles → under review; a further failure while under review, or
  ``inactive_after_years_without_plan`` consecutive missed plans → inactive
  recommended; a Steering Committee decision → inactive; inactive for
  ``removal_after_inactive_months`` → removal recommended. Meeting a cycle (a
  plan delivered) resolves it all and the member is active again.
* **Late plans.** A cycle whose deadline passed without a plan stays contrary to
  process when the plan comes later: that late plan meets the next cycle. Only a
  cycle met on time with no IRM or administrator's finding against it breaks the
  run of consecutive contrary cycles.
* **What only OGP decides** (``DecisionInfo``): the C&S Subcommittee placing a member
  under review (any reason) or recommending inactive; a Steering Committee remedial
  deadline (missed → inactive recommended the next day; while it runs, a pending
  recommendation waits and missed plan deadlines do not escalate); inactive; removal;
  reactivation. An administrator's "contrary to process" finding counts like an IRM
  finding and only the administrator's resolution (with a reason) ends it.
* **Policy eras** are dated settings (``PolicyVersion.deadline_rule``): 2014 (more than
  four months late is contrary), the 2015 calendar, the 2019 calendar, and from 2022
  twelve months after the end of the last plan; the 2020 COVID-19 extension is one
  global ``Extension``. The first plan is judged too (``first_plan_months`` after
  joining); OGP Local members read the versions with ``applies_to="local"``.
* **Same-day order**: a delivered plan, then an administrator's resolution, then
  failures, then OGP's decisions (see ``ORDER_*`` below).
* **Recurring obligations.** A forum must hold a meeting in every period of the
  forum cadence (quarters by default), a member with a plan in implementation
  must publish a status update in every period of the update cadence (halves).
  A period is missed once it has ended (plus the grace days) with nothing in it;
  it is measured from the last time the obligation was met.

Over 600 lines as one cohesive thing: the pure rule engine.  The snapshot types, the cycles and
the status ladder in :func:`evaluate` are one set of rules with one same-day order; split, the order
and the eras would be read in several places and drift apart.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field, replace

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ogp.policy import (  # noqa: F401  (re-exported: engine.add_months, engine.PolicyVersion, …)
    DEFAULT_POLICIES,
    DEFAULT_TIME_ZONE,
    Period,
    PolicyVersion,
    add_months,
    applicable,
    cycle_label,
    local_date,
    period_of,
    policy_at,
)

from .choices import IRM_DECISION_KINDS, DeadlineKind, DeadlineRule, DecisionKind, FindingKind, MemberStatus, Source

# Reasons are lazy translations: ``services`` stores each in English, Russian and
# Kyrgyz, so pages show them in the visitor's language. Lazy strings read no
# database and no clock, so the rules stay pure.

# The vocabulary is defined once in ``compliance.choices`` (shared with the models);
# the names below are plain-string aliases so the rules read naturally.
ACTIVE = MemberStatus.ACTIVE.value
CONTRARY_TO_PROCESS = MemberStatus.CONTRARY_TO_PROCESS.value
UNDER_REVIEW = MemberStatus.UNDER_REVIEW.value
INACTIVE_RECOMMENDED = MemberStatus.INACTIVE_RECOMMENDED.value
INACTIVE = MemberStatus.INACTIVE.value
REMOVAL_RECOMMENDED = MemberStatus.REMOVAL_RECOMMENDED.value
REMOVED = MemberStatus.REMOVED.value

MISSED_STATUS_UPDATE = FindingKind.MISSED_STATUS_UPDATE.value
MISSED_FORUM_MEETING = FindingKind.MISSED_FORUM_MEETING.value
MISSED_SELF_ASSESSMENT = FindingKind.MISSED_SELF_ASSESSMENT.value
FINDING_CONTRARY = FindingKind.CONTRARY_TO_PROCESS.value
IRM_MINIMUM_REQUIREMENTS = FindingKind.IRM_MINIMUM_REQUIREMENTS.value
IRM_NO_PROGRESS = FindingKind.IRM_NO_PROGRESS.value
IRM_KINDS = IRM_DECISION_KINDS

CSS_UNDER_REVIEW = DecisionKind.CSS_UNDER_REVIEW.value
CSS_INACTIVE_RECOMMENDED = DecisionKind.CSS_INACTIVE_RECOMMENDED.value
SC_REMEDIAL_DEADLINE = DecisionKind.SC_REMEDIAL_DEADLINE.value
SC_INACTIVE = DecisionKind.SC_INACTIVE.value
SC_REMOVAL = DecisionKind.SC_REMOVAL.value
SC_REACTIVATION = DecisionKind.SC_REACTIVATION.value

DEADLINE_ACTION_PLAN = DeadlineKind.ACTION_PLAN.value
DEADLINE_STATUS_UPDATE = DeadlineKind.STATUS_UPDATE.value
DEADLINE_FORUM_MEETING = DeadlineKind.FORUM_MEETING.value
DEADLINE_REMEDIAL = DeadlineKind.REMEDIAL.value

FOUR_MONTHS_2014 = DeadlineRule.FOUR_MONTHS_2014.value
CALENDAR_2015 = DeadlineRule.CALENDAR_2015.value
CALENDAR_2019 = DeadlineRule.CALENDAR_2019.value
AFTER_PLAN_END_12M = DeadlineRule.AFTER_PLAN_END_12M.value

RULE = Source.RULE.value
ADMINISTRATOR = Source.ADMINISTRATOR.value



# ---------------------------------------------------------------- inputs


# How late a plan may be under a rule without the cycle counting as contrary to process. The 2015
# calendar kept the four months: "countries more than four months late in submitting their NAP will be
# considered acting contrary to OGP process for that action plan cycle" (OGP news, "Letters Sent to
# Countries Encouraging Submission of Action Plans", 2015); the 2019 calendar's four months (31 August
# to 31 December) are in its computed deadline already.
LATE_TOLERANCE_MONTHS = {FOUR_MONTHS_2014: 4, CALENDAR_2015: 4}


@dataclass(frozen=True)
class PlanInfo:
    start: dt.date | None
    end: dt.date | None
    submitted_on: dt.date | None
    title: str = ""
    key: object = None  # the stored plan's id, carried through to the cycle it meets

    @property
    def delivered_on(self) -> dt.date | None:
        """Return the day the plan counts as delivered.

        Older plans were sometimes recorded without a submission date; one whose
        implementation started counts as delivered on its start. (A plan with
        neither is refused when entered: ``ActionPlan.clean``.)
        """
        return self.submitted_on or self.start


@dataclass(frozen=True)
class DeadlineOverride:
    """An action-plan deadline set by the administrator (it always wins), with its reason."""

    cycle: str
    due_on: dt.date
    reason: str = ""
    reference: str = ""
    # The last day a plan is still on time, as read when the deadline was entered (the era's reading, issue 19.3);
    # None: read from the era in force on ``due_on``.
    on_time_until: dt.date | None = None


@dataclass(frozen=True)
class DecisionInfo:
    """An IRM finding or an OGP decision (C&S Subcommittee, Steering Committee) recorded by the administrator.

    ``due_on`` is a remedial deadline's date; ``met_on`` the day the administrator
    recorded the remedy as done (a plan delivered in time meets it too).
    """

    kind: str
    decided_on: dt.date
    cycle: str = ""
    reference: str = ""
    summary: str = ""
    due_on: dt.date | None = None
    met_on: dt.date | None = None


@dataclass(frozen=True)
class AdminFinding:
    """A "contrary to process" finding entered by an administrator: it counts, and only an administrator resolves it."""

    key: object
    effective_on: dt.date
    cycle: str = ""
    reason: str = ""
    reference: str = ""
    resolved_on: dt.date | None = None
    resolution: str = ""


@dataclass(frozen=True)
class Extension:
    """A global extension of plan deadlines (the 2020 COVID-19 one).

    A rule-computed deadline falling between ``due_from`` and ``due_to`` is
    moved to ``until``; with ``cohort_switch``, a member that delivers nothing
    by then moves to the next year's cohort (deadline one year later) without
    acting contrary to process.
    """

    due_from: dt.date
    due_to: dt.date
    until: dt.date
    cohort_switch: bool = True
    reason: str = ""


# OGP's defaults when no policy is stored: ``ogp.policy.DEFAULT_POLICIES`` (imported above).

# The 2020 COVID-19 extension (one global record; migration 0005 stores it).
COVID_2020 = Extension(
    dt.date(2020, 1, 1), dt.date(2020, 12, 31), dt.date(2020, 12, 31), True,
    "OGP Criteria and Standards Subcommittee resolution, COVID-19 (2020): plans due in 2020 could be delivered "
    "until 31 December 2020, or the member could move to the next cohort without acting contrary to process.",
)


@dataclass(frozen=True)
class SelfAssessment:
    """A self-assessment report due (OGP required them in the 2012–2021 eras), and the day it was delivered."""

    cycle: str
    due_on: dt.date
    delivered_on: dt.date | None = None
    reference: str = ""


@dataclass(frozen=True)
class PlanExtension:
    """A resolution extending every plan that ends between ``ends_from`` and ``ends_to`` by ``months``.

    The COVID-19 resolution extended the 2018–2020 plans by 12 months (issue 19.4): the plan's end, and so
    the next plan's deadline and its implementation period, move by that time.
    """

    ends_from: dt.date
    ends_to: dt.date
    months: int
    reason: str = ""


def extended(plan: PlanInfo, plan_extensions) -> PlanInfo:
    """Return ``plan`` with its end moved by the first resolution covering it (none: the plan itself)."""
    if plan.end is None:
        return plan
    for e in plan_extensions:
        if e.ends_from <= plan.end <= e.ends_to:
            return replace(plan, end=add_months(plan.end, e.months))
    return plan


@dataclass(frozen=True)
class ForumInfo:
    subject: str  # "forum:<id>"
    name: str
    held_on: tuple[dt.date, ...] = ()
    founded_on: dt.date | None = None


@dataclass(frozen=True)
class MemberSnapshot:
    code: str
    joined_on: dt.date | None = None
    plans: tuple[PlanInfo, ...] = ()
    deadline_overrides: tuple[DeadlineOverride, ...] = ()
    update_published_on: tuple[dt.date, ...] = ()
    forums: tuple[ForumInfo, ...] = ()
    decisions: tuple[DecisionInfo, ...] = ()
    policies: tuple[PolicyVersion, ...] = DEFAULT_POLICIES
    admin_findings: tuple[AdminFinding, ...] = ()
    extensions: tuple[Extension, ...] = (COVID_2020,)
    plan_extensions: tuple[PlanExtension, ...] = ()
    self_assessments: tuple[SelfAssessment, ...] = ()
    kind: str = "national"


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True)
class FindingResult:
    kind: str
    subject: str
    period: str
    effective_on: dt.date
    resolved_on: dt.date | None
    reason: str
    reference: str = ""
    source: str = RULE  # "administrator": a stored row the sweep never writes nor resolves
    # A missed obligation stays missed (issue 19): the day it was next met (a meeting, a report, a plan)
    # ends the run it belongs to, and resolves nothing. ``resolved_on`` is an administrator's resolution only.
    met_again_on: dt.date | None = None


@dataclass(frozen=True)
class StatusChange:
    status: str
    previous_status: str
    effective_on: dt.date
    cycle: str
    reason: str
    next_deadline: dt.date | None = None
    reference: str = ""


@dataclass(frozen=True)
class NextDeadline:
    kind: str
    due: dt.date
    subject: str = ""
    period: str = ""
    source: str = RULE
    reason: str = ""
    days_left: int = 0


@dataclass(frozen=True)
class Cycle:
    """One action-plan cycle: its deadline, and how it ended (met, missed, or still open)."""

    label: str
    starts_on: dt.date
    due: dt.date
    source: str  # "rule" or "administrator"
    reason: str
    met_on: dt.date | None = None
    missed: bool = False
    plan_key: object = None
    late_until: dt.date | None = None  # the last day a plan still meets it (the 2014 four-months rule)

    @property
    def contrary_on(self) -> dt.date:
        """Return the day a missed cycle counts as contrary to process."""
        return (self.late_until or self.due) + dt.timedelta(days=1)


@dataclass
class Evaluation:
    code: str
    today: dt.date
    status: str
    status_since: dt.date | None
    changes: list[StatusChange] = field(default_factory=list)
    findings: list[FindingResult] = field(default_factory=list)
    next_deadlines: list[NextDeadline] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)

    @property
    def open_findings(self) -> list[FindingResult]:
        """Return the findings of the current runs: not resolved by an administrator, not met again since."""
        return [f for f in self.findings if f.resolved_on is None and f.met_again_on is None]


# ---------------------------------------------------------------- date helpers


# ``add_months``, ``Period``, ``period_of``, ``policy_at`` and ``cycle_label`` live in ``ogp.policy``.


# ---------------------------------------------------------------- action-plan cycles


def on_time_until(policies, due: dt.date) -> dt.date:
    """Return the last day a plan due on ``due`` is still on time under the era in force that day.

    The 2014 rule and the 2015 calendar: "more than four months late" is contrary to process, so four
    months less a day later; from the 2019 calendar the date itself is the last day on time.
    """
    tolerance = LATE_TOLERANCE_MONTHS.get(policy_at(policies, due).deadline_rule, 0)
    return add_months(due, tolerance) - dt.timedelta(days=1) if tolerance else due


def computed_deadline(policies, plan: PlanInfo | None, joined_on: dt.date | None, cohort_due: dt.date | None = None):
    """Return the rule's deadline for the plan after ``plan`` (or the first plan, from joining).

    The rule is the one in force the day after the plan ends:

    * 2014 (four months): the next plan is due when the last one ends (and is
      contrary to process only once more than four months late, see ``action_plan_cycles``);
    * 2015 calendar: two years after the cohort's deadline when the plan came at
      most six months after it (it keeps its end date), three years when later
      (the cohort shifts);
    * 2019 calendar: 31 December of the year the plan ends (due 31 August, on time until 31 December);
    * 2022 on: 12 months after the end of the plan.
    """
    if plan is None:
        if not joined_on:
            return None
        months = policy_at(policies, joined_on).first_plan_months
        return add_months(joined_on, months) if months else None
    end = plan.end or (add_months(plan.start, 24) if plan.start else None)
    if end is None:
        return add_months(plan.delivered_on, 24) if plan.delivered_on else None
    policy = policy_at(policies, end + dt.timedelta(days=1))
    if policy.deadline_rule == FOUR_MONTHS_2014:
        return end
    if policy.deadline_rule == CALENDAR_2015:
        if cohort_due is None:
            return end
        on_time = plan.delivered_on <= add_months(cohort_due, 6)
        return add_months(cohort_due, 24 if on_time else 36)
    if policy.deadline_rule == CALENDAR_2019:
        return dt.date(end.year, 12, 31)
    return add_months(end, 12)


def _extension_for(extensions, due: dt.date) -> Extension | None:
    return next((e for e in extensions if e.due_from <= due <= e.due_to), None)


def action_plan_cycles(snapshot: MemberSnapshot, today: dt.date) -> tuple[list[Cycle], list[tuple[dt.date, PlanInfo, str]]]:
    """Return the member's cycles up to the one open today, and the plans that met a cycle (day, plan, cycle).

    The first cycle starts on joining (its deadline ``first_plan_months`` later:
    a first plan can be late too); without a joining date, the first delivered
    plan anchors the chain. An administrator's deadline replaces the computed
    one for the cycle it falls in: the earliest unused one with the cycle's
    label, or due between the cycle's start and 12 months after the computed date.
    A cycle whose deadline passes without a plan is missed even when the plan
    arrives later: that late plan meets the next cycle, due 12 months after the missed one.
    """
    plans = sorted(
        (extended(p, snapshot.plan_extensions) for p in snapshot.plans if p.delivered_on), key=lambda p: p.delivered_on
    )
    overrides = sorted(snapshot.deadline_overrides, key=lambda d: d.due_on)
    used: set[int] = set()
    cycles: list[Cycle] = []
    met: list[tuple[dt.date, PlanInfo, str]] = []

    first_due = computed_deadline(snapshot.policies, None, snapshot.joined_on)
    if first_due is not None:
        cursor, computed = snapshot.joined_on, first_due
    elif plans:
        # No joining date: the first plan on record meets a cycle of its own (labelled by its start), and the
        # chain runs from it. Its cycle is offered like any other (findings and decisions can name it).
        anchor = plans[0]
        label = cycle_label(anchor.start or anchor.delivered_on)
        cycles.append(Cycle(
            label, anchor.delivered_on, anchor.delivered_on, RULE,
            _("The member's first plan on record (no joining date entered): it meets its own cycle."),
            met_on=anchor.delivered_on, plan_key=anchor.key,
        ))
        met.append((anchor.delivered_on, anchor, label))
        cursor = anchor.delivered_on + dt.timedelta(days=1)
        computed = computed_deadline(snapshot.policies, anchor, snapshot.joined_on)
    else:
        cursor, computed = dt.date.min, None
    cohort_due = None  # the 2015 calendar's cohort deadline, kept through missed cycles
    for _attempt in range(500):  # a cycle lasts at least a day; this bounds a corrupt input
        override = None
        unused = [(i, o) for i, o in enumerate(overrides) if i not in used and o.due_on >= cursor]
        if computed is not None:
            same_label = [(i, o) for i, o in unused if o.cycle == cycle_label(computed)]
            in_window = [(i, o) for i, o in unused if o.due_on <= add_months(computed, 12)]
            override = (same_label or in_window or [None])[0]
        elif unused:
            override = unused[0]
        switch_to = None
        stored_reading = None
        if override:
            used.add(override[0])
            o = override[1]
            due, source, reason, label = o.due_on, ADMINISTRATOR, o.reason, o.cycle or cycle_label(o.due_on)
            stored_reading = o.on_time_until
        elif computed is not None:
            due, source, reason, label = computed, RULE, "", cycle_label(computed)
            extension = _extension_for(snapshot.extensions, due)
            if extension:
                switch_to = add_months(due, 12) if extension.cohort_switch else None
                due, reason = max(due, extension.until), extension.reason
        else:
            break
        if not reason:
            reason = format_lazy(_("Computed by rule: next action plan due {due}."), due=due.isoformat())
        starts_on = cursor if cursor != dt.date.min else due
        tolerance = LATE_TOLERANCE_MONTHS.get(policy_at(snapshot.policies, due).deadline_rule, 0)
        # "More than four months late": a plan due 1 July 2014 was contrary as of 1 November 2014
        # (OGP's letter to Turkey, 2014), so the last day still on time is the day before.
        late_until = add_months(due, tolerance) - dt.timedelta(days=1) if tolerance else None
        if stored_reading is not None:
            late_until = stored_reading if stored_reading > due else None
        last_day = late_until or due
        delivered = next((p for p in plans if cursor <= p.delivered_on <= min(last_day, today)), None)
        if not delivered and switch_to and today > last_day:
            # The 2020 extension: nothing by its end moves the member to the next cohort, not contrary to process.
            due, last_day, label = switch_to, switch_to, cycle_label(switch_to)
            delivered = next((p for p in plans if cursor <= p.delivered_on <= min(last_day, today)), None)
        if delivered:
            cycles.append(Cycle(label, starts_on, due, source, reason, met_on=delivered.delivered_on,
                                plan_key=delivered.key, late_until=late_until))
            met.append((delivered.delivered_on, delivered, label))
            cursor = delivered.delivered_on + dt.timedelta(days=1)
            computed = computed_deadline(snapshot.policies, delivered, snapshot.joined_on, cohort_due or due)
            cohort_due = None
            continue
        if today > last_day:
            cycles.append(Cycle(label, starts_on, due, source, reason, missed=True, late_until=late_until))
            # A missed deadline starts a new cycle with its deadline 12 months later.
            cursor = last_day + dt.timedelta(days=1)
            cohort_due = cohort_due or due
            computed = add_months(due, 12)
            continue
        cycles.append(Cycle(label, starts_on, due, source, reason, late_until=late_until))
        break
    return _labelled_by_plans(cycles, met, plans)


def _labelled_by_plans(cycles, met, plans):
    """Give a rule's cycle met by a plan the plan's own label (a 2018–2020 plan meets the 2018–2020 cycle).

    Only when no other cycle of the member holds that label (a late plan still meets the next cycle, which
    keeps its own label); an administrator's cycle keeps the label the administrator gave it.
    """
    by_key = {p.key: p for p in plans}
    taken = {c.label for c in cycles}
    renamed = {}
    for i, c in enumerate(cycles):
        plan = by_key.get(c.plan_key) if c.met_on else None
        if plan is None or c.source != RULE or not plan.start:
            continue
        own = cycle_label(plan.start)
        if own != c.label and own not in taken:
            taken.discard(c.label)
            taken.add(own)
            renamed[c.label] = own
            cycles[i] = replace(c, label=own)
    if renamed:
        met = [(day, plan, renamed.get(label, label)) for day, plan, label in met]
    return cycles, met


def cycle_on(cycles: list[Cycle], day: dt.date) -> str:
    """Return the cycle a finding made on ``day`` is about: the one whose plan was last delivered, else the open one."""
    done = [c for c in cycles if c.met_on and c.met_on <= day]
    if done:
        return done[-1].label
    return next((c.label for c in cycles if c.starts_on <= day <= c.due), "")


def cycle_labels(snapshot: MemberSnapshot, cycles: list[Cycle]) -> list[str]:
    """Return the labels of the member's cycles, the one vocabulary every form, the API and the pages offer.

    The rules' cycles up to today; without a joining date, also the cycle before the first one the rules
    know (a finding about the years before the first plan on record names it).
    """
    labels = [c.label for c in cycles]
    if cycles and snapshot.joined_on is None:
        before = cycle_label(add_months(cycles[0].starts_on if cycles[0].met_on else cycles[0].due, -24))
        if before not in labels:
            labels.insert(0, before)
    return labels


# ---------------------------------------------------------------- recurring obligations


def _periods_from(anchor: dt.date, until: dt.date, cadence_for) -> list[Period]:
    """Return consecutive periods from the one holding ``anchor`` to the one holding ``until``."""
    periods = []
    day = anchor
    while day <= until:
        p = period_of(day, cadence_for(day))
        p = Period(max(p.start, day), p.end, p.label)
        periods.append(p)
        day = p.end + dt.timedelta(days=1)
    return periods


def _missed_periods(anchor, done_on, today, policies, cadence_attr, required=lambda p: True):
    """Yield (period, effective_on, resolved_on) for each ended period after ``anchor``'s without an occurrence."""
    done = sorted(set(done_on))
    periods = _periods_from(anchor, today, lambda d: getattr(policy_at(policies, d), cadence_attr))
    for period in periods[1:]:  # the anchor's own period is when the obligation was last met
        grace = policy_at(policies, period.end).grace_days
        effective_on = period.end + dt.timedelta(days=1 + grace)
        if effective_on > today or not required(period):
            continue
        first = bisect.bisect_left(done, period.start)  # the first occurrence on or after the period's start
        if first < len(done) and done[first] <= period.end:
            continue  # met within the period
        # The first occurrence after the period (none inside it, so the same one), if by today.
        later = done[first] if first < len(done) and done[first] <= today else None
        yield period, effective_on, later


def _current_period_due(today, done_on, policies, cadence_attr) -> Period:
    """Return the period whose end is the next due date: this one, or the next if already met."""
    current = period_of(today, getattr(policy_at(policies, today), cadence_attr))
    if any(current.contains(d) for d in done_on):
        after = current.end + dt.timedelta(days=1)
        return period_of(after, getattr(policy_at(policies, after), cadence_attr))
    return current


def forum_findings(snapshot: MemberSnapshot, today: dt.date) -> tuple[list[FindingResult], list[NextDeadline]]:
    findings, deadlines = [], []
    for forum in snapshot.forums:
        held = sorted(d for d in forum.held_on if d <= today)
        anchor = held[0] if held else forum.founded_on
        if anchor is None or anchor > today:
            continue
        for period, effective_on, resolved_on in _missed_periods(
            anchor, held, today, snapshot.policies, "forum_cadence_months"
        ):
            findings.append(
                FindingResult(
                    MISSED_FORUM_MEETING,
                    forum.subject,
                    period.label,
                    effective_on,
                    None,
                    format_lazy(
                        _("{forum} held no meeting in {period} ({start} – {end})."),
                        forum=forum.name, period=period.label, start=period.start.isoformat(), end=period.end.isoformat(),
                    ),
                    met_again_on=resolved_on,
                )
            )
        due = _current_period_due(today, held, snapshot.policies, "forum_cadence_months")
        deadlines.append(NextDeadline(DEADLINE_FORUM_MEETING, due.end, forum.subject, due.label))
    return findings, deadlines


def update_findings(snapshot: MemberSnapshot, today: dt.date) -> tuple[list[FindingResult], list[NextDeadline]]:
    """Flag each ended update period of a plan in implementation with no published update."""
    # A plan recorded without an implementation start is taken to start when delivered.
    plans = [
        replace(extended(p, snapshot.plan_extensions), start=p.start or p.submitted_on)
        for p in snapshot.plans
        if p.delivered_on and p.delivered_on <= today
    ]
    if not plans:
        return [], []
    published = sorted(d for d in snapshot.update_published_on if d <= today)

    def cadence(day):
        return policy_at(snapshot.policies, day).update_cadence_months

    required: dict[str, Period] = {}
    for plan in plans:
        end = plan.end or today
        for period in _periods_from(plan.start, min(end, today), cadence)[1:]:
            required.setdefault(period.label, period)
    findings = []
    first_start = min(p.start for p in plans)
    for period, effective_on, resolved_on in _missed_periods(
        first_start, published, today, snapshot.policies, "update_cadence_months", lambda p: p.label in required
    ):
        findings.append(
            FindingResult(
                MISSED_STATUS_UPDATE,
                "",
                period.label,
                effective_on,
                None,
                format_lazy(
                    _("No status update was published in {period} ({start} – {end})."),
                    period=period.label, start=period.start.isoformat(), end=period.end.isoformat(),
                ),
                met_again_on=resolved_on,
            )
        )
    deadlines = []
    in_implementation = [p for p in plans if p.start <= today and (p.end is None or today <= p.end)]
    if in_implementation:
        due = _current_period_due(today, published, snapshot.policies, "update_cadence_months")
        deadlines.append(NextDeadline(DEADLINE_STATUS_UPDATE, due.end, "", due.label))
    return findings, deadlines


# ---------------------------------------------------------------- the ladder


def _next_plan_deadline(cycles: list[Cycle], day: dt.date) -> dt.date | None:
    for c in cycles:
        if c.due >= day and not (c.met_on and c.met_on < day):
            return c.due
    return None


# Events on one day are taken in this order (the documented same-day rule):
# 0. a plan delivered (a plan on the deadline day meets it; a missed deadline
#    only takes effect the next day, so a plan always comes first);
# 1. an administrator resolving a finding;
# 2. failures: a missed deadline, an IRM finding, an administrator's contrary
#    finding, a missed remedial deadline;
# 3. OGP decisions (C&S Subcommittee, Steering Committee), which have the last word on their day.
ORDER_MET, ORDER_RESOLVED, ORDER_FAILURE, ORDER_DECISION = 0, 1, 2, 3


def evaluate(snapshot: MemberSnapshot, now: dt.datetime | dt.date, tz: str = DEFAULT_TIME_ZONE) -> Evaluation:
    """Return the member's findings, status and status history, and next deadlines as of ``now``.

    The run of consecutive contrary cycles is broken only by a cycle met on
    time with no IRM (or administrator's) finding against it: a plan delivered
    late meets the next cycle, and a finding against that cycle later extends
    the run it would otherwise have broken.
    """
    today = local_date(now, tz)
    policies = applicable(snapshot.policies, snapshot.kind)
    if policies is not snapshot.policies:
        snapshot = replace(snapshot, policies=policies)
    cycles, met = action_plan_cycles(snapshot, today)
    met_days = [d for d, _plan, _label in met]
    findings: list[FindingResult] = []

    events: list[tuple[dt.date, int, str, object]] = []
    for d, plan, label in met:
        events.append((d, ORDER_MET, "met", label))
    for c in cycles:
        if c.missed:
            effective_on = c.contrary_on
            resolved = next((d for d in met_days if d >= effective_on), None)
            findings.append(
                FindingResult(
                    FINDING_CONTRARY,
                    "",
                    c.label,
                    effective_on,
                    None,
                    format_lazy(
                        _("No action plan for the {cycle} cycle was delivered by the deadline of {due}."),
                        cycle=c.label, due=(c.late_until or c.due).isoformat(),
                    ),
                    met_again_on=resolved,
                )
            )
            events.append((effective_on, ORDER_FAILURE, "failure", ("plan", c.label, "", None)))

    def cycle_of(day: dt.date) -> str:
        return cycle_on(cycles, day)

    for af in snapshot.admin_findings:
        if af.effective_on > today:
            continue
        cycle = af.cycle or cycle_of(af.effective_on) or af.effective_on.isoformat()
        resolved = af.resolved_on if af.resolved_on and af.resolved_on <= today else None
        findings.append(
            FindingResult(
                FINDING_CONTRARY, "", cycle, af.effective_on, resolved,
                af.reason or _("Recorded by an administrator."), af.reference, ADMINISTRATOR,
            )
        )
        events.append((af.effective_on, ORDER_FAILURE, "failure", ("admin", cycle, af.reference, af.key)))
        if resolved:
            events.append((resolved, ORDER_RESOLVED, "resolved", (af.key, af.resolution)))
    for sa in snapshot.self_assessments:
        missed_on = sa.due_on + dt.timedelta(days=1)
        judged = policy_at(snapshot.policies, sa.due_on).deadline_rule != AFTER_PLAN_END_12M  # dropped in 2022
        if not judged or missed_on > today or (sa.delivered_on and sa.delivered_on <= sa.due_on):
            continue
        cycle = sa.cycle or cycle_of(sa.due_on) or sa.due_on.isoformat()
        late = sa.delivered_on if sa.delivered_on and sa.delivered_on <= today else None
        findings.append(FindingResult(
            MISSED_SELF_ASSESSMENT, "", cycle, missed_on, None,
            format_lazy(_("The self-assessment report due {due} was not delivered by then."), due=sa.due_on.isoformat()),
            sa.reference, met_again_on=late,
        ))
        events.append((missed_on, ORDER_FAILURE, "failure", ("self_assessment", cycle, sa.reference, None)))
    remedial_open: list[DecisionInfo] = []
    for dec in sorted(snapshot.decisions, key=lambda x: x.decided_on):
        if dec.decided_on > today:
            continue
        if dec.kind in IRM_KINDS:
            cycle = dec.cycle or cycle_of(dec.decided_on)
            resolved = next((d for d in met_days if d > dec.decided_on), None)
            findings.append(
                FindingResult(
                    dec.kind, "", cycle or dec.decided_on.isoformat(), dec.decided_on, None,
                    dec.summary or _("Recorded from an IRM report."), dec.reference, met_again_on=resolved,
                )
            )
            events.append(
                (dec.decided_on, ORDER_FAILURE, "failure", ("irm", cycle or dec.decided_on.isoformat(), dec.reference, None))
            )
        elif dec.kind == SC_REMEDIAL_DEADLINE:
            if dec.due_on is None:
                continue
            events.append((dec.decided_on, ORDER_DECISION, SC_REMEDIAL_DEADLINE, dec))
            remedied = [d for d in met_days if dec.decided_on <= d <= dec.due_on]
            if dec.met_on and dec.met_on <= min(dec.due_on, today):
                remedied.append(dec.met_on)
            missed_on = dec.due_on + dt.timedelta(days=1)
            if not remedied and missed_on <= today:
                events.append((missed_on, ORDER_FAILURE, "remedial_missed", dec))
            elif not remedied:
                remedial_open.append(dec)
        else:
            events.append((dec.decided_on, ORDER_DECISION, dec.kind, dec))
    events.sort(key=lambda e: (e[0], e[1]))

    status, since = ACTIVE, None
    changes: list[StatusChange] = []
    failed_cycles: list[str] = []
    run_before_met: list[str] = []  # the run a plan delivery interrupted, restored if a finding hits that cycle
    last_met_cycle = ""
    last_failure = None
    missed_plans = 0
    inactive_since: dt.date | None = None
    remedial_until: dt.date | None = None
    admin_open: dict = {}  # an administrator's open findings (key -> cycle): only the administrator ends them

    def change(new, day, cycle, reason, reference=""):
        nonlocal status, since, inactive_since
        if new == status:
            return
        changes.append(StatusChange(new, status, day, cycle, reason, _next_plan_deadline(cycles, day), reference))
        status, since = new, day
        inactive_since = day if new == INACTIVE else None

    def check_removal(day):
        if status == INACTIVE and inactive_since:
            months = policy_at(snapshot.policies, inactive_since).removal_after_inactive_months
            due = add_months(inactive_since, months)
            if due <= day:
                change(
                    REMOVAL_RECOMMENDED, due, "",
                    format_lazy(
                        _("Inactive since {since} without re-engaging for {months} months."),
                        since=inactive_since.isoformat(), months=months,
                    ),
                )

    for day, _order, kind, payload in events:
        check_removal(day)
        if status == REMOVED:
            break
        policy = policy_at(snapshot.policies, day)
        if kind == "met":
            still_open = list(dict.fromkeys(admin_open.values()))
            if still_open and status not in (INACTIVE, REMOVAL_RECOMMENDED):
                # Issue 19.3: a plan does not end an administrator's open finding; the member stays contrary to process.
                change(
                    CONTRARY_TO_PROCESS, day, still_open[-1],
                    format_lazy(
                        _("An action plan was delivered on {day}; the finding an administrator recorded for the {cycle} "
                          "cycle stays open until the administrator resolves it."),
                        day=day.isoformat(), cycle=still_open[-1],
                    ),
                )
            elif status != ACTIVE:
                change(
                    ACTIVE, day, "",
                    format_lazy(_("An action plan was delivered on {day}; the member is back on track."), day=day.isoformat()),
                )
            if failed_cycles:
                run_before_met = failed_cycles
            failed_cycles, missed_plans, last_met_cycle = still_open, 0, payload
        elif kind == "resolved":
            key, resolution = payload
            admin_open.pop(key, None)
            if last_failure == key and status in (CONTRARY_TO_PROCESS, UNDER_REVIEW):
                change(
                    ACTIVE, day, "",
                    format_lazy(_("The finding was resolved by an administrator: {reason}"), reason=resolution or "—"),
                )
        elif kind == "remedial_missed":
            if status not in (INACTIVE_RECOMMENDED, INACTIVE, REMOVAL_RECOMMENDED):
                change(
                    INACTIVE_RECOMMENDED, day, payload.cycle,
                    format_lazy(
                        _("The remedial deadline of {due} set by the Steering Committee was missed."),
                        due=payload.due_on.isoformat(),
                    ),
                    payload.reference,
                )
        elif kind == "failure":
            what, cycle, reference, key = payload
            if what == "admin":
                admin_open[key] = cycle
            if status in (INACTIVE, REMOVAL_RECOMMENDED):
                continue
            last_failure = key
            if what == "plan" and remedial_until and day <= remedial_until:
                continue  # the Steering Committee's remedial deadline stands in for the plan deadline
            if what != "plan" and cycle == last_met_cycle and not failed_cycles and run_before_met:
                # A finding against the cycle a (late) plan met: that cycle did not break the run.
                failed_cycles = list(run_before_met)
            further = cycle not in failed_cycles
            if further:
                failed_cycles.append(cycle)
            if what == "plan":
                missed_plans += 1
            cause = {
                "plan": format_lazy(_("no action plan delivered for the {cycle} cycle"), cycle=cycle),
                "irm": format_lazy(_("an IRM finding for the {cycle} cycle"), cycle=cycle),
                "admin": format_lazy(_("a finding recorded by an administrator for the {cycle} cycle"), cycle=cycle),
                "self_assessment": format_lazy(_("no self-assessment report delivered for the {cycle} cycle"), cycle=cycle),
            }[what]
            if status == UNDER_REVIEW and further:
                change(INACTIVE_RECOMMENDED, day, cycle, format_lazy(_("A further failure while under review: {cause}."), cause=cause), reference)
            elif what == "plan" and missed_plans >= policy.inactive_after_years_without_plan:
                change(
                    INACTIVE_RECOMMENDED, day, cycle,
                    format_lazy(
                        _("No action plan delivered for {years} consecutive years ({cause})."), years=missed_plans, cause=cause
                    ),
                    reference,
                )
            elif len(failed_cycles) >= policy.under_review_after_cycles and status in (ACTIVE, CONTRARY_TO_PROCESS):
                change(
                    UNDER_REVIEW, day, cycle,
                    format_lazy(
                        _("Acted contrary to process for {cycles} consecutive cycles ({cause})."),
                        cycles=len(failed_cycles), cause=cause,
                    ),
                    reference,
                )
            elif status == ACTIVE:
                change(CONTRARY_TO_PROCESS, day, cycle, format_lazy(_("Acted contrary to process: {cause}."), cause=cause), reference)
        elif kind == CSS_UNDER_REVIEW:
            if status in (ACTIVE, CONTRARY_TO_PROCESS):
                change(
                    UNDER_REVIEW, day, payload.cycle,
                    payload.summary or _("Placed under review by the Criteria and Standards Subcommittee."), payload.reference,
                )
        elif kind == SC_REMEDIAL_DEADLINE:
            # The Steering Committee gives the member until the remedial deadline: a pending
            # inactive recommendation waits (missing the deadline recommends it again).
            remedial_until = payload.due_on
            if status == INACTIVE_RECOMMENDED:
                change(
                    UNDER_REVIEW, day, payload.cycle,
                    payload.summary or format_lazy(
                        _("The Steering Committee set a remedial deadline of {due}."), due=payload.due_on.isoformat()
                    ),
                    payload.reference,
                )
        elif kind == CSS_INACTIVE_RECOMMENDED:
            if status not in (INACTIVE, REMOVAL_RECOMMENDED):
                change(
                    INACTIVE_RECOMMENDED, day, payload.cycle,
                    payload.summary or _("The Criteria and Standards Subcommittee recommended inactive status."),
                    payload.reference,
                )
        elif kind == SC_INACTIVE:
            change(INACTIVE, day, payload.cycle, payload.summary or _("Designated inactive by the Steering Committee."), payload.reference)
        elif kind == SC_REMOVAL:
            change(REMOVED, day, payload.cycle, payload.summary or _("Removed by the Steering Committee."), payload.reference)
        elif kind == SC_REACTIVATION:
            change(ACTIVE, day, payload.cycle, payload.summary or _("Reactivated by the Steering Committee."), payload.reference)
            failed_cycles, run_before_met, missed_plans = [], [], 0
    check_removal(today)

    f_findings, f_deadlines = forum_findings(snapshot, today)
    u_findings, u_deadlines = update_findings(snapshot, today)
    findings.extend(u_findings)
    findings.extend(f_findings)
    findings.sort(key=lambda f: (f.effective_on, f.kind, f.subject, f.period))

    next_deadlines = []
    if cycles and not cycles[-1].missed and not cycles[-1].met_on and status != REMOVED:
        c = cycles[-1]
        next_deadlines.append(NextDeadline(DEADLINE_ACTION_PLAN, c.due, "", c.label, c.source, c.reason))
    if status != REMOVED:
        for dec in remedial_open:
            next_deadlines.append(
                NextDeadline(DEADLINE_REMEDIAL, dec.due_on, "", dec.cycle, ADMINISTRATOR, dec.summary or dec.reference)
            )
        next_deadlines.extend(u_deadlines)
        next_deadlines.extend(f_deadlines)
    next_deadlines = [
        NextDeadline(d.kind, d.due, d.subject, d.period, d.source, d.reason, (d.due - today).days)
        for d in sorted(next_deadlines, key=lambda d: (d.due, d.kind, d.subject))
    ]
    return Evaluation(snapshot.code, today, status, since, changes, findings, next_deadlines, cycles)
