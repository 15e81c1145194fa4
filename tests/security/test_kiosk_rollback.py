"""The attacks "delete the last punches and put back an older copy of the high-water file" and
"delete the key, make a new one, re-chain and re-MAC every table", replayed on the real ledger
files with plain sqlite3, as an attacker with file access would.

What a kiosk alone can and cannot see is in docs/LEDGER-INTEGRITY.md: the first attack is now
caught here (verify fails, the next punch does not reuse an NSR, an alert waits for Central);
the second is only visible outside the box, by the key fingerprint Central keeps."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from app.store import schema
from app.store.alerts import key_fingerprint, ledger_head, unsent_alerts
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from tests.conftest import CPF_ANA, SETTINGS


def _punch(led: Ledger, emp_id: int, n: int) -> None:
    for _ in range(n):
        led.record_punch(PunchDraft(emp_id, "ENTRADA", "ENTRADA 13 40"))


def _delete_tail(path: Path, after_nsr: int) -> None:
    """Drop the append-only triggers, delete the newest punches, put the triggers back."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TRIGGER punches_no_delete")
        conn.execute("DELETE FROM punches WHERE nsr > ?", (after_nsr,))
        conn.execute(schema.triggers()["punches_no_delete"])
    conn.close()


def _rolled_back(tmp_path: Path) -> tuple[Path, Path]:
    """Punches up to NSR 8, a `ledger backup`, two more punches; then the attack."""
    path = tmp_path / "data" / "ledger.sqlite3"
    with Ledger.open(path, SETTINGS) as led:
        emp = led.add_employee("Ana Souza", CPF_ANA, "582146")  # NSR 1
        _punch(led, emp.id, 7)  # NSR 2..8
        copy = led.backup(tmp_path / "backups")
        _punch(led, emp.id, 2)  # NSR 9, 10
    _delete_tail(path, 8)
    old = copy.with_name(copy.name + ".nsr")
    shutil.copyfile(old, path.with_name(path.name + ".nsr"))  # no key needed
    return path, copy


def test_an_older_high_water_file_put_back_is_caught_and_no_nsr_is_reused(tmp_path):
    path, _copy = _rolled_back(tmp_path)
    with Ledger.open(path, SETTINGS) as led:
        report = led.verify_chain()
        assert not report.ok
        assert any("NSR 9..10 are missing" in p for p in report.problems), report.problems
        assert any("older than its mirror" in p for p in report.problems), report.problems
        emp = led.list_employees()[0]
        nxt = led.record_punch(PunchDraft(emp.id, "SAIDA", "SAIDA 18 00"))
        assert nxt.nsr == 11  # not 9: NSR 9 and 10 were handed out before
        alerts = unsent_alerts(led)
        assert [a.kind for a in alerts] == ["ledger_rollback"]
        assert "apagados" in alerts[0].detail and "NSR 9..10" in alerts[0].detail


def test_deleting_the_mirror_too_is_still_an_alarm(tmp_path):
    path, _copy = _rolled_back(tmp_path)
    path.with_name(path.name + ".nsr2").unlink()
    with Ledger.open(path, SETTINGS) as led:
        report = led.verify_chain()
        assert not report.ok and any(".nsr2" in p for p in report.problems), report.problems
        assert [a.kind for a in unsent_alerts(led)] == ["ledger_rollback"]


def test_a_backup_restored_elsewhere_opens_and_verifies(tmp_path):
    """The legitimate twin of the attack: a backup copy opened on its own (a restore) makes its
    own mirror and verifies; it is a rollback by nature, which Central's anchor tells apart."""
    _path, copy = _rolled_back(tmp_path)
    with Ledger.open(copy, SETTINGS) as led:
        assert led.verify_chain().ok
        assert led.chain_head()[0] == 8
        assert [a.kind for a in unsent_alerts(led)] == ["ledger_restored"]  # Central hears


def test_a_new_key_and_re_mac_changes_the_fingerprint_central_keeps(tmp_path):
    """Locally undetectable (every MAC is redone with a new key); the anchor's key fingerprint
    is what changes, so Central flags it."""
    path = tmp_path / "ledger.sqlite3"
    with Ledger.open(path, SETTINGS) as led:
        emp = led.add_employee("Ana Souza", CPF_ANA, "582146")
        _punch(led, emp.id, 2)
        before, head = key_fingerprint(led), ledger_head(led)
    with Ledger.open(tmp_path / "other" / "ledger.sqlite3", SETTINGS) as other:
        stranger = key_fingerprint(other)
    assert head[0] == 3 and len(head[1]) == 64
    assert before != stranger and len(before) == 32
    key = path.with_name(path.name + ".key").read_bytes()
    assert key.hex() not in before and before not in key.hex()  # reveals nothing of the key
