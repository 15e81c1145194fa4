"""The lab corpus: every condition and negative kind is drawn, clips are real audio with the
noise at the SNR the manifest says, and rendering is cached and parallel."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from app.core.phrase import parse_expected
from app.core.spoken import parse_spoken, resolve
from app.lab import corpus, noise, wording
from app.lab.voices import EFFECTS, VOICES, tools_available


def test_number_words_and_feminine_hours():
    assert wording.number_words(21, feminine=True) == "vinte e uma"
    assert wording.number_words(21) == "vinte e um"
    assert wording.number_words(2, feminine=True) == "duas"
    assert wording.number_words(40) == "quarenta"
    assert wording.number_words(14) == "quatorze"


@pytest.mark.parametrize(
    ("hour", "minute", "style", "said"),
    [
        (12, 0, "named", "meio-dia"),
        (0, 30, "named", "meia-noite e meia"),
        (8, 0, "ponto", "oito em ponto"),
        (21, 30, "meia", "vinte e uma e meia"),
        (15, 15, "casual", "três e quinze"),
        (19, 5, "casual_period", "sete e cinco da noite"),
        (13, 46, "digits_clock", "13 46"),
        (13, 46, "words_units", "treze horas e quarenta e seis minutos"),
    ],
)
def test_time_phrases(hour, minute, style, said):
    assert wording.time_phrase(hour, minute, style) == said


def test_plan_covers_every_condition_and_negative_kind():
    specs = corpus.plan(600, seed=3)
    kinds = Counter(s.kind for s in specs)
    assert kinds["positive"] == 300
    assert set(kinds) == {"positive", *corpus.NEGATIVE_KINDS}
    speech = [s for s in specs if s.voice != "-"]
    assert {s.voice for s in speech} == set(VOICES)
    assert {s.effect for s in speech} == set(EFFECTS)
    assert {s.noise for s in specs} == {"none", "white", "pink", "brown", "babble", "hum"}
    assert {s.snr_db for s in specs} == {None, 30.0, 20.0, 15.0, 10.0}
    paused = [s for s in specs if s.pause_s]
    assert paused and all(0.3 <= s.pause_s <= 1.5 and "|" in s.spoken for s in paused)
    assert {"named", "ponto", "meia", "casual", "words", "digits"} <= {s.style for s in specs}
    # the expected phrase is written both ways ("SAIDA 08 05" and "SAÍDA 8 5")
    assert any("SAÍDA" in s.expected_speech for s in specs)
    assert any(s.expected_speech.startswith("SAIDA") for s in specs)
    # a seed is a set: the same seed plans the same clips, another seed other clips
    assert corpus.plan(40, 3) == specs[:40]
    assert corpus.plan(40, 4) != specs[:40]


def test_positives_say_the_expected_phrase_and_wrong_times_do_not():
    # The core's own parser reads the text each clip speaks: the corpus labels must hold.
    for spec in corpus.plan(300, seed=5):
        if spec.kind not in ("positive", "wrong_type") and spec.kind[:5] not in ("minut", "hour_"):
            continue
        expected = parse_expected(spec.expected_speech)
        heard = resolve(parse_spoken(spec.spoken.replace("|", "")), expected)
        assert heard is not None, spec
        if spec.kind == "positive":
            assert heard == expected, spec
        elif spec.kind == "wrong_type":
            assert heard.type != expected.type and heard.minute == expected.minute, spec
        elif spec.kind.startswith("minute_"):
            assert abs(heard.minute - expected.minute) == int(spec.kind[7:]), spec
        else:
            assert heard.hour != expected.hour and heard.minute == expected.minute, spec


def test_mix_hits_the_snr():
    rng = np.random.default_rng(0)
    speech = rng.normal(0, 0.1, 16000).astype(np.float32)
    for kind in ("white", "pink", "brown", "hum"):
        n = noise.make(kind, speech.size, 1, Path("."))
        mixed = noise.mix(speech, n, 10.0)
        residual = mixed - speech
        snr = 10 * np.log10(np.mean(speech**2) / np.mean(residual**2))
        assert abs(snr - 10.0) < 0.01, kind


def test_pink_and_brown_fall_with_frequency():
    for kind in ("pink", "brown"):
        spectrum = np.abs(np.fft.rfft(noise.make(kind, 32000, 2, Path(".")))) ** 2
        freqs = np.fft.rfftfreq(32000, 1 / 16000)
        low = spectrum[(freqs > 50) & (freqs < 200)].mean()
        high = spectrum[(freqs > 2000) & (freqs < 4000)].mean()
        assert low > 10 * high, kind


@pytest.mark.skipif(not tools_available("mb-br1"), reason="espeak-ng/mbrola missing")
def test_build_renders_real_clips_with_their_conditions(tmp_path):
    # A small set: two workers, every clip a real WAV whose length fits its lead/tail/pause.
    manifest = corpus.build_corpus(tmp_path, count=16, seed=9, workers=2)
    lines = [json.loads(x) for x in manifest.read_text("utf-8").splitlines()]
    assert len(lines) == 16
    for line in lines:
        samples = corpus.read_wav(tmp_path / line["file"])
        seconds = samples.size / corpus.SAMPLE_RATE
        assert seconds > line["lead_s"] + line["tail_s"] + line["pause_s"]
        peak = float(np.max(np.abs(samples)))
        if line["kind"] == "silence":
            assert peak < 0.01
        else:
            assert abs(peak - line["level"]) < 0.02
    first = (tmp_path / lines[0]["file"]).stat().st_mtime_ns
    corpus.build_corpus(tmp_path, count=16, seed=9, workers=1)  # cached: nothing re-rendered
    assert (tmp_path / lines[0]["file"]).stat().st_mtime_ns == first


def test_real_recordings_become_negatives(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    tone = np.sin(np.arange(24000) / 24000 * 2 * np.pi * 220).astype(np.float32) * 0.3
    corpus.write_wav(src / "someone.wav", tone, rate=24000)
    specs = corpus.real_specs(src, tmp_path / "out", seed=1)
    assert [(s.kind, s.label, s.voice) for s in specs] == [("real_speech", False, "real")]
    converted = corpus.read_wav(tmp_path / "out" / specs[0].file)
    assert converted.size == 16000  # resampled to 16 kHz


def test_pick_style_fits_the_time():
    rng = random.Random(1)
    for _ in range(200):
        hour, minute = rng.randrange(24), rng.randrange(60)
        style = wording.pick_style(rng, hour, minute)
        if style == "named":
            assert hour in (0, 12)
        if style == "meia":
            assert minute == 30
        if style == "ponto":
            assert minute == 0
