"""Admission control and a bounded queue in front of the verifier.

A request is *admitted* before its body is read (docs/SECURITY.md, "many large bodies at once": 150
bodies of 5 MB were read and decoded before the queue said no, RSS 1.4 GB). Admission checks two
budgets at once: the number of requests in progress (``concurrency + max_queue``) and the bytes
their bodies may take (``max_inflight_bytes``; each body counts ``BODY_COST`` times its declared
size: raw body, JSON text, decoded audio, decoder; the bytes are an ``app.http_body.MemoryBudget``,
the one Central's front door uses too). Refused requests get 503 with a Retry-After at once, with
their bodies unread.

The verifier is CPU bound and synchronous, so it runs on a small thread pool of its own (never on
the event loop, never on the 40-thread pool Starlette uses for sync routes); an admitted request
that waits longer than ``max_wait`` for a worker gets 503 instead of running late.

No asyncio primitives are kept between calls, so one gate serves any event loop (uvicorn's, or
the fresh one Mangum drives per Lambda invocation).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from app.api.errors import Overloaded
from app.core.errors import br_number
from app.http_body import MemoryBudget

T = TypeVar("T")
#: Peak bytes of memory per byte of request body while it is handled (measured: raw chunks and
#: their join, the JSON string, the decoded audio; rounded up).
BODY_COST = 4


class Ticket:
    """One admitted request; released when both the request and its verifier job are done."""

    def __init__(self, cost: int) -> None:
        self.cost = cost
        self.holds = 1


class Gate:
    def __init__(
        self, concurrency: int, max_queue: int, max_wait: float, max_bytes: int = 1 << 62
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.max_queue = max(0, max_queue)
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="pontovoz-verify")
        self._lock = threading.Lock()
        self._pending = 0  # admitted and not finished (reading, waiting, running)
        self._budget = MemoryBudget(max_bytes)  # memory reserved by admitted requests
        self._service = 0.5  # moving average of seconds per job

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def reserved_bytes(self) -> int:
        return self._budget.used

    @property
    def limit(self) -> int:
        return self.concurrency + self.max_queue

    def retry_after(self) -> float:
        return self._service * (self._pending / self.concurrency + 1)

    @contextmanager
    def admit(self, body_bytes: int) -> Iterator[Ticket]:
        """Admit a request whose body is (at most) ``body_bytes``, or raise Overloaded now."""
        ticket = Ticket(BODY_COST * max(0, body_bytes))
        with self._lock:
            if self._pending >= self.limit:
                raise Overloaded(
                    f"o servidor está ocupado ({self._pending} requisições em andamento); "
                    "tente de novo mais tarde",
                    self.retry_after(),
                )
            if not self._budget.take(ticket.cost):  # the first is always admitted
                raise Overloaded(
                    "o servidor está tratando áudio demais ao mesmo tempo; tente de novo mais "
                    "tarde",
                    self.retry_after(),
                )
            self._pending += 1
        try:
            yield ticket
        finally:
            self._release(ticket)

    async def run(self, ticket: Ticket, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on a verifier thread for an admitted request."""
        deadline = time.monotonic() + self.max_wait
        try:
            future = self._executor.submit(self._job, deadline, fn, *args)
        except RuntimeError:  # executor shut down (the server is stopping)
            raise Overloaded(
                "o servidor está sendo desligado; tente de novo mais tarde", 5.0
            ) from None
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # A queued job of a client that went away never runs; a running one keeps its
            # admission (memory, worker) until it ends.
            if not future.cancel():
                with self._lock:
                    ticket.holds += 1
                future.add_done_callback(lambda _: self._release(ticket))
            raise

    def _job(self, deadline: float, fn: Callable[..., T], *args: Any) -> T:
        if time.monotonic() > deadline:
            raise Overloaded(
                f"o servidor está ocupado (esperou {br_number(self.max_wait)} s por um worker "
                "livre); tente de novo mais tarde",
                self.retry_after(),
            )
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            spent = time.perf_counter() - start
            with self._lock:
                self._service = 0.8 * self._service + 0.2 * spent

    def _release(self, ticket: Ticket) -> None:
        with self._lock:
            ticket.holds -= 1
            if ticket.holds == 0:
                self._pending -= 1
                self._budget.give(ticket.cost)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
