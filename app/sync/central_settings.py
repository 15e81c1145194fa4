"""The ``central`` section of settings.json: this kiosk's credential for Central and the status
the last sync pass left (offset to Central's clock, heads, last error), with the idle screen's
line about it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from app import settings as app_settings
from app.core.coerce import from_sources

SECTION = "central"


@dataclass(frozen=True)
class CentralSection:
    """The ``central`` section of settings.json (credential and last status)."""

    url: str = ""
    token: str = ""
    kiosk: int = 0  # Central's id for this kiosk
    name: str = ""
    batch_size: int = 200
    timeout_s: float = 10.0
    poll_interval_s: float = 30.0
    # status, written by the sync
    last_sync_at: str = ""
    clock_offset_s: float | None = None  # kiosk clock minus Central's, seconds
    central_head_nsr: int = 0
    roster_version: str = ""
    last_error: str = ""
    # identity given at join, and what the last pass found wrong with the chains
    rep_number: int = 0  # Central's number for this kiosk (its REP there)
    ledger_kiosk_id: str = ""  # the ledger's kiosk_id when it joined
    employees_sent: str = ""  # fingerprint of the employee list Central last took from us
    problem: str = ""  # divergence or conflict found on the last pass (pt-BR); "" when none
    # the ledger head and key fingerprint Central last took (app.store.alerts; docs/SECURITY.md)
    anchored_nsr: int = 0
    anchored_hash: str = ""
    anchored_key: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.token)

    @classmethod
    def load(cls, settings_file: Path | None = None) -> CentralSection:
        return from_sources(cls, app_settings.section(SECTION, settings_file), what="Central")

    def save(self, settings_file: Path | None = None) -> None:
        """Rewrite only our section (atomic; the file holds a credential: mode 0600)."""
        app_settings.write_sections({SECTION: asdict(self)}, settings_file)


def idle_notice(section: CentralSection) -> str:
    """The idle screen's line about Central (pt-BR): a divergence, a conflict or any failed
    sync; empty when the last pass went well. Punches are never lost either way."""
    if not section.enabled:
        return ""
    if section.problem:
        return "Central: divergência nos registros (avise o administrador)"
    if section.last_error:
        return "Central: sincronização com falha; as marcações ficam guardadas neste terminal"
    return ""
