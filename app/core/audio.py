"""Audio in: bytes, a path or samples -> 16 kHz mono float32, with clear errors.

Decoding goes through PyAV (via faster-whisper), so WAV/MP3/OGG/WebM/M4A/FLAC at any rate and
channel count work the same way.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from app.core.errors import AudioError

SAMPLE_RATE = 16000
AudioInput = bytes | bytearray | memoryview | str | Path | np.ndarray


def decode(source: AudioInput, max_seconds: float = 30.0) -> np.ndarray:
    """Return 16 kHz mono float32 samples in [-1, 1], or raise AudioError.

    A numpy array is taken as already 16 kHz mono (the kiosk recorder resamples).
    """
    if isinstance(source, np.ndarray):
        samples = np.asarray(source, dtype=np.float32).reshape(-1)
    else:
        samples = _decode_file(source)
    if samples.size == 0:
        raise AudioError("the audio is empty (no samples)")
    if not np.all(np.isfinite(samples)):
        raise AudioError("the audio contains invalid (NaN/inf) samples")
    seconds = samples.size / SAMPLE_RATE
    if seconds > max_seconds:
        raise AudioError(f"the audio lasts {seconds:.1f} s; the limit is {max_seconds:g} s")
    return samples


def _decode_file(source: bytes | bytearray | memoryview | str | Path) -> np.ndarray:
    import av
    from faster_whisper.audio import decode_audio

    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) == 0:
            raise AudioError("the audio is empty (0 bytes)")
        stream: io.BytesIO | str = io.BytesIO(bytes(source))
    else:
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"audio file not found: {path}")
        if path.stat().st_size == 0:
            raise AudioError(f"the audio file is empty: {path}")
        stream = str(path)
    try:
        samples = decode_audio(stream, sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration, OSError) as exc:
        raise AudioError(f"could not decode the audio (not a supported audio file): {exc}") from exc
    return np.asarray(samples, dtype=np.float32)


def duration(samples: np.ndarray) -> float:
    return samples.size / SAMPLE_RATE
