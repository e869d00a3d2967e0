from django.core.management.base import BaseCommand

from compliance import sweep

from ._asof import members, parse_as_of


class Command(BaseCommand):
    help = "Record findings and status changes as of a date (default now), and send their notices. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Portal-local date YYYY-MM-DD (default: now).")
        parser.add_argument("--member", help="Only this member's code, such as KG.")
        parser.add_argument("--no-notify", action="store_true", help="Record rows without sending notices.")

    def handle(self, *args, as_of=None, member=None, no_notify=False, **options):
        now = parse_as_of(as_of)
        selected = members(member)
        # The batched sweep of the daily job (chunks of members, set-based reads, writes keyed by unique constraints).
        results = {r.member: r for r in sweep.sweep_members(selected, now=now, notify="none" if no_notify else "inline")}
        for code in selected.values_list("code", flat=True):
            result = results[code]
            self.stdout.write(
                f"{code}: {result.status}; {len(result.created_findings)} new findings, "
                f"{len(result.resolved_findings)} resolved, {len(result.created_events)} new status events"
            )
