"""Failures: locked database, full disk, corrupted file. Each: typed error, clear message,
nothing lost or duplicated."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid

import pytest

from app.store.errors import DiskFullError, LedgerBusyError, LedgerCorruptError
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings


def _draft(emp_id, audio=None):
    return PunchDraft(emp_id, "ENTRADA", "ENTRADA 13 40", audio=audio, queue_for_cloud=bool(audio))


def test_database_locked_by_another_program(tmp_path):
    path = tmp_path / "l.sqlite3"
    led = Ledger.open(path, LedgerSettings(), busy_timeout_s=0.3)
    emp = led.add_employee("Ana Souza", "52998224725", "1234")
    first = led.record_punch(_draft(emp.id))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # e.g. a backup tool holding the write lock
    with pytest.raises(LedgerBusyError, match="bloqueados por outro programa; nada foi gravado"):
        led.record_punch(_draft(emp.id))
    other.execute("ROLLBACK")
    other.close()
    again = led.record_punch(_draft(emp.id))  # the retry gets the next NSR, no gap/duplicate
    assert again.nsr == first.nsr + 1 and led.count_punches() == 2 and led.verify_chain().ok
    led.close()


def _small_filesystem(tmp_path):
    """A real full disk: a 1 MiB tmpfs (needs root). None when it cannot be mounted."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return None
    ok = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
    )
    return mnt if ok.returncode == 0 else None


def test_disk_full(tmp_path):
    mnt = _small_filesystem(tmp_path)
    try:
        if mnt is not None:
            led = Ledger.open(mnt / "l.sqlite3", LedgerSettings())
        else:
            # Fallback when we may not mount a tmpfs: SQLite's own size limit raises the very
            # same SQLITE_FULL error ("database or disk is full"). Said here as the rules ask.
            led = Ledger.open(tmp_path / "l.sqlite3", LedgerSettings())
            led._conn.execute("PRAGMA max_page_count = 200")
        emp = led.add_employee("Ana Souza", "52998224725", "1234")
        stored = []
        with pytest.raises(DiskFullError, match="cheio; nada foi gravado"):
            for _ in range(10_000):
                stored.append(led.record_punch(_draft(emp.id, audio=os.urandom(20_000))))
        assert stored, "some punches fit before the disk filled"
        # Every punch reported as stored is there, in order, and the chain is intact.
        assert led.count_punches() == len(stored)
        assert [p.nsr for p in led.punches()] == [p.nsr for p in stored]
        assert [p.nsr for p in stored] == list(range(2, len(stored) + 2))  # NSR 1: Ana's I
        assert led.verify_chain().ok
        led.close()
        print(
            f"\ndisk full ({'tmpfs 1 MiB' if mnt else 'max_page_count'})"
            f" after {len(stored)} punches"
        )
    finally:
        if mnt is not None:
            subprocess.run(["umount", str(mnt)], check=False)


def test_garbage_file_is_reported_as_damaged(tmp_path):
    path = tmp_path / "l.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerCorruptError, match="restaure-os da cópia de segurança"):
        Ledger.open(path, LedgerSettings())


def test_damaged_pages_are_reported(tmp_path):
    path = tmp_path / "l.sqlite3"
    with Ledger.open(path, LedgerSettings()) as led:
        emp = led.add_employee("Ana Souza", "52998224725", "1234")
        for _ in range(300):
            led.record_punch(
                PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", transcript=str(uuid.uuid4()))
            )
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, min(len(data), 12 * page), page):
        data[offset : offset + 200] = os.urandom(200)  # scribble over b-tree pages
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerCorruptError, match="danificados"):
        Ledger.open(path, LedgerSettings())
