"""FilterSets for deadlines, findings, status events and OGP decisions (one per model)."""

import django_filters

from .models import Deadline, Decision, Finding, StatusEvent

DATE_LOOKUPS = ["exact", "gte", "lte"]


class DeadlineFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")
    met = django_filters.BooleanFilter(field_name="met_on", lookup_expr="isnull", exclude=True, label="Met")

    class Meta:
        model = Deadline
        fields = {"member": ["exact"], "kind": ["exact"], "source": ["exact"], "due_on": DATE_LOOKUPS}


class FindingFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")
    resolved = django_filters.BooleanFilter(field_name="resolved_on", lookup_expr="isnull", exclude=True, label="Resolved")

    class Meta:
        model = Finding
        fields = {"member": ["exact"], "kind": ["exact"], "period": ["exact"], "effective_on": DATE_LOOKUPS}


class StatusEventFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")

    class Meta:
        model = StatusEvent
        fields = {"member": ["exact"], "status": ["exact"], "effective_on": DATE_LOOKUPS}


class DecisionFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")

    class Meta:
        model = Decision
        fields = {"member": ["exact"], "kind": ["exact"], "decided_on": DATE_LOOKUPS}
