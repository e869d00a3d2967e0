"""API viewsets for civil-society reviews (routed in ``ogp_portal/api_urls.py``): writes through ``engagement.services``."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from commitments.models import ProgressUpdate
from ogp_portal import permissions
from ogp_portal.api import CursorPagination, SharedPublicListMixin, action_schema
from ogp_portal.api_filters import member_code_filters

from . import serializers
from .models import Review
from .services import hide, parse_links, respond, review


class ReviewApiFilterSet(django_filters.FilterSet):
    """``member_code`` / ``member`` by the member's code (ogp_portal/api_filters.py), the update, the stance."""

    member_code, member = member_code_filters("update__milestone__commitment__plan__member__code")

    class Meta:
        model = Review
        fields = ["update", "stance"]


class ReviewViewSet(SharedPublicListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reviews of published progress: anyone signed in reviews; the lead agency's coordinator or the point of contact responds.

    The list is the same for everyone (every review of a published update; a hidden one shows the
    moderators' reason to all; no author): a signed-in reader gets the anonymous copy (issue #20).
    """

    queryset = Review.objects.all()
    serializer_class = serializers.ReviewSerializer
    filterset_class = ReviewApiFilterSet
    pagination_class = CursorPagination
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]
    write_permissions = {"respond": "engagement.respond_review", "hide_": "engagement.hide_review"}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action in ("respond", "hide_"):
            # The permission rules read the reviewed update's commitment.
            qs = qs.select_related("update__milestone__commitment__plan")
        return permissions.reviews_visible_to(self.request.user, qs)

    @extend_schema(
        request=serializers.ReviewCreateSerializer,
        responses={201: serializers.ReviewSerializer, 200: serializers.ReviewSerializer},
        description="Review a published progress update: 201 for a new review, 200 when it changes yours.",
    )
    def create(self, request, *args, **kwargs):
        from commitments.api import _object_or_400

        body = serializers.ReviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        visible = permissions.visible_progress_updates(request.user, ProgressUpdate.objects.all())
        update = _object_or_400(visible, data["update"], "update")
        existed = Review.objects.filter(update=update, author=request.user).exists()
        links = parse_links("\n".join(data.get("evidence_links", [])))
        row = review(update, by=request.user, stance=data["stance"], comment=data["comment"], links=links, now=timezone.now())
        return Response(self.get_serializer(row).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @action_schema(serializers.RespondSerializer, serializers.ReviewSerializer, versioned=False, description="Answer a review with your reasons.")
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        row = self.get_object()
        body = serializers.RespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(respond(row, by=request.user, text=body.validated_data["response"], now=timezone.now())).data)

    @action_schema(serializers.HideSerializer, serializers.ReviewSerializer, versioned=False, description="Hide an abusive review, with the reason (administrators).")
    @action(detail=True, methods=["post"], url_path="hide", url_name="hide")
    def hide_(self, request, pk=None):
        row = self.get_object()
        body = serializers.HideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(hide(row, by=request.user, reason=body.validated_data["reason"], now=timezone.now())).data)
