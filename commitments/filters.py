"""FilterSets for the commitments app, one per model (used by the API; testable without HTTP).

``CommitmentFilterSet``, ``MilestoneFilterSet`` and ``ProgressUpdateFilterSet`` here are the
API's minimal versions; the public pages' FilterSets of the same names replace them.
"""

import django_filters
from django.db.models import Q

from .models import Activity, ActionPlan, Agency, Commitment, Completion, Member, Milestone, ProgressUpdate

ID_LOOKUPS = ["exact", "in"]
DATE_LOOKUPS = ["exact", "gte", "lte"]


class MemberFilterSet(django_filters.FilterSet):
    class Meta:
        model = Member
        fields = {"kind": ["exact"], "code": ["exact"], "parent": ["exact"], "country": ["exact"]}


class AgencyFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")

    class Meta:
        model = Agency
        fields = {"member": ["exact"], "kind": ["exact"]}


class ActionPlanFilterSet(django_filters.FilterSet):
    member_code = django_filters.CharFilter(field_name="member__code", label="Member code")

    class Meta:
        model = ActionPlan
        fields = {"member": ["exact"], "start_date": DATE_LOOKUPS, "end_date": DATE_LOOKUPS}


class CommitmentFilterSet(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="plan__member_id", label="Member id")
    member_code = django_filters.CharFilter(field_name="plan__member__code", label="Member code")
    q = django_filters.CharFilter(method="search", label="Words in the identifier or title")

    class Meta:
        model = Commitment
        fields = {"plan": ["exact"], "lead_agency": ["exact"], "identifier": ["exact"]}

    def search(self, queryset, name, value):
        words = value.split()[:10]
        for word in words:
            queryset = queryset.filter(Q(identifier__icontains=word) | Q(title__icontains=word))
        return queryset


class ActivityFilterSet(django_filters.FilterSet):
    class Meta:
        model = Activity
        fields = {"commitment": ["exact"]}


class MilestoneFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="commitment__plan_id", label="Action plan id")

    class Meta:
        model = Milestone
        fields = {"commitment": ["exact"], "activity": ["exact"], "end_date": DATE_LOOKUPS}


class ProgressUpdateFilterSet(django_filters.FilterSet):
    commitment = django_filters.NumberFilter(field_name="milestone__commitment_id", label="Commitment id")
    plan = django_filters.NumberFilter(field_name="milestone__commitment__plan_id", label="Action plan id")
    completion = django_filters.ChoiceFilter(choices=Completion.choices)

    class Meta:
        model = ProgressUpdate
        fields = {"milestone": ["exact"], "state": ["exact"], "period_end": DATE_LOOKUPS}
