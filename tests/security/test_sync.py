"""Sync never floods nor loses silently (docs/SECURITY.md, "Sync"), replayed: a worker after
thousands of failures, a wrong token, a server asking to wait (Retry-After), and `sync run` as
IT runs it (a subprocess, real ledger, real HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import pytest
from trust_helpers import ROOT, LiveServer, ScriptedCloud

from app.api import ApiSettings, create_app
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.sync.config import SyncConfig
from app.sync.state import load as load_state
from app.sync.state import state_path
from app.sync.worker import SyncWorker

PHRASE = "ENTRADA 13 40"


class Wall:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


@pytest.fixture()
def cloud():
    c = ScriptedCloud()
    yield c
    c.close()


def _queue(ledger, emp, n=2, audio=b"RIFFwav"):
    return [
        ledger.record_punch(
            PunchDraft(emp.id, "ENTRADA", PHRASE, audio=audio, queue_for_cloud=True)
        )
        for _ in range(n)
    ]


def test_backoff_is_bounded_at_any_failure_count(ledger):
    worker = SyncWorker(ledger, SyncConfig(mode="confirm", url="http://127.0.0.1:9/"))
    for failures in (0, 1, 2, 30, 1025, 10**6, 10**18):
        assert 0 < worker.backoff_s(failures) <= 300.0
    assert worker.backoff_s(1025) >= 150.0  # capped with jitter, not reset to small
    worker.stop()


def test_request_rate_after_2000_failures(ledger, ana, cloud):
    """2,000 real failed requests (503), then the real background thread on the real clock:
    it may ask once (the item is due), then waits the capped backoff, not a tight loop."""
    _queue(ledger, ana, 1)
    cloud.status = 503
    config = SyncConfig(mode="confirm", url=cloud.url, timeout_s=5)
    wall = Wall()
    worker = SyncWorker(ledger, config, wall=wall, rng=random.Random(7))
    for _ in range(2000):
        assert worker.run_once().deferred
        wall.t += 400  # past any retry time
    worker.stop()
    assert len(cloud.times) == 2000
    assert load_state(state_path(ledger.path)).failures == 2000  # persisted

    ledger.outbox_retry_now()  # due now on the real clock
    before = len(cloud.times)
    live = SyncWorker(ledger, config)
    assert live.status().failures == 2000  # a new worker (a restart) keeps the count
    live.start()
    time.sleep(5.0)
    live.stop()
    in_5s = len(cloud.times) - before
    print(f"\nFIGURE sync requests in 5 s after 2,000 failures: {in_5s}")
    assert in_5s <= 1
    status = live.status()
    assert status.failures == 2001 and status.next_attempt_in_s >= 140


@pytest.mark.parametrize("header", ["3600", "HTTP-date"])
def test_retry_after_is_honoured(ledger, ana, cloud, header):
    from email.utils import formatdate

    _queue(ledger, ana, 1)
    cloud.status = 503
    cloud.headers = {
        "Retry-After": "3600" if header == "3600" else formatdate(time.time() + 3600, usegmt=True)
    }
    worker = SyncWorker(ledger, SyncConfig(mode="confirm", url=cloud.url))
    assert worker.run_once().deferred
    assert worker.status().next_attempt_in_s >= 3590
    assert worker.run_once().sent == 0  # not before the server said
    worker.stop()
    cloud.status = 429
    cloud.headers = {"Retry-After": "999999999"}  # an absurd wait is cut to 6 h
    ledger.outbox_retry_now()
    worker = SyncWorker(ledger, SyncConfig(mode="confirm", url=cloud.url))
    worker.run_once()
    assert 6 * 3600 - 10 <= worker.status().next_attempt_in_s <= 6 * 3600
    worker.stop()


def _sync_cli(home, *args, token=None, url=""):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTOVOZ_SYNC")}
    env.update(PONTOVOZ_HOME=str(home), PYTHONPATH=str(ROOT))
    env.update(PONTOVOZ_SYNC_MODE="confirm", PONTOVOZ_SYNC_URL=url)
    if token:
        env["PONTOVOZ_SYNC_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sync_run_exits_nonzero_and_failure_count_survives_runs(pv_home, cloud):
    from app.store.ledger import default_path

    with Ledger.open(default_path()) as ledger:
        emp = ledger.add_employee("Ana Souza", "52998224725", pin="1234")
        _queue(ledger, emp, 2)
    cloud.status = 502
    first = _sync_cli(pv_home, "run", url=cloud.url)
    assert first.returncode == 1, first.stderr
    assert "pendente" in first.stderr and "502" in first.stderr
    with Ledger.open(default_path()) as ledger:
        assert load_state(state_path(ledger.path)).failures == 1
        ledger.outbox_retry_now()  # as if the retry time had come
    second = _sync_cli(pv_home, "run", url=cloud.url)
    assert second.returncode == 1
    report = json.loads(second.stdout)
    assert report["failures"] == 2 and 2.0 <= report["next_attempt_in_s"] <= 4.0  # it grew
    cloud.status = 200
    with Ledger.open(default_path()) as ledger:
        ledger.outbox_retry_now()
    done = _sync_cli(pv_home, "run", url=cloud.url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pending"] == 0


def test_wrong_token_is_a_config_error_retried_after_the_fix(pv_home, verifier, make_clip):
    """The project's own API with auth on; the kiosk has the wrong token, then the right one."""
    from app.store.ledger import default_path

    audio = make_clip("Entrada, treze e quarenta.").read_bytes()
    with Ledger.open(default_path()) as ledger:
        emp = ledger.add_employee("Ana Souza", "52998224725", pin="1234")
        _queue(ledger, emp, 2, audio=audio)
    app = create_app(verifier, ApiSettings(auth_token="s3cret-token-for-tests"))
    with LiveServer(app) as server:
        url = server.url + "/"
        bad = _sync_cli(pv_home, "run", url=url, token="wrong")
        assert bad.returncode == 3, bad.stderr
        assert "credenciais" in bad.stderr and "401" in bad.stderr
        status = _sync_cli(pv_home, "status", url=url, token="wrong")
        report = json.loads(status.stdout)
        assert report["pending"] == 2 and report["failed"] == 0  # nothing parked
        assert "HTTP 401" in report["config_error"]
        # The admin fixes the token: the next run sends at once, no `retry-failed` needed.
        fixed = _sync_cli(pv_home, "run", url=url, token="s3cret-token-for-tests")
        assert fixed.returncode == 0, fixed.stderr
        report = json.loads(fixed.stdout)
        assert report["recorded"] == 2 and report["config_error"] == ""
