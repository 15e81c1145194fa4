"""Kiosk settings: one JSON file, ``paths.config_dir()/"settings.json"``.

Sections: ``kiosk`` (company, kiosk id, admin PIN hash, microphone, retention...), ``sync``
(endpoint, token, on/off) and ``engine`` (EngineOptions field names). The file itself is read and
written by ``app.settings`` only. Every value is checked on load and before
save; a bad value raises ConfigError with a message fit for the admin screen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app import settings as app_settings
from app.core.config import EngineOptions, options_from
from app.core.errors import ConfigError
from app.settings import settings_path

PIN_ITERATIONS = 120_000
WEAK_PINS = {"0000", "1234", "1111", "12345", "123456", "000000", "4321"}


def hash_pin(pin: str, salt: str | None = None) -> str:
    """'pbkdf2_sha256$iterations$salt$hex' for a PIN (never stored in clear)."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), PIN_ITERATIONS)
    return f"pbkdf2_sha256${PIN_ITERATIONS}${salt}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        algo, iters, salt, hexdigest = stored.split("$")
        if algo != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(iters))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hexdigest)


def validate_new_pin(pin: str, what: str = "PIN") -> None:
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise ConfigError(f"O {what} deve ter de 4 a 8 dígitos.")
    if pin in WEAK_PINS or len(set(pin)) == 1:
        raise ConfigError(f"Esse {what} é fácil demais de adivinhar. Escolha outro.")


@dataclass
class KioskSection:
    company: str = ""
    kiosk_id: str = ""
    admin_pin_hash: str = ""  # empty: first run, nothing usable yet
    microphone: str = ""  # sounddevice device name or index; empty = system default
    sample_rate: int = 0  # 0 = the device's default rate
    max_tries: int = 3
    lockout_failures: int = 5  # wrong PINs in a row before a lockout
    lockout_seconds: int = 60
    idle_return_seconds: int = 6
    retain_audio: bool = False  # LGPD: off by default
    retention_days: int = 7
    silence_seconds: float = 0.7  # stop this long after speech ends
    speculate_seconds: float = 0.15  # verify the audio so far after this much silence (0: off)
    max_record_seconds: float = 8.0

    def validate(self) -> None:
        if len(self.company.strip()) > 80:
            raise ConfigError("O nome da empresa pode ter no máximo 80 caracteres.")
        kid = self.kiosk_id.strip()
        if kid and (len(kid) > 32 or not all(c.isalnum() or c in "-_" for c in kid)):
            raise ConfigError("Código do terminal: até 32 letras, números, '-' ou '_'.")
        if self.sample_rate and not 8000 <= self.sample_rate <= 192000:
            raise ConfigError("Taxa de amostragem: 0 (padrão do microfone) ou 8000-192000 Hz.")
        if not 1 <= self.max_tries <= 5:
            raise ConfigError("Tentativas de voz: de 1 a 5.")
        if not 2 <= self.lockout_failures <= 20:
            raise ConfigError("Bloqueio: de 2 a 20 PINs errados.")
        if not 5 <= self.lockout_seconds <= 3600:
            raise ConfigError("Tempo de bloqueio: de 5 a 3600 segundos.")
        if not 2 <= self.idle_return_seconds <= 60:
            raise ConfigError("Volta à tela inicial: de 2 a 60 segundos.")
        if not 1 <= self.retention_days <= 365:
            raise ConfigError("Retenção de áudio: de 1 a 365 dias.")
        if not 0.3 <= self.silence_seconds <= 3.0:
            raise ConfigError("Silêncio para parar: de 0,3 a 3 segundos.")
        if self.speculate_seconds and not 0.1 <= self.speculate_seconds < self.silence_seconds:
            raise ConfigError("Verificação antecipada: 0 (desligada) ou de 0,1 s até o silêncio.")
        if not 2.0 <= self.max_record_seconds <= 30.0:
            raise ConfigError("Gravação máxima: de 2 a 30 segundos.")


