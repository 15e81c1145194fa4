"""One backoff for both sync workers: bounded at any failure count (2.0 ** 1024 overflows a
float; the Central sync used to compute it unbounded), with jitter between half and all."""

from __future__ import annotations

import random

import pytest

from app.store import Ledger
from app.sync.background import backoff_s
from app.sync.central import CentralSync
from app.sync.central_settings import CentralSection


@pytest.mark.parametrize("failures", [0, 1, 2, 10, 1025, 2000, 10**9])
def test_backoff_is_bounded_and_jittered(failures):
    rng = random.Random(7)
    waits = [backoff_s(failures, 2.0, 300.0, rng) for _ in range(50)]
    full = 300.0 if failures > 20 else min(300.0, 2.0 * 2.0 ** max(0, failures - 1))
    assert all(full / 2 <= w <= full for w in waits)


def test_central_sync_backoff_after_2000_failures(tmp_path):
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        sync = CentralSync(
            ledger, CentralSection(url="http://127.0.0.1:9", token="t"), save_status=False
        )
        sync._failures = 2000
        assert 150.0 <= sync.backoff_s() <= 300.0
        sync.stop()
