"""The kiosk put together: ``Kiosk`` builds every piece and makes every connection between
them, here and nowhere else, then runs the start-up and the settings' life.

The pieces: the settings store, the ledger, the engine (the verifier on its thread), the shared
microphone, the sound player, the sync workers, the window (screens, time, timeouts) and the
two controllers (``PunchController``, ``AdminController``). Everything with side effects is
injected (store, ledger, verifier factory, audio source factory, clocks, player), so tests
drive the real kiosk with real audio and the real model.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtWidgets import QApplication, QWidget

from app.core.errors import ConfigError, PontoVozError
from app.kiosk.admin_controller import AdminController
from app.kiosk.engine import Engine, default_verifier
from app.kiosk.microphone import Microphone
from app.kiosk.punch_controller import PunchController
from app.kiosk.recorder import AudioSource, SoundDeviceSource
from app.kiosk.rep_events import RepEvents
from app.kiosk.settings import KioskSection, KioskSettings, SettingsStore
from app.kiosk.sounds import SoundPlayer
from app.kiosk.sync import KioskSync, clock_notice
from app.kiosk.window import KioskWindow
from app.kiosk.workers import VerifyWorker
from app.punch.service import PunchService, PunchSettings
from app.punch.words import user_message
from app.store.ledger import Ledger

log = logging.getLogger(__name__)


def default_source(k: KioskSection) -> AudioSource:
    return SoundDeviceSource(device=k.microphone or None, samplerate=k.sample_rate)


def list_input_devices() -> list[str]:
    try:
        import sounddevice as sd

        return [d["name"] for d in sd.query_devices() if d["max_input_channels"] > 0]
    except Exception:  # no PortAudio / no devices: the picker still offers the default
        return []


class Kiosk:
    """One running kiosk. ``engine``: one already loading its model (the launcher starts it
    first, so the model loads while the window is built)."""

    def __init__(self, *, store: SettingsStore | None = None, ledger: Ledger | None = None,
                 verifier_factory: Callable = default_verifier, verifier=None,
                 source_factory: Callable[[KioskSection], AudioSource] = default_source,
                 clock: Callable[[], datetime] = datetime.now,
                 monotonic: Callable[[], float] = time.monotonic,
                 device_lister: Callable[[], list[str]] = list_input_devices,
                 player: SoundPlayer | None = None,
                 engine: Engine | None = None) -> None:  # fmt: skip
        self.store = store or SettingsStore()
        self.ledger = ledger
        self.clock, self.monotonic = clock, monotonic
        self.settings = KioskSettings()
        self.rep = RepEvents(self.store.path)  # AFD types 2, 4, 6 the kiosk writes itself
        self.player = player or SoundPlayer()
        self._purged_on: date | None = None
        self.window = w = KioskWindow(clock)
        self.engine = engine or Engine(verifier_factory, verifier)
        self.microphone = Microphone(source_factory)
        self.recorder = self.microphone.recorder
        self.sync = KioskSync(w.idle, self.store.path)
        self.punch = PunchController(w.punch_screens(), self.microphone, self.engine, clock=clock,
                                     current=w.current, monotonic=monotonic, parent=w)  # fmt: skip
        self.admin = AdminController(w.setup, w.settings_screen, self.microphone, self.store,
                                     device_lister, w)  # fmt: skip
        self._connect()

    def _connect(self) -> None:
        """Every connection between the pieces (each controller connects its own screens)."""
        w, punch, admin, engine, sync = self.window, self.punch, self.admin, self.engine, self.sync
        # the window: time, screens, timeouts, keys, closing
        w.ticked.connect(self.on_tick)
        w.idle_shown.connect(self.refresh_idle)
        w.timed_out.connect(self.on_timed_out)
        w.punch_requested.connect(punch.start)
        w.closing.connect(self.shutdown)
        w.idle.admin_requested.connect(lambda: punch.start(admin=True))
        # the verifier: its state on the idle screen, its verdicts to the try that asked
        engine.changed.connect(self.refresh_idle)
        engine.changed.connect(self.publish_model_state)
        engine.worker.done.connect(punch.listener.on_verified)
        engine.worker.failed.connect(punch.listener.on_verify_failed)
        # the punch flow
        punch.navigate.connect(w.show_screen)
        punch.sound.connect(self.player.play)
        punch.punched.connect(sync.wake)
        punch.admin_unlocked.connect(admin.open_settings)
        # the admin side
        admin.navigate.connect(w.show_screen)
        admin.leave.connect(self.go_idle)
        admin.saved.connect(self.on_settings_saved)
        admin.setup_done.connect(self.on_setup_done)
        admin.sync_pause.connect(sync.stop)
        admin.sync_resume.connect(lambda: sync.apply(self.settings, self.ledger))
        admin.quit_requested.connect(self.quit)

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
        self.window.tick()
        if not self.settings.configured:
            self.admin.open_setup()
        else:
            self.go_idle()
        self.load_model()

    def configure(self) -> None:
        """Hand the current settings, ledger and punch service to everyone who needs them."""
        s = self.settings
        self.player.volume = s.kiosk.volume
        self.window.configure(s.kiosk)
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

    def on_settings_saved(self, new: KioskSettings, engine_changed: bool) -> None:
        self.settings = new
        self.rep.employer(self.ledger)
        self.configure()  # tries, sync mode, volume, timeouts
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

    # ------------------------------------------------------------------ what the window asks

    @property
    def model_state(self) -> str:
        return self.engine.state

    def publish_model_state(self) -> None:
        """The model's state as the window's Qt property ``model_state``, for tools that see
        only top-level widgets (build/entry.py's start-up probe)."""
        self.window.setProperty("model_state", self.engine.state)

    @property
    def verify_worker(self) -> VerifyWorker:
        return self.engine.worker

    def show_message(self, title: str, text: str, actions: dict[str, str] | None = None) -> None:
        self.punch.message(title, text, actions)

    def go_idle(self) -> None:
        self.punch.cancel()

    def refresh_idle(self) -> None:
        idle = self.window.idle
        idle.company.setText(self.settings.kiosk.company)
        state = self.engine.state
        if state == "loading":
            idle.set_status("Preparando...", "status-wait")
        elif state == "failed":
            idle.set_status("Verificação de voz indisponível: " + self.engine.error, "status-error")
        else:
            idle.set_status("Toque para registrar")
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
        idle.set_notice("\n".join(notices))

    def on_tick(self, now: datetime, current: QWidget | None) -> None:
        """Once a second: the REP's clock events, the punch flow's countdowns, the idle
        screen's queue and notices, the settings' Central tab, the daily audio purge."""
        w = self.window
        self.rep.tick(self.ledger, now, self.monotonic())
        self.punch.tick(current)
        if current is w.idle:
            if now.second % 3 == 0:
                self.sync.refresh()
            if now.second % 5 == 0:  # a lockout, a microphone unplugged: shown within 5 s
                self.refresh_idle()
        elif current is w.settings_screen and now.second % 5 == 0:
            self.admin.refresh_central()  # last sync, offset, error as the sync writes them
        if self._purged_on is not None and now.date() != self._purged_on:
            self.purge_audio()

    def on_timed_out(self, current: QWidget) -> None:
        if current is self.window.settings_screen:
            self.go_idle()  # unsaved admin changes are dropped
        else:
            self.punch.timed_out(current)

    # ------------------------------------------------------------------ exit

    def quit(self) -> None:
        """ "Sair do aplicativo" (behind the admin PIN): close the window, end the app."""
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self) -> None:
        self.window.stop()
        self.punch.reset()
        self.microphone.shutdown()
        self.sync.stop()
        self.admin.shutdown()
        self.engine.shutdown()
        self.rep.out_of_service(self.ledger)
