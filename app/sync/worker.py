"""The sync worker: sends pending punches to the cloud endpoint and records each verdict once.

    worker = SyncWorker(ledger, config)   # client built from config unless injected
    worker.start()                        # background daemon thread (plain threading, no Qt)
    worker.wake()                         # after a new punch, to send it now
    worker.pending_count() -> int         # the visible queue length
    worker.status() -> SyncStatus
    worker.stop()

It only talks to the ledger's outbox methods (never SQL). Items go in NSR order; while the
endpoint is unavailable the whole queue waits (exponential backoff with jitter, stored in the
ledger, so it survives restarts). A 4xx parks that item as failed (visible, `sync retry`)
and the queue moves on. The punch record itself is never touched: verdicts live beside it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.store.ledger import Ledger
from app.sync.client import CloudClient, CloudRejected, CloudUnavailable
from app.sync.config import SyncConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncPass:
    """What one `run_once` did."""

    sent: int = 0
    recorded: int = 0  # new verdicts stored (a repeat of an old one is not counted)
    failed: int = 0  # parked after a 4xx / missing audio
    deferred: bool = False  # stopped because the endpoint is unavailable
    error: str = ""


@dataclass(frozen=True)
class SyncStatus:
    mode: str
    pending: int
    failed: int
    done: int
    last_error: str
    next_attempt_in_s: float | None
    running: bool


class SyncWorker:
    def __init__(
        self,
        ledger: Ledger,
        config: SyncConfig,
        client: CloudClient | None = None,
        *,
        wall: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._ledger = ledger
        self._config = config
        self._client = client or CloudClient(config)
        self._wall = wall
        self._rng = rng or random.Random()
        self._failures = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- queue ------------------------------------------------------------------------------

    def pending_count(self) -> int:
        return self._ledger.outbox_counts().pending

    def status(self) -> SyncStatus:
        c = self._ledger.outbox_counts()
        wait = None if c.next_attempt_at is None else max(0.0, c.next_attempt_at - self._wall())
        running = self._thread is not None and self._thread.is_alive()
        return SyncStatus(
            self._config.mode, c.pending, c.failed, c.done, c.last_error, wait, running
        )

    def backoff_s(self, failures: int) -> float:
        """Exponential backoff, capped, with "equal jitter" (between half and all of it)."""
        raw = min(self._config.backoff_max_s, self._config.backoff_base_s * 2 ** (failures - 1))
        return raw * (0.5 + 0.5 * self._rng.random())

    def run_once(self) -> SyncPass:
        """Send the items that are due, in NSR order; stop at the first transient failure."""
        items = self._ledger.outbox_due(self._wall(), self._config.batch_size)
        sent = recorded = failed = 0
        for item in items:
            if self._stop.is_set():
                break
            if item.audio is None:
                self._ledger.outbox_fail(item.punch_uuid, "no audio stored for this punch")
                failed += 1
                continue
            sent += 1
            try:
                verdict = self._client.verify(item.expected, item.audio, item.punch_uuid)
            except CloudRejected as exc:
                log.warning("sync: NSR %d refused: %s", item.nsr, exc)
                self._ledger.outbox_fail(item.punch_uuid, str(exc))
                failed += 1
                continue
            except CloudUnavailable as exc:
                self._failures += 1
                delay = self.backoff_s(self._failures)
                log.info("sync: endpoint unavailable (%s); retry in %.1f s", exc, delay)
                self._ledger.outbox_defer(item.punch_uuid, str(exc), self._wall() + delay)
                self._ledger.outbox_defer_all(str(exc), self._wall() + delay)
                return SyncPass(sent, recorded, failed, True, str(exc))
            self._failures = 0
            if self._ledger.record_cloud_verdict(
                item.punch_uuid, verdict.validated, verdict.spoken_text
            ):
                recorded += 1
        return SyncPass(sent, recorded, failed)

    # ---- background thread ------------------------------------------------------------------

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="pontovoz-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout_s)
        self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                result = self.run_once()
            except Exception:  # keep the kiosk's worker alive; the item stays pending
                log.exception("sync pass failed")
                result = SyncPass(deferred=True)
            if result.sent and not result.deferred:
                continue  # more may be due right away
            nxt = self._ledger.outbox_counts().next_attempt_at
            wait = self._config.poll_interval_s
            if nxt is not None:
                wait = min(wait, max(0.0, nxt - self._wall()))
            self._wake.wait(max(wait, 0.01))
            self._wake.clear()
