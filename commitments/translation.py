"""Text fields held in English, Russian and Kyrgyz (django-modeltranslation)."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import Activity, ActionPlan, Agency, Commitment, Member, Milestone


@register(Member)
class MemberTranslation(TranslationOptions):
    # Official names: "Kyrgyz Republic", "Кыргызская Республика", "Кыргыз Республикасы".
    fields = ("name", "country")


@register(Agency)
class AgencyTranslation(TranslationOptions):
    fields = ("name",)


@register(ActionPlan)
class ActionPlanTranslation(TranslationOptions):
    fields = ("title", "monitoring_body", "co_creation")


@register(Commitment)
class CommitmentTranslation(TranslationOptions):
    fields = (
        "title",
        "other_state_actors",
        "other_actors",
        "problem",
        "description",
        "contribution",
        "relevance",
        "additional_information",
        "expected_results",
        "contact_title",
    )


@register(Activity)
class ActivityTranslation(TranslationOptions):
    fields = ("title", "expected_results")


@register(Milestone)
class MilestoneTranslation(TranslationOptions):
    fields = ("deliverable",)


# History is registered here, after modeltranslation has added the per-language
# columns, so that each historical record keeps the English, Russian and Kyrgyz text.
# The stored completion roll-up and a milestone's done flag are derived (progress.refresh_completion,
# progress.refresh_done_flags) from the approved updates, which have their own history; they are
# written by plain UPDATEs that record no history, so a copy in history would be stale and a diff
# would show them as changed by the person who edited the texts. They stay out of history.
for _model, _excluded in (
    (Member, []),
    (Agency, []),
    (ActionPlan, []),
    (Commitment, ["completion", "completion_percent", "latest_update_at", "overdue_stored", "overdue_from", "overdue_until"]),
    (Activity, []),
    (Milestone, ["done"]),
):
    simple_history.register(_model, app="commitments", excluded_fields=_excluded)
