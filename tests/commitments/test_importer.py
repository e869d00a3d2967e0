"""Importing a plan written in OGP's commitment template: the seed's text and a .docx of it."""

import pytest

from commitments.importer import read_file, run_import

from .importing import foundation_snapshot, kyrgyz_republic, seed_bytes, seed_docx, snapshot

pytestmark = pytest.mark.django_db


def _import(name, data, member, **kwargs):
    parsed = read_file(name, data, member)
    return run_import(member, parsed, commit=True, **kwargs)


def test_importing_seed_001_text_gives_exactly_what_the_foundation_loads():
    expected = foundation_snapshot()
    kg = kyrgyz_republic()
    outcome = _import("001.txt", seed_bytes(), kg)
    assert outcome.errors == [] and outcome.problems == []
    assert outcome.committed
    _diff(snapshot("KG"), expected)
    assert snapshot("KG") == expected


def test_a_docx_in_ogps_table_layout_imports_identically():
    expected = foundation_snapshot()
    kg = kyrgyz_republic()
    outcome = _import("plan.docx", seed_docx(), kg)
    assert outcome.errors == [] and outcome.warnings() == []
    assert snapshot("KG") == expected


def _diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in set(a) | set(b):
            _diff(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]")
    elif a != b:
        print("DIFF", path, repr(a)[:200], "||", repr(b)[:200])
