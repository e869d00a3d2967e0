"""Import an action plan from OGP's commitment template (.docx or text) or the portal's CSV format.

    python manage.py import_plan PATH --member KG [--dry-run] [--user NAME] [--changes-only] [--allow KEY ...]

Prints the same preview as the upload page (created / updated / unchanged / kept, field by
field, and a warning for each piece of the file that could not be read); with --dry-run
nothing is saved.  The import runs in one transaction: if any row fails validation,
nothing is saved and the command fails.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commitments.importer import ImportRefused, outcome_lines, read_file, run_import
from commitments.models import Member


class Command(BaseCommand):
    help = "Import an action plan from a .docx, .txt (OGP's commitment template) or .csv file; --dry-run previews it."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to import (.docx, .txt or .csv).")
        parser.add_argument("--member", required=True, help="The member's code, such as KG or KGBSK.")
        parser.add_argument("--dry-run", action="store_true", help="Show the preview; save nothing.")
        parser.add_argument("--user", default=None, help="Record this user name in the history of the changed rows.")
        parser.add_argument("--changes-only", action="store_true", help="Leave unchanged rows out of the preview.")
        parser.add_argument("--allow", action="append", default=[], metavar="KEY",
                            help="Allow one change that needs a decision (a blanked value, a commitment moved to a "
                                 "new agency), by the key the dry run prints; repeat it for several.")

    def handle(self, *args, path, member, dry_run, user, changes_only, allow=(), **options):
        try:
            member_obj = Member.objects.get(code=member)
        except Member.DoesNotExist:
            raise CommandError(f"no member with code {member!r}") from None
        user_obj = None
        if user:
            user_obj = get_user_model().objects.filter(username=user).first()
            if user_obj is None:
                raise CommandError(f"no user named {user!r}")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"file not found: {file}")
        try:
            parsed = read_file(file.name, file.read_bytes(), member_obj)
        except ImportRefused as refused:
            raise CommandError(refused.message) from None
        outcome = run_import(member_obj, parsed, user=user_obj, commit=not dry_run, reason=f"Imported from {file.name}",
                             allow=allow)
        for line in outcome_lines(outcome, verbose=not changes_only):
            self.stdout.write(line)
        if outcome.errors:
            raise CommandError("nothing was saved: fix the errors above and import again")
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
