"""Screenshots of the admin forms with the on-screen keyboard open, the worker's 48-hour
list with a row selected, and a receipt opened from it, at 1024x768 and 1366x768.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m tests.kiosk.keyboard_screenshots

The real window on an X server, a real SQLite ledger in a temporary PONTOVOZ_HOME; no model is
loaded (none of these screens needs one). PNGs go to docs/screenshots/<W>x<H>/ (29-32).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
SIZES = ((1024, 768), (1366, 768))


def main() -> int:
    if os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ["PONTOVOZ_HOME"] = tempfile.mkdtemp(prefix="pv-kbd-shots-")
    from PySide6.QtWidgets import QApplication

    from app.kiosk.app import Kiosk
    from app.kiosk.settings import SettingsStore
    from app.store import Ledger
    from app.store.models import PunchDraft
    from tests.kiosk.conftest import CPF, EMPLOYEE_PIN, FakeClock, QuietPlayer
    from tests.kiosk.conftest import configured_settings as settings
    from tests.kiosk.screenshots import EMPLOYER_ID, describe_employer, save

    app = QApplication(sys.argv[:1])
    store = SettingsStore()
    configured = settings()
    configured.kiosk.employer_id = EMPLOYER_ID  # the receipt (32) shows a whole comprovante
    store.save(configured)
    describe_employer(store)
    ledger = Ledger.open()
    maria = ledger.add_employee("Maria da Silva", CPF, EMPLOYEE_PIN)
    now = datetime(2026, 3, 10, 13, 40)
    for kind, ago in (("ENTRADA", 29), ("SAIDA", 20), ("ENTRADA", 5), ("INTERVALO", 0.5)):
        at = ledger.settings.local(now - timedelta(hours=ago))
        ledger.record_punch(PunchDraft(employee_id=maria.id, type=kind, tries=1,
                                       expected=f"{kind} {at:%H %M}", validated=True,
                                       punched_at=at))  # fmt: skip

    def no_model(_options):
        raise RuntimeError("sem modelo (capturas de tela)")

    kiosk = Kiosk(store=store, ledger=ledger, clock=FakeClock(now), verifier_factory=no_model,
                  player=QuietPlayer())  # fmt: skip
    win = kiosk
    win.window.show()
    win.start()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shot(name: str, w: int, h: int) -> None:
        settle()
        folder = OUT / f"{w}x{h}"
        folder.mkdir(parents=True, exist_ok=True)
        save(win.window, folder / f"{name}.png")  # 128 colours, like the other shots

    for w, h in SIZES:
        win.window.resize(w, h)
        win.go_idle()
        win.punch.admin_unlocked.emit()
        s = win.window.settings_screen
        if not s.keyboard.isVisible():
            s.keyboard_button.click()
        s.tabs.setCurrentWidget(s.employees)
        s.employees.new.click()
        s.employees.name.setText("Antônio Simões")
        s.employees.cpf.setText("111.444.777-35")
        s.employees.name.setFocus()
        s.keyboard.press("Maiúsc.")
        shot("29-settings-employee-new-keyboard", w, h)
        s.tabs.setCurrentIndex(s.tabs.count() - 1)  # Avançado: the longest form
        s.vad_threshold.setFocus()
        shot("30-settings-avancado-keyboard", w, h)
        s.keyboard.press("Maiúsc.")
        win.go_idle()
        win.punch.start()
        win.punch.on_pin(EMPLOYEE_PIN)
        win.punch.show_receipts()
        win.window.receipts.list.setCurrentRow(1)
        shot("31-my-receipts-selected", w, h)
        win.punch.open_recent(1)
        shot("32-receipt-from-list", w, h)
    win.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
