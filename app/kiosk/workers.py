"""Background workers (QObjects moved onto QThreads their owners start; signals only)."""

from __future__ import annotations

import logging
import threading
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
    """Runs ``verify(samples, phrase)`` off the GUI thread (the kiosk passes
    ``PunchService.verify_attempt``: the same path as ``python -m app punch``).

    Only job ids cross threads in signals; the audio and the results wait in locked dicts, so
    no Python object is marshalled by Qt between threads.
    """

    done = Signal(int)  # job id: fetch the VerifyResult with take(job)
    failed = Signal(int, str)  # job id, message (pt-BR)
    _wake = Signal(int)

    def __init__(self, verify: Callable) -> None:
        super().__init__()
        self._verify = verify
        self._lock = threading.Lock()
        self._jobs: dict[int, tuple] = {}
        self._results: dict[int, object] = {}
        self._wake.connect(self._run)

    def submit(self, job: int, samples, expected) -> None:
        """Called from the GUI thread."""
        with self._lock:
            self._jobs[job] = (samples, expected)
        self._wake.emit(job)

    def take(self, job: int):
        with self._lock:
            return self._results.pop(job, None)

    @Slot(int)
    def _run(self, job: int) -> None:
        with self._lock:
            samples, expected = self._jobs.pop(job)
        try:
            result = self._verify(samples, expected)
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
            with self._lock:
                self._results[job] = result
            self.done.emit(job)


class BackgroundCall(QObject):
    """Runs one slow call at a time off the GUI thread (a Central enrolment waits on the
    network, up to the client's timeout when Central does not answer); ``finished`` then
    fires on the GUI thread and ``take()`` gives ``(value, None)`` or ``(None, exception)``."""

    finished = Signal()
    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._call: Callable[[], object] | None = None
        self._outcome: tuple[object, BaseException | None] = (None, None)
        self._wake.connect(self._run)

    def submit(self, call: Callable[[], object]) -> None:
        """Called from the GUI thread."""
        with self._lock:
            self._call = call
        self._wake.emit()

    def take(self) -> tuple[object, BaseException | None]:
        with self._lock:
            return self._outcome

    @Slot()
    def _run(self) -> None:
        with self._lock:
            call, self._call = self._call, None
        if call is None:
            return
        try:
            outcome: tuple[object, BaseException | None] = (call(), None)
        except Exception as exc:  # handed back to the GUI thread, which words it
            outcome = (None, exc)
        with self._lock:
            self._outcome = outcome
        self.finished.emit()


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
