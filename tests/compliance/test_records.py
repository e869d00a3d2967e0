"""Administrators' records are removed through the portal's one optimistic lock (``ogp_portal.versioning.claim``)."""

import pytest

from compliance import records
from compliance.models import Deadline, Decision
from ogp_portal.versioning import StaleVersion, current_version
from tests.factories import DecisionFactory


def test_a_deadline_is_removed_only_as_of_its_current_version(kg, admin_user):
    deadline = Deadline.objects.filter(member=kg, source=Deadline.Source.ADMINISTRATOR).order_by("due_on").first()
    read = current_version(deadline)
    Deadline.objects.filter(pk=deadline.pk).update(reason="changed by someone else")  # the row changes after it was read
    with pytest.raises(StaleVersion):
        records.delete_deadline(deadline, by=admin_user, version=read)
    assert Deadline.objects.filter(pk=deadline.pk).exists()  # nothing lost
    records.delete_deadline(deadline, by=admin_user, version=current_version(Deadline.objects.get(pk=deadline.pk)))
    assert not Deadline.objects.filter(pk=deadline.pk).exists()
    with pytest.raises(StaleVersion):  # gone: stale too
        records.delete_deadline(deadline, by=admin_user, version=read)


def test_a_decision_is_removed_only_as_of_its_current_version(kg, admin_user):
    decision = DecisionFactory(member=kg, cycle="")
    read = current_version(decision)
    Decision.objects.filter(pk=decision.pk).update(summary="changed by someone else")
    with pytest.raises(StaleVersion):
        records.delete_decision(decision, by=admin_user, version=read)
    assert Decision.objects.filter(pk=decision.pk).exists()
    records.delete_decision(decision, by=admin_user, version=current_version(Decision.objects.get(pk=decision.pk)))
    assert not Decision.objects.filter(pk=decision.pk).exists()
