"""Create one demo account per role on the real seed data, and print them with their passwords.

Only for the demo (``make run``): refused unless DEBUG is on, so production settings never create
them. Idempotent: a second run resets the same accounts' passwords and roles, creating nothing twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments.models import Agency, Commitment, Member, Role

# (username, password, description, roles as (kind, member code, agency: commitment identifier it leads | name))
DEMO_ACCOUNTS = [
    ("chamber", "demo-chamber-2026", "Coordinator, Accounts Chamber (lead of KG0017)", [("coordinator", "KG", "KG0017")]),
    ("finance", "demo-finance-2026", "Coordinator, Ministry of Finance (lead of KG0008–KG0011)", [("coordinator", "KG", "KG0008")]),
    ("kg-poc", "demo-kg-poc-2026", "Point of contact, Kyrgyz Republic", [("point_of_contact", "KG", None)]),
    ("kg-forum", "demo-kg-forum-2026", "Secretariat, Open Government National Forum (KG)", [("secretariat", "KG", None)]),
    ("bishkek-poc", "demo-bishkek-poc-2026", "Point of contact, Bishkek (OGP Local)", [("point_of_contact", "KGBSK", None)]),
    ("citizen", "demo-citizen-2026", "Civil-society reviewer (no role)", []),
    ("ogp-admin", "demo-admin-2026", "Administrator (OGP staff): /admin/", []),
]
ADMINISTRATORS = {"ogp-admin"}


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) on the real seed data. Refused unless DEMO or DEBUG is on."

    def handle(self, *args, **options):
        if not (settings.DEBUG or getattr(settings, "DEMO", False)):
            raise CommandError(
                "Demo accounts are created only in the local demo: run with DEMO=true (as `make run` does) or DEBUG=true. "
                "Production never creates them."
            )
        missing = [code for code in ("KG", "KGBSK") if not Member.objects.filter(code=code).exists()]
        if missing:
            raise CommandError(f"Load the seed data first (manage.py load_seed_data): no member {', '.join(missing)}.")
        with transaction.atomic():
            rows = [self._account(*spec) for spec in DEMO_ACCOUNTS]
        self._print(rows)

    def _account(self, username, password, description, roles):
        User = get_user_model()
        user, _created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.invalid"})
        user.email = user.email or f"{username}@demo.invalid"
        user.is_active = True
        user.is_staff = user.is_superuser = username in ADMINISTRATORS
        user.set_password(password)
        user.save()
        wanted = []
        for kind, code, agency_ref in roles:
            member = Member.objects.get(code=code)
            agency = self._agency(member, agency_ref) if agency_ref else None
            role, _ = Role.objects.get_or_create(user=user, member=member, kind=kind, agency=agency)
            wanted.append(role.pk)
        user.ogp_roles.exclude(pk__in=wanted).delete()
        return username, password, description

    @staticmethod
    def _agency(member, ref):
        commitment = Commitment.objects.filter(identifier=ref, plan__member=member).select_related("lead_agency").first()
        if commitment and commitment.lead_agency:
            return commitment.lead_agency
        agency = Agency.objects.filter(member=member, name=ref).first()
        if agency is None:
            raise CommandError(f"No agency leads {ref} in the seed data.")
        return agency

    def _print(self, rows):
        width_user = max(len(r[0]) for r in rows + [("User name",)])
        width_pass = max(len(r[1]) for r in rows + [("", "Password")])
        line = f"{'User name':<{width_user}}  {'Password':<{width_pass}}  Role"
        self.stdout.write("Demo accounts (sign in at /accounts/sign-in/):")
        self.stdout.write(line)
        self.stdout.write("-" * len(line))
        for username, password, description in rows:
            self.stdout.write(f"{username:<{width_user}}  {password:<{width_pass}}  {description}")
