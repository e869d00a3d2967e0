"""API representations of members, agencies, plans, commitments, activities, milestones and progress.

Translated text (titles, descriptions) is given in the request's language (Accept-Language),
falling back to English.
"""

from rest_framework import serializers

from ogp_portal.api import StrictModelSerializer
from ogp_portal.api_rows import FastRowsMixin, ReversedUrl
from ogp_portal.text_limits import LONG_TEXT

from django.utils.text import format_lazy

from .services import COMMITMENT_EDITABLE_FIELDS
from .models import ROLLUP_RULE, Activity, ActionPlan, Agency, Commitment, Completion, Evidence, Member, Milestone, OGPValues, ProgressUpdate

def text_list():
    """A list of short texts (themes)."""
    return serializers.ListField(child=serializers.CharField(max_length=200), max_length=50)


class HtmlUrlMixin(serializers.Serializer):
    html_url = serializers.SerializerMethodField(help_text="The object's page on the portal.")
    # The view of the object's page and the attribute it takes (what ``get_absolute_url`` reverses):
    # one reverse() per request for every row (tests/api/test_fast_rows.py checks both agree).
    html_url_view: tuple[str, str] | None = None

    def get_html_url(self, obj) -> str:
        if self.html_url_view is None or not getattr(self, "fast_rows", False):
            request = self.context.get("request")
            url = obj.get_absolute_url()
            return request.build_absolute_uri(url) if request else url
        url = self.__dict__.get("_html_url")
        if url is None:
            url = self._html_url = ReversedUrl(self.context.get("request"), self.html_url_view[0])
        return url(getattr(obj, self.html_url_view[1]))


class MemberSerializer(FastRowsMixin, HtmlUrlMixin, serializers.ModelSerializer):
    html_url_view = ("commitments:member", "code")

    class Meta:
        model = Member
        fields = ["id", "code", "name", "kind", "country", "parent", "joined_on", "html_url"]


class AgencySerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "member", "name", "acronym", "kind"]


class ActionPlanSerializer(FastRowsMixin, HtmlUrlMixin, serializers.ModelSerializer):
    html_url_view = ("commitments:plan", "pk")
    themes = text_list()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "member",
            "title",
            "start_date",
            "end_date",
            "submitted_on",
            "approved_on",
            "approval_act",
            "lead_institutions",
            "monitoring_body",
            "co_creation",
            "themes",
            "html_url",
        ]


# What a coordinator may change of a commitment: the service's own list, not a copy of it (the API reads and writes these).
COMMITMENT_TEXT_FIELDS = list(COMMITMENT_EDITABLE_FIELDS)


class CommitmentSerializer(FastRowsMixin, HtmlUrlMixin, serializers.ModelSerializer):
    html_url_view = ("commitments:commitment", "identifier")
    ogp_values = serializers.ListField(child=serializers.ChoiceField(choices=OGPValues.choices), max_length=4)
    themes = text_list()
    # The stored roll-up: the value every page, the list, its filter and the exports show.
    completion = serializers.ChoiceField(
        choices=Completion.choices,
        allow_null=True,
        read_only=True,
        source="stored_rollup.level",
        help_text=format_lazy("{} {}", "Rolled up from the milestones; null while no milestone has an approved update.", ROLLUP_RULE),
    )
    completion_percent = serializers.IntegerField(read_only=True, min_value=0, max_value=100, help_text="The same roll-up as a percentage.")

    class Meta:
        model = Commitment
        fields = [
            "id", "plan", "identifier", "number", "start_date", "end_date", "lead_agency", *COMMITMENT_TEXT_FIELDS,
            "completion", "completion_percent", "html_url",
        ]


class CommitmentWriteSerializer(StrictModelSerializer):
    """What an agency's coordinator may change of a commitment: its texts, values, themes and contact."""

    ogp_values = serializers.ListField(child=serializers.ChoiceField(choices=OGPValues.choices), max_length=4)
    themes = text_list()

    class Meta:
        model = Commitment
        fields = COMMITMENT_TEXT_FIELDS


class ActivitySerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "commitment", "number", "title", "expected_results"]


MILESTONE_WRITABLE_FIELDS = [
    "deliverable",
    "budget_development_partners",
    "budget_national",
    "budget_text",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
]


class MilestoneSerializer(FastRowsMixin, serializers.ModelSerializer):
    ends_on = serializers.DateField(read_only=True, allow_null=True, help_text="The last day the end stands for.")

    class Meta:
        model = Milestone
        fields = ["id", "commitment", "activity", "number", *MILESTONE_WRITABLE_FIELDS, "ends_on"]


class MilestoneWriteSerializer(StrictModelSerializer):
    """What an agency's coordinator may change of a milestone: the deliverable, budget and dates."""

    class Meta:
        model = Milestone
        fields = MILESTONE_WRITABLE_FIELDS


