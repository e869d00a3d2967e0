"""API representations of civil-society reviews of progress updates, and the bodies of their writes (h11)."""

from rest_framework import serializers

from ogp_portal.api import StrictSerializer

from .models import Review
from .services import MAX_LINKS


class ReviewSerializer(serializers.ModelSerializer):
    """A review and its response; a hidden review shows only the moderators' reason."""

    hidden = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "update", "stance", "comment", "evidence_links", "created_at", "response", "responded_at", "hidden", "hidden_reason"]
        read_only_fields = fields

    def get_hidden(self, obj) -> bool:
        return obj.is_hidden

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if obj.is_hidden:
            data.update(comment="", evidence_links=[], response="")
        return data


class ReviewCreateSerializer(StrictSerializer):
    """Review a published progress update (once per person; sending again changes your review)."""

    update = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    stance = serializers.ChoiceField(choices=Review.Stance.choices)
    comment = serializers.CharField(max_length=Review._meta.get_field("comment").max_length)
    evidence_links = serializers.ListField(child=serializers.CharField(max_length=1000), max_length=MAX_LINKS, required=False)


class RespondSerializer(StrictSerializer):
    response = serializers.CharField(max_length=Review._meta.get_field("response").max_length)


class HideSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=Review._meta.get_field("hidden_reason").max_length)
