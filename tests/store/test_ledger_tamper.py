"""Tampering: editing any stored field of any punch makes `ledger verify` fail at that NSR."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from app.store.ledger import PUNCH_FIELDS, Ledger
from app.store.models import PunchDraft

NEW_VALUES = {
    "kiosk_id": None,  # moving a record to another kiosk breaks that kiosk's sequence instead
    "nsr": None,  # renumbering collides with the primary key or leaves a gap (tested below)
    "uuid": "'00000000-0000-0000-0000-000000000000'",
    "employee_id": "employee_id + 1",
    "employee_name": "'Maria Fraude'",
    "cpf": "'11144477735'",
    "type": "'SAIDA'",
    "punched_at": "'2026-01-01T08:00:00-03:00'",
    "recorded_at": "'2026-01-01T08:00:00-03:00'",
    "expected": "'SAIDA 08 00'",
    "transcript": "' forged'",
    "validated": "1 - validated",
    "method": "'forged'",
    "tries": "tries + 1",
    "flagged": "1 - flagged",
    "flag_reason": "'x'",
    "offline": "1 - offline",
    "audio_sha256": "'ab'",
    "afd_hash": "'cd'",
    "prev_hash": "'ef'",
    "hash": "'01'",
}


def _tamper(path, column, expr, nsr):
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS punches_no_update")  # what an attacker would do first
    conn.execute(f"UPDATE punches SET {column} = {expr} WHERE nsr = ?", (nsr,))
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "column", [c for c in (*PUNCH_FIELDS, "prev_hash", "hash") if NEW_VALUES[c]]
)
def test_any_field_edit_is_caught_at_its_nsr(tmp_path, column):
    path = tmp_path / "t.sqlite3"
    with Ledger.open(path) as led:
        emp = led.add_employee("Ana Souza", "52998224725", "1234")
        for _ in range(6):
            led.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", transcript=" ok"))
        assert led.verify_chain().ok
    _tamper(path, column, NEW_VALUES[column], 4)
    with Ledger.open(path) as led:
        report = led.verify_chain()
    assert not report.ok and report.first_bad_nsr == 4, (column, report)


def test_deleted_record_is_a_gap_and_cli_names_the_nsr(pv_home):
    from app.store.ledger import default_path

    with Ledger.open() as led:
        emp = led.add_employee("Ana Souza", "52998224725", "1234")
        for _ in range(5):
            led.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40"))
    ok = subprocess.run(
        [sys.executable, "-m", "app", "ledger", "verify"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "5 marcações" in ok.stdout
    conn = sqlite3.connect(default_path())
    conn.execute("DROP TRIGGER punches_no_delete")
    conn.execute("DELETE FROM punches WHERE nsr = 3")
    conn.commit()
    conn.close()
    bad = subprocess.run(
        [sys.executable, "-m", "app", "ledger", "verify"], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "primeiro NSR com problema: 4" in bad.stderr and "gap" in bad.stderr
