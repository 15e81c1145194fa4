"""The kiosk window: a stack of screens, start-up, identify; the punch flow is in punch_flow.py,
the admin side in admin_flow.py, sync in sync.py.

Everything with side effects is injected (settings store, ledger, verifier factory, audio source
factory, clock), so tests drive this real window with real audio and the real model. Identify,
next type, challenge, verify and commit all go through ``app.punch.service.PunchService``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QStackedWidget

from app.core.errors import ConfigError, PontoVozError
from app.core.phrase import Phrase
from app.kiosk import admin_flow, punch_flow, screens, sync
from app.kiosk.admin import SettingsScreen, SetupScreen
from app.kiosk.ledger import EmployeeBook, open_ledger
from app.kiosk.recorder import AudioSource, RecorderWorker, Recording, SoundDeviceSource
from app.kiosk.settings import KioskSection, KioskSettings, SettingsStore, check_pin
from app.kiosk.style import STYLE
from app.kiosk.workers import ModelLoader, VerifyWorker, model_message, start_worker, stop_thread
from app.punch.service import PunchService, PunchSettings
from app.store.ledger import Ledger

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def default_source(k: KioskSection) -> AudioSource:
    return SoundDeviceSource(device=k.microphone or None, samplerate=k.sample_rate)


def default_verifier(options):
    from app.core.verifier import Verifier

    return Verifier(options)


def list_input_devices() -> list[str]:
    try:
        import sounddevice as sd

        return [d["name"] for d in sd.query_devices() if d["max_input_channels"] > 0]
    except Exception:  # no PortAudio / no devices: the picker still lets one type a name
        return []


class KioskWindow(QMainWindow):
    _record = Signal()

    def __init__(
        self,
        *,
        store: SettingsStore | None = None,
        ledger: Ledger | None = None,
        verifier_factory: Callable = default_verifier,
        verifier=None,
        source_factory: Callable[[KioskSection], AudioSource] = default_source,
        clock: Clock = datetime.now,
        monotonic: Callable[[], float] = time.monotonic,
        device_lister: Callable[[], list[str]] = list_input_devices,
    ) -> None:
        super().__init__()
        self.store = store or SettingsStore()
        self.ledger = ledger
        self._ledger_factory = open_ledger
        self.employees: EmployeeBook | None = EmployeeBook(ledger) if ledger else None
        self.service: PunchService | None = None
        self.sync_worker = None
        self.verifier_factory = verifier_factory
        self.verifier = verifier
        self.source_factory = source_factory
        self.clock = clock
        self.monotonic = monotonic
        self.device_lister = device_lister
        self.settings = KioskSettings()
        self.metrics: dict = {
            "created": time.perf_counter(),
            "latencies": [],  # end of speech -> verdict on screen (s)
            "paths": {"early": 0, "snapshot": 0, "full": 0},  # where verdicts came from
        }
        self.model_state = "loading"  # loading | ready | failed
        self.model_error = ""
        self._threads: list[QThread] = []
        self._job = 0
        self._rec_asked = self._rec_done = 0  # recorder requests / outcomes (one each)
        self._failures = 0
        self._locked_until = 0.0
        self._admin_mode = False
        self._mic_test: object | None = None
        self._reset_punch()

        self.setWindowTitle("PontoVoz")
        self.setStyleSheet(STYLE)
        self.stack = QStackedWidget()
        self.stack.setContentsMargins(16, 12, 16, 12)
        self.setCentralWidget(self.stack)
        self.idle = screens.IdleScreen()
        self.pin = screens.PinScreen()
        self.types = screens.TypeScreen()
        self.challenge = screens.ChallengeScreen()
        self.result = screens.ResultScreen()
        self.receipt = screens.ReceiptScreen()
        self.message = screens.MessageScreen()
        self.settings_screen = SettingsScreen()
        self.setup = SetupScreen()
        for w in (self.idle, self.pin, self.types, self.challenge, self.result, self.receipt,
                  self.message, self.settings_screen, self.setup):  # fmt: skip
            self.stack.addWidget(w)

        self.idle.touched.connect(self.on_touch)
        self.idle.admin_requested.connect(self.on_admin)
        self.pin.pin_entered.connect(self.on_pin)
        self.pin.badge_entered.connect(self.on_badge)
        self.pin.cancelled.connect(self.go_idle)
        self.types.chosen.connect(self.on_type)
        self.types.cancelled.connect(self.go_idle)
        self.challenge.record_clicked.connect(lambda: punch_flow.on_record(self))
        self.challenge.cancel_clicked.connect(self.on_cancel_recording)
        self.result.retry.connect(self.on_retry)
        self.result.accept.connect(self.on_accept)
        self.result.cancelled.connect(self.go_idle)
        self.receipt.done.connect(self.go_idle)
        self.message.ok.connect(self.go_idle)
        self.message.action.connect(self.on_message_action)
        admin_flow.connect(self)

        # Workers on their own threads: the recorder and the verifier (both long-lived).
        self.recorder = RecorderWorker(SoundDeviceSource())
        self.recorder.level.connect(self.on_level)
        self.recorder.finished.connect(self.on_recorded)
        self.recorder.failed.connect(self.on_record_failed)
        self.recorder.cancelled.connect(self.on_record_cancelled)
        self.recorder.early.connect(self.on_early)
        self._record.connect(self.recorder.record)
        self._threads.append(start_worker(self.recorder, "recorder"))
        self.verify_worker: VerifyWorker | None = None

        self.return_timer = QTimer(self)
        self.return_timer.setSingleShot(True)
        self.return_timer.timeout.connect(self.go_idle)
        self.continue_timer = QTimer(self)
        self.continue_timer.setSingleShot(True)
        self.continue_timer.timeout.connect(self.on_accept)
        self.ticker = screens.start_clock(self, self.tick)

    # ------------------------------------------------------------------ start-up

    def start(self) -> None:
        """Load settings, show the first screen, load the model in the background."""
        try:
            self.settings = self.store.load()
        except ConfigError as exc:
            self.settings = KioskSettings()
            self.show_message("Configuração inválida", str(exc))
            return
        if self.ledger is None:
            try:
                self.ledger = self._ledger_factory()
            except (PontoVozError, OSError) as exc:
                self.show_message("Registro de ponto indisponível", str(exc))
                return
            self.employees = EmployeeBook(self.ledger)
        self.rebuild_service()
        try:
            sync.apply(self)
        except ConfigError as exc:
            self.show_message("Configuração inválida", str(exc))
            return
        self.tick()
        if not self.settings.configured:
            admin_flow.open_setup(self)
        else:
            self.go_idle()
        self.load_model()

    def load_model(self) -> None:
        self.model_state, self.model_error = "loading", ""
        self.refresh_idle_status()
        if self.verifier is None:
            try:
                self.verifier = self.verifier_factory(self.settings.engine_options())
            except Exception as exc:
                self.on_model_failed(model_message(exc))
                return
        self.rebuild_service()
        if self.verify_worker is None:
            self._bind_verifier()
        loader = ModelLoader(self.verifier)
        loader.loaded.connect(self.on_model_loaded)
        loader.failed.connect(self.on_model_failed)
        thread = start_worker(loader, "model-loader", loader.run)
        loader.loaded.connect(thread.quit)
        loader.failed.connect(thread.quit)
        self._loader = loader
        self._threads.append(thread)  # kept until shutdown: a QThread must outlive its run

    def rebuild_service(self) -> None:
        """The punch service for the current ledger, verifier and sync settings."""
        if self.ledger is None:
            return
        settings = PunchSettings(self.settings.kiosk.max_tries, self.settings.sync_config())
        clock = lambda: punch_flow.aware(self.clock())  # noqa: E731 (the ledger needs an offset)
        self.service = PunchService(self.ledger, self.verifier, settings, clock=clock)

    def _verify(self, samples, phrase):  # on the verifier thread
        return self.service.verify_attempt(samples, phrase)

    def _bind_verifier(self) -> None:
        worker = VerifyWorker(self._verify)
        worker.done.connect(self.on_verified)
        worker.failed.connect(self.on_verify_failed)
        self._threads.append(start_worker(worker, "verifier"))
        self.verify_worker = worker

    def on_model_loaded(self, seconds: float) -> None:
        self.model_state = "ready"
        self.metrics["ready"] = time.perf_counter()
        self.metrics["load_seconds"] = seconds
        log.info("model ready in %.2f s", seconds)
        self.refresh_idle_status()

    def on_model_failed(self, message: str) -> None:
        self.model_state, self.model_error = "failed", message
        self.refresh_idle_status()

    def refresh_idle_status(self) -> None:
        self.idle.company.setText(self.settings.kiosk.company)
        if self.model_state == "loading":
            self.idle.set_status("Preparando...", "status-wait")
        elif self.model_state == "failed":
            self.idle.set_status("Verificação de voz indisponível: " + self.model_error,
                                 "status-error")  # fmt: skip
        else:
            self.idle.set_status("Toque para registrar")

    # ------------------------------------------------------------------ helpers

    def show_screen(self, widget) -> None:
        self.stack.setCurrentWidget(widget)

    def show_message(self, title: str, text: str, actions: dict[str, str] | None = None) -> None:
        self.return_timer.stop()
        self.message.show_message(title, text, actions)
        self.show_screen(self.message)

    def _reset_punch(self) -> None:
        self.employee = None
        self.punch_type = ""
        self.phrase: Phrase | None = None
        self.attempt = 1
        self.results: list = []  # VerifyResult of each try, for PunchService.commit
        self.flag_note = ""  # why the punch is flagged when no try could be verified
        self.last_validated = False
        self.last_recording: Recording | None = None
        punch_flow.reset_attempt(self)

    def go_idle(self) -> None:
        self.return_timer.stop()
        self.continue_timer.stop()
        self._reset_punch()
        self._admin_mode = False
        self.tick()
        self.refresh_idle_status()
        self.show_screen(self.idle)
        self.setFocus()

    def tick(self) -> None:
        now = self.clock()
        self.idle.set_time(now)
        current = self.stack.currentWidget() if hasattr(self, "stack") else None
        if current is self.challenge and self.challenge.record.isEnabled():
            self.refresh_phrase()  # the minute may have turned before recording starts
        if current is self.pin and self._locked_until:
            self.update_lockout()
        if current is self.idle and self.sync_worker is not None and now.second % 3 == 0:
            sync.refresh(self)

    def keyPressEvent(self, event) -> None:
        if self.stack.currentWidget() is self.idle and event.text().isdigit():
            self.on_touch()
            self.pin.badge.setText(event.text())
            self.pin.badge.setFocus()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ identify

    def on_touch(self) -> None:
        if self.ledger is None:
            self.start()  # shows why the ledger cannot open
            return
        self._admin_mode = False
        self.pin.title.setText("Digite seu PIN ou passe o crachá")
        self.pin.reset()
        self.show_screen(self.pin)
        self.update_lockout()
        self.pin.badge.setFocus()

    def on_admin(self) -> None:
        self.on_touch()
        self._admin_mode = True
        self.pin.title.setText("PIN do administrador")

    def locked(self) -> bool:
        return self.monotonic() < self._locked_until

    def update_lockout(self) -> None:
        if self.locked():
            left = int(self._locked_until - self.monotonic() + 0.999)
            self.pin.set_locked(True, f"Muitas tentativas erradas. Aguarde {left} s.")
        elif self._locked_until:
            self._locked_until = 0.0
            self.pin.set_locked(False, "")

    def _failed_identify(self) -> None:
        self._failures += 1
        if self._failures >= self.settings.kiosk.lockout_failures:
            self._failures = 0
            self._locked_until = self.monotonic() + self.settings.kiosk.lockout_seconds
            self.update_lockout()
        else:
            self.pin.reset("PIN ou crachá não reconhecido. Tente novamente.")

    def on_pin(self, pin: str) -> None:
        if self.locked():
            self.update_lockout()
            return
        if self._admin_mode:
            if check_pin(pin, self.settings.kiosk.admin_pin_hash):
                self._failures = 0
                admin_flow.open_settings(self)
            else:
                self._failed_identify()
            return
        self.identified(self.service.identify(pin=pin))

    def on_badge(self, badge: str) -> None:
        if self.locked() or self._admin_mode:
            self.update_lockout()
            return
        self.identified(self.service.identify(badge=badge))

    def identified(self, employee) -> None:
        if employee is None:
            self._failed_identify()
            return
        self._failures = 0
        self.employee = employee
        suggested = self.service.next_type(employee, punch_flow.aware(self.clock()))
        self.types.show_for(employee.name, suggested)
        self.show_screen(self.types)

    # ------------------------------------------------------------------ challenge + record

    def on_type(self, kind: str) -> None:
        self.punch_type = kind
        self.attempt = 1
        self.open_challenge()

    def refresh_phrase(self) -> None:
        self.phrase = self.service.challenge(self.punch_type, self.clock())
        self.challenge.show_phrase(self.phrase.text(), self.attempt, self.settings.kiosk.max_tries)

    def open_challenge(self) -> None:
        self.refresh_phrase()
        self.challenge.set_state("ready")
        self.show_screen(self.challenge)

    def on_cancel_recording(self) -> None:
        if self.challenge.record.isEnabled():  # not recording: just leave
            self.go_idle()
        else:
            self.recorder.cancel()

    def start_recording(self) -> None:
        self._rec_asked += 1
        self._record.emit()

    def recording_is_stale(self) -> bool:
        """Count one recorder outcome; True if it answers an earlier request (e.g. the stop
        after an early verdict landing once the next punch has started): ignore it."""
        self._rec_done += 1
        return self._rec_done != self._rec_asked

    def on_record_cancelled(self) -> None:
        if self.recording_is_stale():
            return
        if self._mic_test is not None:
            admin_flow.mic_test_done(self, None, "Teste cancelado.")
            return
        self.go_idle()

    def on_level(self, value: float) -> None:
        if self._mic_test is not None:
            self._mic_test.meter.set_level(value)
        else:
            self.challenge.meter.set_level(value)

    def on_record_failed(self, message: str) -> None:
        if self.recording_is_stale():
            return
        if self._mic_test is not None:
            admin_flow.mic_test_done(self, None, message)
            return
        self.flag_note = "microphone problem: " + message
        self.show_message(
            "Problema no microfone",
            message,
            {"retry": "Tentar de novo", "flag": "Registrar para revisão"},
        )

    # Worker signals land on bound slots of this window (a lambda would run on the worker's
    # thread: a connection needs a receiver QObject to be queued to the GUI thread).

    @Slot(int)
    def on_early(self, seq: int) -> None:
        punch_flow.on_early(self, seq)

    @Slot()
    def on_recorded(self) -> None:
        punch_flow.on_recorded(self)

    @Slot(int)
    def on_verified(self, job: int) -> None:
        punch_flow.on_verified(self, job)

    @Slot(int, str)
    def on_verify_failed(self, job: int, message: str) -> None:
        punch_flow.on_verify_failed(self, job, message)

    def on_retry(self) -> None:
        self.attempt += 1
        self.open_challenge()

    def on_accept(self) -> None:
        self.continue_timer.stop()
        punch_flow.record_punch(self)

    def on_message_action(self, action: str) -> None:
        if action == "retry":
            self.open_challenge()
        elif action in ("flag", "save"):
            punch_flow.record_punch(self)

    # ------------------------------------------------------------------ shutdown

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.recorder.cancel()
        self.ticker.stop()
        sync.stop(self)
        for t in self._threads:
            stop_thread(t)
