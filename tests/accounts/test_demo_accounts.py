"""The demo accounts: one per role on the real data, only in the demo, idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.management.commands.create_demo_accounts import DEMO_ACCOUNTS
from commitments.models import Role

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_refused_outside_the_demo(seed_data):
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.filter(username="chamber").exists()


@override_settings(DEBUG=True)
def test_creates_one_account_per_role_and_prints_them_idempotently(seed_data, client):
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    call_command("create_demo_accounts", stdout=StringIO())
    table = out.getvalue()
    for username, password, _description, _roles in DEMO_ACCOUNTS:
        assert username in table and password in table
    User = get_user_model()
    assert User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)
    assert Role.objects.count() == 5

    chamber = Role.objects.get(user__username="chamber")
    assert chamber.kind == "coordinator" and chamber.agency.led_commitments.filter(identifier="KG0017").exists()
    finance = Role.objects.get(user__username="finance")
    assert finance.agency != chamber.agency and finance.member.code == "KG"
    assert Role.objects.get(user__username="kg-poc").kind == "point_of_contact"
    assert Role.objects.get(user__username="kg-forum").kind == "secretariat"
    assert Role.objects.get(user__username="bishkek-poc").member.code == "KGBSK"
    assert not Role.objects.filter(user__username="citizen").exists()
    admin = User.objects.get(username="ogp-admin")
    assert admin.is_staff and admin.is_active

    for username, password, *_ in DEMO_ACCOUNTS:
        response = client.post("/accounts/sign-in/", {"username": username, "password": password})
        assert response.status_code == 302, username
        client.logout()


@override_settings(DEBUG=True)
def test_needs_the_seed_data_first(db):
    with pytest.raises(CommandError, match="load_seed_data"):
        call_command("create_demo_accounts")
