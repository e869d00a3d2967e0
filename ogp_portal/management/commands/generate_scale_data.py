import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.scale_data import generate


class Command(BaseCommand):
    help = (
        "Generate deterministic synthetic OGP data for benchmarks: scale 1 is about today's OGP "
        "(300 members, 1,000 plans, 15,000 commitments, 75,000 milestones, ~270,000 progress updates, "
        "5,000 meetings). Bulk inserts: no history records, no signals."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = today's OGP; usual values 0.01, 0.1, 1, 10.")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--method",
            choices=["auto", "bulk", "copy"],
            default="auto",
            help="bulk: bulk_create; copy: PostgreSQL COPY; auto (default): COPY on PostgreSQL, else bulk_create.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=(
                "Processes writing the members' data (COPY on PostgreSQL only; the rows do not depend on it). "
                "Default: 2 with COPY, else 1."
            ),
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help=(
                "PostgreSQL: keep the indexes, unique constraints and foreign keys of the loaded tables during the "
                "load (by default they are dropped first and recreated from their own definitions afterwards)."
            ),
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Empty the WHOLE database first (manage.py flush): for a benchmark database only.",
        )

    def handle(self, *args, scale, seed, flush, method, keep_indexes, workers, **options):
        copy = method == "copy" or (method == "auto" and connection.vendor == "postgresql")
        if workers is None:
            workers = 2 if copy and not connection.in_atomic_block else 1
        if flush:
            call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        try:
            counts = generate(
                scale,
                seed,
                method=method,
                defer_indexes=connection.vendor == "postgresql" and not keep_indexes,
                workers=workers,
                log=lambda m: self.stdout.write(m) if options["verbosity"] > 1 else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        if options["verbosity"]:
            for name, value in counts.as_rows():
                self.stdout.write(f"{name:>18}: {value:>9,}")
            slow = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(counts.seconds.items(), key=lambda kv: -kv[1])[:6])
            self.stdout.write(f"insert time: {slow}")
            self.stdout.write(
                self.style.SUCCESS(f"Scale {scale} (seed {seed}) written to {connection.vendor} in {elapsed:.1f} s.")
            )
