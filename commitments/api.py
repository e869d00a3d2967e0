"""API viewsets for the commitments app (routed in ``ogp_portal/api_urls.py``)."""

import django_filters
from django.db.models import Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import viewsets

from ogp_portal import permissions
from ogp_portal.api_filters import IdFilter, member_code_filters
from ogp_portal.api_rows import prefetch_ids, prefetched_rows
from ogp_portal.api import (
    CursorPagination,
    ScopedPublicListMixin,
    ServiceWriteMixin,
    SharedPublicListMixin,
    VersionedUpdateMixin,
    service_write_schema,
    versioned_retrieve_schema,
    versioned_update_schema,
)

from . import filters, serializers, services
from .models import Activity, ActionPlan, Agency, Commitment, Evidence, Member, Milestone, ProgressUpdate

# The API's FilterSets (ogp_portal/api_filters.py): the pages' ones with ``member_code`` / ``member`` by the member's code.


class AgencyApiFilterSet(filters.AgencyFilterSet):
    member_code, member = member_code_filters("member__code")


class ActionPlanApiFilterSet(filters.ActionPlanFilterSet):
    member_code, member = member_code_filters("member__code")


class CommitmentApiFilterSet(filters.CommitmentFilterSet):
    member_code, member = member_code_filters("plan__member__code")

    def filter_queryset(self, queryset):
        # The pages' filter set annotates every row with its latest update, overdue count and
        # "contested" (what the list page shows and sorts by). The API shows none of them: they are
        # added only when a filter or sort of this request reads them (the API's order is ?ordering=).
        if any(self.form.cleaned_data.get(name) for name in ("overdue", "contested", "sort")):
            return super().filter_queryset(queryset)
        return django_filters.FilterSet.filter_queryset(self, queryset)


class ActivityApiFilterSet(filters.ActivityFilterSet):
    member_code, member = member_code_filters("commitment__plan__member__code")


class MilestoneApiFilterSet(filters.MilestoneFilterSet):
    member_code, member = member_code_filters("commitment__plan__member__code")

    def filter_queryset(self, queryset):
        # ``latest_completion`` (the pages' annotation) is read only by the completion filter.
        if self.form.cleaned_data.get("completion"):
            return super().filter_queryset(queryset)
        return django_filters.FilterSet.filter_queryset(self, queryset)


class ProgressUpdateApiFilterSet(filters.ProgressUpdateFilterSet):
    member_code, member = member_code_filters("milestone__commitment__plan__member__code")
    milestone = IdFilter(field_name="milestone_id", label=_("Milestone"))


