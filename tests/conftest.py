"""Shared fixtures: named personas and the real seed data."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, what: str):
    """Skip when a local service is missing; under CI=true a missing service is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(autouse=True)
def english_by_default():
    """Start every test in English: a request to /ru/ leaves Russian active in the thread."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def seed_data(db):
    """Load the real seed data (Kyrgyz NAP 2018–2020, Bishkek 2025, OGP letters)."""
    call_command("load_seed_data", verbosity=0)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("admin", "admin@example.org", "admin-pass-123")


@pytest.fixture
def outsider(db):
    """A signed-in user with no role anywhere."""
    return get_user_model().objects.create_user("outsider", "outsider@example.org", "outsider-pass-123")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failure: CI has every service a test needs."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"
