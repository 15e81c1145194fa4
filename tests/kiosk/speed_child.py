"""Child process of test_speed.py: a kiosk exactly as `python -m app` starts it (it builds and
loads its own model; no model was ever loaded on this process's main thread), three punches
replayed in real time; prints one JSON line with the end-of-speech -> verdict latencies."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(clip: str) -> int:
    os.environ["PONTOVOZ_HOME"] = tempfile.mkdtemp(prefix="pv-speed-")
    from PySide6.QtWidgets import QApplication

    from app.kiosk.app import Kiosk
    from app.kiosk.recorder import ClipSource
    from app.kiosk.settings import SettingsStore
    from tests.kiosk.conftest import CPF, EMPLOYEE_PIN, NOW, FakeClock, QuietPlayer
    from tests.kiosk.conftest import configured_settings as settings

    app = QApplication(sys.argv[:1])
    store = SettingsStore()
    s = settings()
    s.punch["duplicate_minutes"] = 0
    store.save(s)
    source = {"next": None}
    kiosk = Kiosk(store=store, source_factory=lambda k: source["next"], clock=FakeClock(NOW),
                  player=QuietPlayer())  # fmt: skip
    win = kiosk
    win.window.show()
    win.start()
    win.ledger.add_employee("Maria da Silva", CPF, EMPLOYEE_PIN)

    def pump(cond, timeout=120.0) -> None:
        end = time.monotonic() + timeout
        while not cond():
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError

    pump(lambda: win.model_state == "ready")
    verdicts = []
    for _ in range(3):
        win.go_idle()
        win.punch.start()
        for d in EMPLOYEE_PIN:
            win.window.pin.keys[d].click()
        win.window.pin.keys["OK"].click()
        win.window.types.buttons["ENTRADA"].click()
        source["next"] = ClipSource(Path(clip))
        win.window.challenge.record.click()
        pump(lambda: win.window.stack.currentWidget() is not win.window.challenge)
        verdicts.append(win.window.result.verdict.text())
        win.punch.accept()
    print(json.dumps({"latencies": win.punch.listener.metrics["latencies"], "verdicts": verdicts}))
    sys.stdout.flush()
    os._exit(0)  # skip Qt teardown


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
