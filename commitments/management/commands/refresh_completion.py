from django.core.management.base import BaseCommand
from django.db import transaction

from commitments.models import Commitment
from commitments.progress import refresh_completion, refresh_done_flags


class Command(BaseCommand):
    help = (
        "Store the completion roll-up again on every commitment (or one member's), and the done flags "
        "of their milestones: the same progress.refresh_completion that approving an update runs. "
        "Safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--member", help="OGP code of one member, such as KG (default: every member).")

    def handle(self, *args, member=None, **options):
        commitments = Commitment.objects.all()
        if member:
            commitments = commitments.filter(plan__member__code=member)
        with transaction.atomic():
            if member:
                changed = refresh_completion(commitments)
            else:
                # Every milestone's done flag in one set-based pass first: the chunks below then find
                # nothing left to write.
                flags = refresh_done_flags()
                changed = refresh_completion(commitments)
                self.stdout.write(f"{flags} milestone done flags changed.")
        self.stdout.write(self.style.SUCCESS(f"{changed} of {commitments.count()} commitments changed."))
