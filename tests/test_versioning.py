"""The portal's one optimistic lock, ``ogp_portal.versioning.claim``, on both kinds of version.

A row with a ``version`` column (a commitment, a meeting) is claimed by one conditional UPDATE that
advances the version; any other row (an agency, a forum seat) by its digest compared under a row lock.
Either way a second claim based on the version read before the first one is stale, and so is a claim
of a row that is gone.
"""

import pytest
from django.db import transaction

from commitments.models import Agency, Commitment
from forums.models import Meeting
from ogp_portal.versioning import ANY_VERSION, StaleVersion, claim, current_version
from tests.factories import AgencyFactory, CommitmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_version_column_is_claimed_once_per_version():
    commitment = CommitmentFactory()
    with transaction.atomic():
        row = claim(Commitment, commitment.pk, commitment.version)
    assert row.version == commitment.version + 1
    with pytest.raises(StaleVersion), transaction.atomic():
        claim(Commitment, commitment.pk, commitment.version)  # read before the first claim
    with pytest.raises(StaleVersion), transaction.atomic():
        claim(Commitment, commitment.pk, "not a version")
    assert Commitment.objects.get(pk=commitment.pk).version == commitment.version + 1


def test_any_version_claims_whatever_is_stored_and_still_advances_it():
    meeting = MeetingFactory()
    with transaction.atomic():
        row = claim(Meeting, meeting.pk, ANY_VERSION)
    assert row.version == meeting.version + 1


def test_a_row_without_a_version_column_is_claimed_by_its_digest():
    agency = AgencyFactory()
    read = current_version(agency)
    with transaction.atomic():
        row = claim(Agency, agency.pk, read)
        row.acronym = "NEW"
        row.save()
    assert current_version(Agency.objects.get(pk=agency.pk)) != read
    with pytest.raises(StaleVersion), transaction.atomic():
        claim(Agency, agency.pk, read)  # someone saved since it was read
    with pytest.raises(StaleVersion), transaction.atomic():
        claim(Agency, agency.pk, None)


def test_a_row_that_is_gone_is_stale():
    agency = AgencyFactory()
    read = current_version(agency)
    commitment = CommitmentFactory()
    pk, version = commitment.pk, commitment.version
    Agency.objects.filter(pk=agency.pk).delete()
    commitment.delete()
    with pytest.raises(StaleVersion), transaction.atomic():
        claim(Agency, agency.pk, read)
    with pytest.raises(StaleVersion), transaction.atomic():
        claim(Commitment, pk, version)
