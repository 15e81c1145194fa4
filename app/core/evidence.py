"""What one clip's views have read: the text judgement and the evidence scoring weighs.

The verifier reads a clip several ways (greedy, the time after a pause, the n-best beam, the
vocabulary view). Each reading either decides by text or becomes evidence: a rival phrase, a
rival transcript word for word, a reason to look closer. Kept here so the verifier is the
pipeline only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.core.phrase import Phrase
from app.core.result import MATCH, TIME_MISMATCH, TYPE_MISMATCH, UNPARSED, VerifyResult
from app.core.scoring import Rendering
from app.core.spoken import SpokenTime, hour_guess


def judge_text(text: str, phrase: Phrase, spoken: SpokenTime, heard: Phrase | None) -> VerifyResult:
    if heard is None:
        return VerifyResult(False, text, phrase, None, UNPARSED, "text")
    if heard == phrase and not hour_guess(spoken, heard):
        return VerifyResult(True, text, phrase, heard, MATCH, "text")
    if heard == phrase:  # "3.19" for 15 19 may be 13 19 with its "1" lost: scoring decides
        return VerifyResult(False, text, phrase, heard, TIME_MISMATCH, "text")
    reason = TYPE_MISMATCH if heard.type != phrase.type else TIME_MISMATCH
    return VerifyResult(False, text, phrase, heard, reason, "text")


def needs_second_look(phrase: Phrase, heard: Phrase | None) -> bool:
    """A garbled transcript that still holds a number, or one that gets two of type, hour
    and minute right: the slips Whisper makes on noisy audio ("3,20" for 13 20, "1220" for
    12 21). Text with no number at all (unrelated speech, the type alone), or with more
    than one part wrong, is a clear no."""
    if heard is None:
        return True
    right = (
        heard.type == phrase.type,
        heard.hour == phrase.hour,
        heard.minute == phrase.minute,
    )
    return sum(right) >= 2


@dataclass(frozen=True)
class Clip:
    """One clip's audio and encoder output, shared by every view."""

    samples: np.ndarray
    spans: list[tuple[int, int]]
    encoder_output: np.ndarray
    num_frames: int
    phrase: Phrase


@dataclass
class Evidence:
    """What the views of one clip have read so far: rivals for closed-set scoring."""

    seen: list[Phrase] = field(default_factory=list)  # phrases read, in-grammar rivals
    texts: list[str] = field(default_factory=list)  # transcripts that read as another phrase
    other_reading: bool = False  # a greedy transcript (of any view) read another phrase
    look_again: bool = False  # something worth scoring was heard
    decided: bool = False  # the verdict is known: no further view (vocabulary, wide)
    unclear: bool = False  # scored margin in [0, score_margin): the full window may help
    rendering: Rendering | None = None

    def add(
        self, phrase: Phrase, text: str, heard: Phrase | None, second_look: bool, greedy: bool
    ) -> None:
        # A reading of this phrase only in 12-hour speech ("3.19" for 15 19) is no rival.
        if heard is not None and heard != phrase:
            self.seen.append(heard)
            self.texts.append(text)
            self.other_reading = self.other_reading or greedy
        self.look_again = self.look_again or second_look


def after_longest_gap(spans: list[tuple[int, int]]) -> int:
    """Start of the speech region that follows the longest silence."""
    gaps = [(spans[i + 1][0] - spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1)]
    return max(gaps)[1]
