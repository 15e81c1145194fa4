"""The admin form's raw values -> a checked KioskSettings (pt-BR messages for bad values)."""

from __future__ import annotations

from pathlib import Path

from app.core.config import COMPUTE_TYPES, EngineOptions
from app.core.errors import ConfigError, br_number
from app.kiosk.settings import KioskSettings
from app.punch.pins import check_new_admin_pin, hash_admin_pin


def _int(values: dict, key: str, what: str) -> int:
    try:
        return int(str(values[key]).strip() or "0")
    except ValueError:
        raise ConfigError(f"{what}: informe um número inteiro.") from None


def _float(values: dict, key: str, what: str) -> float:
    try:
        return float(str(values[key]).strip().replace(",", "."))
    except ValueError:
        raise ConfigError(f"{what}: informe um número.") from None


ENGINE_FIELDS = ("cpu_threads", "num_workers", "score_margin", "vad_threshold")


def engine_defaults() -> dict[str, float]:
    """What the engine runs with when the settings file says nothing (shown in the form)."""
    defaults = EngineOptions()
    return {name: getattr(defaults, name) for name in ENGINE_FIELDS}


def _engine_numbers(v: dict, current: dict) -> dict[str, float]:
    """The form's engine numbers, checked against EngineOptions' own bounds. A value equal to
    the engine's default is written only when the file already pins that key, so Salvar never
    pins (or changes) a default the engine may later improve."""
    bounds, defaults, out = EngineOptions.bounds(), engine_defaults(), {}
    for name in ENGINE_FIELDS:
        b = bounds[name]
        is_int = isinstance(defaults[name], int)
        value = _int(v, name, b.label) if is_int else _float(v, name, b.label)
        if not b.low <= value <= b.high:
            low, high = br_number(b.low), br_number(b.high)
            raise ConfigError(f"{b.label}: de {low} a {high}.")
        if value != defaults[name] or name in current:
            out[name] = value
    return out


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
    k.employer_id = str(v.get("employer_id", k.employer_id))
    k.cno_caepf = str(v.get("cno_caepf", k.cno_caepf))
    k.inpi = str(v.get("inpi", k.inpi))
    k.place = str(v.get("place", k.place))
    if v.get("admin_pin"):
        k.admin_pin_hash = hash_admin_pin(check_new_admin_pin(v["admin_pin"]))
    k.max_tries = _int(v, "max_tries", "Tentativas de voz")
    k.idle_return_seconds = _int(v, "idle_return_seconds", "Volta ao início")
    if "screen_timeout_seconds" in v:
        k.screen_timeout_seconds = _int(v, "screen_timeout_seconds", "Tempo sem uso")
        k.admin_timeout_seconds = _int(v, "admin_timeout_seconds", "Tempo sem uso na administração")
        s.punch["duplicate_minutes"] = _int(v, "duplicate_minutes", "Marcação repetida")
        k.volume = _int(v, "volume", "Volume")
    k.microphone = str(v["microphone"])
    k.sample_rate = _int(v, "sample_rate", "Taxa de amostragem")
    k.retain_audio = bool(v["retain_audio"])
    k.retention_days = _int(v, "retention_days", "Retenção de áudio")
    s.sync.endpoint = str(v["endpoint"])
    s.sync.token = str(v["token"])
    s.sync.enabled = bool(v["sync_enabled"])
    if v["compute_type"] not in COMPUTE_TYPES:
        raise ConfigError("Tipo de cálculo inválido.")
    engine = dict(s.engine)
    engine.update(_engine_numbers(v, s.engine))
    if v["compute_type"] != EngineOptions().compute_type or "compute_type" in engine:
        engine["compute_type"] = v["compute_type"]
    if v["model_path"]:
        if not Path(v["model_path"]).expanduser().is_dir():
            raise ConfigError("Pasta do modelo não encontrada.")
        engine["model_path"] = v["model_path"]
    else:
        engine.pop("model_path", None)
    s.engine = engine
    s.validate()
    return s
