"""Child process for the crash test: records punches forever, printing each one only after
`record_punch` returned (i.e. after COMMIT). The parent kills it with SIGKILL."""

from __future__ import annotations

import sys
from pathlib import Path

from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings


def main(path: str, employee_id: int) -> None:
    ledger = Ledger.open(Path(path), LedgerSettings(kiosk_id="01"))
    while True:
        p = ledger.record_punch(
            PunchDraft(
                employee_id, "ENTRADA", "ENTRADA 13 40", audio=b"a" * 2000, queue_for_cloud=True
            )
        )
        sys.stdout.write(f"{p.nsr} {p.uuid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
