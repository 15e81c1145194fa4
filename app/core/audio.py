"""Audio in: bytes, a path or samples -> 16 kHz mono float32, with clear errors.

Decoding goes through PyAV (via faster-whisper), so WAV/MP3/OGG/WebM/M4A/FLAC at any rate and
channel count work the same way.
"""

from __future__ import annotations

import contextlib
import io
import wave
from pathlib import Path

import numpy as np

from app.core.errors import AudioError, br_number

SAMPLE_RATE = 16000
AudioInput = bytes | bytearray | memoryview | str | Path | np.ndarray


def decode(source: AudioInput, max_seconds: float = 30.0) -> np.ndarray:
    """Return 16 kHz mono float32 samples in [-1, 1], or raise AudioError.

    A numpy array is taken as already 16 kHz mono (the kiosk recorder resamples).
    """
    if isinstance(source, np.ndarray):
        samples = np.asarray(source, dtype=np.float32).reshape(-1)
    else:
        samples = _decode_file(source, max_seconds)
    if samples.size == 0:
        raise AudioError("o áudio está vazio (nenhuma amostra)")
    if not np.all(np.isfinite(samples)):
        raise AudioError("o áudio contém amostras inválidas (NaN/inf)")
    seconds = samples.size / SAMPLE_RATE
    if seconds > max_seconds:
        raise AudioError(
            f"o áudio dura {br_number(seconds, '.1f')} s; o limite é {br_number(max_seconds)} s"
        )
    return samples


def _decode_file(source: bytes | bytearray | memoryview | str | Path, max_seconds: float):
    """Decode with PyAV, resampling to 16 kHz mono as it goes, and stop as soon as the audio
    runs past the limit: a few MB of low-bitrate Opus can hold hours, which must never be
    decoded whole into memory (faster-whisper's decode_audio would)."""
    import av

    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) == 0:
            raise AudioError("o áudio está vazio (0 bytes)")
        stream: io.BytesIO | str = io.BytesIO(bytes(source))
    else:
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"arquivo de áudio não encontrado: {path}")
        if path.stat().st_size == 0:
            raise AudioError(f"o arquivo de áudio está vazio: {path}")
        stream = str(path)
    limit = int(max_seconds * SAMPLE_RATE) + 1
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(stream, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError("o arquivo não tem faixa de áudio")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in _frames(container):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += chunk.size
                if total > limit:
                    raise AudioError(
                        f"o áudio é longo demais; o limite é {br_number(max_seconds)} s "
                        "(envie um trecho mais curto)"
                    )
    except (av.error.FFmpegError, ValueError, IndexError, OSError) as exc:
        # FFmpeg's own words, without its error number ("[Errno 1094995529]") and file name
        detail = getattr(exc, "strerror", None) or exc
        raise AudioError(
            f"não foi possível decodificar o áudio (não é um arquivo de áudio suportado): {detail}"
        ) from exc
    if not chunks:
        raise AudioError("não foi possível decodificar o áudio: o arquivo não tem amostras")
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def _frames(container):
    """Audio frames of the first audio stream, then None to flush the resampler; frames that
    fail to decode mid-file are skipped like faster-whisper does."""
    import av

    with contextlib.suppress(av.error.InvalidDataError):
        yield from container.decode(audio=0)
    yield None


def duration(samples: np.ndarray) -> float:
    return samples.size / SAMPLE_RATE


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """Float samples as a 16-bit mono WAV file (what the ledger stores and the cloud receives)."""
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit WAV as (mono float samples, rate), channels averaged; no resampling. For
    replaying clips at their own rate; untrusted audio goes through ``decode``."""
    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError("only 16-bit WAV")
    data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return data.reshape(-1, channels).mean(axis=1), rate
