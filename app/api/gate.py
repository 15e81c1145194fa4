"""A bounded queue in front of the verifier.

The verifier is CPU bound and synchronous, so it runs on a small thread pool of its own (never on
the event loop, never on the 40-thread pool Starlette uses for sync routes). At most
``concurrency + max_queue`` requests are admitted; the rest get 503 at once, and an admitted one
that waits longer than ``max_wait`` for a slot gets 503 instead of running late. Both carry a
Retry-After estimated from recent service times.

No asyncio primitives are kept between calls, so one gate serves any event loop (uvicorn's, or
the fresh one Mangum drives per Lambda invocation).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from app.api.errors import Overloaded

T = TypeVar("T")


class Gate:
    def __init__(self, concurrency: int, max_queue: int, max_wait: float):
        self.concurrency = max(1, concurrency)
        self.max_queue = max(0, max_queue)
        self.max_wait = max_wait
        self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="pontovoz-verify")
        self._lock = threading.Lock()
        self._pending = 0  # admitted and not finished (waiting + running)
        self._service = 0.5  # moving average of seconds per job

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def limit(self) -> int:
        return self.concurrency + self.max_queue

    def retry_after(self) -> float:
        return self._service * (self._pending / self.concurrency + 1)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on a verifier thread; raise Overloaded when the queue is full."""
        with self._lock:
            if self._pending >= self.limit:
                raise Overloaded(
                    f"the server is busy ({self._pending} requests in progress); retry later",
                    self.retry_after(),
                )
            self._pending += 1
        deadline = time.monotonic() + self.max_wait
        try:
            future = self._executor.submit(self._job, deadline, fn, *args)
        except RuntimeError:  # executor shut down (the server is stopping)
            self._release()
            raise Overloaded("the server is shutting down; retry later", 5.0) from None
        future.add_done_callback(self._done)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()  # a queued job of a client that went away never runs
            raise

    def _job(self, deadline: float, fn: Callable[..., T], *args: Any) -> T:
        if time.monotonic() > deadline:
            raise Overloaded(
                f"the server is busy (waited {self.max_wait:g} s for a free worker); retry later",
                self.retry_after(),
            )
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            spent = time.perf_counter() - start
            with self._lock:
                self._service = 0.8 * self._service + 0.2 * spent

    def _done(self, future: Future) -> None:
        self._release()

    def _release(self) -> None:
        with self._lock:
            self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
