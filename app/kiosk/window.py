"""The kiosk window: the stacked screens, switching between them (``show_screen``), the clock
tick, the inactivity timeout, text scaling, keys and closing.

It decides nothing: what a tick, a timeout, a typed digit or a close means is said by its
signals, and ``app.Kiosk`` connects them to the controllers and workers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QSizePolicy, QStackedWidget, QWidget

from app.kiosk.admin import SettingsScreen
from app.kiosk.punch_screens import ChallengeScreen, MessageScreen, PunchScreens, ResultScreen
from app.kiosk.receipt_screens import ReceiptScreen, ReceiptsScreen
from app.kiosk.screens import IdleScreen, PinScreen, TypeScreen
from app.kiosk.settings import KioskSection
from app.kiosk.setup_screen import SetupScreen
from app.kiosk.style import stylesheet

INPUT_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin}


class KioskWindow(QMainWindow):
    ticked = Signal(datetime, QWidget)  # once a second: now, the screen on show
    idle_shown = Signal()  # the idle screen is on: its status and notices are due
    timed_out = Signal(QWidget)  # nobody touched this screen for its timeout
    punch_requested = Signal()  # a digit typed on the idle or receipt screen: the next person
    closing = Signal()  # the window closes: everything stops

    def __init__(self, clock: Callable[[], datetime] = datetime.now) -> None:
        super().__init__()
        self.clock = clock
        self.kiosk = KioskSection()  # read live: its timeouts
        self._scale = 0.0
        self.setWindowTitle("PontoVoz")
        self.stack = QStackedWidget()
        self.stack.setContentsMargins(16, 12, 16, 12)
        self.setCentralWidget(self.stack)
        self.idle, self.pin, self.types = IdleScreen(), PinScreen(), TypeScreen()
        self.challenge, self.result = ChallengeScreen(), ResultScreen()
        self.receipt, self.receipts = ReceiptScreen(), ReceiptsScreen()
        self.message = MessageScreen()
        self.settings_screen, self.setup = SettingsScreen(), SetupScreen()
        for w in (self.idle, self.pin, self.types, self.challenge, self.result, self.receipt,
                  self.receipts, self.message, self.settings_screen, self.setup):  # fmt: skip
            # a page's own minimum never forces the window taller than the screen (1280x720)
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self.stack.addWidget(w)
        self.apply_scale()
        self.inactivity = QTimer(self)
        self.inactivity.setSingleShot(True)
        self.inactivity.timeout.connect(self.on_inactive)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.ticker = QTimer(self)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start(1000)

    def punch_screens(self) -> PunchScreens:
        """The screens the punch flow drives."""
        return PunchScreens(self.idle, self.pin, self.types, self.challenge, self.result,
                            self.receipt, self.message, self.receipts)  # fmt: skip

    def configure(self, kiosk: KioskSection) -> None:
        """The settings section whose timeouts the screens follow."""
        self.kiosk = kiosk

    # ------------------------------------------------------------------ screens, time

    def current(self) -> QWidget | None:
        return self.stack.currentWidget()

    def show_screen(self, widget: QWidget) -> None:
        self.stack.setCurrentWidget(widget)
        if widget is self.idle:
            self.idle_shown.emit()
        if widget in (self.idle, self.receipt):
            self.setFocus()  # a keypad or a badge reader types here: keyPressEvent
        self.restart_inactivity()

    def tick(self) -> None:
        now = self.clock()
        self.idle.set_time(now)
        self.ticked.emit(now, self.stack.currentWidget())

    # ------------------------------------------------------------------ inactivity

    def timeout_ms(self, current: QWidget | None) -> int:
        if current in (self.idle, self.setup):
            return 0  # nothing to go back to
        if current is self.settings_screen:
            return int(self.kiosk.admin_timeout_seconds * 1000)
        if current is self.receipt and self.receipt.counting:
            return 0  # the receipt counts down by itself, on screen
        return int(self.kiosk.screen_timeout_seconds * 1000)

    def restart_inactivity(self) -> None:
        ms = self.timeout_ms(self.stack.currentWidget())
        if ms:
            self.inactivity.start(ms)
        else:
            self.inactivity.stop()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.inactivity.isActive():
            self.inactivity.start()  # someone is using it: the full time again
        return False

    def on_inactive(self) -> None:
        current = self.stack.currentWidget()
        if current is not self.idle and current is not self.setup:
            self.timed_out.emit(current)
        if self.stack.currentWidget() is current:
            self.restart_inactivity()  # e.g. listening: look again later

    # ------------------------------------------------------------------ keys, size, exit

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.stack.currentWidget() in (self.idle, self.receipt) and event.text().isdigit():
            # a PIN digit or a badge read: the next person starts (a receipt gives way at once)
            self.punch_requested.emit()
            self.pin.badge.setText(event.text())
            self.pin.badge.setFocus()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.apply_scale()

    def apply_scale(self) -> None:
        """Text and targets scale with the window (1024x768 up to 1920x1080)."""
        size = self.size()
        scale = max(0.7, min(1.6, min(size.width() / 1280, size.height() / 840)))
        if abs(scale - self._scale) < 0.02:
            return
        self._scale = scale
        self.setStyleSheet(stylesheet(scale))
        self.challenge.phrase.set_max(int(96 * scale))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)

    def stop(self) -> None:
        """No more ticks, timeouts or input watching (the kiosk is shutting down)."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.inactivity.stop()
        self.ticker.stop()
