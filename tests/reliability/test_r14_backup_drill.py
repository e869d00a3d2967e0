"""R14 Backup drill on PostgreSQL: dump, restore into a new database, copy the private media, then compare the
row count and checksum of every table and the SHA-256 of every file: identical.

The data: the real seed data, a compliance sweep, and evidence files uploaded through the service. The
scale-1 timing is bench/backup_drill.py (not run by the tests).
"""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from commitments import progress
from commitments.models import Milestone
from compliance.engine import Period
from ogp_portal import backup_drill
from tests.conftest import require_service

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def test_r14_dump_restore_and_media_copy_are_identical(tmp_path, settings, admin_user, record_property):
    require_service(connection.vendor == "postgresql", "PostgreSQL (run with DATABASE_URL=postgres://...)")
    settings.MEDIA_ROOT = tmp_path / "private-media"
    call_command("load_seed_data", verbosity=0)
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    milestone = Milestone.objects.get(commitment__identifier="KG0017", number="1.1")
    update = progress.save_progress(milestone, Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1"), by=admin_user,
                                    data={"completion": "limited", "narrative": "Audit started.", "as_of": dt.date(2019, 6, 30)},
                                    version=0, now=timezone.now())
    for n in range(3):
        progress.add_evidence_file(update, SimpleUploadedFile(f"report-{n}.pdf", PDF + bytes([n]) * 100), by=admin_user)
    progress.add_evidence_file(update, SimpleUploadedFile("chart.png", PNG), by=admin_user)

    source = connection.settings_dict
    restored_name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    try:
        dump_seconds = backup_drill.dump(source, tmp_path / "backup.dump")
        restore_seconds = backup_drill.restore(source, restored_name, tmp_path / "backup.dump")
        backup_drill.copy_media(settings.MEDIA_ROOT, tmp_path / "restored-media")
        before = backup_drill.table_checksums(source)
        after = backup_drill.table_checksums({**source, "NAME": restored_name})
    finally:
        backup_drill.drop(source, restored_name)
    files_before = backup_drill.file_checksums(settings.MEDIA_ROOT)
    files_after = backup_drill.file_checksums(tmp_path / "restored-media")
    differing = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
    rows = sum(count for count, _sum in before.values())
    figure = (f"{len(before)} tables ({rows} rows) and {len(files_before)} files: {len(differing)} tables and "
              f"{sum(1 for f in files_before.keys() | files_after.keys() if files_before.get(f) != files_after.get(f))} files differ "
              f"after restore (dump {dump_seconds:.1f} s, restore {restore_seconds:.1f} s, seed data)")
    record_property("R14", figure)
    print("\nR14", figure)
    assert rows > 500 and len(files_before) == 4
    assert differing == []
    assert files_after == files_before
