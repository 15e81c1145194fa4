"""A full disk (docs/LEDGER-INTEGRITY.md, "Disk full"), replayed on a real full disk: a 2 MiB tmpfs
(needs root and mount; the test is skipped, and says so, where it cannot mount one: a full disk is
not faked here). Every path says "disco cheio" in pt-BR: opening the ledger (SQLite reports it as
SQLITE_IOERR_SHMSIZE), the lockout file (it used to take the blame), and `ledger verify`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store.errors import DiskFullError
from app.store.ledger import Ledger
from app.store.lockout import LockoutStore
from app.store.models import PunchDraft
from tests.conftest import CPF_ANA, SETTINGS


@pytest.fixture()
def full_disk(tmp_path):
    """A home on a 2 MiB tmpfs holding a ledger with a punch; then the disk is filled up."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a real full disk needs root to mount a small tmpfs")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)]).returncode:
        pytest.skip("could not mount a tmpfs for a real full disk")
    try:
        home = mnt / "home"
        with Ledger.open(home / "data" / "ledger.sqlite3", SETTINGS) as led:
            emp = led.add_employee("Ana Souza", CPF_ANA, "582146")
            led.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40"))
        fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # ENOSPC: full
        finally:
            os.close(fd)
        yield home
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_opening_the_ledger_on_a_full_disk_says_disco_cheio(full_disk: Path):
    with pytest.raises(DiskFullError, match="disco cheio") as exc:
        Ledger.open(full_disk / "data" / "ledger.sqlite3", SETTINGS)
    assert "SQLITE_IOERR" not in str(exc.value) and "nenhuma marcação" in str(exc.value)


def test_the_lockout_file_is_not_blamed_for_a_full_disk(full_disk: Path):
    store = LockoutStore.beside(full_disk / "data" / "ledger.sqlite3")
    with pytest.raises(DiskFullError, match="disco cheio"):
        store.fail("admin", time.time())


def test_ledger_verify_on_a_full_disk(full_disk: Path):
    env = {**os.environ, "PONTOVOZ_HOME": str(full_disk)}
    run = subprocess.run(
        [sys.executable, "-m", "app", "ledger", "verify"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode != 0
    assert "isco cheio" in run.stderr and "SQLITE_IOERR" not in run.stderr, run.stderr
    assert "bloqueios" not in run.stderr
