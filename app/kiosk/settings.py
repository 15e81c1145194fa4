"""Kiosk settings: one JSON file, ``paths.config_dir()/"settings.json"``.

Sections: ``kiosk`` (company, kiosk id, admin PIN hash, microphone, retention...), ``sync``
(endpoint, token, on/off) and ``engine`` (EngineOptions field names). The file itself is read and
written by ``app.settings`` only. Every value is checked on load and before
save; a bad value raises ConfigError with a message fit for the admin screen.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app import settings as app_settings
from app.core.config import EngineOptions, options_from
from app.core.errors import ConfigError
from app.settings import settings_path


@dataclass
class KioskSection:
    company: str = ""
    kiosk_id: str = ""
    admin_pin_hash: str = ""  # empty: first run, nothing usable yet
    microphone: str = ""  # sounddevice device name or index; empty = system default
    sample_rate: int = 0  # 0 = the device's default rate
    max_tries: int = 3
    idle_return_seconds: int = 6
    retain_audio: bool = False  # LGPD: off by default
    retention_days: int = 7
    silence_seconds: float = 0.7  # stop this long after speech ends
    speculate_seconds: float = 0.15  # verify the audio so far after this much silence (0: off)
    max_record_seconds: float = 8.0
    max_pause_seconds: float = 1.8  # silence waited after "Entrada." (no time yet): ~1.5 s pauses
    verify_timeout_seconds: float = 6.0  # "Verificando..." never stays up longer
    screen_timeout_seconds: int = 25  # employee screens go back (or record) after this idle time
    admin_timeout_seconds: int = 60
    volume: int = 70  # 0-100 for the verdict sounds (0: silent)
    employer_id: str = ""  # CNPJ (14) or CPF (11) of the employer, check digits verified
    cno_caepf: str = ""  # CNO (12 digits) or CAEPF (14 digits), optional
    inpi: str = ""  # the REP-P's INPI registration number, optional
    place: str = ""  # where the work is done: printed on every receipt (Portaria 671)
    setup_step: int = 0  # first-run setup: the step to resume at (0 once done)

    def validate(self) -> None:
        if len(self.company.strip()) > 80:
            raise ConfigError("O nome da empresa pode ter no máximo 80 caracteres.")
        self.place = " ".join(self.place.split())
        if len(self.place) > 100:
            raise ConfigError("O local pode ter no máximo 100 caracteres.")
        kid = self.kiosk_id.strip()
        if kid and (len(kid) > 32 or not all(c.isalnum() or c in "-_" for c in kid)):
            raise ConfigError("Código do terminal: até 32 letras, números, '-' ou '_'.")
        if self.sample_rate and not 8000 <= self.sample_rate <= 192000:
            raise ConfigError("Taxa de amostragem: 0 (padrão do microfone) ou 8000-192000 Hz.")
        if not 1 <= self.max_tries <= 5:
            raise ConfigError("Tentativas de voz: de 1 a 5.")
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
        if not self.silence_seconds <= self.max_pause_seconds <= 5.0:
            raise ConfigError("Pausa máxima no meio da frase: do silêncio para parar até 5 s.")
        if not 2.0 <= self.verify_timeout_seconds <= 30.0:
            raise ConfigError("Tempo máximo de verificação: de 2 a 30 segundos.")
        if not 10 <= self.screen_timeout_seconds <= 300:
            raise ConfigError("Tempo sem uso nas telas: de 10 a 300 segundos.")
        if not 20 <= self.admin_timeout_seconds <= 900:
            raise ConfigError("Tempo sem uso na administração: de 20 a 900 segundos.")
        if not 0 <= self.volume <= 100:
            raise ConfigError("Volume: de 0 a 100.")
        self.validate_employer()

    def validate_employer(self) -> None:
        """Employer CNPJ/CPF (check digits), CNO/CAEPF and INPI number, all digits only."""
        from app.rep.cpf import normalize_cpf, valid_cnpj
        from app.store.errors import CpfError

        for name in ("employer_id", "cno_caepf", "inpi"):
            setattr(self, name, "".join(c for c in getattr(self, name) if c.isdigit()))
        eid = self.employer_id
        if eid:
            try:
                ok = valid_cnpj(eid) if len(eid) == 14 else bool(normalize_cpf(eid))
            except CpfError:
                ok = False
            if not ok:
                raise ConfigError("CNPJ ou CPF do empregador inválido: confira os dígitos.")
        if self.cno_caepf and len(self.cno_caepf) not in (12, 14):
            raise ConfigError("CNO tem 12 dígitos e CAEPF tem 14.")
        if self.inpi and len(self.inpi) > 17:
            raise ConfigError("Número de registro no INPI: até 17 dígitos.")


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
    punch: dict[str, Any] = field(default_factory=dict)  # app.punch.PunchSettings' section

    @property
    def configured(self) -> bool:
        """False until the first-run setup has finished (it resumes at ``setup_step``)."""
        k = self.kiosk
        return bool(k.admin_pin_hash and k.company.strip()) and k.setup_step == 0

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
        if "duplicate_minutes" in self.punch:
            from app.punch.service import PunchSettings  # its own checks and words

            try:
                minutes = float(self.punch["duplicate_minutes"])
            except (TypeError, ValueError):
                raise ConfigError("Marcação repetida: informe um número de minutos.") from None
            PunchSettings(duplicate_minutes=minutes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kiosk": dataclasses.asdict(self.kiosk),
            "sync": self.sync.to_file(),
            "engine": dict(self.engine),
            "punch": dict(self.punch),
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

        engine, punch = data.get("engine", {}), data.get("punch", {})
        return cls(
            kiosk=section(KioskSection, data.get("kiosk")),
            sync=SyncSection.from_file(data.get("sync")),
            engine=dict(engine) if isinstance(engine, dict) else {},
            punch=dict(punch) if isinstance(punch, dict) else {},
        )

    def copy(self) -> KioskSettings:
        return KioskSettings.from_dict(self.to_dict())


class SettingsStore:
    """Loads and saves the kiosk's sections through ``app.settings`` (injected into the kiosk)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()

    def load(self) -> KioskSettings:
        data = app_settings.read_all(self.path)
        settings = KioskSettings.from_dict(data)
        ledger = data.get("ledger")
        if isinstance(ledger, dict) and "place" in ledger:  # the ledger's word wins (IT may
            settings.kiosk.place = str(ledger["place"] or "")  # edit that section by hand)
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
            employer_id=k.employer_id,
            cno_caepf=k.cno_caepf,
            rep_id=k.inpi,
            place=k.place,
        )
        sections["ledger"] = ledger
        app_settings.write_sections(sections, self.path)
