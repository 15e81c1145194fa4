"""Noise for the lab corpus: white, pink, brown, babble (other people talking), mains hum."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core import audio
from app.lab.voices import SAMPLE_RATE, VOICES, cached_clip

BABBLE_LINES = (
    "Alguém viu o relatório de ontem?",
    "A máquina de café está quebrada outra vez.",
    "Eles chegaram cedo para a reunião da manhã.",
    "Depois do almoço a gente resolve isso.",
    "O caminhão de entrega atrasou de novo hoje.",
    "Me passa aquela caixa azul, por favor.",
)


def white(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 1.0, n).astype(np.float32)


def _coloured(n: int, seed: int, exponent: float) -> np.ndarray:
    """Noise whose power falls as 1/f**exponent (1: pink, 2: brown)."""
    spectrum = np.fft.rfft(white(n, seed))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    freqs[0] = freqs[1] if n > 1 else 1.0
    shaped = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return (shaped / (np.std(shaped) or 1.0)).astype(np.float32)


def hum(n: int, seed: int) -> np.ndarray:
    """50 or 60 Hz mains hum with harmonics and a little hiss."""
    rng = np.random.default_rng(seed)
    base = rng.choice((50.0, 60.0))
    t = np.arange(n) / SAMPLE_RATE
    wave = sum(a * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6.28)) for k, a in
               ((1, 1.0), (2, 0.5), (3, 0.3), (5, 0.15)))  # fmt: skip
    return (wave + 0.05 * rng.normal(0, 1, n)).astype(np.float32)


def babble(n: int, seed: int, cache: Path) -> np.ndarray:
    """Three or four other voices talking at once (unrelated sentences), looped to length."""
    rng = np.random.default_rng(seed)
    out = np.zeros(n, np.float32)
    for _ in range(int(rng.integers(3, 5))):
        line = BABBLE_LINES[int(rng.integers(len(BABBLE_LINES)))]
        voice = VOICES[int(rng.integers(len(VOICES)))]
        talk = audio.read_wav(cached_clip(cache, line, 100, 100, voice))[0]
        talk = talk / (np.std(talk) or 1.0)
        reps = int(np.ceil((n + talk.size) / talk.size))
        looped = np.tile(talk, reps)
        start = int(rng.integers(0, talk.size))
        out += looped[start : start + n]
    return out / (np.std(out) or 1.0)


def make(kind: str, n: int, seed: int, cache: Path) -> np.ndarray:
    if kind == "pink":
        return _coloured(n, seed, 1.0)
    if kind == "brown":
        return _coloured(n, seed, 2.0)
    if kind == "babble":
        return babble(n, seed, cache)
    if kind == "hum":
        return hum(n, seed)
    return white(n, seed)


def mix(
    samples: np.ndarray, noise: np.ndarray, snr_db: float, reference: np.ndarray | None = None
) -> np.ndarray:
    """``samples`` plus ``noise`` scaled so the speech (``reference``, default ``samples``)
    is ``snr_db`` dB above it."""
    ref = samples if reference is None else reference
    power = float(np.mean(ref**2)) or 1e-8
    noise_power = float(np.mean(noise**2)) or 1e-8
    gain = np.sqrt(power / (noise_power * 10 ** (snr_db / 10)))
    return (samples + gain * noise[: samples.size]).astype(np.float32)
