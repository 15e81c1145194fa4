"""Secrets at rest (docs/LEDGER-INTEGRITY.md, "The layers" 5 and 6, and "The key"), replayed:
another local user reads the ledger; someone with a copy of the database (no key file) cracks
the PINs; the key file goes missing or is swapped."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.store.errors import ErrorCode, LedgerKeyError
from app.store.ledger import Ledger, default_path
from app.store.models import PunchDraft
from tests.conftest import CPF_ANA, SETTINGS

V1_FIXTURE = Path(__file__).parents[1] / "store" / "fixtures" / "ledger-v1.sqlite3"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def open_home(monkeypatch):
    """A PONTOVOZ_HOME under a world-traversable folder (pytest's tmp is 0700, which would
    hide the ledger from `nobody` whatever the ledger does), with the usual umask 022."""
    base = Path(tempfile.mkdtemp(prefix="pv-sec-", dir="/tmp"))
    base.chmod(0o755)
    monkeypatch.setenv("PONTOVOZ_HOME", str(base / "home"))
    old = os.umask(0o022)
    yield base
    os.umask(old)
    shutil.rmtree(base)


def _as_nobody(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "nobody", "--", *cmd], capture_output=True, text=True)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"), reason="needs root")
def test_another_user_cannot_read_the_ledger_its_key_or_backups(open_home):
    with Ledger.open(None, SETTINGS) as led:
        ana = led.add_employee("Ana Souza", CPF_ANA, "1234")
        led.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40"))
        copy = led.backup(open_home / "backups")
        data = default_path().parent
        files = sorted(p for p in data.iterdir())
        assert {p.name for p in files} >= {
            "ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm", "ledger.sqlite3.key",
            "ledger.sqlite3.nsr",
        }  # fmt: skip
        assert _mode(data) == 0o700 and all(_mode(p) == 0o600 for p in files), [
            (p.name, oct(_mode(p))) for p in files
        ]
        backups = list(copy.parent.iterdir())
        assert _mode(copy.parent) == 0o700 and all(_mode(p) == 0o600 for p in backups)
        # Control: `nobody` does reach this folder and reads a world-readable file in it.
        (open_home / "control.txt").write_text("visível")
        assert _as_nobody("cat", str(open_home / "control.txt")).returncode == 0
        for target in (default_path(), copy, copy.with_name(copy.name + ".key")):
            denied = _as_nobody("cat", str(target))
            assert denied.returncode != 0 and "Permission denied" in denied.stderr
        for target in files:  # even with the folder opened up, each file is owner-only
            data.chmod(0o755)
            assert _as_nobody("cat", str(target)).returncode != 0
            data.chmod(0o700)


def test_an_existing_world_readable_ledger_is_made_private_on_open(open_home):
    with Ledger.open(None, SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, "1234")
    data = default_path().parent
    data.chmod(0o755)  # as the code before this change left it
    for p in data.iterdir():
        p.chmod(0o644)
    Ledger.open(None, SETTINGS).close()
    assert _mode(data) == 0o700
    assert all(_mode(p) == 0o600 for p in data.iterdir())


def _old_attack(encoded: str, pins) -> str | None:
    """Row 4's cracker: scrypt each candidate PIN with the stored salt and parameters."""
    if encoded.count("$") != 5:  # the slow scheme stores no salt to scrypt with (no key: none)
        return None
    _, n, r, p, salt, dk = encoded.split("$")
    for pin in pins:
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
        if got.hex() == dk:
            return pin
    return None


def test_a_copied_database_without_the_key_gives_no_pin(tmp_path):
    candidates = ["0000", "1111", "1234", "4321", "5678", "9999"]  # the real PINs are in here
    # Control: on a ledger written before the pepper, the attack finds the PIN.
    v1 = sqlite3.connect(V1_FIXTURE)
    old = [r[0] for r in v1.execute("SELECT pin_hash FROM employees ORDER BY id")]
    v1.close()
    assert _old_attack(old[0], candidates) == "1234"
    # Now: the same database fields, the same attack, nothing.
    with Ledger.open(tmp_path / "l.sqlite3", SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, "1234")
    stolen = sqlite3.connect(tmp_path / "l.sqlite3")
    index, encoded = stolen.execute("SELECT pin_index, pin_hash FROM employees").fetchone()
    stolen.close()
    assert _old_attack(encoded, candidates) is None
    # The lookup index is an HMAC with the key: without it, no PIN maps onto it either.
    import hmac

    for guess_key in (b"", b"\x00" * 32):
        assert hmac.new(guess_key, b"pin:1234", hashlib.sha256).hexdigest() != index


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=60
    )


def test_missing_key_stops_with_a_portuguese_way_back(pv_home, tmp_path):
    with Ledger.open(None, SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, "1234")
        copy = led.backup(tmp_path / "bk")
    key = default_path().with_name(default_path().name + ".key")
    key.unlink()
    with pytest.raises(LedgerKeyError) as err:
        Ledger.open(None, SETTINGS)
    assert err.value.code == ErrorCode.KEY_MISSING
    message = str(err.value)
    assert "cópia de segurança" in message and "ledger backup" in message and str(key) in message
    assert not key.exists()  # never silently replaced
    cli = _cli("employees", "list")
    assert cli.returncode == 2 and "chave do registro de ponto" in cli.stderr
    assert "Traceback" not in cli.stderr
    shutil.copyfile(copy.with_name(copy.name + ".key"), key)  # what the message says to do
    with Ledger.open(None, SETTINGS) as led:
        assert led.find_by_pin("1234") is not None and led.verify_chain().ok


def test_wrong_key_stops_too(pv_home):
    with Ledger.open(None, SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, "1234")
    key = default_path().with_name(default_path().name + ".key")
    key.write_bytes(os.urandom(32))
    with pytest.raises(LedgerKeyError) as err:
        Ledger.open(None, SETTINGS)
    assert err.value.code == ErrorCode.KEY_WRONG and "não é a deste registro" in str(err.value)
    key.write_bytes(b"")
    with pytest.raises(LedgerKeyError):
        Ledger.open(None, SETTINGS)


def test_a_new_ledger_makes_its_key(pv_home):
    with Ledger.open(None, SETTINGS) as led:
        assert led.list_employees() == []
    assert _mode(default_path().with_name(default_path().name + ".key")) == 0o600
