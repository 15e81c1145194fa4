"""The seed-style verifier, kept only as the baseline that `bench` and `eval` compare against.

It is what the original Speech API did: faster-whisper defaults (beam 5, temperature fallback,
a padded 30-s window) and a fuzzy string ratio >= 85 between the normalised transcript and the
expected text. docs/MODEL-NOTES.md ("Traps") explains why it is slow and unsafe.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from app.core import audio as audio_mod
from app.core.phrase import strip_accents

THRESHOLD = 85.0


def normalise(text: str) -> str:
    text = strip_accents(text).lower()
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


class SeedBaseline:
    def __init__(self, model):  # a loaded faster_whisper.WhisperModel (shared with the core)
        self.model = model

    def verify(self, audio: audio_mod.AudioInput, expected: str) -> tuple[bool, str]:
        samples = audio_mod.decode(audio)
        segments, _ = self.model.transcribe(samples, language="pt")
        text = "".join(s.text for s in segments)
        return fuzz.ratio(normalise(text), normalise(expected)) >= THRESHOLD, text
