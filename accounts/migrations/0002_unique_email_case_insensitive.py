"""One account per email address, whatever its case, kept by the database (issue 17.6).

``auth.User`` is Django's stock model, so the constraint is a unique index on ``lower(email)`` of
``auth_user`` (SQLite and PostgreSQL both support expression and partial indexes), leaving out
empty addresses (administrators' accounts may have none). Concurrent sign-ups with one address
then open one account: the others fail on the index (``accounts.services.open_account``).

Existing duplicates (from before the index: 8 concurrent sign-ups once opened 2 accounts) are
resolved first: the address stays on one account, the one that has been used (active, signed in
most recently), else the oldest; the others keep their data and lose only the address, which is
printed so that an administrator can follow up.
"""

from django.db import migrations
from django.db.models import Count
from django.db.models.functions import Lower

INDEX = "auth_user_email_ci_unique"


def resolve_duplicates(apps, schema_editor):
    User = apps.get_model("auth", "User")
    duplicated = (
        User.objects.exclude(email="")
        .annotate(address=Lower("email"))
        .values("address")
        .order_by()
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("address", flat=True)
    )
    for address in list(duplicated):
        users = sorted(
            User.objects.annotate(address=Lower("email")).filter(address=address),
            key=lambda u: (not u.is_active, u.last_login is None, -(u.last_login.timestamp() if u.last_login else 0), u.date_joined, u.pk),
        )
        keep, others = users[0], users[1:]
        for user in others:
            print(f"\n  accounts: {address} stays on user {keep.pk} ({keep.username}); removed from user {user.pk} ({user.username})")
            User.objects.filter(pk=user.pk).update(email="")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(resolve_duplicates, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (LOWER(email)) WHERE email <> ''",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