@dataclass
class SyncSection:
    enabled: bool = False
    endpoint: str = ""
    token: str = ""
    mode: str = "confirm"  # when enabled: "confirm" or "cloud-first" (app.sync.config)

    def to_file(self) -> dict[str, Any]:
        """On disk the section uses app.sync's keys (mode off|confirm|cloud-first, url, token),
        so `python -m app sync ...` and the kiosk read the same settings."""
        return {
            "mode": self.mode if self.enabled else "off",
            "url": self.endpoint,
            "token": self.token,
        }

    @classmethod
    def from_file(cls, raw: Any) -> SyncSection:
        if not isinstance(raw, dict):
            return cls()
        mode = str(raw.get("mode", "off"))
        return cls(
            enabled=mode != "off",
            endpoint=str(raw.get("url", "")),
            token=str(raw.get("token") or ""),
            mode=mode if mode != "off" else "confirm",
        )

    def validate(self) -> None:
        if self.mode not in ("confirm", "cloud-first"):
            raise ConfigError("Modo de sincronização: confirm ou cloud-first.")
        if self.endpoint:
            url = urlparse(self.endpoint)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise ConfigError("Endereço da nuvem inválido: use http(s)://servidor/caminho.")
        if self.enabled and not self.endpoint:
            raise ConfigError("Para sincronizar, informe o endereço da nuvem.")


@dataclass
class KioskSettings:
    kiosk: KioskSection = field(default_factory=KioskSection)
    sync: SyncSection = field(default_factory=SyncSection)
    engine: dict[str, Any] = field(default_factory=dict)  # EngineOptions field names

    @property
    def configured(self) -> bool:
        """False on first run: no company or no admin PIN means the setup must run."""
        return bool(self.kiosk.admin_pin_hash and self.kiosk.company.strip())

    def engine_options(self) -> EngineOptions:
        """EngineOptions from the engine section (plus PONTOVOZ_* env), checked."""
        return options_from(self.engine)

    def sync_config(self):
        """The ``app.sync.SyncConfig`` this kiosk runs with (mode "off" unless enabled)."""
        from app.sync.config import SyncConfig

        sync = self.sync
        if not sync.enabled:
            return SyncConfig()
        try:
            return SyncConfig(mode=sync.mode, url=sync.endpoint, token=sync.token or None)
        except ConfigError as exc:
            raise ConfigError(f"Sincronização: {exc}") from exc

    def validate(self) -> None:
        self.kiosk.validate()
        self.sync.validate()
        self.sync_config()
        names = {f.name for f in dataclasses.fields(EngineOptions)}
        unknown = set(self.engine) - names
        if unknown:
            raise ConfigError(f"Opção de motor desconhecida: {', '.join(sorted(unknown))}")
        try:
            self.engine_options()
        except ConfigError as exc:
            raise ConfigError(f"Motor: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {
            "kiosk": dataclasses.asdict(self.kiosk),
            "sync": self.sync.to_file(),
            "engine": dict(self.engine),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KioskSettings:
        def section(kind: type, raw: Any) -> Any:
            if not isinstance(raw, dict):
                return kind()
            known = {f.name: f for f in dataclasses.fields(kind)}
            values = {}
            for key, value in raw.items():
                if key not in known:
                    continue
                default = getattr(kind(), key)
                try:
                    values[key] = type(default)(value)
                except (TypeError, ValueError) as exc:
                    raise ConfigError(f"Valor inválido para {key}: {value!r}") from exc
            return kind(**values)

        engine = data.get("engine", {})
        return cls(
            kiosk=section(KioskSection, data.get("kiosk")),
            sync=SyncSection.from_file(data.get("sync")),
            engine=dict(engine) if isinstance(engine, dict) else {},
        )

    def copy(self) -> KioskSettings:
        return KioskSettings.from_dict(self.to_dict())


class SettingsStore:
    """Loads and saves the kiosk's sections through ``app.settings`` (injected into the kiosk)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()

    def load(self) -> KioskSettings:
        settings = KioskSettings.from_dict(app_settings.read_all(self.path))
        settings.validate()
        return settings

    def save(self, settings: KioskSettings) -> None:
        """Validate, then write atomically (other sections of the file are kept)."""
        settings.validate()
        sections = settings.to_dict()
        # The ledger reads who/where from its own section (app.store.settings).
        ledger = dict(app_settings.section("ledger", self.path))
        k = settings.kiosk
        ledger.update(
            kiosk_id=k.kiosk_id or "01",
            employer_name=k.company,
            audio_retention_days=k.retention_days if k.retain_audio else 0,
        )
        sections["ledger"] = ledger
        app_settings.write_sections(sections, self.path)
