"""cloud-first: the cloud decides when it answers; offline, the local verifier does and the punch
is marked offline and queued."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.core.phrase import Phrase
from app.core.result import VerifyResult
from app.punch.service import PunchService, PunchSettings
from app.sync.config import SyncConfig

AT = datetime(2026, 3, 2, 13, 40, tzinfo=timezone(timedelta(hours=-3)))


class LocalVerifier:
    """Stands in for the model here: these tests are about routing, not recognition."""

    def __init__(self) -> None:
        self.calls = 0

    def verify(self, audio, expected: Phrase) -> VerifyResult:
        self.calls += 1
        return VerifyResult(True, " local", expected, expected, "match")


def _service(ledger, url, local):
    sync = SyncConfig(mode="cloud-first", url=url, cloud_first_timeout_s=0.5)
    return PunchService(ledger, local, PunchSettings(sync=sync), clock=lambda: AT)


def test_cloud_answers(ledger, ana, fake_cloud):
    local = LocalVerifier()
    service = _service(ledger, fake_cloud.url, local)
    phrase = service.challenge("ENTRADA")
    result = service.verify_attempt(b"RIFFwav", phrase)
    assert result.method == "cloud" and result.validated and local.calls == 0
    punch = service.commit(ana, phrase, [result], b"RIFFwav")
    assert punch.cloud_validated is True and not punch.offline
    assert ledger.outbox_counts().pending == 0


def test_cloud_down_falls_back_to_local(ledger, ana, dead_url):
    local = LocalVerifier()
    service = _service(ledger, dead_url, local)
    phrase = service.challenge("ENTRADA")
    result = service.verify_attempt(b"RIFFwav", phrase)
    assert result.method == "text" and local.calls == 1
    punch = service.commit(ana, phrase, [result], b"RIFFwav")
    assert punch.offline and punch.cloud_validated is None
    assert ledger.outbox_counts().pending == 1  # confirmed later by the worker


def test_cloud_slow_falls_back_within_the_timeout(ledger, ana, fake_cloud):
    import time

    fake_cloud.behaviour = "slow"
    service = _service(ledger, fake_cloud.url, LocalVerifier())
    start = time.perf_counter()
    result = service.verify_attempt(b"RIFFwav", service.challenge("ENTRADA"))
    assert result.method == "text" and time.perf_counter() - start < 1.2
