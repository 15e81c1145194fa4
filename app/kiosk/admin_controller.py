"""The admin side: first-run setup, settings, employees, the microphone test, leaving the app.

``AdminController`` owns the setup draft and the settings being edited, validates and saves
through the ``SettingsStore``, manages employees on the ledger directly (store errors become
pt-BR through ``messages``), runs microphone tests on the shared ``Microphone``, and joins
PontoVoz Central from the Central tab (``app.sync.central_join.join``, on a ``BackgroundCall``
thread so the screen stays alive while Central answers; the kiosk restarts the sync workers
around it: ``sync_pause``, ``sync_resume``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QWidget

from app.core.errors import ConfigError, PontoVozError
from app.kiosk.admin import SettingsScreen
from app.kiosk.admin_form import settings_from_form
from app.kiosk.admin_parts import MicTest
from app.kiosk.microphone import Microphone
from app.kiosk.recorder import Recording, RecordLimits
from app.kiosk.settings import KioskSettings, SettingsStore
from app.kiosk.setup_screen import SetupScreen
from app.kiosk.sync import central_status
from app.kiosk.workers import BackgroundCall, start_worker, stop_thread
from app.punch.pins import check_new_admin_pin, check_new_pin, hash_admin_pin
from app.punch.words import user_message
from app.rep.cpf import normalize_cpf
from app.store.errors import CpfError, LedgerError
from app.store.ledger import Ledger
from app.sync.central_client import CentralRejected, CentralUnavailable, NotCentral
from app.sync.central_join import join
from app.sync.central_settings import CentralSection

log = logging.getLogger(__name__)

MIC_TEST = RecordLimits(silence_seconds=3.0, speculate_seconds=0, max_pause_seconds=3.0,
                        max_seconds=3.0)  # fmt: skip  # only the 3-second limit stops a test


class AdminController(QObject):
    navigate = Signal(QWidget)
    saved = Signal(KioskSettings, bool)  # the new settings, engine changed
    setup_done = Signal(KioskSettings)
    leave = Signal()  # done: back to idle
    quit_requested = Signal()
    sync_pause = Signal()  # the kiosk stops the sync workers (before a join)...
    sync_resume = Signal()  # ...and restarts them from the saved settings (after it)

    def __init__(
        self,
        setup: SetupScreen,
        settings_screen: SettingsScreen,
        microphone: Microphone,
        store: SettingsStore,
        device_lister: Callable[[], list[str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setup, self.screen, self.mic = setup, settings_screen, microphone
        self.store = store
        self.device_lister = device_lister
        self.settings = KioskSettings()
        self.ledger: Ledger | None = None
        self._mic_widget: MicTest | None = None
        self._joiner: BackgroundCall | None = None
        self._joiner_thread: QThread | None = None
        setup.step_submitted.connect(self.on_setup_step)
        setup.back_requested.connect(self.on_setup_back)
        setup.mic.test_requested.connect(lambda dev: self.start_mic_test(setup.mic, dev))
        s = settings_screen
        s.save_requested.connect(self.on_settings_save)
        s.cancelled.connect(self.leave)
        s.quit_requested.connect(self.quit_requested)
        s.mic.test_requested.connect(lambda dev: self.start_mic_test(s.mic, dev))
        s.employees.save_requested.connect(self.on_employee_save)
        s.central.join_requested.connect(self.on_central_join)

    def configure(self, settings: KioskSettings, ledger: Ledger | None) -> None:
        self.settings, self.ledger = settings, ledger

    @property
    def open_ledger(self) -> Ledger:
        """The ledger; None only when it could not be opened at start-up (the kiosk said why)."""
        if self.ledger is None:
            raise ConfigError("Registro de ponto indisponível: reinicie o terminal.")
        return self.ledger

    # ------------------------------------------------------------------ microphone test

    def start_mic_test(self, widget: MicTest, device: str) -> None:
        k = self.settings.kiosk
        probe = type(k)(**{**k.__dict__, "microphone": device})
        self._mic_widget = widget
        widget.set_running(True)
        self.mic.record(self, probe, MIC_TEST)

    def on_level(self, value: float) -> None:
        if self._mic_widget is not None:
            self._mic_widget.meter.set_level(value)

    def on_early(self, seq: int) -> None:
        self.mic.judge(seq, False)

    def on_record_cancelled(self) -> None:
        self._mic_done(None, "Teste cancelado.")

    def on_record_failed(self, message: str) -> None:
        self._mic_done(None, message)

    def on_recorded(self, rec: Recording) -> None:
        self._mic_done(rec, "")

    def _mic_done(self, rec: Recording | None, error: str) -> None:
        widget, self._mic_widget = self._mic_widget, None
        if widget is None:
            return
        if rec is None:
            widget.set_result(False, error)
            return
        n = rec.samples.size // 480 * 480
        blocks = rec.samples[:n].reshape(-1, 480) if n else np.zeros((1, 480), np.float32)
        peak = float(np.sqrt((blocks * blocks).mean(axis=1)).max())
        if peak < 0.01:
            widget.set_result(False, "Não ouvimos nada. Verifique o microfone e teste de novo.")
        else:
            widget.set_result(
                True, f"Microfone funcionando (nível máximo {min(100, int(peak * 600))}%)."
            )

    # ------------------------------------------------------------------ first-run setup

    def open_setup(self) -> None:
        """Setup resumes at the step it stopped at (the draft is saved after each step)."""
        k = self.settings.kiosk
        self.setup.mic.set_devices(self.device_lister(), k.microphone)
        self.setup.load(k)
        self.setup.go(min(k.setup_step, len(self.setup.STEPS) - 1))
        self.navigate.emit(self.setup)

    def on_setup_back(self) -> None:
        self.setup.go(max(0, self.setup.step - 1))

    def on_setup_step(self, step: int, values: dict) -> None:
        draft = self.settings.copy()
        k = draft.kiosk
        try:
            if step == 0:
                k.company = " ".join(values["company"].split())
                k.kiosk_id = values["kiosk_id"].strip()
                if not k.company:
                    raise ConfigError("Informe o nome da empresa.")
                if not k.kiosk_id:
                    raise ConfigError("Informe o código do terminal.")
                k.employer_id = values["employer_id"]
                k.cno_caepf = values["cno_caepf"]
                k.inpi = values["inpi"]
                k.place = values["place"]
                k.validate()
            elif step == 1:
                if values["pin1"] != values["pin2"]:
                    raise ConfigError("Os dois PINs não são iguais.")
                check_new_admin_pin(values["pin1"], ledger=self.ledger)
                k.admin_pin_hash = hash_admin_pin(values["pin1"])
            elif step == 2:
                if not values["passed"] and not values["skipped"]:
                    raise ConfigError("Teste o microfone antes de avançar (ou pule o teste).")
                k.microphone = values["microphone"]
            else:
                self.save_employee(
                    0, values["employee"], values["pin"], admin_hash=k.admin_pin_hash
                )
                k.setup_step = 0  # done
                self.store.save(draft)
                self.settings = draft
                self.setup_done.emit(draft)
                return
            k.setup_step = step + 1
            self.store.save(draft)
        except (ConfigError, ValueError) as exc:
            self.setup.show_error(str(exc))
            return
        except OSError as exc:
            self.setup.show_error(
                f"Não foi possível salvar as configurações: {exc.strerror or exc}"
            )
            return
        self.settings = draft
        self.setup.go(step + 1)

    # ------------------------------------------------------------------ settings

    def open_settings(self) -> None:
        employees = self.ledger.list_employees() if self.ledger is not None else []
        self.screen.load(self.settings, self.device_lister(), employees)
        section = self.refresh_central()
        self.screen.central.url.setText(section.url)
        self.screen.central.code.clear()
        self.navigate.emit(self.screen)

    def on_settings_save(self, values: dict) -> None:
        """The big Salvar saves everything typed: the settings and, when the employee form has
        unsaved input, that employee too. It says what it saved, and nothing it did not: an
        employee that cannot be saved stops it before anything is written."""
        form = self.screen.employees
        employee = None
        try:
            if values.get("admin_pin"):  # one PIN policy (app.punch.pins): nobody's PIN
                check_new_admin_pin(values["admin_pin"], ledger=self.ledger)
            new = settings_from_form(self.settings, values)
            if form.dirty():
                try:
                    employee = self.save_employee(*form.employee())
                except ConfigError as exc:
                    raise ConfigError(f"Funcionário não salvo: {exc}") from exc
            self.store.save(new)
        except ConfigError as exc:
            self.screen.show_message(str(exc))
            return
        except OSError as exc:
            self.screen.show_message(f"Não foi possível salvar: {exc.strerror or exc}")
            return
        engine_changed = new.engine != self.settings.engine
        self.settings = new
        self.screen.admin_pin.clear()
        text = "Configurações salvas."
        if employee is not None:
            form.set_employees(self.open_ledger.list_employees())
            state = "salvo" if employee.active else "desativado"
            text += f" Funcionário {employee.name} {state}."
        if self.screen.central.code.text().strip():
            text += " A ligação à Central não foi feita: toque em Ligar à Central."
        self.screen.show_message(text, ok=True)
        self.saved.emit(new, engine_changed)

    # ------------------------------------------------------------------ employees

    def save_employee(self, emp_id: int, e: dict, pin: str, admin_hash: str = ""):
        """Add (id 0) or update one employee; ConfigError with a pt-BR message."""
        name = " ".join(str(e["name"]).split())
        if len(name) < 3:
            raise ConfigError("Informe o nome completo do funcionário.")
        try:
            cpf = normalize_cpf(e["cpf"])
        except CpfError:
            raise ConfigError("CPF inválido. Confira os 11 dígitos.") from None
        if not emp_id and not pin:
            raise ConfigError("Defina um PIN para o funcionário.")
        if pin:
            admin = admin_hash or self.settings.kiosk.admin_pin_hash
            check_new_pin(pin, admin_pin_hash=admin, ledger=self.ledger, cpf=cpf)
        badge = str(e.get("badge", "")).strip()
        if badge and not badge.isalnum():
            raise ConfigError("Crachá: apenas letras e números.")
        try:
            if not emp_id:
                return self.open_ledger.add_employee(name, cpf, pin, badge or None)
            return self.open_ledger.update_employee(
                cpf, name=name, pin=pin or None, badge=badge or None, active=bool(e["active"])
            )
        except LedgerError as exc:
            raise ConfigError(user_message(exc)) from exc

    def on_employee_save(self, emp_id: int, e: dict, pin: str) -> None:
        try:
            saved = self.save_employee(emp_id, e, pin)
        except ConfigError as exc:
            self.screen.show_message(str(exc))
            return
        except OSError as exc:
            self.screen.show_message(f"Não foi possível salvar: {exc.strerror or exc}")
            return
        self.screen.employees.set_employees(self.open_ledger.list_employees())
        state = "salvo" if saved.active else "desativado"
        self.screen.show_message(f"Funcionário {saved.name} {state}.", ok=True)

    # ------------------------------------------------------------------ PontoVoz Central

    def refresh_central(self) -> CentralSection:
        """Show the Central status as last saved (the running sync updates it)."""
        try:
            section = CentralSection.load(self.store.path)
        except (PontoVozError, OSError) as exc:
            log.warning("central section unreadable: %s", exc)
            section = CentralSection()
        self.screen.central.set_status(central_status(section))
        return section

    def central_name(self) -> str:
        """How Central lists this kiosk: company and terminal code."""
        k = self.settings.kiosk
        return " — ".join(p for p in (k.company, k.kiosk_id) if p) or "Terminal PontoVoz"

    def on_central_join(self, url: str, code: str) -> None:
        """Join with a one-time code. Nothing is saved unless Central accepts the code."""
        if not url:
            self.screen.show_message("Informe o endereço da Central.")
            return
        if not code:
            self.screen.show_message("Informe o código de cadastro gerado na Central.")
            return
        if self._joiner is None:
            self._joiner = BackgroundCall()
            self._joiner.finished.connect(self._on_joined)
            self._joiner_thread = start_worker(self._joiner, "central-join")
        # a running Central sync saves its status to the same section: stopped first, it
        # cannot write the old credential back over the new one
        self.sync_pause.emit()
        self.screen.central.join.setEnabled(False)
        self.screen.show_message("Ligando à Central…", ok=True)
        name, settings_file = self.central_name(), self.store.path
        ledger_path = self.ledger.path if self.ledger is not None else None
        self._joiner.submit(
            lambda: join(url, code, name, settings_file=settings_file, ledger_path=ledger_path)
        )

    def _on_joined(self) -> None:
        assert self._joiner is not None
        section, exc = self._joiner.take()
        self.screen.central.join.setEnabled(True)
        try:
            self._after_join(section, exc)
        finally:
            self.sync_resume.emit()

    def shutdown(self) -> None:
        stop_thread(self._joiner_thread)
        self._joiner_thread = None

    def _after_join(self, section, exc: BaseException | None) -> None:
        if isinstance(exc, CentralRejected):  # used/expired/unknown code: Central's words
            self.screen.show_message(f"A Central recusou o cadastro: {central_reason(exc)}")
            return
        if isinstance(exc, NotCentral):  # a web server or a proxy's page, not Central
            self.screen.show_message(
                "Este endereço não é de uma Central PontoVoz. Confira o endereço e a porta."
            )
            return
        if isinstance(exc, CentralUnavailable | httpx.HTTPError):
            self.screen.show_message(
                "Não foi possível falar com a Central. Confira o endereço e a rede."
            )
            return
        if isinstance(exc, ConfigError):  # e.g. the address lacks http:// or https://
            text = str(exc)
            self.screen.show_message(f"Não foi possível ligar: {text[:1].upper()}{text[1:]}.")
            return
        if isinstance(exc, OSError):
            self.screen.show_message(f"Não foi possível salvar: {exc.strerror or exc}")
            return
        if exc is not None:  # an odd answer (PontoVozError, KeyError, ValueError, ...)
            log.warning("central join failed: %r", exc)
            self.screen.show_message("A resposta da Central não foi entendida. Tente de novo.")
            return
        self.screen.central.code.clear()
        self.refresh_central()
        try:
            if self.ledger is not None:
                self.ledger.reload_roster_key()  # Central's employees identify from now on
        except OSError as exc:  # joined, but the pepper file is unreadable until a restart
            log.warning("roster key not reloaded: %s", exc)
            self.screen.show_message(
                f"Terminal ligado à Central como “{section.name}”, mas reinicie o terminal "
                "para que os funcionários da Central sejam reconhecidos."
            )
            return
        self.screen.show_message(
            f"Terminal ligado à Central como “{section.name}”. Sincronização iniciada.", ok=True
        )


def central_reason(exc: CentralRejected) -> str:
    """'Central recusou (403): código já usado' -> 'código já usado'."""
    text = str(exc)
    reason = text.split("): ", 1)[1] if "): " in text else text
    return reason or "código inválido, já usado ou vencido"
