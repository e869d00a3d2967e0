"""Kept statements prepared on the server once per connection (``ogp_portal.compiled``, PostgreSQL; issue #20).

On PostgreSQL a kept statement is prepared the first time a connection runs it outside a transaction and run
as ``EXECUTE`` after that: the same rows as the ORM's, a new connection prepares it again, a transaction on a
connection that has not prepared it runs the plain SQL, and a statement the server refuses to prepare runs as
plain SQL. On SQLite (the suite's default) every statement runs as compiled: nothing is prepared.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commitments.models import Member
from ogp_portal import compiled as compiled_module
from ogp_portal.compiled import compiled
from ogp_portal.compiled import rows as compiled_rows
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRESQL = connection.vendor == "postgresql"


def _rows(code):
    return Member.objects.filter(code=code).order_by("pk").values_list("pk", "code", "joined_on")


def _members(pk):
    return Member.objects.filter(pk__gte=pk).order_by("pk")


def _prepared_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'ogp_kept_%%'")
        return {name for (name,) in cursor.fetchall()}


def _entry(name):
    return next(value for key, value in compiled_module._COMPILED.items() if key[0] == name)


def test_a_kept_statement_is_prepared_once_per_connection_and_gives_the_orms_rows(monkeypatch):
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    first, second = MemberFactory(joined_on=dt.date(2011, 9, 20)), MemberFactory(code="AM", name="Armenia", country="Armenia")
    for member in (first, second, first):
        with CaptureQueriesContext(connection) as ctx:
            got = compiled_rows("test-prepared-rows", _rows, code=member.code)
        assert got == [tuple(row) for row in _rows(member.code)]
        assert len(ctx.captured_queries) == 1  # the PREPARE is the connection's, not a query of the page
        sql = ctx.captured_queries[0]["sql"]
        assert sql.startswith("EXECUTE ogp_kept_") == POSTGRESQL
    assert compiled_rows("test-prepared-rows", _rows, code="NOPE") == []
    entry = _entry("test-prepared-rows")
    if POSTGRESQL:
        assert entry.prepared.name in _prepared_names()
        # Model instances (Django's iterable over the compiler) run prepared too: the same objects.
        got = list(compiled("test-prepared-members", _members, pk=first.pk))
        assert [(m.pk, m.code, m.name) for m in got] == [(m.pk, m.code, m.name) for m in _members(first.pk)]
        assert _entry("test-prepared-members").prepared.name in _prepared_names()
        with CaptureQueriesContext(connection) as ctx:
            assert [m.pk for m in compiled("test-prepared-members", _members, pk=second.pk)] == [second.pk]
        assert ctx.captured_queries[0]["sql"].startswith("EXECUTE ogp_kept_")
        # A server-side cursor (iterator()) declares the plain SELECT.
        assert [m.pk for m in compiled("test-prepared-members", _members, pk=first.pk).iterator()] == [first.pk, second.pk]
    else:
        assert entry.prepared is None  # SQLite: the SQL as compiled


def test_a_new_connection_prepares_again_and_a_transaction_runs_the_plain_sql(monkeypatch):
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    member = MemberFactory()
    expected = [tuple(row) for row in _rows(member.code)]
    assert compiled_rows("test-prepared-again", _rows, code=member.code) == expected
    connection.close()  # (a connection past CONN_MAX_AGE, or broken): the next one has nothing prepared
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        assert compiled_rows("test-prepared-again", _rows, code=member.code) == expected
        if POSTGRESQL:
            assert _prepared_names() == set()  # not prepared inside the transaction
    assert not ctx.captured_queries[0]["sql"].startswith("EXECUTE")
    with CaptureQueriesContext(connection) as ctx:
        assert compiled_rows("test-prepared-again", _rows, code=member.code) == expected
    assert ctx.captured_queries[0]["sql"].startswith("EXECUTE ogp_kept_") == POSTGRESQL
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:  # prepared on this connection: used inside too
        assert compiled_rows("test-prepared-again", _rows, code=member.code) == expected
    assert ctx.captured_queries[0]["sql"].startswith("EXECUTE ogp_kept_") == POSTGRESQL


def test_a_statement_the_server_refuses_to_prepare_runs_as_plain_sql(monkeypatch):
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    member = MemberFactory()
    expected = [tuple(row) for row in _rows(member.code)]
    assert compiled_rows("test-prepared-refused", _rows, code=member.code) == expected
    connection.close()
    entry = _entry("test-prepared-refused")
    if POSTGRESQL:
        entry.prepared.text = "SELEC 1"  # (what the server refuses)
    with CaptureQueriesContext(connection) as ctx:
        assert compiled_rows("test-prepared-refused", _rows, code=member.code) == expected
        assert compiled_rows("test-prepared-refused", _rows, code=member.code) == expected
    assert not any(query["sql"].startswith("EXECUTE") for query in ctx.captured_queries)
    assert entry.prepared is None  # plain SQL from now on
    with transaction.atomic():  # the connection and its transactions are unharmed
        assert Member.objects.filter(pk=member.pk).exists()


def test_only_the_requests_values_are_parameters_the_fixed_ones_are_written_in():
    sql = "SELECT a FROM t WHERE b LIKE 'x%%' AND c = %s AND s = %s AND d = ANY(%s)"
    statement = compiled_module.prepared_statement(sql, (5, "submitted", [7, 8]), {0, 2}, "postgresql")
    assert statement.text == "SELECT a FROM t WHERE b LIKE 'x%%' AND c = $1 AND s = %s AND d = ANY($2)"
    assert statement.fixed == ("submitted",)
    assert statement.execute == f"EXECUTE {statement.name}(%s, %s)"
    assert statement.values((6, "submitted", [9])) == [6, [9]]
    fixed_only = compiled_module.prepared_statement("SELECT a FROM t WHERE s = %s", ("x",), set(), "postgresql")
    assert fixed_only.execute == f"EXECUTE {fixed_only.name}" and fixed_only.values(("x",)) == []
    assert compiled_module.prepared_statement("SELECT a FROM t WHERE c = %s", (1, 2), {0}, "postgresql") is None  # never guess
    assert compiled_module.prepared_statement("SELECT 1", (), set(), "postgresql") is None
    assert compiled_module.prepared_statement("SELECT a FROM t WHERE c = %s", (1,), {0}, "sqlite") is None


def test_the_review_queues_state_is_written_into_its_prepared_statement(client, django_user_model, monkeypatch):
    """Its partial index (``state = 'submitted'``) stays usable by the plan PostgreSQL keeps for every request."""
    from commitments.models import Role

    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    member = MemberFactory()
    poc = django_user_model.objects.create_user("kg-poc", "poc@example.org", "poc-pass-123")
    Role.objects.create(user=poc, member=member, kind=Role.Kind.POINT_OF_CONTACT)
    client.force_login(poc)
    assert client.get("/review/").status_code == 200
    entry = next(value for key, value in compiled_module._COMPILED.items() if key[0][0] == "review-queue")
    if POSTGRESQL:
        # The reader's members are in the shape (their scope), the state fixed: no parameter left, one plan, the custom one.
        assert "submitted" in entry.prepared.fixed and member.pk in entry.prepared.fixed and entry.prepared.variable == ()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/review/").status_code == 200
        assert any(query["sql"] == entry.prepared.execute for query in ctx.captured_queries)
    else:
        assert entry.prepared is None


def test_a_prepared_statement_that_fails_is_prepared_afresh_at_its_next_run(monkeypatch):
    """(A migration that changes a column's type makes PostgreSQL refuse the old prepared plan: one request fails.)"""
    from django.db import DatabaseError

    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    member = MemberFactory()
    expected = [tuple(row) for row in _rows(member.code)]
    assert compiled_rows("test-prepared-fails", _rows, code=member.code) == expected
    assert [m.pk for m in compiled("test-prepared-fails-members", _members, pk=member.pk)] == [member.pk]
    if not POSTGRESQL:
        return
    for name in ("test-prepared-fails", "test-prepared-fails-members"):
        entry = _entry(name)
        before = entry.prepared.name
        with connection.cursor() as cursor:
            cursor.execute(f"DEALLOCATE {before}")  # (what the server no longer runs)
        with pytest.raises(DatabaseError):
            if name == "test-prepared-fails":
                compiled_rows(name, _rows, code=member.code)
            else:
                list(compiled(name, _members, pk=member.pk))
        assert entry.prepared.name != before
    assert compiled_rows("test-prepared-fails", _rows, code=member.code) == expected
    assert [m.pk for m in compiled("test-prepared-fails-members", _members, pk=member.pk)] == [member.pk]
    assert {_entry("test-prepared-fails").prepared.name, _entry("test-prepared-fails-members").prepared.name} <= _prepared_names()
