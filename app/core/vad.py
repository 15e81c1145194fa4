"""Speech detection with the Silero VAD that faster-whisper ships: trim silence around speech."""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from app.core.audio import SAMPLE_RATE
from app.core.privacy import disable_telemetry

PAD_SECONDS = 0.25


def speech_spans(samples: np.ndarray, threshold: float = 0.5) -> list[tuple[int, int]]:
    """(start, end) sample indexes of each speech region, padded a little; [] for none.
    Regions closer than 0.3 s are one: a pause that long between the type and the time is
    where Whisper on one window stops after the type (docs/MODEL-NOTES.md, "Traps")."""
    disable_telemetry()  # before faster-whisper creates the Silero ONNX session
    options = VadOptions(
        threshold=threshold,
        min_speech_duration_ms=150,
        min_silence_duration_ms=300,
        speech_pad_ms=int(PAD_SECONDS * 1000),
    )
    found = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [(max(0, s["start"]), min(samples.size, s["end"])) for s in found]


def speech_span(samples: np.ndarray, threshold: float = 0.5) -> tuple[int, int] | None:
    """(start, end) sample indexes covering all speech plus a little padding, or None."""
    spans = speech_spans(samples, threshold)
    if not spans:
        return None
    return spans[0][0], spans[-1][1]


def trim(samples: np.ndarray, threshold: float = 0.5) -> np.ndarray | None:
    """Samples of the speech part only, or None when there is no speech."""
    span = speech_span(samples, threshold)
    if span is None:
        return None
    return samples[span[0] : span[1]]
