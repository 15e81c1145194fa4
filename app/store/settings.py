"""Ledger settings: who the employer is, which kiosk this is, how long audio is kept.

Read from the ``ledger`` section of ``settings.json`` in the config dir (the kiosk's admin
screen writes it), e.g.::

    {"ledger": {"kiosk_id": "01", "employer_name": "ACME Ltda", "employer_id": "11222333000181",
                "place": "Rua X, 100 - São Paulo/SP", "rep_id": "", "audio_retention_days": 0}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import settings
from app.core.coerce import from_sources
from app.core.errors import ConfigError


@dataclass(frozen=True)
class LedgerSettings:
    kiosk_id: str = "01"  # NSR sequences are per kiosk
    employer_name: str = ""
    employer_id: str = ""  # CNPJ (14 digits) or CPF (11 digits) of the employer
    cno_caepf: str = ""  # CNO or CAEPF of the employer, when it has one (AFD types 1, 2)
    place: str = ""  # where the work is done (receipt)
    rep_id: str = ""  # REP-P INPI registration number (AFD header, receipt)
    audio_retention_days: int = 0  # 0: audio is not kept beyond what sync needs (LGPD)

    def __post_init__(self) -> None:
        if not self.kiosk_id or len(self.kiosk_id) > 32:
            raise ConfigError("kiosk_id deve ter de 1 a 32 caracteres")
        if not 0 <= self.audio_retention_days <= 3650:
            raise ConfigError("audio_retention_days deve estar entre 0 e 3650")
        digits = "".join(c for c in self.employer_id if c.isdigit())
        if self.employer_id and len(digits) not in (11, 14):
            raise ConfigError("employer_id deve ser um CNPJ (14 dígitos) ou um CPF (11 dígitos)")
        if len("".join(c for c in self.cno_caepf if c.isdigit())) > 14:
            raise ConfigError("cno_caepf deve ter no máximo 14 dígitos")

    @classmethod
    def from_section(cls, data: Mapping[str, Any]) -> LedgerSettings:
        """From the ``ledger`` section of the settings file (unknown keys ignored)."""
        return from_sources(cls, data, what="registro de ponto")

    @classmethod
    def load(cls, settings_file: Path | None = None) -> LedgerSettings:
        return cls.from_section(settings.section("ledger", settings_file))
