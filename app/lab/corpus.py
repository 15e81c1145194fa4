"""Synthetic pt-BR test speech (RHVoice 'Leticia-F123', design.md §4), cached on disk.

Used by tests, `eval` and `bench`. Needs Debian's rhvoice + rhvoice-brazilian-portuguese and sox.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from app.core import audio, punch_types

SAMPLE_RATE = 16000
VOICE = "Leticia"


class SynthUnavailable(RuntimeError):
    """RHVoice or sox is not installed."""


def tools_available() -> bool:
    return bool(shutil.which("RHVoice-test") and shutil.which("sox"))


def synthesize(text: str, out: Path, rate: int = 100, pitch: int = 100) -> Path:
    """Speak ``text`` into a 16 kHz mono 16-bit WAV at ``out`` (cached by content)."""
    if out.is_file() and out.stat().st_size > 44:
        return out
    if not tools_available():
        raise SynthUnavailable("install rhvoice, rhvoice-brazilian-portuguese and sox")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(
            ["RHVoice-test", "-p", VOICE, "-r", str(rate), "-t", str(pitch), "-o", str(raw)],
            input=text.encode("utf-8"),
            check=True,
            capture_output=True,
        )
        part = Path(tmp) / "part.wav"
        subprocess.run(
            ["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(part)],
            check=True,
            capture_output=True,
        )
        part.replace(out)
    return out


def cached_clip(cache: Path, text: str, rate: int = 100, pitch: int = 100) -> Path:
    key = hashlib.sha1(f"{VOICE}|{rate}|{pitch}|{text}".encode()).hexdigest()[:16]
    return synthesize(text, cache / f"{key}.wav", rate=rate, pitch=pitch)


def read_wav(path: Path) -> np.ndarray:
    """16-bit WAV -> float32 mono samples (for mixing; the product decodes with PyAV)."""
    return audio.read_wav(path)[0]


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(audio.wav_bytes(samples, rate))
    return path


def add_noise(samples: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White noise at the given SNR relative to the speech power."""
    rng = np.random.default_rng(seed)
    power = float(np.mean(samples**2)) or 1e-8
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), samples.size)
    return (samples + noise).astype(np.float32)


def pad(samples: np.ndarray, before: float, after: float) -> np.ndarray:
    z = np.zeros
    return np.concatenate(
        [z(int(before * SAMPLE_RATE), np.float32), samples, z(int(after * SAMPLE_RATE), np.float32)]
    )


# -- evaluation corpus ------------------------------------------------------------------------

TYPE_SPOKEN = punch_types.LABELS
RATES = (80, 90, 100, 115, 130)
PITCHES = (85, 100, 115)
NOISES = (None, None, 30.0, 20.0, 10.0)  # SNR dB; None = clean
NEGATIVE_KINDS = (
    "wrong_type",
    "minute_1",
    "minute_5",
    "minute_10",
    "hour_1",
    "unrelated",
    "type_only",
    "silence",
    "noise",
)
UNRELATED = (
    "Bom dia, tudo bem com você?",
    "Hoje o dia está bonito lá fora.",
    "Eu preciso falar com o gerente amanhã.",
    "O café da cozinha acabou de novo.",
    "Obrigada, até logo.",
    "Vou pegar o ônibus das sete.",
    "Qual é a senha do wi-fi?",
    "Não sei o que dizer agora.",
)


def say(kind: str, hour: int, minute: int, style: int) -> str:
    """One way a worker reads 'TYPE H M' aloud (digits; the voice reads them as numbers)."""
    t = TYPE_SPOKEN[kind]
    if minute == 0 and style % 2:
        return f"{t}, {hour} horas."
    return (
        f"{t}, {hour} e {minute}.",
        f"{t}, {hour} horas e {minute} minutos.",
        f"{t} {hour} {minute:02d}.",
        f"{t}, {hour} horas e {minute}.",
    )[style % 4]


def build_corpus(out_dir: Path, count: int = 200, seed: int = 1) -> Path:
    """Write ``count`` clips (half positives, half spread over NEGATIVE_KINDS) and a manifest.

    Each line: {"file", "expected_speech", "label", "kind", "spoken", "rate", "pitch", "snr_db"}.
    Different seeds give disjoint-enough sets to tune on one and measure on another.
    """
    import json
    import random

    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = out_dir / "tts"
    kinds = list(TYPE_SPOKEN)
    lines = []
    for i in range(count):
        label = i % 2 == 0
        kind = "positive" if label else NEGATIVE_KINDS[(i // 2) % len(NEGATIVE_KINDS)]
        ptype, hour, minute = rng.choice(kinds), rng.randrange(24), rng.randrange(60)
        rate, pitch, snr = rng.choice(RATES), rng.choice(PITCHES), rng.choice(NOISES)
        s_type, s_hour, s_min = ptype, hour, minute
        if kind == "wrong_type":
            s_type = rng.choice([k for k in kinds if k != ptype])
        elif kind.startswith("minute_"):
            step = int(kind.split("_")[1]) * rng.choice((-1, 1))
            s_min = minute + step if 0 <= minute + step <= 59 else minute - step
        elif kind == "hour_1":
            s_hour = (hour + rng.choice((-1, 1))) % 24
        spoken = {
            "unrelated": rng.choice(UNRELATED),
            "type_only": TYPE_SPOKEN[ptype] + ".",
        }.get(kind, say(s_type, s_hour, s_min, rng.randrange(4)))
        if kind == "silence":
            samples = np.zeros(int(rng.uniform(1.0, 3.0) * SAMPLE_RATE), np.float32)
            spoken = ""
        elif kind == "noise":
            level = rng.uniform(0.005, 0.05)
            samples = np.random.default_rng(i).normal(0, level, int(2.5 * SAMPLE_RATE))
            samples = samples.astype(np.float32)
            spoken = ""
        else:
            samples = read_wav(cached_clip(cache, spoken, rate=rate, pitch=pitch))
            samples = pad(samples, rng.uniform(0.1, 0.8), rng.uniform(0.2, 1.0))
            if snr is not None:
                samples = add_noise(samples, snr, seed=seed * 100003 + i)
        name = f"{i:04d}-{kind}.wav"
        write_wav(out_dir / name, samples)
        lines.append(
            {
                "file": name,
                "expected_speech": f"{ptype} {hour:02d} {minute:02d}",
                "label": label,
                "kind": kind,
                "spoken": spoken,
                "rate": rate,
                "pitch": pitch,
                "snr_db": snr,
            }
        )
    manifest = out_dir / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return manifest
