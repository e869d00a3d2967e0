import json

from django.core.management.base import BaseCommand

from compliance import selectors

from ._asof import members, parse_as_of


class Command(BaseCommand):
    help = (
        "Print each member's status, open findings and next deadlines as of a date, "
        "computed from the data without writing anything (a what-if run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Portal-local date YYYY-MM-DD (default: now).")
        parser.add_argument("--member", help="Only this member's code, such as KG.")
        parser.add_argument("--json", action="store_true", help="Print a JSON list, one object per member.")

    def handle(self, *args, as_of=None, member=None, json=False, **options):
        now = parse_as_of(as_of)
        report = [self.entry(m, selectors.evaluate_member(m, now)) for m in members(member)]
        if json:
            self.stdout.write(_dumps(report))
            return
        for entry in report:
            since = f" since {entry['status_since']}" if entry["status_since"] else ""
            self.stdout.write(f"{entry['member']} ({entry['name']}): {entry['status']}{since}")
            for d in entry["next_deadlines"]:
                what = f"{d['kind']} {d['period']} {d['subject']}".strip()
                self.stdout.write(f"  next: {what} due {d['due']} ({d['days_left']} days)")
            for f in entry["findings"]:
                what = f"{f['kind']} {f['period']} {f['subject']}".strip()
                self.stdout.write(f"  open: {what} since {f['effective_date']}")

    @staticmethod
    def entry(member, ev):
        return {
            "member": member.code,
            "name": member.name,
            "as_of": ev.today.isoformat(),
            "status": ev.status,
            "status_since": ev.status_since.isoformat() if ev.status_since else None,
            "findings": [
                {"kind": f.kind, "subject": f.subject, "period": f.period, "effective_date": f.effective_on.isoformat()}
                for f in ev.open_findings
            ],
            "next_deadlines": [
                {
                    "kind": d.kind,
                    "due": d.due.isoformat(),
                    "days_left": d.days_left,
                    "period": d.period,
                    "subject": d.subject,
                    "source": d.source,
                }
                for d in ev.next_deadlines
            ],
        }


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
