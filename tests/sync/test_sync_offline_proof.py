"""Proof: 500 punches while the endpoint is down, then it comes back (the project's own API,
app.api.create_app, under uvicorn on 127.0.0.1): all 500 synced exactly once, in NSR order.

For the 500-punch run the API's verifier is a stand-in that records what it is asked (500 real
Whisper runs would take minutes on 2 shared cores and measure the model, not sync). The real
model behind the same API is exercised by `test_real_model_behind_the_api`."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from app.core.config import EngineOptions
from app.core.result import VerifyResult
from app.store.models import PunchDraft
from app.sync.config import SyncConfig
from app.sync.worker import SyncWorker


class RecordingVerifier:
    """Answers like the core (validated, raw text) and remembers every call, in order."""

    def __init__(self) -> None:
        self.options = EngineOptions(cpu_threads=1)
        self.loaded = True
        self.calls: list[bytes] = []
        self.lock = threading.Lock()

    def load(self) -> float:
        return 0.0

    def verify(self, audio, expected):
        with self.lock:
            self.calls.append(bytes(audio))
        return VerifyResult(True, f" {expected.text()}", expected, expected, "match")


class Server:
    """uvicorn on a socket bound now but listened on only at `start` (until then: refused)."""

    def __init__(self, app) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(10)
        self.sock.close()


@pytest.mark.slow
def test_500_offline_punches_sync_exactly_once_in_order(ledger, ana):
    from app.api import create_app

    stand_in = RecordingVerifier()
    server = Server(create_app(stand_in))
    config = SyncConfig(
        mode="confirm", url=server.url, backoff_base_s=0.05, backoff_max_s=0.4, poll_interval_s=0.05
    )
    worker = SyncWorker(ledger, config)
    try:
        worker.start()
        punches = [
            ledger.record_punch(
                PunchDraft(
                    ana.id,
                    "ENTRADA",
                    "ENTRADA 13 40",
                    audio=f"RIFF-{i:04d}".encode(),
                    queue_for_cloud=True,
                )
            )
            for i in range(500)
        ]
        worker.wake()
        time.sleep(0.5)
        status = worker.status()
        assert status.pending == 500 and "inacessível" in status.last_error
        server.start()
        up = time.perf_counter()
        while worker.pending_count() and time.perf_counter() - up < 60:
            time.sleep(0.02)
        seconds = time.perf_counter() - up
    finally:
        worker.stop()
        server.stop()
    assert worker.pending_count() == 0
    assert stand_in.calls == [f"RIFF-{i:04d}".encode() for i in range(500)]  # once each, in order
    stored = ledger.punches()
    assert all(p.cloud_validated is True and p.cloud_text == " ENTRADA 13 40" for p in stored)
    assert [p.hash for p in stored] == [p.hash for p in punches]  # NSR/time/records untouched
    assert ledger.verify_chain().ok
    print(
        f"\noffline proof: 500 punches queued offline, synced in {seconds:.2f} s"
        " after the API came up"
    )


def test_real_model_behind_the_api(ledger, ana, verifier, make_clip):
    from app.api import create_app

    server = Server(create_app(verifier))
    right = make_clip("Entrada, treze e quarenta.").read_bytes()
    wrong = make_clip("Saída, nove e quinze.").read_bytes()
    ok = ledger.record_punch(
        PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40", audio=right, queue_for_cloud=True)
    )
    bad = ledger.record_punch(
        PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40", audio=wrong, queue_for_cloud=True)
    )
    worker = SyncWorker(ledger, SyncConfig(mode="confirm", url=server.url, timeout_s=30))
    try:
        server.start()
        assert worker.run_once().recorded == 2
    finally:
        worker.stop()
        server.stop()
    assert ledger.get_punch(ok.uuid).cloud_validated is True
    assert ledger.get_punch(bad.uuid).cloud_validated is False
