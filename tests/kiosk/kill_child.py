"""Child process of test_kill_after_verdict.py: a real kiosk window (offscreen Qt, its own model,
the real ledger in $PONTOVOZ_HOME) punching ``punches`` times with a replayed clip.

Each time the result screen comes up saying "Validado" it prints ``SHOWN <n>`` at that very
moment (from the stack's ``currentChanged``, before any other event runs). On the last punch it
then dies: ``self`` sends itself SIGKILL inside that handler (nothing after the verdict runs at
all); ``parent`` keeps the event loop going and waits for the parent's SIGKILL. Earlier punches go
on to their receipt as a worker's would.

    python -m tests.kiosk.kill_child CLIP PUNCHES self|parent
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(clip: str, punches: int, mode: str) -> int:
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
    source: dict = {"next": None}
    kiosk = Kiosk(store=store, source_factory=lambda k: source["next"], clock=FakeClock(NOW),
                  player=QuietPlayer())  # fmt: skip
    win = kiosk
    win.window.show()
    win.start()
    if not win.ledger.list_employees():
        win.ledger.add_employee("Maria da Silva", CPF, EMPLOYEE_PIN)
    shown = 0

    def on_screen(_index: int) -> None:
        nonlocal shown
        if (
            win.window.stack.currentWidget() is win.window.result
            and "Validado" in win.window.result.verdict.text()
        ):
            shown += 1
            sys.stdout.write(f"SHOWN {shown}\n")
            sys.stdout.flush()
            if shown == punches and mode == "self":
                os.kill(os.getpid(), signal.SIGKILL)

    win.window.stack.currentChanged.connect(on_screen)

    def pump(cond, timeout=180.0) -> None:
        end = time.monotonic() + timeout
        while not cond():
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError(win.window.stack.currentWidget())

    pump(lambda: win.model_state == "ready")
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    for n in range(1, punches + 1):
        win.go_idle()
        win.punch.start()
        for d in EMPLOYEE_PIN:
            win.window.pin.keys[d].click()
        win.window.pin.keys["OK"].click()
        win.window.types.buttons["ENTRADA"].click()
        source["next"] = ClipSource(Path(clip), rate=48000)
        win.window.challenge.record.click()
        pump(lambda: win.window.stack.currentWidget() is not win.window.challenge)
        if shown < n:
            sys.stdout.write(f"NOT VALIDATED {win.window.result.verdict.text()!r}\n")
            sys.stdout.flush()
            return 3
        if n < punches:  # as a worker would: the receipt comes by itself
            pump(lambda: win.window.stack.currentWidget() is win.window.receipt)
    pump(lambda: False, timeout=120.0)  # "parent": the parent's SIGKILL ends this
    return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
