from django.core.management.base import BaseCommand

from compliance import notifications

from ._asof import parse_as_of


class Command(BaseCommand):
    help = "Send the 30-, 7- and 1-day deadline reminders due (and pending notices); each email goes once."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Portal-local date YYYY-MM-DD (default: now).")

    def handle(self, *args, as_of=None, **options):
        sent = notifications.send_due_reminders(parse_as_of(as_of))
        self.stdout.write(f"{sent} emails sent")
