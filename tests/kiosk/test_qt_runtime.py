"""The Qt binding itself must not corrupt refcounts: PySide6 6.12.0 decrefs True on every
signal emission under Python 3.11, and the kiosk aborted after a few hundred punches
("bool_dealloc: deallocating True or False"). pyproject pins it below 6.12."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal, Slot


class _Emitter(QObject):
    bare = Signal()
    value = Signal(object)


class _Receiver(QObject):
    @Slot()
    def on_bare(self) -> None:
        pass

    @Slot(object)
    def on_value(self, value) -> None:
        pass


def test_signal_emission_keeps_refcounts_of_singletons(qapp):
    emitter, receiver = _Emitter(), _Receiver()
    emitter.bare.connect(receiver.on_bare)
    emitter.value.connect(receiver.on_value)
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    for _ in range(500):
        emitter.bare.emit()
        emitter.value.emit(None)
    after = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=True)), (before, after)
