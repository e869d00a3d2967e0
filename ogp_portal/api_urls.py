"""The REST API's router: /api/v1/<resource>/ for every model, plus the OpenAPI schema."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from cocreation import api as cocreation_api
from commitments import api as commitments_api
from compliance import api as compliance_api
from engagement import api as engagement_api
from forums import api as forums_api

# The root (/api/v1/) lists every resource with its address, as DRF's browsable root does.
router = DefaultRouter(trailing_slash=True)
router.register("members", commitments_api.MemberViewSet, basename="member")
router.register("agencies", commitments_api.AgencyViewSet, basename="agency")
router.register("plans", commitments_api.ActionPlanViewSet, basename="plan")
router.register("commitments", commitments_api.CommitmentViewSet, basename="commitment")
router.register("activities", commitments_api.ActivityViewSet, basename="activity")
router.register("milestones", commitments_api.MilestoneViewSet, basename="milestone")
router.register("progress-updates", commitments_api.ProgressUpdateWriteViewSet, basename="progress-update")
router.register("evidence", commitments_api.EvidenceViewSet, basename="evidence")
router.register("status-reports", commitments_api.StatusReportViewSet, basename="status-report")
router.register("forums", forums_api.ForumViewSet, basename="forum")
router.register("forum-memberships", forums_api.ForumMembershipViewSet, basename="forum-membership")
router.register("meetings", forums_api.MeetingWriteViewSet, basename="meeting")
router.register("attendance", forums_api.AttendanceViewSet, basename="attendance")
router.register("meeting-decisions", forums_api.MeetingDecisionViewSet, basename="meeting-decision")
router.register("action-items", forums_api.ActionItemViewSet, basename="action-item")
router.register("reviews", engagement_api.ReviewViewSet, basename="review")
router.register("deadlines", compliance_api.DeadlineViewSet, basename="deadline")
router.register("findings", compliance_api.FindingWriteViewSet, basename="finding")
router.register("status-events", compliance_api.StatusEventViewSet, basename="status-event")
router.register("decisions", compliance_api.DecisionViewSet, basename="decision")
router.register("cocreation-processes", cocreation_api.ProcessViewSet, basename="cocreation-process")
router.register("proposals", cocreation_api.ProposalViewSet, basename="proposal")
router.register("draft-commitments", cocreation_api.DraftViewSet, basename="draft-commitment")
router.register("cocreation-comments", cocreation_api.CommentViewSet, basename="cocreation-comment")
router.register("cocreation-responses", cocreation_api.ResponseViewSet, basename="cocreation-response")



class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process, language and API version (issue #20).

    It is served public (the same for every reader) and fixed for a deployment, yet drf-spectacular
    generates it on every request: ~230 ms, which anonymous readers never paid (the public page cache
    keeps it) and a signed-in reader paid every time. Each format is still rendered from the kept data.
    Only the languages and versions the site has are kept (a made-up ``?lang=`` or ``?version=`` is
    generated for its request alone).
    """

    _kept: dict = {}
    _rendered: dict = {}  # (language, media type) -> (bytes, Content-Type, Content-Disposition)

    @extend_schema(**SCHEMA_KWARGS)  # as drf-spectacular documents its own view's get
    def get(self, request, *args, **kwargs):
        # Each format rendered once too (the YAML of ~13,600 lines took ~60 ms): the plain address only
        # (``?lang=`` and ``?version=`` go the long way, generated and rendered for their request).
        if request.GET:
            return super().get(request, *args, **kwargs)
        key = (translation.get_language(), request.accepted_media_type)
        kept = self._rendered.get(key)
        if kept is None:
            response = super().get(request, *args, **kwargs)
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            response.render()
            if key[0] in dict(settings.LANGUAGES) and len(self._rendered) < 16:
                self._rendered[key] = (response.content, response["Content-Type"], response["Content-Disposition"])
            return response
        content, content_type, disposition = kept
        answer = HttpResponse(content, content_type=content_type)
        answer["Content-Disposition"] = disposition
        return answer

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        language = translation.get_language()
        key = (language, version, self.serve_public)
        data = self._kept.get(key)
        if data is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            data = generator.get_schema(request=request, public=self.serve_public)
            if language in dict(settings.LANGUAGES) and len(self._kept) < 16:
                self._kept[key] = data
        return Response(data=data, headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'})


app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
]
