"""The thread both sync workers (cloud and Central) run on: start, wake, stop.

A subclass implements ``_loop`` (which waits on ``self._wake`` between passes and returns when
``self._stop`` is set) and ``_close`` for what it must release after the thread ends.
"""

from __future__ import annotations

import random
import threading

_MAX_DOUBLINGS = 40  # 2**40 s is past any cap: bounding the exponent keeps the float finite


def backoff_s(failures: int, base_s: float, max_s: float, rng: random.Random) -> float:
    """Exponential backoff capped at any failure count, with "equal jitter" (between half and
    all of it). ``2.0 ** 1024`` overflows a float, so the exponent is bounded first."""
    doublings = min(max(0, int(failures) - 1), _MAX_DOUBLINGS)
    raw = min(max_s, base_s * 2.0**doublings)
    return raw * (0.5 + 0.5 * rng.random())


class BackgroundWorker:
    thread_name = "pontovoz-sync"

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Cut the current wait short (a punch was just recorded, the settings changed)."""
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout_s)
        self._close()

    def _loop(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        """Release what the worker holds (its HTTP client) once the thread has ended."""
