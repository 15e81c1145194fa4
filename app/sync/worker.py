"""The sync worker: sends pending punches to the cloud endpoint and records each verdict once.

    worker = SyncWorker(ledger, config)   # client built from config unless injected
    worker.start()                        # background daemon thread (plain threading, no Qt)
    worker.wake()                         # after a new punch, to send it now
    worker.pending_count() -> int         # the visible queue length
    worker.status() -> SyncStatus
    worker.stop()

It only talks to the ledger's outbox methods (never SQL). Items go in NSR order; while the
endpoint is unavailable the whole queue waits: exponential backoff with jitter, bounded at any
failure count, never shorter than the server's Retry-After; the retry time is in the ledger and
the failure count in ``sync-state.json`` beside it, so both survive restarts and `sync run`s.
A 401/403 is a configuration error: the queue waits (nothing is parked), the admin sees it in
``status().config_error``, and a changed URL or token is retried at once. Another 4xx parks
that item as failed (visible, `sync retry-failed`) and the queue moves on. The punch record
itself is never touched: verdicts live beside it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.store.ledger import Ledger
from app.sync import state as sync_state
from app.sync.background import BackgroundWorker, backoff_s
from app.sync.client import CloudAuthRefused, CloudClient, CloudRejected, CloudUnavailable
from app.sync.config import SyncConfig
from app.sync.state import SyncState

log = logging.getLogger(__name__)

#: The longest wait a server's Retry-After can impose (a longer one is cut to this).
RETRY_AFTER_MAX_S = 6 * 3600.0
NO_AUDIO = (
    "o áudio desta marcação não está mais guardado neste terminal; a marcação continua no "
    "registro de ponto, mas a nuvem não pode conferi-la (revise-a no RH)"
)
#: The backoff doubles up to this many times; past it the cap (backoff_max_s) applies.


@dataclass(frozen=True)
class SyncPass:
    """What one `run_once` did."""

    sent: int = 0
    recorded: int = 0  # new verdicts stored (a repeat of an old one is not counted)
    failed: int = 0  # parked after a 4xx / missing audio
    deferred: bool = False  # stopped because the endpoint is unavailable or refused the token
    error: str = ""
    config_error: bool = False  # 401/403: the URL or token in the settings is wrong


@dataclass(frozen=True)
class SyncStatus:
    mode: str
    pending: int
    failed: int
    done: int
    last_error: str
    next_attempt_in_s: float | None
    running: bool
    failures: int = 0  # consecutive failed attempts (persisted)
    config_error: str = ""  # pt-BR, for the admin: set while the endpoint refuses the token

    @property
    def ok(self) -> bool:
        return not self.config_error and self.failed == 0


class SyncWorker(BackgroundWorker):
    thread_name = "pontovoz-sync"

    def __init__(
        self,
        ledger: Ledger,
        config: SyncConfig,
        client: CloudClient | None = None,
        *,
        wall: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__()
        self._ledger = ledger
        self._config = config
        self._client = client or CloudClient(config)
        self._wall = wall
        self._rng = rng or random.Random()
        self._state_path = sync_state.state_path(ledger.path)
        self._state = sync_state.load(self._state_path)
        self._key = sync_state.credentials_key(config)

    # ---- queue ------------------------------------------------------------------------------

    def pending_count(self) -> int:
        return self._ledger.outbox_counts().pending

    def status(self) -> SyncStatus:
        c = self._ledger.outbox_counts()
        wait = None if c.next_attempt_at is None else max(0.0, c.next_attempt_at - self._wall())
        running = self._thread is not None and self._thread.is_alive()
        st = sync_state.load(self._state_path)  # another process (`sync run`) may have written
        refused = st.auth_error and st.auth_key == self._key  # else: fixed, retried next pass
        problem = config_error_text(st.auth_status) if refused else ""
        return SyncStatus(
            self._config.mode,
            c.pending,
            c.failed,
            c.done,
            c.last_error,
            wait,
            running,
            st.failures,
            problem,
        )

    def backoff_s(self, failures: int) -> float:
        c = self._config
        return backoff_s(failures, c.backoff_base_s, c.backoff_max_s, self._rng)

    def _save(self, state: SyncState) -> None:
        if state != self._state:
            self._state = state
            sync_state.save(self._state_path, state)

    def _failed_attempt(self, punch_uuid: str, error: str, wait_at_least: float = 0.0) -> float:
        """Count a failure (persisted), push the whole queue back; returns the delay."""
        now = self._wall()
        failures = self._state.failures + 1
        self._save(self._state.replace(failures=failures, since=self._state.since or now))
        delay = max(self.backoff_s(failures), min(wait_at_least, RETRY_AFTER_MAX_S))
        self._ledger.outbox_defer(punch_uuid, error, now + delay)
        self._ledger.outbox_defer_all(error, now + delay)
        return delay

    def _credentials_changed(self) -> None:
        """The admin changed the URL or token since the endpoint refused them: retry now."""
        st = self._state
        if st.auth_error and st.auth_key != self._key:
            log.info("sync: credentials changed since the %d; retrying now", st.auth_status)
            self._save(SyncState())
            self._ledger.outbox_retry_now()

    def run_once(self) -> SyncPass:
        """Send the items that are due, in NSR order; stop at the first transient failure."""
        self._state = sync_state.load(self._state_path)
        self._credentials_changed()
        items = self._ledger.outbox_due(self._wall(), self._config.batch_size)
        sent = recorded = failed = 0
        for item in items:
            if self._stop.is_set():
                break
            if item.audio is None:
                self._ledger.outbox_fail(item.punch_uuid, NO_AUDIO)
                failed += 1
                continue
            sent += 1
            try:
                verdict = self._client.verify(item.expected, item.audio, item.punch_uuid)
            except CloudAuthRefused as exc:
                self._save(
                    self._state.replace(
                        auth_error=str(exc), auth_status=exc.status, auth_key=self._key
                    )
                )
                delay = self._failed_attempt(item.punch_uuid, str(exc))
                log.warning("sync: %s; check the sync URL and token (retry in %.0f s)", exc, delay)
                return SyncPass(sent, recorded, failed, True, str(exc), config_error=True)
            except CloudRejected as exc:
                log.warning("sync: NSR %d refused: %s", item.nsr, exc)
                self._ledger.outbox_fail(item.punch_uuid, str(exc))
                failed += 1
                continue
            except CloudUnavailable as exc:
                delay = self._failed_attempt(item.punch_uuid, str(exc), exc.retry_after or 0.0)
                log.info("sync: endpoint unavailable (%s); retry in %.1f s", exc, delay)
                return SyncPass(sent, recorded, failed, True, str(exc))
            self._save(SyncState())  # an answer: the endpoint works and takes our token
            if self._ledger.record_cloud_verdict(
                item.punch_uuid, verdict.validated, verdict.spoken_text
            ):
                recorded += 1
        return SyncPass(sent, recorded, failed)

    # ---- background thread ------------------------------------------------------------------

    def _close(self) -> None:
        self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                result = self.run_once()
                wait = self._next_wait(result)
            except Exception:  # keep the kiosk's worker alive; the item stays pending
                log.exception("sync pass failed")
                wait = max(self._config.poll_interval_s, self.backoff_s(self._state.failures + 1))
            if wait <= 0:
                continue  # more may be due right away
            self._wake.wait(wait)
            self._wake.clear()

    def _next_wait(self, result: SyncPass) -> float:
        if result.sent and not result.deferred:
            return 0.0
        nxt = self._ledger.outbox_counts().next_attempt_at
        wait = self._config.poll_interval_s
        if nxt is not None:
            wait = min(wait, max(0.0, nxt - self._wall()))
        # Never spin: a deferred pass waits at least its base backoff, whatever the clock says.
        floor = self._config.backoff_base_s / 2 if result.deferred else 0.01
        return max(wait, floor)


def config_error_text(status: int) -> str:
    """The admin's message (pt-BR) for a 401/403 from the endpoint."""
    return (
        f"A nuvem recusou as credenciais deste quiosque (HTTP {status}). Confira o endereço e o "
        "token da sincronização nas configurações; os envios recomeçam sozinhos após a correção."
    )
