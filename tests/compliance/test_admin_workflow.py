"""The sweep's findings are read-only in the admin (issue 16, point 4): only the sweep changes them."""

import datetime as dt

import pytest
from django.urls import reverse

from commitments.models import Member
from compliance.models import Finding

pytestmark = pytest.mark.django_db


def test_a_finding_of_the_rules_cannot_be_edited_resolved_or_deleted_in_the_admin(admin_client):
    member = Member.objects.create(name="Testland", code="TL", country="Testland", kind="national")
    finding = Finding.objects.create(
        member=member, kind=Finding.Kind.CONTRARY_TO_PROCESS, period="2022-2024", effective_on=dt.date(2023, 1, 1)
    )
    change = reverse("admin:compliance_finding_change", args=[finding.pk])
    html = admin_client.get(change).content.decode()
    assert "2022-2024" in html and 'name="effective_on"' not in html
    response = admin_client.post(change, {"member": member.pk, "kind": finding.kind, "period": "2022-2024", "effective_on": "2024-01-01"})
    assert response.status_code == 403
    assert admin_client.post(reverse("admin:compliance_finding_delete", args=[finding.pk]), {"post": "yes"}).status_code == 403
    resolve = reverse("admin:compliance_finding_resolve", args=[finding.pk])
    assert admin_client.post(resolve, {"resolved_on": "2024-01-01", "resolution": "By hand"}).status_code == 403
    finding.refresh_from_db()
    assert (finding.effective_on, finding.resolved_on, finding.source) == (dt.date(2023, 1, 1), None, "rule")
