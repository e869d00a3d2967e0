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


# The rows the first ``load_seed_data`` of this test process wrote: [(model, [column values, ...]), ...].
_seed_rows = None


def _seed_models():
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _stored_columns(model):
    return [f.attname for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _restore_seed_rows(rows) -> bool:
    """Insert the captured seed rows in bulk; False (nothing written) if one of their tables already holds rows.

    The rows were captured from empty tables, so they are only inserted into empty tables: a test
    that made a row first (e.g. a member the loader would have updated, not inserted) gets the loader.
    """
    from django.db import transaction

    for model, _values in rows:
        if model._default_manager.exists():
            return False
    with transaction.atomic():  # foreign keys are checked at the end (deferred), so the order does not matter
        for model, values in rows:
            model._default_manager.bulk_create([model(**v) for v in values])
    return True


@pytest.fixture
def page_cache_on(settings):
    """The public page cache and the shared fragments on (off in the test settings), from an empty cache."""
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_data(db):
    """Load the real seed data (Kyrgyz NAP 2018–2020, Bishkek 2025, OGP letters).

    The first test of a process that asks for it runs ``load_seed_data`` itself (validation, services,
    history: about 250 rows, a few seconds); the rows it wrote are kept, and every later test gets the
    same rows inserted in bulk (one query a table), which is what most of the suite's time went to.
    A test that already wrote into one of those tables gets the full loader again.
    """
    global _seed_rows
    if _seed_rows is not None and _restore_seed_rows(_seed_rows):
        return
    models = _seed_models()
    before = {m: set(m._default_manager.values_list("pk", flat=True)) for m in models}
    call_command("load_seed_data", verbosity=0)
    if _seed_rows is not None:
        return
    captured = []
    for model in models:
        columns = _stored_columns(model)
        new = [v for v in model._default_manager.order_by("pk").values(*columns) if v[model._meta.pk.attname] not in before[model]]
        if new and before[model]:
            return  # the loader may have changed rows this test made first: keep nothing from this load
        if new:
            captured.append((model, new))
    _seed_rows = captured


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("admin", "admin@example.org", "admin-pass-123")


@pytest.fixture
def outsider(db):
    """A signed-in user with no role anywhere."""
    return get_user_model().objects.create_user("outsider", "outsider@example.org", "outsider-pass-123")


# Fixtures that start a real component: a test using one is slow even if its file forgot the mark.
SLOW_FIXTURES = {"browser"}


def pytest_collection_modifyitems(config, items):
    """Mark slow every test that drives a real browser (the ``browser`` fixture of tests/test_browser.py)."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failure: CI has every service a test needs."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):  # a strict xfail is a declared, tracked failure
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


def pytest_terminal_summary(terminalreporter):
    """Print the reliability figures (RELIABILITY.md) that tests recorded with ``record_property("R<n>", text)``."""
    rows = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if isinstance(name, str) and name[:1] == "R" and name[1:].isdigit():
                    outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
                    rows.append((int(name[1:]), report.nodeid, outcome, value))
    if rows:
        terminalreporter.section("Reliability figures")
        for number, nodeid, outcome, value in sorted(rows):
            terminalreporter.write_line(f"R{number:<3} {outcome:<7} {value}  ({nodeid})")
