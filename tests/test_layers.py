"""Issue 16.1: the domain apps read what the layers above know through registries, never by importing them.

``lint-imports`` (``make lint``, CI) checks the imports; these tests check that what the registries
give the domain is what the upper apps hold, and that the pages moved to the site keep their names.
"""

import configparser
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse

from commitments import exports, progress
from compliance.models import Policy
from forums import services as forum_services
from ogp import policy_store
from ogp_portal import pages

from .factories import MemberFactory

ROOT = Path(__file__).resolve().parent.parent


def test_the_layers_contract_exempts_no_import():
    contracts = configparser.ConfigParser()
    contracts.read(ROOT / ".importlinter")
    for section in contracts.sections():
        assert "ignore_imports" not in contracts[section], section


@pytest.mark.django_db
def test_the_domain_reads_the_stored_policy_versions_through_the_reader_compliance_registered():
    member = MemberFactory(code="KG")
    other = MemberFactory(code="AM", name="Armenia", country="Armenia")
    Policy.objects.create(member=member, effective_from=dt.date(2020, 1, 1), forum_cadence_months=6, update_cadence_months=3)
    expected = Policy.objects.versions_for([member, other])
    assert any(v.member_specific and v.forum_cadence_months == 6 for v in expected[member.pk])
    # Reporting periods (commitments) and the forum cadence (forums) read the very same versions.
    assert progress.update_policies_by_member([member, other]) == expected
    assert progress.update_policies(member) == expected[member.pk]
    assert forum_services.member_policies(member) == expected[member.pk]
    assert progress.reporting_period(dt.date(2021, 5, 1), progress.update_policies(member)).label == "2021-Q2"
    assert progress.reporting_period(dt.date(2021, 5, 1), progress.update_policies(other)).label == "2021-H1"


def test_without_a_registered_reader_the_domain_says_which_app_should_register_it(monkeypatch):
    monkeypatch.setattr(policy_store, "_READERS", {})
    member = MemberFactory.build(pk=1)
    with pytest.raises(ImproperlyConfigured, match="compliance"):
        forum_services.member_policies(member)
    with pytest.raises(ImproperlyConfigured, match="compliance"):
        progress.update_policies(member)


def test_compliance_registers_its_findings_after_the_domains_datasets():
    assert list(exports.DATASETS) == ["commitments", "milestones", "progress-updates", "findings"]
    assert exports.FILTER_HINTS["findings"] == "?member=KG"


@pytest.mark.parametrize(
    ("name", "args", "path", "view"),
    [
        ("commitments:home", (), "/", pages.member_list),
        ("commitments:member", ("KG",), "/members/KG/", pages.member_detail),
        ("commitments:member_feed", ("KG",), "/members/KG/feed/", pages.MemberFeed),
        ("forums:member_calendar", ("KG",), "/forums/calendar/KG.ics", pages.member_calendar),
    ],
)
def test_the_site_pages_keep_their_names_and_addresses(name, args, path, view):
    assert reverse(name, args=args) == path
    match = resolve(path)
    assert match.view_name == name
    assert match.func is view or isinstance(match.func, view)
