"""The backup drill (RELIABILITY.md R14): dump a PostgreSQL database, restore it into a new one, copy the
private media, and compare every table (row count and a checksum of its rows) and every file (SHA-256).

Used by tests/reliability/test_r14_backup_drill.py and bench/backup_drill.py; the commands are the README's
runbook ("Backups and restore"). Needs the PostgreSQL client programs (pg_dump, pg_restore) on PATH.
"""

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path


def _pg_env(db):
    return {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or ""), "PGHOST": db.get("HOST") or "127.0.0.1",
            "PGPORT": str(db.get("PORT") or 5432), "PGUSER": db.get("USER") or ""}


def dump(db, target: Path) -> float:
    """``pg_dump --format=custom`` of ``db`` (a Django DATABASES entry) into ``target``; return the seconds taken."""
    started = time.monotonic()
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), db["NAME"]],
                   env=_pg_env(db), check=True, capture_output=True, timeout=3600)
    return time.monotonic() - started


def restore(db, name: str, source: Path, jobs: int = 2) -> float:
    """Create database ``name`` and ``pg_restore`` ``source`` into it; return the seconds taken."""
    env = _pg_env(db)
    started = time.monotonic()
    subprocess.run(["createdb", name], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--jobs={jobs}", "--dbname", name, str(source)],
                   env=env, check=True, capture_output=True, timeout=3600)
    return time.monotonic() - started


def drop(db, name: str) -> None:
    subprocess.run(["dropdb", "--if-exists", name], env=_pg_env(db), check=False, capture_output=True, timeout=120)


def copy_media(source: Path, target: Path) -> None:
    """Copy the private media tree, keeping modes and times (as ``cp -a`` / ``rsync -a``)."""
    shutil.copytree(source, target, symlinks=True, copy_function=shutil.copy2)


def table_checksums(dsn: dict) -> dict[str, tuple[int, str]]:
    """Return {table: (rows, md5 of its rows in a fixed order)} for every table of the public schema."""
    import psycopg2

    connection = psycopg2.connect(dbname=dsn["NAME"], user=dsn.get("USER"), password=dsn.get("PASSWORD"),
                                  host=dsn.get("HOST") or "127.0.0.1", port=dsn.get("PORT") or 5432)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            tables = [row[0] for row in cursor.fetchall()]
            sums = {}
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                cursor.execute(
                    f"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {quoted} t"  # noqa: S608 (table names from the catalog, quoted)
                )
                sums[table] = cursor.fetchone()
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
            rows = cursor.fetchall()
            sums["(sequences)"] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
            return sums
    finally:
        connection.close()


def file_checksums(root: Path) -> dict[str, str]:
    """Return {relative path: SHA-256} of every file under ``root``."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}
