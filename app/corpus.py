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
    """16-bit mono WAV -> float32 samples (for mixing; the product decodes with PyAV)."""
    import wave

    with wave.open(str(path), "rb") as w:
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
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
