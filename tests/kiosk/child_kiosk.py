"""The kiosk the child processes drive (kill_child.py, speed_child.py): built as ``python -m app``
builds it (its own model, the ledger in $PONTOVOZ_HOME), without qtbot, so the events are pumped
here. Import it inside ``main``, after the child set its environment."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from app.kiosk.app import Kiosk
from app.kiosk.recorder import ClipSource
from app.kiosk.settings import SettingsStore
from tests.kiosk.conftest import CPF, EMPLOYEE_PIN, NOW, FakeClock, QuietPlayer, enter_pin
from tests.kiosk.conftest import configured_settings as settings


@dataclass
class ChildKiosk:
    app: QApplication
    win: Kiosk
    source: dict  # "next": the ClipSource the next recording reads

    def pump(self, cond: Callable[[], object], timeout: float) -> None:
        """Process Qt events until ``cond()``; TimeoutError (with the screen shown) after
        ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while not cond():
            self.app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError(self.win.window.stack.currentWidget())

    def punch_entry(self, clip: ClipSource, timeout: float) -> None:
        """From idle: the employee's PIN, ENTRADA, ``clip`` spoken; returns once the challenge
        screen is gone (the verdict is on screen)."""
        win = self.win
        win.go_idle()
        win.punch.start()
        enter_pin(win, EMPLOYEE_PIN)
        win.window.types.buttons["ENTRADA"].click()
        self.source["next"] = clip
        win.window.challenge.record.click()
        self.pump(lambda: win.window.stack.currentWidget() is not win.window.challenge, timeout)


def start_kiosk() -> ChildKiosk:
    """The configured kiosk (repeated punches allowed) shown and started, Maria on its roster."""
    app = QApplication(sys.argv[:1])
    store = SettingsStore()
    s = settings()
    s.punch["duplicate_minutes"] = 0
    store.save(s)
    source: dict = {"next": None}
    win = Kiosk(store=store, source_factory=lambda k: source["next"], clock=FakeClock(NOW),
                player=QuietPlayer())  # fmt: skip
    win.window.show()
    win.start()
    if not win.ledger.list_employees():
        win.ledger.add_employee("Maria da Silva", CPF, EMPLOYEE_PIN)
    return ChildKiosk(app, win, source)
