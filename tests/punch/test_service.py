"""The punch service with the real model: validated, flagged after failed tries, never blocked;
and `python -m app punch` through the same code."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from app.punch.service import Challenge, PunchService

BRT = timezone(timedelta(hours=-3))
AT_1340 = datetime(2026, 3, 2, 13, 40, 5, tzinfo=BRT)


def test_validated_punch(ledger, ana, verifier, make_clip):
    service = PunchService(ledger, verifier, clock=lambda: AT_1340)
    assert service.identify(pin="1234") == ana and service.identify(pin="0000") is None
    assert isinstance(phrase := service.challenge("ENTRADA"), Challenge)
    assert phrase.issued_at == AT_1340
    kind = service.next_type(ana)
    phrase = service.challenge(kind)
    assert phrase.text() == "ENTRADA 13 40"
    clip = make_clip("Entrada, treze e quarenta.")
    result = service.verify_attempt(clip, phrase)
    assert result.validated, result
    punch = service.commit(ana, phrase, [result], clip)
    assert punch.validated and not punch.flagged and punch.tries == 1
    assert punch.nsr == ledger.head().nsr == 2  # NSR 1: Ana's inclusion (AFD type 5)
    assert punch.punched_at == "2026-03-02T13:40:05-03:00" and punch.expected == "ENTRADA 13 40"
    assert service.next_type(ana) == "INTERVALO"


def test_three_failed_tries_still_record_a_flagged_punch(ledger, ana, verifier, make_clip):
    service = PunchService(ledger, verifier, clock=lambda: AT_1340)
    phrase = service.challenge("ENTRADA")
    wrong = make_clip("Saída, nove e quinze.")
    results = [service.verify_attempt(wrong, phrase) for _ in range(3)]
    assert not any(r.validated for r in results)
    punch = service.commit(ana, phrase, results, wrong)
    assert punch.flagged and punch.flag_reason == "voz não validada após 3 tentativas"
    assert ledger.count_punches() == 1


def test_bad_audio_is_a_failed_attempt_not_a_crash(ledger, ana, verifier):
    service = PunchService(ledger, verifier, clock=lambda: AT_1340)
    phrase = service.challenge("ENTRADA")
    result = service.verify_attempt(b"not audio at all", phrase)
    assert not result.validated and result.reason.startswith("audio error")
    assert service.commit(ana, phrase, [result]).flagged


def test_punch_cli(pv_home, make_clip):
    from app.store.ledger import Ledger
    from app.store.settings import LedgerSettings

    with Ledger.open() as led:
        led.add_employee("Ana Souza", "52998224725", "5821")
    words = {0: "zero", 1: "uma", 2: "duas"}
    # Retried when the minute turns between making the clip and punching, and once more in
    # other words: the clip follows the wall clock, and a few times of day are among the
    # verifier's known misses ("11 e 9" is heard as "119": docs/MODEL-NOTES.md, "Traps"). This
    # test is the CLI's.
    for attempt in range(3):
        now = LedgerSettings().local(datetime.now().astimezone())  # the kiosk's zone
        hour = words.get(now.hour, str(now.hour))
        minute = "em ponto" if now.minute == 0 else f"e {now.minute}"
        if attempt == 2:
            minute = "em ponto" if now.minute == 0 else f"horas e {now.minute} minutos"
        clip = make_clip(f"Entrada, {hour} {minute}.")
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "app",
                "punch",
                "--pin",
                "5821",
                "--type",
                "entrada",
                "--audio",
                str(clip),
                *(["--force"] if attempt else []),  # the first try was recorded (flagged)
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        record = json.loads(run.stdout)
        if record["validated"]:
            break
    assert record["validated"] and record["nsr"] >= 1 and len(record["hash"]) == 64
    bad = subprocess.run(
        [sys.executable, "-m", "app", "punch", "--pin", "9999", "--audio", str(clip)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "PIN ou crachá não reconhecido" in bad.stderr
