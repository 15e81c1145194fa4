"""A forgery with the public code (docs/LEDGER-INTEGRITY.md, "The layers" 2 and 3), replayed:
without the key file, rewrite NSR 2 into a validated SAIDA 18:00, drop a later record, and re-hash
everything with the project's own public code (`app.rep.chain`), so that both SHA-256 chains (ledger
and AFD) are self-consistent again. Before: `ledger verify` said ok. Now the keyed MACs give it
away."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from app.rep.chain import GENESIS, afd_hash, afd_type7_body, record_hash
from app.rep.records import PUNCH_FIELDS
from app.store import schema
from app.store.ledger import Ledger, default_path
from app.store.models import PunchDraft
from app.store.records import event_body
from tests.conftest import CPF_ANA, SETTINGS


def _forge(path) -> None:
    """What an attacker with the database (and this repository) but no key can do."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    for name in ("punches_no_update", "punches_no_delete", "events_no_update"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(
        "UPDATE punches SET type = 'SAIDA', expected = 'SAIDA 18 00', validated = 1,"
        " flagged = 0, flag_reason = '', punched_at = substr(punched_at, 1, 11) || '18:00:00'"
        " || substr(punched_at, 20) WHERE nsr = 2"
    )
    conn.execute("DELETE FROM punches WHERE nsr = 5")
    rows = [("punch", r) for r in conn.execute("SELECT * FROM punches ORDER BY nsr")]
    rows += [("event", r) for r in conn.execute("SELECT * FROM events ORDER BY nsr")]
    rows.sort(key=lambda t: t[1]["nsr"])
    prev, prev_afd = GENESIS, None
    for new_nsr, (kind, row) in enumerate(rows, start=1):  # renumber: no gap left
        if kind == "punch":
            body = {k: row[k] for k in PUNCH_FIELDS} | {"nsr": new_nsr}
            line = afd_type7_body(
                new_nsr, body["punched_at"], body["cpf"], body["recorded_at"], bool(body["offline"])
            )
            body["afd_hash"] = prev_afd = afd_hash(prev_afd, line)
            digest = record_hash(prev, body)
            conn.execute(
                "UPDATE punches SET nsr = ?, afd_hash = ?, prev_hash = ?, hash = ? WHERE uuid = ?",
                (new_nsr, body["afd_hash"], prev, digest, row["uuid"]),
            )
        else:
            body = event_body(row) | {"nsr": new_nsr}
            digest = record_hash(prev, body)
            conn.execute(
                "UPDATE events SET nsr = ?, prev_hash = ?, hash = ? WHERE uuid = ?",
                (new_nsr, prev, digest, row["uuid"]),
            )
        prev = digest
    for name in ("punches_no_update", "punches_no_delete", "events_no_update"):
        conn.execute(schema.triggers()[name])  # put the triggers back as they were
    conn.commit()
    conn.close()


def test_rehashed_forgery_without_the_key_is_detected(pv_home):
    with Ledger.open(None, SETTINGS) as led:
        ana = led.add_employee("Ana Souza", CPF_ANA, "1234")  # NSR 1
        for kind in ("ENTRADA", "INTERVALO", "RETORNO", "SAIDA", "ENTRADA"):  # NSR 2-6
            led.record_punch(PunchDraft(ana.id, kind, f"{kind} 08 00", flag_reason="voz"))
    key = default_path().with_name(default_path().name + ".key")
    saved_key = key.read_bytes()
    key.unlink()  # the attacker works on the file alone
    _forge(default_path())
    key.write_bytes(saved_key)
    key.chmod(0o600)

    with Ledger.open(None, SETTINGS) as led:
        forged = led.punches()
        assert forged[0].type == "SAIDA" and forged[0].validated and not forged[0].flagged
        assert [p.nsr for p in forged] == [2, 3, 4, 5]  # no gap: renumbered
        report = led.verify_chain()
    assert not report.ok
    assert report.first_bad_nsr == 2
    assert "NSR 2: MAC does not match" in report.problems[0]
    assert "trigger" not in " ".join(report.problems)  # only the MACs (and the mark) tell
    cli = subprocess.run(
        [sys.executable, "-m", "app", "ledger", "verify"], capture_output=True, text=True
    )
    assert cli.returncode == 1 and "primeiro NSR com problema: 2" in cli.stderr
    assert "rewritten without the kiosk key" in cli.stderr
