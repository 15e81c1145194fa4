"""Endpointing that lets people pause after the type word, through the kiosk's recorder path:
"Entrada." + a 0.5-1.5 s pause + "treze e quarenta." replayed in real time (make_clip + silence)
through ClipSource -> resampler -> endpointing -> speculative verify -> the real model."""

from __future__ import annotations

import time

import pytest

from tests.kiosk.conftest import clip_source, paused_clip, to_challenge

LEAD = 0.3  # ClipSource's silence before the clip


@pytest.mark.parametrize("gap", [0.5, 0.8, 1.0, 1.5])
def test_a_pause_after_the_type_does_not_end_the_utterance(qtbot, make_kiosk, make_clip,
                                                           tmp_path, gap):  # fmt: skip
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    clip = paused_clip(make_clip, tmp_path, gap=gap)
    seconds = (clip.stat().st_size - 44) / 32000
    statuses: list[str] = []
    sources.next = clip_source(clip, lead_seconds=LEAD)
    started = time.monotonic()
    win.window.challenge.record.click()
    verifying_at: list[float] = []

    def watch() -> bool:
        text = win.window.challenge.status.text()
        if not statuses or statuses[-1] != text:
            statuses.append(text)
        if text.startswith("Verificando") and not verifying_at:
            verifying_at.append(time.monotonic())
        return win.window.stack.currentWidget() is not win.window.challenge

    qtbot.waitUntil(watch, timeout=30000)
    shown = time.monotonic()
    spoken_until = started + LEAD + seconds
    # never a verdict while the person speaks
    assert shown >= spoken_until - 0.05, (shown - started, LEAD + seconds, statuses)
    lis = win.punch.listener.listening
    qtbot.waitUntil(lambda: lis.recording is not None, timeout=5000)
    # the recording holds the time said after the pause
    assert lis.recording.samples.size >= (LEAD + seconds) * 16000 * 0.98
    # "Verificando..." is short, and the transcript on screen is never a repeated word
    if verifying_at:
        assert shown - verifying_at[0] < win.settings.kiosk.verify_timeout_seconds + 0.5
    heard = win.window.result.heard.text()
    assert "Entrada Entrada" not in heard and "Entrada, Entrada" not in heard, heard
    assert statuses[0] == "Ouvindo... fale agora (8 s)"  # the countdown of the 8-s limit
    if gap >= 0.8:  # a pause long enough to hold the stop: the screen said so
        assert any("ainda estamos ouvindo" in s for s in statuses), statuses
    print(f"gap {gap}: {win.window.result.verdict.text()} {heard} statuses={statuses}")


def test_verifying_is_bounded_and_cancel_stays_usable(qtbot, make_kiosk, make_clip):
    """Real: a verify always takes longer than 50 ms with the real model, so the watchdog
    fires; the late verdict is dropped, the try counts as not validated, retry works."""
    win, _clock, sources = make_kiosk()
    win.settings.kiosk.verify_timeout_seconds = 0.05
    win.settings.kiosk.speculate_seconds = 0  # no snapshot: the full recording is verified
    to_challenge(qtbot, win)
    sources.next = clip_source(make_clip("Entrada, treze e quarenta."))
    win.window.challenge.record.click()
    qtbot.waitUntil(lambda: win.window.challenge.state == "verifying", timeout=10000)
    assert win.window.challenge.cancel.isEnabled()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.result, timeout=5000)
    assert "demorou" in win.window.result.detail.text()
    assert win.window.result.heard.text() == ""  # not "no speech": the check did not finish
    assert win.punch.attempt.results[-1].reason == "verification timeout"
    qtbot.wait(1500)  # the real verdict lands meanwhile: dropped
    assert win.window.stack.currentWidget() is win.window.result
    win.settings.kiosk.verify_timeout_seconds = 6.0
    win.window.result.retry_button.click()
    sources.next = clip_source(make_clip("Entrada, treze e quarenta."))
    win.window.challenge.record.click()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.result, timeout=15000)
    assert "Validado" in win.window.result.verdict.text(), win.window.result.heard.text()
