"""The verifier's life in the kiosk: built from the engine settings, loaded in the background,
and run by one ``VerifyWorker`` on its own QThread (``PunchService.verify_attempt``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.kiosk.workers import ModelLoader, VerifyWorker, model_message, start_worker, stop_thread

log = logging.getLogger(__name__)


class Engine(QObject):
    changed = Signal()  # state is now loading | ready | failed

    def __init__(self, verifier_factory: Callable, verifier=None) -> None:
        super().__init__()
        self.factory = verifier_factory
        self.verifier = verifier
        self.state, self.error = "loading", ""
        self.load_seconds = 0.0
        self.ready_at: float | None = None
        self.service = None  # set by the window: PunchService for the current settings
        self.worker = VerifyWorker(self._verify)
        self._threads: list[QThread] = [start_worker(self.worker, "verifier")]
        self._loader: ModelLoader | None = None

    def _verify(self, samples, phrase):  # on the verifier thread
        return self.service.verify_attempt(samples, phrase)

    def build(self, options) -> bool:
        """A verifier for ``options`` unless one is there; False (and failed) if it cannot."""
        if self.verifier is not None:
            return True
        try:
            self.verifier = self.factory(options)
        except Exception as exc:
            self._failed(model_message(exc))
            return False
        return True

    def reset(self) -> None:
        """Forget the verifier: the engine settings changed."""
        self.verifier = None

    def load(self) -> None:
        self.state, self.error = "loading", ""
        self.changed.emit()
        loader = ModelLoader(self.verifier)
        loader.loaded.connect(self._loaded)
        loader.failed.connect(self._failed)
        thread = start_worker(loader, "model-loader", loader.run)
        loader.loaded.connect(thread.quit)
        loader.failed.connect(thread.quit)
        self._loader = loader
        self._threads.append(thread)  # kept until shutdown: a QThread must outlive its run

    @Slot(float)
    def _loaded(self, seconds: float) -> None:
        self.state, self.load_seconds, self.ready_at = "ready", seconds, time.perf_counter()
        log.info("model ready in %.2f s", seconds)
        self.changed.emit()

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.state, self.error = "failed", message
        self.changed.emit()

    def shutdown(self) -> None:
        for t in self._threads:
            stop_thread(t)
