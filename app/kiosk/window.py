"""The kiosk window: builds the screens, the two controllers and the workers, then only switches
screens (``show_screen``) and keeps time (clock, inactivity, the daily audio purge).

The punch flow lives in ``PunchController``, the admin side in ``AdminController``. Everything
with side effects is injected (settings store, ledger, verifier factory, audio source factory,
clocks, sound player), so tests drive this real window with real audio and the real model.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QSizePolicy, QStackedWidget

from app.core.errors import ConfigError, PontoVozError
from app.kiosk import screens
from app.kiosk.admin import SettingsScreen
from app.kiosk.admin_controller import AdminController
from app.kiosk.engine import Engine, default_verifier
from app.kiosk.microphone import Microphone
from app.kiosk.punch_controller import PunchController
from app.kiosk.punch_screens import (
    ChallengeScreen,
    MessageScreen,
    PunchScreens,
    ReceiptScreen,
    ReceiptsScreen,
    ResultScreen,
    start_clock,
)
from app.kiosk.recorder import AudioSource, SoundDeviceSource
from app.kiosk.rep_events import RepEvents
from app.kiosk.settings import KioskSection, KioskSettings, SettingsStore
from app.kiosk.setup_screen import SetupScreen
from app.kiosk.sounds import SoundPlayer
from app.kiosk.style import stylesheet
from app.kiosk.sync import KioskSync, clock_notice
from app.punch.service import PunchService, PunchSettings
from app.punch.words import user_message
from app.store.ledger import Ledger

log = logging.getLogger(__name__)
INPUT_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin}


def default_source(k: KioskSection) -> AudioSource:
    return SoundDeviceSource(device=k.microphone or None, samplerate=k.sample_rate)


def list_input_devices() -> list[str]:
    try:
        import sounddevice as sd

        return [d["name"] for d in sd.query_devices() if d["max_input_channels"] > 0]
    except Exception:  # no PortAudio / no devices: the picker still offers the default
        return []


class KioskWindow(QMainWindow):
    def __init__(self, *, store: SettingsStore | None = None, ledger: Ledger | None = None,
                 verifier_factory: Callable = default_verifier, verifier=None,
                 source_factory: Callable[[KioskSection], AudioSource] = default_source,
                 clock: Callable[[], datetime] = datetime.now,
                 monotonic: Callable[[], float] = time.monotonic,
                 device_lister: Callable[[], list[str]] = list_input_devices,
                 player: SoundPlayer | None = None,
                 engine: Engine | None = None) -> None:  # fmt: skip
        super().__init__()
        self.store = store or SettingsStore()
        self.ledger = ledger
        self.clock = clock
        self.monotonic = monotonic
        self.rep = RepEvents(self.store.path)  # AFD types 2, 4, 6 the kiosk writes itself
        self.settings = KioskSettings()
        self.player = player or SoundPlayer()
        self.metrics: dict = {"created": time.perf_counter()}
        self._purged_on: date | None = None
        self._scale = 0.0
        self.setWindowTitle("PontoVoz")
        self.stack = QStackedWidget()
        self.stack.setContentsMargins(16, 12, 16, 12)
        self.setCentralWidget(self.stack)
        self.idle, self.pin, self.types = (
            screens.IdleScreen(),
            screens.PinScreen(),
            screens.TypeScreen(),
        )
        self.challenge, self.result = ChallengeScreen(), ResultScreen()
        self.receipt, self.receipts, self.message = (
            ReceiptScreen(),
            ReceiptsScreen(),
            MessageScreen(),
        )
        self.settings_screen, self.setup = SettingsScreen(), SetupScreen()
        for w in (self.idle, self.pin, self.types, self.challenge, self.result, self.receipt,
                  self.receipts, self.message, self.settings_screen, self.setup):  # fmt: skip
            # a page's own minimum never forces the window taller than the screen (1280x720)
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self.stack.addWidget(w)
        self.apply_scale()

        # ``engine``: one already loading its model (the launcher starts it first)
        self.engine = engine or Engine(verifier_factory, verifier)
        self.engine.changed.connect(self.on_engine)
        self.microphone = Microphone(source_factory)
        self.recorder = self.microphone.recorder
        self.sync = KioskSync(self.idle, self.store.path)
        self.punch = PunchController(
            PunchScreens(self.idle, self.pin, self.types, self.challenge, self.result,
                         self.receipt, self.message, self.receipts),
            self.microphone, clock=clock, monotonic=monotonic, current=self.stack.currentWidget,
            parent=self,
        )  # fmt: skip
        self.punch.verify_worker = self.engine.worker
        self.engine.worker.done.connect(self.punch.on_verified)
        self.engine.worker.failed.connect(self.punch.on_verify_failed)
        self.punch.navigate.connect(self.show_screen)
        self.punch.sound.connect(self.player.play)
        self.punch.punched.connect(self.sync.wake)
        self.idle.admin_requested.connect(lambda: self.punch.start(admin=True))
        self.admin = AdminController(self.setup, self.settings_screen, self.microphone,
                                     self.store, device_lister, self)  # fmt: skip
        self.admin.navigate.connect(self.show_screen)
        self.punch.admin_unlocked.connect(self.admin.open_settings)
        self.admin.leave.connect(self.go_idle)
        self.admin.saved.connect(self.on_settings_saved)
        self.admin.sync_pause.connect(self.sync.stop)
        self.admin.sync_resume.connect(lambda: self.sync.apply(self.settings, self.ledger))
        self.admin.setup_done.connect(self.on_setup_done)
        self.admin.quit_requested.connect(self.quit_app)

        self.inactivity = QTimer(self)
        self.inactivity.setSingleShot(True)
        self.inactivity.timeout.connect(self.on_inactive)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.ticker = start_clock(self, self.tick)

    # ------------------------------------------------------------------ start-up

    def start(self) -> None:
        """Load settings, open the ledger, show the first screen, load the model."""
        try:
            self.settings = self.store.load()
        except ConfigError as exc:
            self.settings = KioskSettings()
            self.show_message("Configuração inválida", str(exc))
            return
        if self.ledger is None:
            try:
                self.ledger = Ledger.open()
            except (PontoVozError, OSError) as exc:
                self.show_message("Registro de ponto indisponível", user_message(exc))
                return
        self.purge_audio()
        self.rep.in_service(self.ledger)
        self.rep.employer(self.ledger)
        self.configure()
        try:
            self.sync.apply(self.settings, self.ledger)
        except ConfigError as exc:
            self.show_message("Configuração inválida", str(exc))
            return
        self.tick()
        if not self.settings.configured:
            self.admin.open_setup()
        else:
            self.go_idle()
        self.load_model()

    def configure(self) -> None:
        """Hand the current settings, ledger and punch service to everyone who needs them."""
        s = self.settings
        self.player.volume = s.kiosk.volume
        service = None
        if self.ledger is not None:
            base = PunchSettings.from_section(s.punch, self.store.path)  # + lockout
            settings = dataclasses.replace(base, max_tries=s.kiosk.max_tries, sync=s.sync_config())
            service = PunchService(self.ledger, self.engine.verifier, settings, clock=self.clock)
        self.engine.service = service
        self.punch.configure(s, service, self.ledger)
        self.admin.configure(s, self.ledger)

    def load_model(self) -> None:
        if self.engine.build(self.settings.engine_options()):
            self.configure()
            self.engine.load()

    def on_engine(self) -> None:
        self.punch.model_state, self.punch.model_error = self.engine.state, self.engine.error
        self.refresh_idle()

    def on_settings_saved(self, new: KioskSettings, engine_changed: bool) -> None:
        self.settings = new
        self.rep.employer(self.ledger)
        self.configure()  # tries, sync mode, volume
        self.sync.apply(new, self.ledger)
        if engine_changed:
            self.engine.reset()
            self.load_model()

    def on_setup_done(self, new: KioskSettings) -> None:
        self.on_settings_saved(new, False)
        self.go_idle()

    def purge_audio(self) -> None:
        """Expired audio goes on start and once a day (docs/SECURITY.md, privacy)."""
        self._purged_on = self.clock().date()
        if self.ledger is None:
            return
        try:
            n = self.ledger.purge_audio(self.ledger.settings.local(self.clock()))
        except (PontoVozError, OSError) as exc:
            log.warning("audio purge failed: %s", exc)
            return
        if n:
            log.info("purged %d expired audio clips", n)

    # ------------------------------------------------------------------ screens

    @property
    def model_state(self) -> str:
        return self.engine.state

    @property
    def verify_worker(self):
        return self.engine.worker

    def show_screen(self, widget) -> None:
        self.stack.setCurrentWidget(widget)
        if widget is self.idle:
            self.refresh_idle()
        if widget in (self.idle, self.receipt):
            self.setFocus()  # a keypad or a badge reader types here: keyPressEvent
        self.restart_inactivity()

    def show_message(self, title: str, text: str, actions: dict[str, str] | None = None) -> None:
        self.punch.message(title, text, actions)

    def go_idle(self) -> None:
        self.punch.cancel()

    def refresh_idle(self) -> None:
        self.idle.company.setText(self.settings.kiosk.company)
        state = self.engine.state
        if state == "loading":
            self.idle.set_status("Preparando...", "status-wait")
        elif state == "failed":
            self.idle.set_status(
                "Verificação de voz indisponível: " + self.engine.error, "status-error"
            )
        else:
            self.idle.set_status("Toque para registrar")
        notices = []
        lock = self.punch.lock_notice()
        if lock:
            notices.append(lock)
        mic = self.microphone.check(self.settings.kiosk) if self.settings.configured else ""
        if mic:
            notices.append(f"{mic} Avise o administrador.")  # names the microphone itself
        clock = clock_notice(self.sync.central_section())
        if clock:
            notices.append(clock)
        self.idle.set_notice("\n".join(notices))

    def tick(self) -> None:
        now = self.clock()
        self.rep.tick(self.ledger, now, self.monotonic())
        self.idle.set_time(now)
        current = self.stack.currentWidget()
        self.punch.tick(current)
        if current is self.idle:
            if now.second % 3 == 0:
                self.sync.refresh()
            if now.second % 5 == 0:  # a lockout, a microphone unplugged: shown within 5 s
                self.refresh_idle()
        elif current is self.settings_screen and now.second % 5 == 0:
            self.admin.refresh_central()  # last sync, offset, error as the sync writes them
        if self._purged_on is not None and now.date() != self._purged_on:
            self.purge_audio()

    # ------------------------------------------------------------------ inactivity

    def timeout_ms(self, current) -> int:
        k = self.settings.kiosk
        if current in (self.idle, self.setup):
            return 0  # nothing to go back to
        if current is self.settings_screen:
            return k.admin_timeout_seconds * 1000
        if current is self.receipt and self.receipt.counting:
            return 0  # the receipt counts down by itself, on screen
        return k.screen_timeout_seconds * 1000

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
        if current is self.settings_screen:
            self.go_idle()  # unsaved admin changes are dropped
        elif current is not self.idle and current is not self.setup:
            self.punch.timed_out(current)
        if self.stack.currentWidget() is current:
            self.restart_inactivity()  # e.g. listening: look again later

    # ------------------------------------------------------------------ keys, size, exit

    def keyPressEvent(self, event) -> None:
        if self.stack.currentWidget() in (self.idle, self.receipt) and event.text().isdigit():
            # a PIN digit or a badge read: the next person starts (a receipt gives way at once)
            self.punch.start()
            self.pin.badge.setText(event.text())
            self.pin.badge.setFocus()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:
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

    def quit_app(self) -> None:
        """ "Sair do aplicativo" (behind the admin PIN): close the window, end the app."""
        self.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.inactivity.stop()
        self.ticker.stop()
        self.punch.reset()
        self.microphone.shutdown()
        self.sync.stop()
        self.admin.shutdown()
        self.engine.shutdown()
        self.rep.out_of_service(self.ledger)
