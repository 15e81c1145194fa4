"""The kiosk's sync: the background ``app.sync.SyncWorker`` and its queue on the idle screen.

The worker is a plain thread (not Qt); ``KioskSync.apply`` starts it when sync is on in the
settings and stops it on exit or when an admin turns it off. The idle screen shows the queue
length discreetly.
"""

from __future__ import annotations

import logging

from app.core.errors import PontoVozError
from app.sync.central import CentralSection, CentralSync
from app.sync.worker import SyncWorker

log = logging.getLogger(__name__)


def status_text(pending: int) -> str:
    if pending == 0:
        return "Sincronização: em dia"
    return f"Sincronização: {pending} pendente" + ("s" if pending != 1 else "")


class KioskSync:
    def __init__(self, idle) -> None:
        self.idle = idle
        self.worker: SyncWorker | None = None
        self.central: CentralSync | None = None

    def apply(self, settings, ledger) -> None:
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
        (``python -m app central join``); it runs beside the cloud worker, on its own thread."""
        try:
            section = CentralSection.load()
            if section.enabled and ledger is not None:
                self.central = CentralSync(ledger, section)
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
