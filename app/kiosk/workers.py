"""Background workers (QObjects moved onto QThreads the window owns; signals only)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.errors import AudioError, ConfigError, ModelError, PhraseError

log = logging.getLogger(__name__)


def model_message(exc: BaseException) -> str:
    if isinstance(exc, ModelError | ConfigError):
        return (
            "O modelo de voz está ausente ou corrompido. Peça ao administrador para "
            f"reinstalar o PontoVoz ou corrigir a pasta do modelo.\n({exc})"
        )
    return f"Não foi possível carregar o modelo de voz.\n({type(exc).__name__}: {exc})"


class ModelLoader(QObject):
    """Loads the verifier once, in the background."""

    loaded = Signal(float)  # seconds
    failed = Signal(str)

    def __init__(self, verifier) -> None:
        super().__init__()
        self._verifier = verifier

    @Slot()
    def run(self) -> None:
        start = time.perf_counter()
        try:
            self._verifier.load()
        except Exception as exc:  # ctranslate2 raises RuntimeError on a corrupt model.bin
            log.exception("model load failed")
            self.failed.emit(model_message(exc))
            return
        self.loaded.emit(time.perf_counter() - start)


class VerifyWorker(QObject):
    """Runs ``verifier.verify`` off the GUI thread; one job at a time, identified by job id."""

    done = Signal(int, object)  # job id, VerifyResult
    failed = Signal(int, str)  # job id, message (pt-BR)

    def __init__(self, verifier) -> None:
        super().__init__()
        self._verifier = verifier

    @Slot(int, object, str)
    def verify(self, job: int, samples, expected: str) -> None:
        try:
            result = self._verifier.verify(samples, expected)
        except AudioError as exc:
            self.failed.emit(job, f"Áudio inválido: {exc}")
        except PhraseError as exc:
            self.failed.emit(job, f"Frase inválida: {exc}")
        except ModelError as exc:
            self.failed.emit(job, model_message(exc))
        except Exception as exc:
            log.exception("verify failed")
            self.failed.emit(job, f"Erro ao verificar a voz: {exc}")
        else:
            self.done.emit(job, result)


def start_worker(worker: QObject, name: str, run: Callable | None = None) -> QThread:
    """Move ``worker`` onto a new started QThread (``run`` connected to ``started``)."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    if run is not None:
        thread.started.connect(run)
    thread.start()
    return thread


def stop_thread(thread: QThread | None, timeout_ms: int = 10000) -> None:
    if thread is not None and thread.isRunning():
        thread.quit()
        thread.wait(timeout_ms)
