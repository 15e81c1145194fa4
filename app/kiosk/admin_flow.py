"""The window's admin side: first-run setup, settings, employees, microphone test.

Kept apart from window.py so each stays small; every function takes the KioskWindow.
"""

from __future__ import annotations

import numpy as np

from app.core.config import COMPUTE_TYPES
from app.core.errors import ConfigError
from app.kiosk import sync
from app.kiosk.ledger import Employee, valid_cpf
from app.kiosk.settings import KioskSettings, hash_pin, validate_new_pin


def connect(win) -> None:
    win.setup.step_submitted.connect(lambda step, values: on_setup_step(win, step, values))
    win.setup.mic.test_requested.connect(lambda dev: start_mic_test(win, win.setup.mic, dev))
    s = win.settings_screen
    s.save_requested.connect(lambda values: on_settings_save(win, values))
    s.cancelled.connect(win.go_idle)
    s.mic.test_requested.connect(lambda dev: start_mic_test(win, s.mic, dev))
    s.employees.save_requested.connect(lambda e, pin: on_employee_save(win, e, pin))


# ---------------------------------------------------------------------- microphone test


def start_mic_test(win, widget, device: str) -> None:
    k = win.settings.kiosk
    probe = type(k)(**{**k.__dict__, "microphone": device})
    win.recorder._source = win.source_factory(probe)
    win.recorder.silence_seconds = 1e9  # only the 3-second limit stops a test
    win.recorder.speculate_seconds = 0
    win.recorder.max_seconds = 3.0
    win._mic_test = widget
    widget.set_running(True)
    win.start_recording()


def mic_test_done(win, rec, error: str) -> None:
    widget, win._mic_test = win._mic_test, None
    if rec is None:
        widget.set_result(False, error)
        return
    n = rec.samples.size // 480 * 480
    blocks = rec.samples[:n].reshape(-1, 480) if n else np.zeros((1, 480), np.float32)
    peak = float(np.sqrt((blocks * blocks).mean(axis=1)).max())
    if peak < 0.01:
        widget.set_result(False, "Não ouvimos nada. Verifique o microfone e teste de novo.")
    else:
        pct = min(100, int(peak * 600))
        widget.set_result(True, f"Microfone funcionando (nível máximo {pct}%).")


# ---------------------------------------------------------------------- first-run setup


def open_setup(win) -> None:
    win.setup.mic.set_devices(win.device_lister(), win.settings.kiosk.microphone)
    win.setup.go(0)
    win.show_screen(win.setup)


def on_setup_step(win, step: int, values: dict) -> None:
    draft: KioskSettings = win.settings
    try:
        if step == 0:
            draft.kiosk.company = " ".join(values["company"].split())
            draft.kiosk.kiosk_id = values["kiosk_id"].strip()
            if not draft.kiosk.company:
                raise ConfigError("Informe o nome da empresa.")
            if not draft.kiosk.kiosk_id:
                raise ConfigError("Informe o código do terminal.")
            draft.kiosk.validate()
        elif step == 1:
            if values["pin1"] != values["pin2"]:
                raise ConfigError("Os dois PINs não são iguais.")
            validate_new_pin(values["pin1"], "PIN do administrador")
            draft.kiosk.admin_pin_hash = hash_pin(values["pin1"])
        elif step == 2:
            if not values["passed"]:
                raise ConfigError("Teste o microfone antes de avançar.")
            draft.kiosk.microphone = values["microphone"]
        else:
            save_employee(win, values["employee"], values["pin"], new=True)
            win.store.save(draft)
            win.go_idle()
            return
    except (ConfigError, ValueError) as exc:
        win.setup.show_error(str(exc))
        return
    except OSError as exc:
        win.setup.show_error(f"Não foi possível salvar as configurações: {exc.strerror or exc}")
        return
    win.setup.go(step + 1)


# ---------------------------------------------------------------------- settings


def open_settings(win) -> None:
    win.settings_screen.load(win.settings, win.device_lister(), win.employees.employees())
    win.show_screen(win.settings_screen)


def _int(values: dict, key: str, what: str) -> int:
    try:
        return int(str(values[key]).strip())
    except ValueError:
        raise ConfigError(f"{what}: informe um número inteiro.") from None


def _float(values: dict, key: str, what: str) -> float:
    try:
        return float(str(values[key]).strip().replace(",", "."))
    except ValueError:
        raise ConfigError(f"{what}: informe um número.") from None


