"""Reading a request body within bounds, shared by both servers (the Speech API and Central).

Each server used to carry its own copy of the same four ideas; they live here once:

1. ``declared_length``: a ``Content-Length`` is checked against the limit before any body byte is
   read (a missing one means chunked: the body is then counted while it is read);
2. ``read_bounded``: the body is read chunk by chunk and counted, so a chunked body is cut as soon
   as it passes the limit;
3. ``BodyTiming``: a body must arrive within a timeout and, after a grace period, at a minimum
   average rate (a client trickling its body must not hold memory or a slot for the whole timeout);
4. ``MemoryBudget``: the memory all admitted bodies may take at once.

Only the facts are decided here; each server turns the errors below into its own status codes,
pt-BR messages and headers. Standard library only: no HTTP framework, no server of ours.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

#: An ASGI ``receive`` callable (structurally Starlette's ``Receive``, without importing it).
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class BodyRefused(Exception):
    """A body the server will not read (whole); the subclass says why."""


class BadLength(BodyRefused):
    """The ``Content-Length`` header is not a number."""

    def __init__(self, raw: str) -> None:
        super().__init__(f"Content-Length is not a number: {raw[:40]!r}")
        self.raw = raw


class TooLarge(BodyRefused):
    """The body is (``declared``) or has become (counted) larger than ``limit`` bytes."""

    def __init__(self, size: int, limit: int, declared: bool) -> None:
        super().__init__(f"body of {size} bytes over the limit of {limit} bytes")
        self.size = size
        self.limit = limit
        self.declared = declared


class TooSlow(BodyRefused):
    """``received`` bytes came in ``waited`` seconds: under the minimum rate (``by_rate``) or past
    the overall timeout."""

    def __init__(self, received: int, waited: float, by_rate: bool) -> None:
        super().__init__(f"{received} bytes in {waited:.1f} s")
        self.received = received
        self.waited = waited
        self.by_rate = by_rate


class Disconnected(BodyRefused):
    """The client went away before its body ended."""


def declared_length(raw: str | None, limit: int) -> int | None:
    """The declared size, None when there is none (chunked), or BadLength / TooLarge."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise BadLength(raw)
    size = int(raw[:20])  # 20 digits are past any limit; int() of a huge string is not free
    if size > limit:
        raise TooLarge(size, limit, declared=True)
    return size


@dataclass(frozen=True)
class BodyTiming:
    """How long a body may take: ``timeout_s`` in all, and after ``grace_s`` seconds it must
    average at least ``min_rate`` bytes/s (0 turns the rate rule off)."""

    timeout_s: float
    min_rate: float = 0.0
    grace_s: float = 5.0

    def allowed(self, received: int) -> float:
        """Seconds since the start the body may take to deliver its next byte."""
        if self.min_rate <= 0:
            return self.timeout_s
        return min(self.timeout_s, max(self.grace_s, (received + 1) / self.min_rate))


async def read_bounded(chunks: AsyncIterator[bytes], limit: int, timing: BodyTiming) -> bytes:
    """The whole body from ``chunks``, or TooLarge as soon as it passes ``limit`` bytes, or
    TooSlow. Holds at most ``limit`` bytes (plus one chunk) whatever the client sends."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    parts: list[bytes] = []
    size = 0
    while True:
        allowed = timing.allowed(size)
        try:
            # anext() with a default: the end of the body is no exception. One raised inside
            # wait_for's task is a reference cycle (task, exception, traceback, this frame) that
            # kept ``parts`` alive until the garbage collector ran: +20 MB at Central's peak.
            chunk = await asyncio.wait_for(anext(chunks, None), start + allowed - loop.time())
        except TimeoutError:
            parts.clear()  # the same cycle holds this frame; the body is not needed any more
            raise TooSlow(size, allowed, by_rate=allowed < timing.timeout_s) from None
        except BaseException:
            parts.clear()  # a disconnect or a cancellation: same cycle, same reason
            raise
        if chunk is None:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            parts.clear()
            raise TooLarge(size, limit, declared=False)
        parts.append(chunk)


async def asgi_chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The body chunks of an ASGI request; Disconnected if the client leaves before the end."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected("the client disconnected before the end of its body")
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


class MemoryBudget:
    """Bytes reserved by the bodies admitted and not yet done (thread-safe, no asyncio state, so
    one budget serves any event loop). The first reservation is always granted, so a lone body
    of any admitted size gets through; the next ones only while they fit in ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.holders = 0
        self._lock = threading.Lock()

    def take(self, n: int) -> bool:
        """Reserve ``n`` bytes; False (nothing reserved) when they do not fit."""
        with self._lock:
            if self.holders and self.used + n > self.limit:
                return False
            self.used += n
            self.holders += 1
            return True

    def give(self, n: int) -> None:
        """Give back what one ``take(n)`` reserved."""
        with self._lock:
            self.used -= n
            self.holders -= 1
