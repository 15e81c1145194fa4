"""The window's sync side: the background ``app.sync.SyncWorker`` and its queue on idle.

The worker is a plain thread (not Qt); it starts when sync is on in the settings and stops on
exit or when an admin turns it off. The idle screen shows the queue length discreetly.
"""

from __future__ import annotations

import logging

from app.core.errors import PontoVozError
from app.sync.worker import SyncWorker

log = logging.getLogger(__name__)


def apply(win) -> None:
    """(Re)start or stop the worker to match ``win.settings`` (after load or an admin save)."""
    stop(win)
    config = win.settings.sync_config()
    if not config.enabled or win.ledger is None:
        win.idle.set_sync("")
        return
    win.sync_worker = SyncWorker(win.ledger, config)
    win.sync_worker.start()
    refresh(win)


def stop(win) -> None:
    worker, win.sync_worker = win.sync_worker, None
    if worker is not None:
        worker.stop()


def status_text(pending: int) -> str:
    if pending == 0:
        return "Sincronização: em dia"
    return f"Sincronização: {pending} pendente" + ("s" if pending != 1 else "")


def refresh(win) -> None:
    if win.sync_worker is None:
        win.idle.set_sync("")
        return
    try:
        status = win.sync_worker.status()
        text = status_text(status.pending)
        if status.config_error:  # 401/403: the admin must fix the URL or token
            text = "Sincronização: erro de configuração (avise o administrador)"
    except PontoVozError as exc:  # a busy database: say so, try again on the next tick
        log.warning("sync queue length: %s", exc)
        text = "Sincronização: fila indisponível"
    win.idle.set_sync(text)
