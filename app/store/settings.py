"""Ledger settings: who the employer is, which kiosk this is, how long audio is kept.

Read from the ``ledger`` section of ``settings.json`` in the config dir (the kiosk's admin
screen writes it), e.g.::

    {"ledger": {"kiosk_id": "01", "employer_name": "ACME Ltda", "employer_id": "11222333000181",
                "place": "Rua X, 100 - São Paulo/SP", "rep_id": "", "audio_retention_days": 0,
                "time_zone": "America/Manaus", "responsible_cpf": "52998224725"}}

``time_zone`` is the kiosk's IANA zone: every time the ledger stamps (punch, recording, events)
carries that zone's UTC offset, whatever zone the kiosk's process runs in (docs/COMPLIANCE.md).
``responsible_cpf`` is the person who answers for the REP's records: it goes into AFD types 2,
4 and 5 when no other person was identified for a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app import settings
from app.core.coerce import from_sources
from app.core.errors import ConfigError

DEFAULT_TIME_ZONE = "America/Sao_Paulo"


def zone_or_error(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. America/Manaus); a pt-BR ConfigError when unknown."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError(
            f"fuso horário desconhecido {name!r}: use um nome IANA como America/Sao_Paulo, "
            "America/Manaus, America/Cuiaba ou America/Rio_Branco"
        ) from None


def cpf_ok(digits: str) -> bool:
    """11 digits, not all equal, with both check digits right."""
    if len(digits) != 11 or not digits.isdigit() or digits == digits[0] * 11:
        return False
    for size in (9, 10):
        rest = sum(int(d) * (size + 1 - i) for i, d in enumerate(digits[:size])) % 11
        if (0 if rest < 2 else 11 - rest) != int(digits[size]):
            return False
    return True


@dataclass(frozen=True)
class LedgerSettings:
    kiosk_id: str = "01"  # NSR sequences are per kiosk
    employer_name: str = ""
    employer_id: str = ""  # CNPJ (14 digits) or CPF (11 digits) of the employer
    cno_caepf: str = ""  # CNO or CAEPF of the employer, when it has one (AFD types 1, 2)
    place: str = ""  # where the work is done (receipt)
    rep_id: str = ""  # REP-P INPI registration number (AFD header, receipt)
    audio_retention_days: int = 0  # 0: audio is not kept beyond what sync needs (LGPD)
    time_zone: str = DEFAULT_TIME_ZONE  # IANA zone of the kiosk: the offset of every stamp
    responsible_cpf: str = ""  # who answers for the REP (AFD types 2, 4, 5); 11 digits

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
        zone_or_error(self.time_zone)
        cpf = "".join(c for c in self.responsible_cpf if c.isdigit())
        if self.responsible_cpf and not cpf_ok(cpf):
            raise ConfigError(
                "responsible_cpf deve ser o CPF (11 dígitos, dígitos verificadores corretos) "
                "do responsável pelo REP"
            )

    @property
    def zone(self) -> ZoneInfo:
        return zone_or_error(self.time_zone)

    def local(self, dt: datetime) -> datetime:
        """``dt`` in the kiosk's zone. A naive time is the kiosk's wall clock, read in its own
        zone (not the process's: a kiosk whose OS runs in UTC still stamps São Paulo time)."""
        return dt.replace(tzinfo=self.zone) if dt.tzinfo is None else dt.astimezone(self.zone)

    @property
    def responsible(self) -> str:
        """The responsible person's CPF as 11 digits ("" when not configured)."""
        return "".join(c for c in self.responsible_cpf if c.isdigit())

    @classmethod
    def from_section(cls, data: Mapping[str, Any]) -> LedgerSettings:
        """From the ``ledger`` section of the settings file (unknown keys ignored)."""
        return from_sources(cls, data, what="registro de ponto")

    @classmethod
    def load(cls, settings_file: Path | None = None) -> LedgerSettings:
        return cls.from_section(settings.section("ledger", settings_file))
