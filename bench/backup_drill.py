"""R14 timed: the backup drill on an existing PostgreSQL database (e.g. scale 1 from generate_scale_data).

    .venv/bin/python bench/backup_drill.py --database-url postgres://ogp:ogp@127.0.0.1:5432/ogp_bench --media private-media

Dumps the database (pg_dump, custom format), restores it into a new database (pg_restore, 2 jobs), copies the
media folder, compares every table's row count and checksum and every file's SHA-256, prints the times and
the result, and drops the restored copy. Reads only from the source database. Bounded by pg_dump's and
pg_restore's own time (an hour each at most).
"""

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ogp_portal import backup_drill  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--media", default="private-media")
    args = parser.parse_args(argv)
    url = urlsplit(args.database_url)
    db = {"NAME": url.path.lstrip("/"), "USER": url.username, "PASSWORD": url.password, "HOST": url.hostname, "PORT": url.port}
    restored = f"{db['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        try:
            dumped = backup_drill.dump(db, tmp / "backup.dump")
            restore = backup_drill.restore(db, restored, tmp / "backup.dump")
            started = time.monotonic()
            media = Path(args.media)
            if media.exists():
                backup_drill.copy_media(media, tmp / "media")
            copied = time.monotonic() - started
            started = time.monotonic()
            before, after = backup_drill.table_checksums(db), backup_drill.table_checksums({**db, "NAME": restored})
            files_before, files_after = backup_drill.file_checksums(media), backup_drill.file_checksums(tmp / "media")
            compared = time.monotonic() - started
            size = (tmp / "backup.dump").stat().st_size
        finally:
            backup_drill.drop(db, restored)
    differing = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
    rows = sum(n for n, _ in before.values())
    print(f"R14 drill: {len(before)} tables, {rows} rows, {len(files_before)} files; dump {dumped:.1f} s, restore {restore:.1f} s, "
          f"media copy {copied:.1f} s, comparison {compared:.1f} s; tables differing: {differing or 'none'}; "
          f"files differing: {sum(1 for f in files_before.keys() | files_after.keys() if files_before.get(f) != files_after.get(f))}"
          + f"; dump {size / 1e6:.0f} MB")
    return 1 if differing or files_before != files_after else 0


if __name__ == "__main__":
    sys.exit(main())
