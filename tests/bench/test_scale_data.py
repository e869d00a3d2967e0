"""The synthetic data generator: deterministic, proportional, valid rows, three languages."""

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from commitments.models import ActionPlan, Commitment, Member, Milestone, ProgressUpdate
from bench.scale_data import generate, plan_sizes
from compliance.models import Deadline
from forums.models import Meeting

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def fingerprint():
    """Everything the generator wrote except primary keys and load-time stamps."""
    h = hashlib.sha256()
    for row in Member.objects.order_by("code").values_list("code", "name", "kind", "parent__code", "joined_on"):
        h.update(repr(row).encode())
    for row in Commitment.objects.order_by("identifier").values_list(
        "identifier", "plan__start_date", "title_en", "title_ru", "title_ky", "problem_ky", "lead_agency__name",
        "completion", "completion_percent", "latest_update_at",
    ):
        h.update(repr(row).encode())
    for row in Milestone.objects.order_by("commitment__identifier", "number").values_list(
        "commitment__identifier", "number", "deliverable_ru", "start_date", "end_date", "end_precision"
    ):
        h.update(repr(row).encode())
    for row in ProgressUpdate.objects.order_by("milestone__commitment__identifier", "milestone__number", "period_end").values_list(
        "milestone__commitment__identifier", "milestone__number", "period_end", "completion", "state", "published_at", "narrative"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def generated(scale, seed, method="auto"):
    """Generate inside a savepoint, return the fingerprint and counts, and roll it back."""
    with transaction.atomic():
        counts = generate(scale, seed, method=method)
        result = fingerprint()
        transaction.set_rollback(True)
    return result, counts


def test_the_same_seed_writes_the_same_data_and_another_seed_other_data():
    first, counts = generated(0.004, 42)
    again, _ = generated(0.004, 42)
    other, _ = generated(0.004, 7)
    assert first == again
    assert first != other
    assert counts.commitments > 0 and counts.progress_updates > counts.milestones > counts.commitments


def test_copy_and_bulk_create_write_the_same_rows():
    # No skip (CI counts skips as failures): without PostgreSQL, COPY is refused with a clear error.
    if connection.vendor != "postgresql":
        with pytest.raises(ValueError, match="copy on PostgreSQL"):
            generate(0.004, 42, method="copy")
        return
    assert generated(0.004, 42, "copy")[0] == generated(0.004, 42, "bulk")[0]


@pytest.mark.parametrize("method", ["auto", "bulk"])
def test_the_stored_last_published_update_follows_its_rule(method):
    """``Commitment.latest_update_at`` as the list's sub-select read it (``filters._latest_update_at``), by either path."""
    from commitments.filters import _latest_update_at

    generate(0.004, 42, method=method)
    rows = list(Commitment.objects.annotate(rule=_latest_update_at()).values_list("latest_update_at", "rule"))
    assert rows and all(kept == rule for kept, rule in rows)
    assert any(kept is not None for kept, _rule in rows)


def test_counts_follow_the_scale():
    assert plan_sizes(1)[:4] == (75, 225, 1000, 5000)
    assert plan_sizes(10)[:4] == (750, 2250, 10000, 50000)
    national, local, plans, meetings, per_national, per_local = plan_sizes(0.1)
    assert (national, local, plans, meetings) == (8, 23, 100, 500)
    assert sum(per_national) + sum(per_local) == plans


def test_rows_are_valid_in_three_languages_and_beside_the_real_seed_data(seed_data):
    counts = generate(0.01, 42)
    assert counts.members == Member.objects.exclude(code__in=["KG", "KGBSK"]).count() == 4
    assert not Member.objects.filter(code__in=["KG", "KGBSK"], name__startswith="Republic of").exists()
    # Every kind of row passes the models' own validation.
    for model in (Member, ActionPlan, Commitment, Milestone, ProgressUpdate, Meeting, Deadline):
        for obj in model.objects.order_by("-pk")[:25]:
            obj.full_clean()
    c = Commitment.objects.filter(identifier__startswith="XN").first()
    assert c.title_en and c.title_ru and c.title_ky
    assert any("\u0400" <= ch <= "\u04ff" for ch in c.problem_ru)
    assert any(ch in "өүң" for ch in c.problem_ky)  # Kyrgyz letters
    assert 250 <= len(c.problem_en) <= 700  # about the real plan's ~430 characters
    local = Member.objects.filter(code__startswith="XL").first()
    assert local.kind == Member.Kind.LOCAL and local.parent.code.startswith("XN")


def test_command_refuses_to_write_twice_and_reports_counts(capsys):
    call_command("generate_scale_data", "--scale", "0.004", "--seed", "1")
    assert "commitments" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already exist"):
        call_command("generate_scale_data", "--scale", "0.004")


def test_reviews_and_followers_come_in_proportion_and_mark_some_commitments_contested():
    from django.contrib.auth import get_user_model

    from engagement.models import Follow, Review
    from engagement.services import contested_commitments_q

    counts = generate(0.01, 42)
    published = ProgressUpdate.objects.filter(state=ProgressUpdate.State.PUBLISHED).count()
    assert counts.users == 10 * counts.members == get_user_model().objects.filter(username__startswith="reviewer-").count()
    # About 5 % of the published updates are reviewed, each by one of its own member's reviewers.
    assert 0.02 * published <= counts.reviews == Review.objects.count() <= 0.08 * published
    assert not Review.objects.exclude(update__state=ProgressUpdate.State.PUBLISHED).exists()
    for review in Review.objects.select_related("author", "update__milestone__commitment__plan__member")[:50]:
        review.full_clean()
        assert review.author.username.startswith(f"reviewer-{review.update.milestone.commitment.plan.member.code.lower()}-")
        assert not review.author.has_usable_password()
    assert Review.objects.filter(stance=Review.Stance.DISPUTE, responded_at__isnull=False).exists()
    assert Commitment.objects.filter(contested_commitments_q()).exists()
    # Eight follows per reviewer: their member, one plan, six commitments.
    assert counts.follows == Follow.objects.count() == 8 * counts.users
    assert Follow.objects.filter(member__isnull=False).count() == counts.users


def schema():
    """Every index and constraint definition in the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2")
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype::text, pg_get_constraintdef(oid), condeferrable, condeferred "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        return indexes, cursor.fetchall()


def test_indexes_and_constraints_dropped_for_the_load_come_back_exactly():
    # The command drops the loaded tables' secondary indexes, unique constraints and foreign keys
    # during the load and recreates them from the catalog's own definitions.
    if connection.vendor != "postgresql":
        with pytest.raises(ValueError, match="PostgreSQL"):
            generate(0.004, 42, defer_indexes=True)
        return
    before = schema()
    counts = generate(0.004, 42, defer_indexes=True)
    assert counts.progress_updates > 0 and counts.seconds["indexes"] > 0
    assert schema() == before


def test_several_processes_are_refused_inside_a_transaction():
    # They see only committed rows: the command uses them only outside a transaction.
    with pytest.raises(ValueError, match="outside a transaction"):
        generate(0.004, 42, workers=2)
