"""The compliance vocabulary, defined once: the engine (pure rules) and the models both read it.

Only ``django.db.models.enums`` is used here: importing this module touches no
database, so ``compliance.engine`` stays a pure function of (snapshot, now).
"""

from django.db.models import IntegerChoices, TextChoices
from django.utils.translation import gettext_lazy as _


class MemberStatus(TextChoices):
    ACTIVE = "active", _("Active")
    CONTRARY_TO_PROCESS = "contrary_to_process", _("Acting contrary to process")
    UNDER_REVIEW = "under_review", _("Under procedural review")
    INACTIVE_RECOMMENDED = "inactive_recommended", _("Inactive recommended")
    INACTIVE = "inactive", _("Inactive")
    REMOVAL_RECOMMENDED = "removal_recommended", _("Removal recommended")
    # Only after a Steering Committee removal decision.
    REMOVED = "removed", _("Removed")


class FindingKind(TextChoices):
    MISSED_STATUS_UPDATE = "missed_status_update", _("Missed six-month status update")
    MISSED_FORUM_MEETING = "missed_forum_meeting", _("Missed forum meeting")
    CONTRARY_TO_PROCESS = "contrary_to_process", _("Acting contrary to process")
    IRM_MINIMUM_REQUIREMENTS = "irm_minimum_requirements", _("IRM: minimum requirements not met")
    IRM_NO_PROGRESS = "irm_no_progress", _("IRM: no progress on any commitment")
    MISSED_SELF_ASSESSMENT = "missed_self_assessment", _("Missed self-assessment report")


class DecisionKind(TextChoices):
    """What only OGP decides; each counts in the status ladder (see ``engine.evaluate``)."""

    IRM_MINIMUM_REQUIREMENTS = "irm_minimum_requirements", _("IRM: minimum requirements not met")
    IRM_NO_PROGRESS = "irm_no_progress", _("IRM: no progress on any commitment")
    CSS_UNDER_REVIEW = "css_under_review", _("Criteria and Standards Subcommittee: placed under review")
    CSS_INACTIVE_RECOMMENDED = "css_inactive_recommended", _("Criteria and Standards Subcommittee: inactive recommended")
    SC_REMEDIAL_DEADLINE = "sc_remedial_deadline", _("Steering Committee: remedial deadline")
    SC_INACTIVE = "sc_inactive", _("Steering Committee: inactive")
    SC_REMOVAL = "sc_removal", _("Steering Committee: removal")
    SC_REACTIVATION = "sc_reactivation", _("Steering Committee: reactivation")


IRM_DECISION_KINDS = (DecisionKind.IRM_MINIMUM_REQUIREMENTS.value, DecisionKind.IRM_NO_PROGRESS.value)


class DeadlineKind(TextChoices):
    ACTION_PLAN = "action_plan", _("Action plan delivery")
    STATUS_UPDATE = "status_update", _("Six-month status update")
    FORUM_MEETING = "forum_meeting", _("Forum meeting")
    REMEDIAL = "remedial", _("Remedial deadline (Steering Committee)")
    # OGP required self-assessment reports in the 2012–2021 eras: judged when due before the 2022 rule (issue 19.4).
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment report")


# The deadline kinds an administrator may set by hand: only those the engine judges.
JUDGED_DEADLINE_KINDS = (DeadlineKind.ACTION_PLAN.value, DeadlineKind.SELF_ASSESSMENT.value)


class Source(TextChoices):
    RULE = "rule", _("Computed by rule")
    ADMINISTRATOR = "administrator", _("Set by an administrator")


class DeadlineRule(TextChoices):
    FOUR_MONTHS_2014 = "four_months_2014", _("2014: a plan more than four months late is contrary to process")
    CALENDAR_2015 = "calendar_2015", _("2015 calendar: late within six months keeps the end date, later shifts the cohort")
    CALENDAR_2019 = "calendar_2019", _("2019–2021 calendar: due 31 August, on time until 31 December")
    AFTER_PLAN_END_12M = "after_plan_end_12m", _("12 months after the end of the last plan")


class Cadence(IntegerChoices):
    QUARTER = 3, _("Every quarter")
    HALF_YEAR = 6, _("Every six months")
    YEAR = 12, _("Every year")


class LetterKind(TextChoices):
    CAUTION = "caution", _("Caution letter")
    CONTRARY_TO_PROCESS = "contrary_to_process", _("Contrary to process letter")
    UNDER_REVIEW = "under_review", _("Under review letter")
    INACTIVE_RECOMMENDATION = "inactive_recommendation", _("Inactive recommendation letter")
    DECISION = "decision", _("Decision notice")
    OTHER = "other", _("Other letter")
