"""REST API of co-creation (routed in ``ogp_portal/api_urls.py``): processes and their figures, proposals,
drafts, comments and responses, scoped by ``cocreation.permissions.visible_to``; every write through
``cocreation.services``; writes to an existing object need If-Match with its ETag (``ogp_portal.versioning``)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from commitments.models import Agency, Member
from ogp_portal.api import (
    CursorPagination,
    ScopedPublicListMixin,
    StrictModelSerializer,
    StrictSerializer,
    action_schema,
    require_if_match,
    versioned_retrieve_schema,
    versioned_update_schema,
    with_etag,
)
from ogp_portal.api_filters import member_code_filters

from . import permissions, services
from .models import CoCreationProcess, Comment, DraftCommitment, Proposal, Stage


class ProcessSerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CoCreationProcess
        fields = ["id", "member", "cycle", "title", "stage", "plan_deadline", "proposals_open_on", "proposals_close_on",
                  "drafts_close_on", "decision_by", "comment_days", "plan", "submitted_on"]


class ProcessOpenSerializer(StrictSerializer):
    member = serializers.SlugRelatedField(slug_field="code", queryset=Member.objects.all())
    deadline = serializers.DateField(required=False, allow_null=True,
                                     help_text="The plan deadline; omitted: the compliance engine's next action-plan deadline.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)


class StageSerializer(StrictSerializer):
    stage = serializers.ChoiceField(choices=[c for c in Stage.choices if c[0] != Stage.SUBMITTED])


class ProposalSerializer(serializers.ModelSerializer):
    supporters = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = ["id", "process", "title", "problem", "proposed_commitment", "agency", "agency_text", "sector", "visibility",
                  "moderation_reason", "outcome", "draft", "decision_meeting", "response", "response_published_at",
                  "created_at", "supporters"]

    def get_supporters(self, obj) -> int:
        return obj.supports.count()


class ProposalCreateSerializer(StrictModelSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Proposal
        fields = ["process", "title", "problem", "proposed_commitment", "agency", "agency_text", "sector"]


class ModerateSerializer(StrictSerializer):
    hide = serializers.BooleanField()
    reason = serializers.CharField()


class ProposalRespondSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=Proposal.Outcome.choices, required=False)
    response = serializers.CharField()


class SupportSerializer(StrictSerializer):
    support = serializers.BooleanField(default=True)


class DraftSerializer(serializers.ModelSerializer):
    class Meta:
        model = DraftCommitment
        fields = ["id", "process", "title", "lead_agency", "problem", "description", "contribution", "relevance",
                  "expected_results", "other_state_actors", "other_actors", "milestones", "start_date", "end_date",
                  "sources", "state", "comment_opens_on", "comment_closes_on", "decision_meeting", "decision_reason", "version"]


class DraftWriteSerializer(StrictModelSerializer):
    class Meta:
        model = DraftCommitment
        fields = list(services.DRAFT_FIELDS)


class DraftCreateSerializer(StrictModelSerializer):
    proposals = serializers.PrimaryKeyRelatedField(queryset=Proposal.objects.all(), many=True, required=False)

    class Meta:
        model = DraftCommitment
        fields = ["process", *services.DRAFT_FIELDS, "proposals"]


class OpenSerializer(StrictSerializer):
    days = serializers.IntegerField(min_value=1, max_value=365, required=False)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "proposal", "draft", "author", "text", "created_at"]


class CommentCreateSerializer(StrictModelSerializer):
    class Meta:
        model = Comment
        fields = ["proposal", "draft", "text"]


class ResponseSerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="pk")

    class Meta:
        model = Proposal
        fields = ["proposal", "process", "title", "outcome", "draft", "decision_meeting", "response", "response_published_at"]



# The API's FilterSets, declared (ogp_portal/api_filters.py): ``member_code`` / ``member`` by the member's code.


class ProcessApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("member__code")

    class Meta:
        model = CoCreationProcess
        fields = ['stage', 'cycle']


class ProposalApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("process__member__code")

    class Meta:
        model = Proposal
        fields = ['process', 'sector', 'outcome', 'visibility']


class DraftApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("process__member__code")

    class Meta:
        model = DraftCommitment
        fields = ['process', 'state']


class ResponseApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("process__member__code")

    class Meta:
        model = Proposal
        fields = ['process', 'outcome']


class ProcessViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Co-creation processes of the members' next plans, with their stages and deadline; the point of contact or the
    forum secretariat opens one (stages counted back from the deadline), the secretariat moves it to its next stage."""

    versioned_actions = ("advance",)  # If-Match required: 412 / 428 documented

    queryset = CoCreationProcess.objects.select_related("member")
    serializer_class = ProcessSerializer
    filterset_class = ProcessApiFilterSet
    write_permissions = {"advance": "cocreation.manage_process"}

    @versioned_retrieve_schema()
    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return with_etag(Response(self.get_serializer(obj).data), obj)

    @extend_schema(request=ProcessOpenSerializer, responses={201: ProcessSerializer})
    def create(self, request, *args, **kwargs):
        body = ProcessOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = services.open_process(data["member"], by=request.user, now=timezone.now(), deadline=data.get("deadline"),
                                    title=data.get("title", ""))
        return with_etag(Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED), row)

    @action_schema(StageSerializer, ProcessSerializer, description="Move the process to its next stage (the secretariat); "
                                                                   "the plan is marked submitted by the point of contact.")
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        row = self.get_object()
        version = require_if_match(request, row)
        body = StageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.advance_stage(row, by=request.user, stage=body.validated_data["stage"], version=version)
        return with_etag(Response(self.get_serializer(row).data), row)

    @extend_schema(description="The process's figures: proposals by sector, comments, supporters, discussions, "
                               "participants, meetings held, responses given (an object of counts by name).",
                   responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        process = self.get_object()
        return Response({key: value for key, _label, value in services.figures(process)})


def _visible(user, model, pk):
    row = permissions.visible_to(user, model.objects.filter(pk=pk)).first()
    if row is None:
        raise NotFound()
    return row


class ProposalViewSet(ScopedPublicListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Proposals: anyone with a confirmed account proposes while proposals are open; the secretariat moderates
    (hidden ones stay visible to the secretariat and their author) and publishes the reasoned response."""

    versioned_actions = ("moderate", "respond")  # If-Match required: 412 / 428 documented

    queryset = Proposal.objects.all()
    serializer_class = ProposalSerializer
    filterset_class = ProposalApiFilterSet
    pagination_class = CursorPagination
    ordering = ["-id"]
    ordering_fields = ["id"]
    write_permissions = {"moderate": "cocreation.moderate", "respond": "cocreation.moderate", "support": "cocreation.participate"}

    def get_queryset(self):
        return permissions.visible_to(self.request.user, super().get_queryset().prefetch_related("supports"))

    def beyond_public(self, reader):
        # Hidden proposals the reader may see (their own, their members' as secretariat).
        return permissions.visible_to(reader, Proposal.objects.all()).exclude(visibility="published")

    @versioned_retrieve_schema()
    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return with_etag(Response(self.get_serializer(obj).data), obj)

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def create(self, request, *args, **kwargs):
        body = ProposalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        process = data.pop("process")
        row = services.submit_proposal(process, by=request.user, data=data, now=timezone.now())
        return with_etag(Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED), row)

    @action_schema(ModerateSerializer, ProposalSerializer, description="Hide a proposal (or show it again) with the reason.")
    @action(detail=True, methods=["post"])
    def moderate(self, request, pk=None):
        row = self.get_object()
        version = require_if_match(request, row)
        body = ModerateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.moderate(row, by=request.user, hide=body.validated_data["hide"], reason=body.validated_data["reason"],
                                now=timezone.now(), version=version)
        return with_etag(Response(self.get_serializer(row).data), row)

    @action_schema(ProposalRespondSerializer, ProposalSerializer, description="Publish the forum's reasoned response (and outcome).")
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        row = self.get_object()
        version = require_if_match(request, row)
        body = ProposalRespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.respond(row, by=request.user, text=body.validated_data["response"],
                               outcome=body.validated_data.get("outcome", ""), now=timezone.now(), version=version)
        return with_etag(Response(self.get_serializer(row).data), row)

    @action_schema(SupportSerializer, ProposalSerializer, versioned=False, description="Support a proposal (or withdraw it).")
    @action(detail=True, methods=["post"])
    def support(self, request, pk=None):
        row = self.get_object()
        body = SupportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_support(row, by=request.user, support=body.validated_data["support"], now=timezone.now())
        return Response(self.get_serializer(row).data)


class DraftViewSet(ScopedPublicListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Draft commitments in OGP's template fields; changed with If-Match, each change a new version."""

    versioned_actions = ("open_for_comment",)  # If-Match required: 412 / 428 documented

    queryset = DraftCommitment.objects.prefetch_related("sources")
    serializer_class = DraftSerializer
    filterset_class = DraftApiFilterSet
    write_permission = "cocreation.manage_process"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return permissions.visible_to(self.request.user, super().get_queryset())

    def beyond_public(self, reader):
        # Drafts in preparation the reader may see (their members' co-creation, as secretariat).
        return permissions.visible_to(reader, DraftCommitment.objects.all()).filter(state="preparing")

    @versioned_retrieve_schema()
    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return with_etag(Response(self.get_serializer(obj).data), obj)

    @extend_schema(request=DraftCreateSerializer, responses={201: DraftSerializer})
    def create(self, request, *args, **kwargs):
        body = DraftCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        process, proposals = data.pop("process"), data.pop("proposals", [])
        row = services.create_draft(process, by=request.user, data=data, proposals=proposals, now=timezone.now())
        return with_etag(Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED), row)

    @versioned_update_schema(DraftSerializer, DraftWriteSerializer)
    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        version = require_if_match(request, row)
        body = DraftWriteSerializer(row, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        row = services.update_draft(row, by=request.user, data=dict(body.validated_data), version=version, now=timezone.now())
        return with_etag(Response(self.get_serializer(row).data), row)

    @action_schema(OpenSerializer, DraftSerializer, description="Open the draft for public comment for a set period.")
    @action(detail=True, methods=["post"], url_path="open-for-comment")
    def open_for_comment(self, request, pk=None):
        row = self.get_object()
        version = require_if_match(request, row)
        body = OpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.open_for_comment(row, by=request.user, now=timezone.now(), days=body.validated_data.get("days"), version=version)
        return with_etag(Response(self.get_serializer(row).data), row)


class CommentViewSet(ScopedPublicListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Comments on proposals and on drafts open for comment (anyone signed in)."""

    queryset = Comment.objects.select_related("author")
    serializer_class = CommentSerializer
    filterset_fields = ["proposal", "draft"]
    pagination_class = CursorPagination
    ordering = ["-id"]
    ordering_fields = ["id"]

    def get_queryset(self):
        return permissions.visible_to(self.request.user, super().get_queryset())

    def beyond_public(self, reader):
        # Comments on a hidden proposal or a draft in preparation that the reader may see.
        from django.db.models import Q

        hidden = Q(draft__state="preparing") | (Q(proposal__isnull=False) & ~Q(proposal__visibility="published"))
        return permissions.visible_to(reader, Comment.objects.filter(hidden))

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def create(self, request, *args, **kwargs):
        body = CommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if bool(data.get("proposal")) == bool(data.get("draft")):
            raise serializers.ValidationError({"non_field_errors": [_("Comment on one proposal or one draft.")]})
        target = _visible(request.user, Proposal, data["proposal"].pk) if data.get("proposal") else _visible(
            request.user, DraftCommitment, data["draft"].pk)
        row = services.add_comment(target, by=request.user, text=data["text"], now=timezone.now())
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class ResponseViewSet(ScopedPublicListMixin, viewsets.ReadOnlyModelViewSet):
    """The forum's published reasoned responses to the proposals (write them through proposals/{id}/respond/)."""

    queryset = Proposal.objects.filter(response_published_at__isnull=False)
    serializer_class = ResponseSerializer
    filterset_class = ResponseApiFilterSet

    def get_queryset(self):
        return permissions.visible_to(self.request.user, super().get_queryset())

    def beyond_public(self, reader):
        # Responses to hidden proposals the reader may see (their own, their members' as secretariat).
        return permissions.visible_to(reader, self.queryset.all()).exclude(visibility="published")
