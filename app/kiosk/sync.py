"""The kiosk's sync: the background ``app.sync.SyncWorker`` and its queue on the idle screen.

The worker is a plain thread (not Qt); ``KioskSync.apply`` starts it when sync is on in the
settings and stops it on exit or when an admin turns it off. The idle screen shows the queue
length discreetly, and warns when this kiosk's clock differs from its Central's by more than
``CLOCK_LIMIT_S``. ``central_status`` words the Central tab of the admin screen.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Protocol

from app.core.errors import PontoVozError
from app.kiosk.settings import KioskSettings
from app.store.ledger import Ledger
from app.sync.central import CentralSync
from app.sync.central_settings import CentralSection, idle_notice
from app.sync.worker import SyncWorker

log = logging.getLogger(__name__)


def status_text(pending: int) -> str:
    if pending == 0:
        return "Sincronização: em dia"
    return f"Sincronização: {pending} pendente" + ("s" if pending != 1 else "")


CLOCK_LIMIT_S = 30.0  # an offset beyond this is shown to the admin (docs/CENTRAL.md)


def _seconds(offset: float) -> str:
    n = round(abs(offset))
    return f"{n} s" if n < 120 else f"{n // 60} min {n % 60} s"


def clock_notice(section: CentralSection) -> str:
    """The idle screen's warnings about Central: the kiosk clock more than 30 s off Central's,
    and a failed sync or a divergence between this ledger and Central (``idle_notice``)."""
    lines = [idle_notice(section)]
    off = section.clock_offset_s
    if section.enabled and off is not None and abs(off) > CLOCK_LIMIT_S:
        way = "adiantado" if off > 0 else "atrasado"
        lines.insert(
            0,
            f"Relógio do terminal {_seconds(off)} {way} em relação à Central"
            " (avise o administrador)",
        )
    return "\n".join(line for line in lines if line)


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return stamp


def central_status(section: CentralSection) -> list[str]:
    """What the admin reads on the Central tab (pt-BR)."""
    if not section.enabled:
        return ["Este terminal não está ligado a uma Central."]
    lines = [
        f"Ligado à Central como “{section.name or section.kiosk}”",
        f"Endereço: {section.url}",
        "Última sincronização: "
        + (_when(section.last_sync_at) if section.last_sync_at else "ainda não houve"),
    ]
    off = section.clock_offset_s
    if off is None:
        lines.append("Diferença de relógio: desconhecida")
    else:
        way = "adiantado" if off > 0 else "atrasado"
        text = f"{_seconds(off)} ({way})" if round(abs(off)) else "menos de 1 s"
        warn = " — acima de 30 s, acerte o relógio" if abs(off) > CLOCK_LIMIT_S else ""
        lines.append(f"Diferença de relógio: {text}{warn}")
    if section.rep_number:
        lines.insert(1, f"REP nº {section.rep_number:02d} na Central")
    lines.append("Último erro: " + (section.last_error or "nenhum"))
    return lines


class SyncLine(Protocol):
    """Where the queue length is shown (the idle screen's small sync line)."""

    def set_sync(self, text: str) -> None: ...


class KioskSync:
    def __init__(self, idle: SyncLine, settings_file: Path | None = None) -> None:
        self.idle = idle
        self.settings_file = settings_file  # None: the default settings.json
        self.worker: SyncWorker | None = None
        self.central: CentralSync | None = None

    def apply(self, settings: KioskSettings, ledger: Ledger | None) -> None:
        """(Re)start or stop the workers to match ``settings`` (after load or an admin save)."""
        self.stop()
        self._apply_central(ledger)
        config = settings.sync_config()
        if not config.enabled or ledger is None:
            self.idle.set_sync("")
            return
        self.worker = SyncWorker(ledger, config)
        self.worker.start()
        self.refresh()

    def _apply_central(self, ledger) -> None:
        """Start the PontoVoz Central sync (punches up, roster down) when this kiosk joined one
        (``python -m app central join`` or the admin's Central tab); it runs beside the cloud
        worker, on its own thread."""
        try:
            section = CentralSection.load(self.settings_file)
            if section.enabled and ledger is not None:
                self.central = CentralSync(ledger, section, settings_file=self.settings_file)
                self.central.start()
        except PontoVozError as exc:  # a bad section must not stop the kiosk from punching
            log.warning("central sync not started: %s", exc)

    def wake(self) -> None:
        for worker in (self.worker, self.central):
            if worker is not None:
                worker.wake()

    def stop(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
        central, self.central = self.central, None
        if central is not None:
            central.stop()

    def refresh(self) -> None:
        if self.worker is None:
            self.idle.set_sync("")
            return
        try:
            status = self.worker.status()
            text = status_text(status.pending)
            if status.config_error:  # 401/403: the admin must fix the URL or token
                text = "Sincronização: erro de configuração (avise o administrador)"
        except PontoVozError as exc:  # a busy database: say so, try again on the next tick
            log.warning("sync queue length: %s", exc)
            text = "Sincronização: fila indisponível"
        self.idle.set_sync(text)

    def central_section(self) -> CentralSection:
        """The Central status as last saved (the running sync writes it after each pass)."""
        try:
            return CentralSection.load(self.settings_file)
        except (PontoVozError, OSError) as exc:
            log.warning("central section unreadable: %s", exc)
            return CentralSection()