@extend_schema_view(**service_write_schema(
    serializers.MemberSerializer, serializers.MemberWriteSerializer, serializers.MemberWriteSerializer, what="a member (administrators)",
))
class MemberViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """OGP members: national governments and OGP Local members. Administrators (OGP staff) add and change them."""

    queryset = Member.objects.all()
    serializer_class = serializers.MemberSerializer
    create_serializer_class = write_serializer_class = serializers.MemberWriteSerializer
    write_permission = "commitments.manage_members"
    create_service = services.create_member
    update_service = services.update_member
    filterset_class = filters.MemberFilterSet
    search_fields = ["name", "code", "country"]
    ordering_fields = ["id", "name", "code"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema_view(**service_write_schema(
    serializers.AgencySerializer, serializers.AgencyWriteSerializer, serializers.AgencyWriteSerializer,
    what="an agency of a member (administrators)",
))
class AgencyViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Implementing institutions: ministries, city departments, civil-society organisations. Administrators keep them."""

    queryset = Agency.objects.all()
    serializer_class = serializers.AgencySerializer
    create_serializer_class = write_serializer_class = serializers.AgencyWriteSerializer
    write_permission = "commitments.manage_members"
    create_service = services.create_agency
    update_service = services.update_agency
    filterset_class = AgencyApiFilterSet
    search_fields = ["name", "acronym"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]


# A plan's lead institutions, in the order the API has always listed them: this queryset is made once,
# when the module loads, so its ordering (the agencies' names) is in the language active then, whatever
# the request's language (django-modeltranslation fixes a queryset's ordering when it is made).
LEAD_INSTITUTIONS = Agency.objects.only("id")


@extend_schema_view(**service_write_schema(
    serializers.ActionPlanSerializer, serializers.ActionPlanWriteSerializer, serializers.ActionPlanWriteSerializer,
    what="an action plan (the member's point of contact, administrators)",
))
class ActionPlanViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Action plans, with their lead institutions. The member's point of contact adds and changes them."""

    queryset = ActionPlan.objects.prefetch_related(Prefetch("lead_institutions", queryset=LEAD_INSTITUTIONS))
    serializer_class = serializers.ActionPlanSerializer
    create_serializer_class = write_serializer_class = serializers.ActionPlanWriteSerializer
    write_permission = "commitments.edit_plan"
    create_service = services.create_plan
    update_service = services.update_plan
    filterset_class = ActionPlanApiFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "start_date", "end_date", "submitted_on"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list" and self.serializer_class.fast_rows:
            # A list shows the member's id only, and the lead institutions' ids: read for the page's plans
            # in one query of ids, in the same order (paginate_queryset; read by ogp_portal.api_rows' fast
            # rows; DRF's own would ask each row's manager).
            return ActionPlan.objects.all()
        # The write rules read the plan's member.
        return super().get_queryset().select_related("member") if self.action != "list" else super().get_queryset()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list" and self.serializer_class.fast_rows:
            prefetch_ids(page, "lead_institutions", LEAD_INSTITUTIONS)
        return page


@extend_schema_view(
    retrieve=versioned_retrieve_schema(),
    partial_update=versioned_update_schema(serializers.CommitmentSerializer, serializers.CommitmentWriteSerializer)
)
class CommitmentViewSet(SharedPublicListMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Commitments with every field of OGP's template; their lead agency's coordinators may edit the texts."""

    queryset = Commitment.objects.all()
    serializer_class = serializers.CommitmentSerializer
    write_serializer_class = serializers.CommitmentWriteSerializer
    write_permission = "commitments.edit_commitment"
    update_service = services.update_commitment
    filterset_class = CommitmentApiFilterSet
    pagination_class = CursorPagination
    search_fields = ["identifier", "title"]
    search_indexed = True  # trigram indexes on both (migration 0024): ogp_portal/api_search.py
    ordering_fields = ["id", "identifier"]
    ordering = ["id"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        # A list shows the plan's id only (no plan and member rows fetched with each commitment; its texts
        # read from the active language's columns: ogp_portal.api_rows.ReadRowsMixin); the write rules read
        # the commitment's plan and member.
        return qs if self.action == "list" else qs.select_related("plan__member")


@extend_schema_view(**service_write_schema(
    serializers.ActivitySerializer, serializers.ActivityWriteSerializer, serializers.ActivityWriteSerializer,
    what="an activity of a commitment (the member's point of contact, the lead agency's coordinators, administrators)",
    destroy={"description": "Delete an activity that has no milestones (one with milestones is refused with 400)."},
))
class ActivityViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Numbered groups of a commitment's milestones; the member's point of contact and the lead agency's coordinators keep them."""

    queryset = Activity.objects.all()
    serializer_class = serializers.ActivitySerializer
    create_serializer_class = write_serializer_class = serializers.ActivityWriteSerializer
    write_permission = "commitments.edit_activity"
    create_service = services.create_activity
    update_service = services.update_activity
    destroy_service = services.delete_activity
    versioned_actions = ("destroy",)
    filterset_class = ActivityApiFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "number"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        # The write rules read the activity's commitment and its plan.
        return qs.select_related("commitment__plan") if self.action in ("partial_update", "destroy") else qs


@extend_schema_view(
    retrieve=versioned_retrieve_schema(),
    partial_update=versioned_update_schema(serializers.MilestoneSerializer, serializers.MilestoneWriteSerializer)
)
class MilestoneViewSet(SharedPublicListMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Milestones (deliverables with budget and dates); their lead agency's coordinators may edit them."""

    queryset = Milestone.objects.all()
    serializer_class = serializers.MilestoneSerializer
    write_serializer_class = serializers.MilestoneWriteSerializer
    write_permission = "commitments.edit_commitment"
    update_service = services.update_milestone
    filterset_class = MilestoneApiFilterSet
    pagination_class = CursorPagination
    search_fields = ["number", "deliverable"]
    ordering_fields = ["id"]
    ordering = ["id"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        # The write permission rule reads the milestone's commitment (a list shows its id only).
        qs = super().get_queryset()
        return qs if self.action == "list" else qs.select_related("commitment")


class ProgressUpdateViewSet(ScopedPublicListMixin, viewsets.ReadOnlyModelViewSet):
    """Progress on milestones: published updates for everyone; drafts for those who may enter progress."""

    queryset = ProgressUpdate.objects.all()
    serializer_class = serializers.ProgressUpdateSerializer
    filterset_class = ProgressUpdateApiFilterSet
    pagination_class = CursorPagination
    search_fields = ["narrative"]
    ordering_fields = ["id", "period_end", "updated_at"]
    ordering = ["-id"]

    def get_queryset(self):
        # Each update's evidence in its own order (Evidence.Meta's "update, created_at, pk" without
        # the joins that ordering by the update would add to the prefetch).
        # A list of fast rows takes them into a plain list (no manager and queryset made for each update:
        # ogp_portal.api_rows.prefetched_rows).
        plain = self.action == "list" and self.serializer_class.fast_rows
        evidence = Prefetch(
            "evidence", queryset=Evidence.objects.order_by("created_at", "pk"), to_attr=prefetched_rows("evidence") if plain else None,
        )
        return permissions.visible_progress_updates(self.request.user, super().get_queryset()).prefetch_related(evidence)

    def beyond_public_shape(self) -> tuple:
        return () if self.request.GET else (self.paginator.get_page_size(self.request),)

    def beyond_public(self, reader):
        # The anonymous copy is this user's answer when no update beyond the published ones that the
        # user may see (their drafts, the submitted ones they review) would be on it: on the first page
        # in the default order (no parameters), none newer than the copy's last row; with any parameter
        # (filters, search, cursor), none at all. One query, compiled once per roles (issue #20).
        published = ProgressUpdate.State.PUBLISHED
        more = permissions.visible_progress_updates(reader, ProgressUpdate.objects.exclude(state=published))
        if not self.request.GET:
            size = self.paginator.get_page_size(self.request)
            last = ProgressUpdate.objects.filter(state=published).order_by("-id").values("id")[size - 1:size]
            more = more.filter(id__gte=Coalesce(Subquery(last), 0))
        return more


# ---------------------------------------------------------------------------
# Writes of the progress workflow (h11): each through its service in ``services`` (imported by
# name below, so that moving the workflow to another module is a one-line change)
# ---------------------------------------------------------------------------

import types  # noqa: E402

from django.utils import timezone  # noqa: E402
from drf_spectacular.utils import OpenApiResponse, extend_schema  # noqa: E402
from rest_framework import exceptions, mixins, parsers, status  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from ogp_portal.api import (  # noqa: E402
    ETAG,
    IF_MATCH,
    action_schema,
    int_version,
    require_if_match,
    with_etag,
)

from .models import StatusReport  # noqa: E402


class EvidenceApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("update__milestone__commitment__plan__member__code")

    class Meta:
        model = Evidence
        fields = ["update", "kind"]


class StatusReportApiFilterSet(django_filters.FilterSet):
    member_code, member = member_code_filters("member__code")

    class Meta:
        model = StatusReport
        fields = ["plan", "state"]
from .progress import (  # noqa: E402
    add_evidence_file,
    add_evidence_link,
    approve_progress,
    find_period,
    open_status_report,
    publish_status_report,
    remove_evidence,
    return_progress,
    save_progress,
    submit_progress,
)


def _object_or_400(queryset, pk, field):
    """The object a body names by id, or a 400 on that field (an object the client may not see does not exist)."""
    from django.utils.translation import gettext as _

    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise exceptions.ValidationError({field: [_("No such object.")]})
    return obj


class ProgressUpdateWriteViewSet(mixins.CreateModelMixin, ProgressUpdateViewSet):
    """Progress on milestones: published updates for everyone; drafts for those who may enter progress.

    A coordinator's script creates a draft (POST), changes it (PATCH with If-Match), adds evidence,
    and submits it (POST ``submit/`` with If-Match); the point of contact approves or returns it.
    """

    write_permissions = {
        "partial_update": "commitments.enter_progress",
        "submit": "commitments.enter_progress",
        "evidence": "commitments.enter_progress",
        "approve": "commitments.review_progress",
        "return_": "commitments.review_progress",
    }
    versioned_actions = ("submit", "approve", "return_")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        # The write rules read the update's milestone, commitment and plan; a list shows the milestone's id only.
        return qs if self.action == "list" else qs.select_related("milestone__commitment__plan")

    def retrieve(self, request, *args, **kwargs):
        return with_etag(super().retrieve(request, *args, **kwargs), self.get_object())

    def _answer(self, update, status_code=200):
        update = self.get_queryset().get(pk=update.pk)
        return with_etag(Response(serializers.ProgressUpdateSerializer(update, context=self.get_serializer_context()).data, status=status_code), update)

    @extend_schema(
        request=serializers.ProgressUpdateCreateSerializer,
        responses={201: serializers.ProgressUpdateSerializer},
        parameters=[ETAG],
        description="Create the draft update of a milestone for a reporting period (one per milestone and period). "
        "Needs the right to enter the milestone's progress.",
    )
    def create(self, request, *args, **kwargs):
        from django.utils.translation import gettext as _

        body = serializers.ProgressUpdateCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        milestone = _object_or_400(Milestone.objects.select_related("commitment__plan__member"), data.pop("milestone"), "milestone")
        period = find_period(milestone.commitment.plan, data.pop("period"), timezone.localdate())
        if ProgressUpdate.objects.filter(milestone=milestone, period_start=period.start, period_end=period.end).exists():
            raise exceptions.ValidationError(
                {"period": [_("This milestone already has an update for this period: change it with PATCH.")]}
            )
        update = save_progress(milestone, period, by=request.user, data=data, version=0, now=timezone.now())
        return self._answer(update, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ProgressUpdateWriteSerializer,
        responses={200: serializers.ProgressUpdateSerializer},
        parameters=[IF_MATCH, ETAG],
        description="Change a draft or returned update (it becomes a draft again). Send If-Match with its ETag.",
    )
    def partial_update(self, request, *args, **kwargs):
        update = self.get_object()
        version = int_version(require_if_match(request, update))
        body = serializers.ProgressUpdateWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {"completion": update.completion, "narrative": update.narrative, "as_of": update.as_of, **body.validated_data}
        period = types.SimpleNamespace(start=update.period_start, end=update.period_end)
        saved = save_progress(update.milestone, period, by=request.user, data=data, version=version, now=timezone.now())
        return self._answer(saved)

    @action_schema(serializers.NoBodySerializer, serializers.ProgressUpdateSerializer, description="Submit a draft or returned update for review.")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        update = self.get_object()
        version = int_version(require_if_match(request, update))
        serializers.NoBodySerializer(data=request.data or {}).is_valid(raise_exception=True)
        return self._answer(submit_progress(update, by=request.user, version=version, now=timezone.now()))

    @action_schema(serializers.ApproveSerializer, serializers.ProgressUpdateSerializer, description="Approve a submitted update: it is published.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        update = self.get_object()
        version = int_version(require_if_match(request, update))
        body = serializers.ApproveSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        comment = body.validated_data.get("comment", "")
        return self._answer(approve_progress(update, by=request.user, version=version, now=timezone.now(), comment=comment))

    @action_schema(serializers.ReturnSerializer, serializers.ProgressUpdateSerializer, description="Return a submitted update to its authors with a comment.")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        update = self.get_object()
        version = int_version(require_if_match(request, update))
        body = serializers.ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = body.validated_data["comment"]
        return self._answer(return_progress(update, by=request.user, version=version, now=timezone.now(), comment=comment))

    @extend_schema(
        request={"application/json": serializers.EvidenceLinkSerializer, "multipart/form-data": serializers.EvidenceFileSerializer},
        responses={201: serializers.EvidenceItemSerializer},
        description="Add evidence to a draft or returned update: a link (JSON ``{\"url\": ...}``) or a file "
        "(multipart, field ``file``), checked by its content as in the browser.",
    )
    @action(detail=True, methods=["post"], parser_classes=[parsers.JSONParser, parsers.MultiPartParser])
    def evidence(self, request, pk=None):
        update = self.get_object()
        if request.content_type.startswith("multipart/"):
            body = serializers.EvidenceFileSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            row = add_evidence_file(update, body.validated_data["file"], by=request.user)
        else:
            body = serializers.EvidenceLinkSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            row = add_evidence_link(update, body.validated_data["url"], by=request.user)
        data = serializers.EvidenceItemSerializer(row, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class EvidenceViewSet(ScopedPublicListMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Evidence of progress updates: links and files (of approved updates for everyone, of drafts for their editors)."""

    queryset = Evidence.objects.select_related("update__milestone__commitment__plan")
    serializer_class = serializers.EvidenceItemSerializer
    filterset_class = EvidenceApiFilterSet
    pagination_class = CursorPagination
    ordering_fields = ["id"]
    ordering = ["-id"]
    write_permission = "commitments.enter_progress"
    http_method_names = ["get", "delete", "head", "options"]

    def permission_object(self, obj):
        return obj.update

    def get_queryset(self):
        return permissions.evidence_visible_to(self.request.user, super().get_queryset())

    def beyond_public(self, reader):
        # Evidence of updates not yet approved, in the reader's scope (the public see an approved update's).
        return permissions.evidence_visible_to(reader, Evidence.objects.all()).exclude(update__state="published")

    @extend_schema(responses={204: OpenApiResponse(description="Removed.")}, description="Remove evidence from a draft or returned update.")
    def destroy(self, request, *args, **kwargs):
        remove_evidence(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StatusReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Six-month status reports: published ones for everyone; one in preparation for the member's point of contact."""

    queryset = StatusReport.objects.prefetch_related("lines")
    serializer_class = serializers.StatusReportSerializer
    filterset_class = StatusReportApiFilterSet
    ordering_fields = ["id", "period_start"]
    ordering = ["id"]
    write_permissions = {"publish": "commitments.publish_status_report"}
    versioned_actions = ("publish",)
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return permissions.visible_to(self.request.user, super().get_queryset())

    def retrieve(self, request, *args, **kwargs):
        return with_etag(super().retrieve(request, *args, **kwargs), self.get_object())

    def _answer(self, report, status_code=200):
        report = self.get_queryset().get(pk=report.pk)
        return with_etag(Response(self.get_serializer(report).data, status=status_code), report)

    @extend_schema(
        request=serializers.StatusReportCreateSerializer,
        responses={201: serializers.StatusReportSerializer},
        parameters=[ETAG],
        description="Open the plan's status report for a reporting period (one line per commitment); "
        "the existing one if it was opened before. The member's point of contact and administrators.",
    )
    def create(self, request, *args, **kwargs):
        body = serializers.StatusReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = _object_or_400(ActionPlan.objects.select_related("member"), body.validated_data["plan"], "plan")
        period = find_period(plan, body.validated_data["period"], timezone.localdate())
        report = open_status_report(plan, period, by=request.user)
        return self._answer(report, status.HTTP_201_CREATED)

    @action_schema(
        serializers.NoBodySerializer, serializers.StatusReportSerializer,
        description="Publish the status report as a dated snapshot: every commitment needs an approved update for the period.",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        report = self.get_object()
        version = int_version(require_if_match(request, report))
        serializers.NoBodySerializer(data=request.data or {}).is_valid(raise_exception=True)
        return self._answer(publish_status_report(report, by=request.user, version=version, now=timezone.now()))