class EvidenceSerializer(FastRowsMixin, serializers.ModelSerializer):
    """One piece of evidence: a link, or a file downloadable at ``download`` (by those who may see it)."""

    url = serializers.SerializerMethodField(help_text="The web address of a link; null for a file.")
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "kind", "url", "original_name", "content_type", "size", "created_at", "download"]
        read_only_fields = fields

    def get_url(self, obj) -> str | None:
        return obj.url or None

    def get_download(self, obj) -> str | None:
        if obj.kind != Evidence.Kind.FILE:
            return None
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class ProgressUpdateSerializer(FastRowsMixin, serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "milestone",
            "period_start",
            "period_end",
            "completion",
            "narrative",
            "evidence",
            "state",
            "published_at",
            "self_approved",
            "created_at",
            "updated_at",
        ]


# ---------------------------------------------------------------------------
# Writes of the progress workflow (h11): bodies of POST / PATCH and of the actions
# ---------------------------------------------------------------------------

from ogp_portal.api import StrictSerializer  # noqa: E402

from .models import Completion, StatusReport, StatusReportLine  # noqa: E402


class ProgressUpdateCreateSerializer(StrictSerializer):
    """A new draft update of a milestone for one of its plan's reporting periods (such as ``2019-H2``)."""

    milestone = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period = serializers.CharField(max_length=16, help_text="The reporting period's label, such as 2019-H2.")
    completion = serializers.ChoiceField(choices=Completion.choices)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=LONG_TEXT)
    as_of = serializers.DateField(required=False, allow_null=True)


class ProgressUpdateWriteSerializer(StrictSerializer):
    """What changes in a draft (or returned) update; a returned update becomes a draft again."""

    completion = serializers.ChoiceField(choices=Completion.choices, required=False)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=LONG_TEXT)
    as_of = serializers.DateField(required=False, allow_null=True)


class NoBodySerializer(StrictSerializer):
    """An action without a body (send ``{}`` or nothing)."""


class ApproveSerializer(StrictSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ReturnSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=5000, help_text="What should change before the update is submitted again.")


class EvidenceLinkSerializer(StrictSerializer):
    url = serializers.CharField(max_length=1000, help_text="An http or https address.")


class EvidenceFileSerializer(StrictSerializer):
    file = serializers.FileField(help_text="PDF, image, office document or plain text; checked by its content.")


class EvidenceItemSerializer(EvidenceSerializer):
    class Meta(EvidenceSerializer.Meta):
        fields = ["id", "update", *EvidenceSerializer.Meta.fields[1:]]
        read_only_fields = fields


class StatusReportLineSerializer(serializers.ModelSerializer):
    milestones = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = StatusReportLine
        fields = ["commitment", "completion", "percent", "milestones"]
        read_only_fields = fields


class StatusReportSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    lines = StatusReportLineSerializer(many=True, read_only=True)

    class Meta:
        model = StatusReport
        fields = [
            "id", "member", "plan", "period_label", "period_start", "period_end", "state", "published_at", "version", "lines",
            "html_url",
        ]
        read_only_fields = fields


class StatusReportCreateSerializer(StrictSerializer):
    """Open (or find) the plan's status report for one reporting period."""

    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period = serializers.CharField(max_length=16, help_text="The reporting period's label, such as 2019-H2.")


# ---------------------------------------------------------------------------
# Writes of members, agencies, plans and activities (h11): bodies of POST and PATCH
# ---------------------------------------------------------------------------

from ogp_portal.api import StrictWriteSerializer  # noqa: E402


class MemberWriteSerializer(StrictWriteSerializer):
    """A member as an administrator enters it (the name and country in the request's language)."""

    class Meta:
        model = Member
        fields = ["code", "name", "kind", "country", "parent", "joined_on"]


class AgencyWriteSerializer(StrictWriteSerializer):
    class Meta:
        model = Agency
        fields = ["member", "name", "acronym", "kind"]
        validators = []  # the name's uniqueness per member is checked by the service (400 per field)


class ActionPlanWriteSerializer(StrictWriteSerializer):
    themes = serializers.ListField(child=serializers.CharField(max_length=200), max_length=50, required=False)

    class Meta:
        model = ActionPlan
        fields = [
            "member", "title", "start_date", "end_date", "submitted_on", "approved_on", "approval_act", "lead_institutions",
            "monitoring_body", "co_creation", "themes",
        ]


class ActivityWriteSerializer(StrictWriteSerializer):
    class Meta:
        model = Activity
        fields = ["commitment", "number", "title", "expected_results"]
        validators = []  # the number's uniqueness per commitment is checked by the service (400 per field)
