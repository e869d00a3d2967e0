"""API representations of deadlines, findings, status events and OGP decisions."""

from rest_framework import serializers

from ogp_portal.api_rows import FastRowsMixin

from .models import Deadline, Decision, Finding, StatusEvent


class DeadlineSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = ["id", "member", "plan", "cycle", "kind", "due_on", "delivered_on", "met_on", "source", "reason", "reference"]


class FindingSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id", "member", "kind", "subject", "period", "effective_on", "resolved_on", "met_again_on", "withdrawn_on",
            "withdrawal_reason", "reason", "reference", "created_at",
        ]


class StatusEventSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = StatusEvent
        fields = ["id", "member", "status", "previous_status", "effective_on", "cycle", "reason", "reference", "created_at"]


class DecisionSerializer(FastRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "member", "kind", "decided_on", "cycle", "document", "summary", "created_at"]


# Writes (h11): what an administrator records through ``compliance.services``.

from ogp_portal.api import StrictSerializer  # noqa: E402


class ResolveFindingSerializer(StrictSerializer):
    """Resolve an administrator's finding by hand, with the day and the reason."""

    resolved_on = serializers.DateField()
    reason = serializers.CharField(max_length=5000)


# Writes of deadlines and OGP decisions (h11): bodies of POST and PATCH.

from ogp_portal.api import StrictWriteSerializer  # noqa: E402


class DeadlineWriteSerializer(StrictWriteSerializer):
    """A deadline an administrator sets (``source`` is always the administrator's; ``met_on`` is the sweep's)."""

    class Meta:
        model = Deadline
        fields = ["member", "plan", "cycle", "kind", "due_on", "delivered_on", "reason", "reference"]
        validators = []  # one per member, kind and cycle: the service takes the cycle's computed row over


class DecisionWriteSerializer(StrictWriteSerializer):
    class Meta:
        model = Decision
        fields = ["member", "kind", "decided_on", "cycle", "document", "summary", "due_on", "met_on"]


class RequirementCheckSerializer(serializers.Serializer):
    """One of OGP's minimum requirements checked for one cycle, with what it counted (issue 19.5)."""

    code = serializers.CharField()
    title = serializers.CharField()
    cycle = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    verdict = serializers.ChoiceField(choices=["met", "not_met", "not_yet_due", "records_only"])
    counted = serializers.IntegerField()
    shortfalls = serializers.ListField(child=serializers.CharField())
    evidence = serializers.SerializerMethodField()

    def get_evidence(self, check) -> list[dict]:
        return [{"date": day.isoformat() if day else None, "what": str(what)} for day, what in check.evidence]


class MemberCyclesSerializer(serializers.Serializer):
    """A member's cycles: the only values a deadline's, a decision's or a finding's ``cycle`` may take."""

    member = serializers.IntegerField()
    cycles = serializers.ListField(child=serializers.CharField())
