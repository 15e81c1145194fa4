"""Write access without the key (docs/LEDGER-INTEGRITY.md, "The layers"), replayed on a real ledger:
an attacker with write access to the database (not the key) drops triggers, deletes the tail,
empties or replaces the file, or edits rows. `ledger verify` must fail every time, and NSRs must
never be handed out twice."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from app.store.ledger import Ledger, default_path
from app.store.models import PunchDraft
from tests.conftest import CPF_ANA, SETTINGS

BRT = timezone(timedelta(hours=-3))


def _verify() -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", "ledger", "verify"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _sql(*statements: str) -> None:
    conn = sqlite3.connect(default_path())
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.fixture()
def filled(pv_home):
    """A default-path ledger: Ana (NSR 1, type 5) and five punches (NSR 2-6)."""
    with Ledger.open(None, SETTINGS) as led:
        ana = led.add_employee("Ana Souza", CPF_ANA, "1234")
        draft = PunchDraft(
            ana.id, "ENTRADA", "ENTRADA 13 40", audio=b"RIFF-x", queue_for_cloud=True
        )
        for _ in range(5):
            led.record_punch(draft)
    ok = _verify()
    assert ok.returncode == 0, ok.stderr
    return ana


def test_deleted_tail_is_reported_and_its_nsrs_are_never_reused(filled):
    _sql("DROP TRIGGER punches_no_delete", "DELETE FROM punches WHERE nsr >= 5")
    bad = _verify()
    assert bad.returncode == 1
    assert "NSR 5..6 are missing" in bad.stderr and "primeiro NSR com problema: 5" in bad.stderr
    with Ledger.open(None, SETTINGS) as led:
        again = led.record_punch(PunchDraft(filled.id, "SAIDA", "SAIDA 18 00"))
        assert again.nsr == 7  # before: NSR 5 again
        assert not led.verify_chain().ok  # the hole stays visible


def test_emptied_file_is_reported(filled):
    for suffix in ("", "-wal", "-shm"):
        path = default_path().with_name(default_path().name + suffix)
        if path.exists():
            path.write_bytes(b"")  # a zero-byte ledger used to verify "ok: 0 punches"
    bad = _verify()
    assert bad.returncode != 0 and "ok:" not in bad.stdout
    assert "sumiu (ou está vazio)" in bad.stderr  # the open itself stops (layer 7)


def test_file_replaced_by_an_older_copy_is_reported(filled, tmp_path):
    with Ledger.open(None, SETTINGS) as led:
        copy = led.backup(tmp_path / "old")
        led.record_punch(PunchDraft(filled.id, "SAIDA", "SAIDA 18 00"))  # NSR 7
    default_path().with_name(default_path().name + "-wal").unlink(missing_ok=True)
    default_path().with_name(default_path().name + "-shm").unlink(missing_ok=True)
    shutil.copyfile(copy, default_path())  # the attacker keeps the live high-water file
    bad = _verify()
    assert bad.returncode == 1 and "NSR 7..7 are missing" in bad.stderr


def test_file_replaced_by_another_install_is_refused(filled, tmp_path):
    other = tmp_path / "other" / "ledger.sqlite3"
    with Ledger.open(other, SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, "1234")
    default_path().with_name(default_path().name + "-wal").unlink(missing_ok=True)
    default_path().with_name(default_path().name + "-shm").unlink(missing_ok=True)
    shutil.copyfile(other, default_path())
    bad = _verify()
    assert bad.returncode == 2 and "não é a deste registro" in bad.stderr  # wrong key


@pytest.mark.parametrize(
    "trigger",
    ["punches_no_update", "punches_no_delete", "events_no_delete", "cloud_verdicts_no_update"],
)
def test_dropped_trigger_is_reported(filled, trigger):
    _sql(f"DROP TRIGGER {trigger}")
    bad = _verify()
    assert bad.returncode == 1 and f"trigger {trigger} was dropped" in bad.stderr


def test_trigger_replaced_by_a_no_op_is_reported(filled):
    _sql(
        "DROP TRIGGER punches_no_update",
        "CREATE TRIGGER punches_no_update BEFORE UPDATE ON punches BEGIN SELECT 1; END",
    )
    bad = _verify()
    assert bad.returncode == 1 and "trigger punches_no_update was replaced" in bad.stderr


EDITS = {
    "employee name": ["UPDATE employees SET name = 'Maria Fraude'"],
    "employee deactivated": ["UPDATE employees SET active = 0"],
    "employee deleted": ["PRAGMA foreign_keys = OFF", "DELETE FROM employees"],
    "correction": [
        "DROP TRIGGER corrections_no_update",
        "UPDATE corrections SET note = 'outra coisa'",
    ],
    "cloud verdict": [
        "DROP TRIGGER cloud_verdicts_no_update",
        "UPDATE cloud_verdicts SET validated = 1 - validated",
    ],
    "event": ["DROP TRIGGER events_no_update", "UPDATE events SET recorded_at = '2020-01-01'"],
    "audio": ["UPDATE audio SET data = X'00'"],
}


@pytest.mark.parametrize("what", sorted(EDITS))
def test_an_edit_to_any_table_is_reported(filled, what):
    with Ledger.open(None, SETTINGS) as led:
        punch = led.punches()[0]
        led.add_correction(punch.uuid, "RH", "esqueceu de bater")
        led.record_cloud_verdict(punch.uuid, False, " Entrada")
    assert _verify().returncode == 0
    _sql(*EDITS[what])
    bad = _verify()
    assert bad.returncode == 1, (what, bad.stdout)
    print(f"\n{what}: {bad.stderr.strip().splitlines()[-1]}")


def test_clean_reopen_and_crash_leave_verify_ok(filled):
    """No false alarms: reopening, and a database one record ahead of the mark (a crash
    between COMMIT and the high-water write) still verify."""
    with Ledger.open(None, SETTINGS, clock=lambda: datetime(2026, 3, 2, 9, tzinfo=BRT)) as led:
        led.record_sensitive_event("02")
    marks = [default_path().with_name(default_path().name + s) for s in (".nsr", ".nsr2")]
    saved = [hw.read_bytes() for hw in marks]  # the high-water file and its mirror
    with Ledger.open(None, SETTINGS) as led:
        led.record_punch(PunchDraft(filled.id, "SAIDA", "SAIDA 18 00"))
    for hw, data in zip(marks, saved, strict=True):
        hw.write_bytes(data)  # as if the process died right after COMMIT
    assert _verify().returncode == 0
