"""Two processes writing to one ledger at once (kiosk + CLI): one NSR sequence without gaps or
duplicates, and a high-water mark that ends at the last NSR (writers merge, max wins)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.store.highwater import HighWater
from app.store.ledger import Ledger
from app.store.settings import LedgerSettings

WRITER = """
import sys
from pathlib import Path
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings
with Ledger.open(Path(sys.argv[1]), LedgerSettings(), busy_timeout_s=30) as led:
    for i in range(40):
        led.record_punch(PunchDraft(int(sys.argv[2]), "ENTRADA", "ENTRADA 13 40"))
        if i % 8 == 0:
            led.record_sensitive_event("07")
"""


def test_two_writer_processes_share_one_gapless_sequence(tmp_path):
    path = tmp_path / "l.sqlite3"
    with Ledger.open(path, LedgerSettings()) as led:
        emp = led.add_employee("Ana Souza", "52998224725", "1234")  # NSR 1
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(emp.id)], env=env)
        for _ in range(2)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with Ledger.open(path, LedgerSettings()) as led:
        records = led.rep_records()
        report = led.verify_chain()
        head = led.head()
        key = led._key
    assert [r.nsr for r in records] == list(range(1, 1 + 1 + 2 * (40 + 5)))
    assert report.ok, report.problems
    state, problem = HighWater(path, key).load()
    assert not problem and state is not None and state.marks["01"].nsr == head.nsr == 91
    assert state.marks["01"].mac == head.mac
