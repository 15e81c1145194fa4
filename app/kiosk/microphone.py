"""The one recorder, shared by the punch flow and the microphone test.

``Microphone`` owns the ``RecorderWorker`` (on its QThread) and routes each recording's outcome
to whoever asked for it (a ``RecordingOwner``); an outcome that answers an earlier request (e.g.
the stop after an early verdict landing once the next punch has started) is dropped here, so
controllers never count requests themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QThread, Slot

from app.kiosk.recorder import (
    AudioSource,
    MicError,
    RecorderWorker,
    Recording,
    RecordLimits,
    Snapshot,
)
from app.kiosk.settings import KioskSection
from app.kiosk.workers import start_worker, stop_thread


class RecordingOwner(Protocol):
    def on_level(self, value: float) -> None: ...
    def on_early(self, seq: int) -> None: ...
    def on_recorded(self, rec: Recording) -> None: ...
    def on_record_failed(self, message: str) -> None: ...
    def on_record_cancelled(self) -> None: ...


class Microphone(QObject):
    def __init__(self, source_factory: Callable[..., AudioSource]) -> None:
        super().__init__()
        self.source_factory = source_factory
        self.recorder = RecorderWorker()
        self.recorder.level.connect(self._level)
        self.recorder.early.connect(self._early)
        self.recorder.finished.connect(self._finished)
        self.recorder.failed.connect(self._failed)
        self.recorder.cancelled.connect(self._cancelled)
        self._thread: QThread | None = start_worker(self.recorder, "recorder")
        self._owner: RecordingOwner | None = None
        self._asked = self._done = 0

    def record(self, owner: RecordingOwner, section: KioskSection, limits: RecordLimits) -> None:
        """Start one recording from the source the factory builds for ``section``."""
        self._owner = owner
        self._asked += 1
        self.recorder.start(self.source_factory(section), limits)

    def arm(self, section: KioskSection, seconds: float) -> None:
        """Open the microphone for ``section`` now and keep its last ``seconds``: the next
        ``record`` with the same source starts with the speech already under way."""
        try:
            source = self.source_factory(section)
        except Exception:  # no source now: the recording reports it
            return
        if source is not None and seconds > 0:
            self.recorder.arm(source, seconds)

    def disarm(self) -> None:
        self.recorder.disarm()

    @property
    def busy(self) -> bool:
        return self._asked != self._done

    def current(self, owner: RecordingOwner) -> bool:
        """True while ``owner``'s recording is the one running."""
        return self._owner is owner and self._asked - self._done == 1

    def check(self, section: KioskSection) -> str:
        """'' if the configured microphone is there, else a pt-BR reason (no stream opened)."""
        try:
            check = getattr(self.source_factory(section), "check", None)
            if check is not None:
                check()
        except MicError as exc:
            return str(exc)
        except Exception as exc:  # a driver's own error: still a line on the idle screen
            return f"Erro no microfone: {exc}."
        return ""

    # pass-throughs for the owner of the current recording
    def cancel(self) -> None:
        self.recorder.cancel()

    def stop_now(self) -> None:
        self.recorder.stop_now()

    def take_early(self, seq: int) -> Snapshot | None:
        return self.recorder.take_early(seq)

    def judge(self, seq: int, incomplete: bool) -> None:
        self.recorder.judge(seq, incomplete)

    def speculation_valid(self, seq: int) -> bool:
        return self.recorder.speculation_valid(seq)

    # Worker signals land on these bound slots (GUI thread), then go to the owner.

    def _settle(self) -> RecordingOwner | None:
        """Count one outcome; the owner if it answers the latest request, else None."""
        self._done += 1
        return self._owner if self._done == self._asked else None

    @Slot(float)
    def _level(self, value: float) -> None:
        if self._owner is not None and self.busy:
            self._owner.on_level(value)

    @Slot(int)
    def _early(self, seq: int) -> None:
        if self._owner is not None and self._asked - self._done == 1:
            self._owner.on_early(seq)
        else:
            self.recorder.judge(seq, False)  # nobody reads it: do not hold the stop

    @Slot()
    def _finished(self) -> None:
        rec = self.recorder.take()
        owner = self._settle()
        if owner is not None and rec is not None:
            owner.on_recorded(rec)

    @Slot(str)
    def _failed(self, message: str) -> None:
        owner = self._settle()
        if owner is not None:
            owner.on_record_failed(message)

    @Slot()
    def _cancelled(self) -> None:
        owner = self._settle()
        if owner is not None:
            owner.on_record_cancelled()

    def shutdown(self) -> None:
        self.recorder.cancel()
        stop_thread(self._thread)
        self._thread = None
