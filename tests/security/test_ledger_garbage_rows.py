"""A tampered row with ``recorded_at = 'garbage'`` (docs/LEDGER-INTEGRITY.md, "Error codes"),
replayed. Before, `punch` and `export` died with a raw ValueError traceback. Now: the next punch is
still recorded (flagged for review), exports stop with a clear message, `ledger verify` names the
NSR."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from app.store.errors import ErrorCode, LedgerCorruptError
from app.store.ledger import Ledger, default_path
from app.store.models import PunchDraft
from tests.conftest import CPF_ANA, SETTINGS


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("column", ["recorded_at", "punched_at"])
def test_garbage_time_gives_clear_errors_and_loses_no_punch(pv_home, column):
    with Ledger.open(None, SETTINGS) as led:
        ana = led.add_employee("Ana Souza", CPF_ANA, "1234")
        for _ in range(3):
            led.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40"))  # NSR 2-4
    conn = sqlite3.connect(default_path())
    conn.execute("DROP TRIGGER punches_no_update")
    conn.execute(f"UPDATE punches SET {column} = 'garbage' WHERE nsr = 4")
    conn.commit()
    conn.close()

    with Ledger.open(None, SETTINGS) as led:
        p = led.record_punch(PunchDraft(ana.id, "SAIDA", "SAIDA 18 00"))  # never refused
        assert p.nsr == 5
        if column == "recorded_at":
            assert p.flagged and "unreadable time" in p.flag_reason
        with pytest.raises(LedgerCorruptError) as err:
            led.rep_records()  # what `export --format afd` reads
        assert err.value.code == ErrorCode.CORRUPT and "NSR 4" in str(err.value)

    for fmt in ("csv", "receipt"):  # (the AFD export also needs the REP identity configured)
        out = _cli("export", "--from", "2000-01-01", "--to", "2100-01-01", "--format", fmt)
        assert out.returncode == 2, (fmt, out.stderr)
        assert "Traceback" not in out.stderr and "NSR 4" in out.stderr
        assert "ledger verify" in out.stderr
    verify = _cli("ledger", "verify")
    assert verify.returncode == 1 and "primeiro NSR com problema: 4" in verify.stderr
    assert "Traceback" not in verify.stderr
