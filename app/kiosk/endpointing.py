"""Where speech is in a stream of blocks, with no Qt and no threads: energy endpointing with
an adaptive noise floor (``Endpointer``) and what of the pre-roll buffer opens a recording
(``preroll_keep``). ``RecorderWorker`` (``recorder.py``) runs them on its thread."""

from __future__ import annotations

import numpy as np

BLOCK_SECONDS = 0.03
PREROLL_QUIET_SECONDS = 0.5  # a pause this long before the tap: earlier sound is not this phrase
PREROLL_MARGIN_SECONDS = 0.15  # kept before the onset of the speech under way at the tap
CUT_QUIET_SECONDS = 0.3  # less quiet than this before it at the buffer's start: it began before


class Endpointer:
    """Energy endpointing: speech = RMS well above the adaptive noise floor."""

    def __init__(self, silence_seconds: float = 0.7, min_speech_seconds: float = 0.15) -> None:
        self.silence_seconds = silence_seconds
        self.min_speech_seconds = min_speech_seconds
        self.floor = 1e-3
        self.speech_seconds = 0.0
        self.silence_after = 0.0
        self.heard_speech = False
        self.speech_end_at: float | None = None  # seconds into the recording

    def feed(self, rms: float, seconds: float, at: float) -> bool:
        """Feed one block; True when the recording should stop (speech, then enough silence)."""
        threshold = max(0.01, self.floor * 4)
        if rms > threshold:
            self.speech_seconds += seconds
            if self.speech_seconds >= self.min_speech_seconds:
                self.heard_speech = True
            self.silence_after = 0.0
            self.speech_end_at = at + seconds
        else:
            self.floor = 0.95 * self.floor + 0.05 * max(rms, 1e-5)
            if self.heard_speech:
                self.silence_after += seconds
        return self.heard_speech and self.silence_after >= self.silence_seconds


def rms(block: np.ndarray) -> float:
    return float(np.sqrt(np.mean(block * block))) if block.size else 0.0


def preroll_keep(blocks: list[np.ndarray], rate: int, full: bool) -> tuple[list[np.ndarray], bool]:
    """What of the rolling buffer opens the recording, and whether speech was cut.

    Only the speech under way at the tap is kept (from its onset, pauses shorter than
    ``PREROLL_QUIET_SECONDS`` bridged, as between "Entrada," and the time, plus a small
    margin), so a word said a second earlier to a colleague is not verified as the phrase.
    Cut: that speech reaches back to the buffer's very start, so its beginning was lost."""
    if not blocks:
        return [], False
    levels = [rms(b) for b in blocks]
    floor = float(np.percentile(levels, 20))
    threshold = max(0.01, floor * 4)
    quiet_needed = max(1, round(PREROLL_QUIET_SECONDS / BLOCK_SECONDS))
    quiet = 0
    onset = None
    reached_start = True  # no pause long enough between the buffer's start and the tap
    for i in range(len(blocks) - 1, -1, -1):
        if levels[i] > threshold:
            onset, quiet = i, 0
        else:
            quiet += 1
            if quiet >= quiet_needed:
                reached_start = False
                break
    if onset is None:  # no speech under way at the tap: keep a short quiet lead only
        return blocks[-quiet_needed:], False
    margin = round(PREROLL_MARGIN_SECONDS / BLOCK_SECONDS)
    start = max(0, onset - margin)
    # A full buffer with less than CUT_QUIET_SECONDS of quiet before that speech: it began
    # before the buffer (its start may be a pause between words). A buffer still filling
    # began when the microphone opened: only a loud first block says the speech was cut.
    lead_blocks = round(CUT_QUIET_SECONDS / BLOCK_SECONDS)
    cut = reached_start and (onset < lead_blocks if full else onset == 0)
    return blocks[start:], cut
