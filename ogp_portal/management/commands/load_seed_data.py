from django.conf import settings
from django.core.management.base import BaseCommand

from commitments.models import Commitment, Member, Milestone
from ogp_portal.seeding import FIXTURES_DIR, load_seed_data, open_demo_cocreation


class Command(BaseCommand):
    help = "Load the real seed data (Kyrgyz NAP 2018–2020, Bishkek 2025, OGP letters) from fixtures/. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(FIXTURES_DIR), help="Folder holding the seed JSON files.")

    def handle(self, *args, fixtures, **options):
        load_seed_data(fixtures)
        if settings.DEMO or settings.DEBUG:  # the demo opens the co-creation of the next plans (make run)
            open_demo_cocreation()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {Member.objects.count()} members, {Commitment.objects.count()} commitments, "
                f"{Milestone.objects.count()} milestones."
            )
        )
