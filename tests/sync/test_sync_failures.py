"""Endpoint down, 4xx, 5xx, garbage, slow: clear errors; nothing lost or recorded twice."""

from __future__ import annotations

import random

import pytest

from app.store.models import PunchDraft
from app.sync.client import CloudClient, CloudRejected, CloudUnavailable
from app.sync.config import SyncConfig
from app.sync.worker import SyncWorker


class Wall:
    """A wall clock the test moves forward (backoff waits without sleeping)."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def _queue(ledger, emp, n=3):
    return [
        ledger.record_punch(
            PunchDraft(
                emp.id, "ENTRADA", f"ENTRADA 13 {40 + i}", audio=b"RIFFwav", queue_for_cloud=True
            )
        )
        for i in range(n)
    ]


def _worker(ledger, url, wall, timeout_s=5.0):
    config = SyncConfig(
        mode="confirm", url=url, timeout_s=timeout_s, backoff_base_s=2, backoff_max_s=60
    )
    return SyncWorker(ledger, config, wall=wall, rng=random.Random(1))


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("500", "a nuvem respondeu 500"),
        ("garbage", "não com o JSON do contrato"),
        ("slow", "não respondeu a tempo"),
    ],
)
def test_transient_failures_back_off_then_deliver_once(ledger, ana, fake_cloud, behaviour, message):
    punches = _queue(ledger, ana)
    wall = Wall()
    worker = _worker(ledger, fake_cloud.url, wall, timeout_s=0.5)
    fake_cloud.behaviour = behaviour
    result = worker.run_once()
    assert result.deferred and message in result.error
    assert worker.pending_count() == 3
    status = worker.status()
    assert message in status.last_error and 1.0 <= status.next_attempt_in_s <= 2.0
    assert worker.run_once().sent == 0  # not due yet: no hammering
    fake_cloud.behaviour = "ok"
    wall.t += 2.0
    assert worker.run_once().recorded == 3
    assert worker.pending_count() == 0
    got = [ledger.get_punch(p.uuid) for p in punches]
    assert all(p.cloud_validated is True for p in got)
    assert [g.hash for g in got] == [p.hash for p in punches]  # records unchanged
    worker.stop()


def test_endpoint_down_backoff_grows_and_survives_restart(ledger, ana, dead_url, fake_cloud):
    _queue(ledger, ana, 2)
    wall = Wall()
    worker = _worker(ledger, dead_url, wall)
    waits = []
    for _ in range(4):
        result = worker.run_once()
        assert result.deferred and "inacessível" in result.error
        waits.append(worker.status().next_attempt_in_s)
        wall.t += waits[-1]
    assert waits == sorted(waits) and waits[-1] > waits[0] * 2  # exponential, with jitter
    worker.stop()
    # A restart (new worker, same ledger) keeps the queue and the retry time.
    restarted = _worker(ledger, fake_cloud.url, wall)
    assert restarted.pending_count() == 2
    wall.t += 60
    assert restarted.run_once().recorded == 2
    assert len(fake_cloud.calls) == 2
    restarted.stop()


def test_4xx_parks_the_item_and_the_queue_moves_on(ledger, ana, fake_cloud):
    punches = _queue(ledger, ana, 2)
    wall = Wall()
    worker = _worker(ledger, fake_cloud.url, wall)
    fake_cloud.behaviour = "400"
    result = worker.run_once()
    assert result.failed == 2 and not result.deferred
    status = worker.status()
    assert (
        status.failed == 2
        and status.pending == 0
        and "recusou a requisição (400)" in status.last_error
    )
    assert ledger.get_punch(punches[0].uuid).cloud_validated is None
    fake_cloud.behaviour = "ok"
    assert ledger.outbox_retry_failed() == 2
    assert worker.run_once().recorded == 2
    worker.stop()


def test_client_errors_are_typed(fake_cloud, dead_url):
    client = CloudClient(SyncConfig(mode="confirm", url=fake_cloud.url, timeout_s=0.5))
    assert client.verify("ENTRADA 13 40", b"RIFF").validated is True
    fake_cloud.behaviour = "400"
    with pytest.raises(CloudRejected):
        client.verify("ENTRADA 13 40", b"RIFF")
    client.close()
    down = CloudClient(SyncConfig(mode="confirm", url=dead_url))
    with pytest.raises(CloudUnavailable, match="está inacessível"):
        down.verify("ENTRADA 13 40", b"RIFF")
    down.close()


def test_verdict_recorded_once_even_if_sent_twice(ledger, ana, fake_cloud):
    (p,) = _queue(ledger, ana, 1)
    wall = Wall()
    worker = _worker(ledger, fake_cloud.url, wall)
    assert worker.run_once().recorded == 1
    # A retry after a lost response would post again: the verdict still lands once.
    assert ledger.record_cloud_verdict(p.uuid, False, "late duplicate") is False
    assert ledger.get_punch(p.uuid).cloud_validated is True
    worker.stop()


def test_config_validation():
    from app.core.errors import ConfigError

    with pytest.raises(ConfigError, match="o modo de sincronização deve ser um destes"):
        SyncConfig(mode="always")
    with pytest.raises(ConfigError, match=r"endereço \(URL\) que comece com http"):
        SyncConfig(mode="confirm", url="ftp://x")
    assert SyncConfig.load(
        env={"PONTOVOZ_SYNC_MODE": "confirm", "PONTOVOZ_SYNC_URL": "http://h/"}
    ).enabled