def settings_from_form(base: KioskSettings, v: dict) -> KioskSettings:
    """A new KioskSettings from the admin form, or ConfigError (pt-BR) for a bad value."""
    s = base.copy()
    k = s.kiosk
    k.company = " ".join(str(v["company"]).split())
    if not k.company:
        raise ConfigError("Informe o nome da empresa.")
    k.kiosk_id = str(v["kiosk_id"]).strip()
    if not k.kiosk_id:
        raise ConfigError("Informe o código do terminal.")
    if v.get("admin_pin"):
        validate_new_pin(v["admin_pin"], "PIN do administrador")
        k.admin_pin_hash = hash_pin(v["admin_pin"])
    k.max_tries = _int(v, "max_tries", "Tentativas de voz")
    k.idle_return_seconds = _int(v, "idle_return_seconds", "Volta ao início")
    k.microphone = str(v["microphone"])
    k.sample_rate = _int(v, "sample_rate", "Taxa de amostragem")
    k.retain_audio = bool(v["retain_audio"])
    k.retention_days = _int(v, "retention_days", "Retenção de áudio")
    s.sync.endpoint = str(v["endpoint"])
    s.sync.token = str(v["token"])
    s.sync.enabled = bool(v["sync_enabled"])
    threads = _int(v, "cpu_threads", "Threads de CPU")
    if not 1 <= threads <= 64:
        raise ConfigError("Threads de CPU: de 1 a 64.")
    workers = _int(v, "num_workers", "Workers")
    if not 1 <= workers <= 16:
        raise ConfigError("Workers: de 1 a 16.")
    if v["compute_type"] not in COMPUTE_TYPES:
        raise ConfigError("Tipo de cálculo inválido.")
    margin = _float(v, "score_margin", "Margem de aceitação")
    if not 0 <= margin <= 50:
        raise ConfigError("Margem de aceitação: de 0 a 50.")
    vad = _float(v, "vad_threshold", "Limiar de voz")
    if not 0.05 <= vad <= 0.95:
        raise ConfigError("Limiar de voz: de 0,05 a 0,95.")
    engine = dict(s.engine)
    engine.update(cpu_threads=threads, num_workers=workers, compute_type=v["compute_type"],
                  score_margin=margin, vad_threshold=vad)  # fmt: skip
    if v["model_path"]:
        from pathlib import Path

        if not Path(v["model_path"]).expanduser().is_dir():
            raise ConfigError("Pasta do modelo não encontrada.")
        engine["model_path"] = v["model_path"]
    else:
        engine.pop("model_path", None)
    s.engine = engine
    s.validate()
    return s


def on_settings_save(win, values: dict) -> None:
    screen = win.settings_screen
    try:
        new = settings_from_form(win.settings, values)
        win.store.save(new)
    except ConfigError as exc:
        screen.show_message(str(exc))
        return
    except OSError as exc:
        screen.show_message(f"Não foi possível salvar: {exc.strerror or exc}")
        return
    engine_changed = new.engine != win.settings.engine
    win.settings = new
    screen.admin_pin.clear()
    screen.show_message("Configurações salvas.", ok=True)
    win.rebuild_service()  # tries and sync mode
    sync.apply(win)
    if engine_changed:
        win.verifier = None
        win.load_model()


def save_employee(win, e: Employee, pin: str, new: bool = False) -> Employee:
    if len(e.name) < 3:
        raise ConfigError("Informe o nome completo do funcionário.")
    if not valid_cpf(e.cpf):
        raise ConfigError("CPF inválido.")
    if (new or not e.id) and not pin:
        raise ConfigError("Defina um PIN para o funcionário.")
    if pin:
        validate_new_pin(pin)
    if e.badge and not e.badge.isalnum():
        raise ConfigError("Crachá: apenas letras e números.")
    return win.employees.save_employee(e, pin or None)


def on_employee_save(win, e: Employee, pin: str) -> None:
    screen = win.settings_screen
    try:
        saved = save_employee(win, e, pin)
    except (ConfigError, ValueError) as exc:
        screen.show_message(str(exc))
        return
    except OSError as exc:
        screen.show_message(f"Não foi possível salvar: {exc.strerror or exc}")
        return
    screen.employees.set_employees(win.employees.employees())
    state = "salvo" if saved.active else "desativado"
    screen.show_message(f"Funcionário {saved.name} {state}.", ok=True)
