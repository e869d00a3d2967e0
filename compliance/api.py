"""API viewsets for compliance (routed in ``ogp_portal/api_urls.py``): public, read-only records."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import decorators, exceptions, response, viewsets

from ogp_portal.api import CursorPagination, ServiceWriteMixin, SharedPublicListMixin, service_write_schema
from ogp_portal.api_filters import member_code_filters

from . import filters, records, selectors, serializers
from .models import Deadline, Decision, Finding, StatusEvent

# The API's FilterSets (ogp_portal/api_filters.py): ``member_code`` / ``member`` by the member's code.


class DeadlineApiFilterSet(filters.DeadlineFilterSet):
    member_code, member = member_code_filters("member__code")


class FindingApiFilterSet(filters.FindingFilterSet):
    member_code, member = member_code_filters("member__code")


class StatusEventApiFilterSet(filters.StatusEventFilterSet):
    member_code, member = member_code_filters("member__code")


class DecisionApiFilterSet(filters.DecisionFilterSet):
    member_code, member = member_code_filters("member__code")


@extend_schema_view(**service_write_schema(
    serializers.DeadlineSerializer, serializers.DeadlineWriteSerializer, serializers.DeadlineWriteSerializer,
    what="a deadline set by OGP (administrators); the cycle's computed deadline, if any, is taken over",
    destroy={"description": "Remove a deadline an administrator set (the rules compute the cycle's deadline again)."},
))
class DeadlineViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Due dates members must meet: computed by rule or set by OGP (administrators) with a reason."""

    queryset = Deadline.objects.all()
    serializer_class = serializers.DeadlineSerializer
    create_serializer_class = write_serializer_class = serializers.DeadlineWriteSerializer
    write_permission = "compliance.record_decision"
    create_service = records.set_deadline
    update_service = records.update_deadline
    destroy_service = records.delete_deadline
    versioned_actions = ("destroy",)
    filterset_class = DeadlineApiFilterSet
    search_fields = ["cycle", "reason", "reference"]
    ordering_fields = ["id", "due_on"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(
        parameters=[OpenApiParameter("member", int, required=True, description="The member's id.")],
        responses=serializers.MemberCyclesSerializer,
        description="The member's cycles: the only values ``cycle`` takes in deadlines, decisions and findings "
        "(the admin and the pages offer the same).",
    )
    @decorators.action(detail=False, methods=["get"], url_path="cycles")
    def cycles(self, request):
        from commitments.models import Member

        if kept := self.kept_public_copy(request):
            return kept
        raw = request.query_params.get("member", "")
        member = Member.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if member is None:
            raise exceptions.ValidationError({"member": [_("Give a member's id.")]})
        return response.Response({"member": member.pk, "cycles": selectors.member_cycles(member)})

    @extend_schema(
        parameters=[OpenApiParameter("member", int, required=True, description="The member's id.")],
        responses=serializers.RequirementCheckSerializer(many=True),
        description="OGP's minimum requirements (MR 1.1, 2.1, 2.2, 5.1) checked per cycle of the member from the "
        "recorded data, each with what it counted and the period it covers; Standards 3 and 4 as records only.",
    )
    @decorators.action(detail=False, methods=["get"], url_path="minimum-requirements")
    def minimum_requirements(self, request):
        from commitments.models import Member

        if kept := self.kept_public_copy(request):
            return kept
        raw = request.query_params.get("member", "")
        member = Member.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if member is None:
            raise exceptions.ValidationError({"member": [_("Give a member's id.")]})
        checks = selectors.minimum_requirements(member)
        return response.Response(serializers.RequirementCheckSerializer(checks, many=True).data)


class FindingViewSet(SharedPublicListMixin, viewsets.ReadOnlyModelViewSet):
    """Missed obligations and IRM findings, open or resolved."""

    queryset = Finding.objects.all()
    serializer_class = serializers.FindingSerializer
    filterset_class = FindingApiFilterSet
    pagination_class = CursorPagination
    search_fields = ["period", "reason", "reference"]
    ordering_fields = ["id", "effective_on"]
    ordering = ["-id"]


class StatusEventViewSet(SharedPublicListMixin, viewsets.ReadOnlyModelViewSet):
    """Changes of a member's OGP status, with the letter or decision behind each.

    Read-only by design: the compliance sweep records status events from the member's record
    (deadlines, findings, OGP decisions). Change those instead; a write here answers 405.
    """

    queryset = StatusEvent.objects.all()
    serializer_class = serializers.StatusEventSerializer
    filterset_class = StatusEventApiFilterSet
    search_fields = ["reason", "reference"]
    ordering_fields = ["id", "effective_on"]
    ordering = ["id"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(
            request.method,
            detail=_(
                "Status events are read-only: the compliance sweep records them from the member's deadlines, "
                "findings and OGP decisions. Change those instead."
            ),
        )


@extend_schema_view(**service_write_schema(
    serializers.DecisionSerializer, serializers.DecisionWriteSerializer, serializers.DecisionWriteSerializer,
    what="an OGP decision about a member: an IRM finding or a Steering Committee decision (administrators)",
    destroy={"description": "Remove a decision recorded by mistake (its history keeps it)."},
))
class DecisionViewSet(SharedPublicListMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    """What only OGP decides: IRM findings and Steering Committee decisions, recorded by administrators."""

    queryset = Decision.objects.all()
    serializer_class = serializers.DecisionSerializer
    create_serializer_class = write_serializer_class = serializers.DecisionWriteSerializer
    write_permission = "compliance.record_decision"
    create_service = records.record_decision
    update_service = records.update_decision
    destroy_service = records.delete_decision
    versioned_actions = ("destroy",)
    filterset_class = DecisionApiFilterSet
    search_fields = ["document", "summary"]
    ordering_fields = ["id", "decided_on"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


# ---------------------------------------------------------------------------
# Writes (h11): administrators' records that have a service in ``compliance.records``
# ---------------------------------------------------------------------------

from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from ogp_portal.api import action_schema  # noqa: E402

from .records import resolve_admin_finding  # noqa: E402


class FindingWriteViewSet(FindingViewSet):
    """Missed obligations and IRM findings, open or resolved; an administrator resolves the findings they recorded."""

    write_permissions = {"resolve": "ogp.use_admin"}
    http_method_names = ["get", "post", "head", "options"]

    @action_schema(
        serializers.ResolveFindingSerializer, serializers.FindingSerializer, versioned=False,
        description="Resolve a finding an administrator recorded (the sweep resolves the others), with the day and the reason.",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        finding = self.get_object()
        body = serializers.ResolveFindingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        resolved = resolve_admin_finding(finding.pk, resolved_on=data["resolved_on"], reason=data["reason"], user=request.user)
        return Response(self.get_serializer(resolved).data)
