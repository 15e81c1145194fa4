"""The verifier's life in the kiosk: built from the engine settings, loaded in the background,
and run by one ``VerifyWorker`` on its own QThread (``PunchService.verify_attempt``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.phrase import Phrase
from app.core.result import VerifyResult
from app.kiosk.workers import ModelLoader, VerifyWorker, model_message, start_worker, stop_thread

if TYPE_CHECKING:  # a type only: the punch service is built by app.Kiosk, not imported here
    from app.punch.service import PunchService

log = logging.getLogger(__name__)


def default_verifier(options):
    """The real verifier (imported here, on first use: faster_whisper is heavy)."""
    from app.core.verifier import Verifier

    return Verifier(options)


class Engine(QObject):
    """The model is loaded on the verifier's own long-lived thread, the one that then runs every
    verification: loaded on a thread that ends (the old ModelLoader thread) and used on another,
    each verify took 11-35 s instead of 0.5 s here (CTranslate2's per-thread state is gone with
    the loading thread), a slowdown the tests never saw because their model comes preloaded."""

    changed = Signal()  # state is now loading | ready | failed
    _load = Signal()

    def __init__(self, verifier_factory: Callable = default_verifier, verifier=None) -> None:
        super().__init__()
        self.factory = verifier_factory
        self.verifier = verifier
        self.state, self.error = "loading", ""
        self.load_seconds = 0.0
        self.ready_at: float | None = None
        # set by app.Kiosk: the PunchService for the current settings
        self.service: PunchService | None = None
        self.worker = VerifyWorker(self._verify)
        self._thread: QThread = start_worker(self.worker, "verifier")
        self._loader: ModelLoader | None = None
        self._loading = None  # the verifier the current loader loads (or loaded)

    def _verify(self, samples: np.ndarray, phrase: Phrase) -> VerifyResult:  # verifier thread
        if self.service is None:  # no ledger open: the kiosk shows why, nothing is verified
            raise RuntimeError("registro de ponto indisponível")  # "Erro ao verificar a voz: ..."
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

    @property
    def started(self) -> bool:
        """A load of the current verifier is under way or done (the kiosk's launcher starts it
        before the window is built, so the model loads while the rest starts)."""
        return self.verifier is not None and self._loading is self.verifier

    def load(self) -> None:
        if self.started and self.state != "failed":
            self.changed.emit()  # already loading (or loaded): say where it stands
            return
        self._loading = self.verifier
        self.state, self.error = "loading", ""
        self.changed.emit()
        if self._loader is not None:
            self._load.disconnect(self._loader.run)
        loader = ModelLoader(self.verifier)
        loader.loaded.connect(self._loaded)
        loader.failed.connect(self._failed)
        loader.moveToThread(self._thread)  # the verifier's thread: see the class docstring
        self._load.connect(loader.run)
        self._loader = loader
        self._load.emit()

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
        stop_thread(self._thread)
