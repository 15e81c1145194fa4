"""Rate-limited logging for what an attacker can repeat at will.

When the process runs out of file descriptors, asyncio's accept loop (CPython 3.11) logs
"socket.accept() out of system resource" with a traceback once per pending connection, up to
the listen backlog, every second: we measured 132 MB of log in ~20 s. uvicorn logs one
warning per malformed request. This filter lets the first few of each kind through, drops
the rest for a while, then says how many were dropped. Installed by the entry points
(``serve``, the Lambda handler), never at import time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

#: Loggers whose records an outsider can trigger in bulk.
GUARDED = ("asyncio", "uvicorn.error")


class RateLimitFilter(logging.Filter):
    """At most ``burst`` records per message template every ``period`` seconds."""

    def __init__(
        self, burst: int = 5, period: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        super().__init__()
        self.burst = burst
        self.period = period
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # template -> (start, count)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.CRITICAL:
            return True
        key = f"{record.name}:{str(record.msg)[:80]}"  # the template, or asyncio's first line
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.period:
                dropped = count - self.burst
                start, count = now, 0
                if dropped > 0:
                    record.msg = f"{record.msg} [{dropped} similar messages dropped before this]"
            count += 1
            self._windows[key] = (start, count)
            if len(self._windows) > 1000:  # bounded memory whatever the attacker varies
                self._windows.clear()
        return count <= self.burst


_installed: RateLimitFilter | None = None


def install(burst: int = 5, period: float = 60.0) -> RateLimitFilter:
    """Attach one shared filter to the guarded loggers (idempotent)."""
    global _installed
    if _installed is None:
        _installed = RateLimitFilter(burst, period)
        for name in GUARDED:
            logging.getLogger(name).addFilter(_installed)
    return _installed
