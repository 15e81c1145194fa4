"""The verifier's views: each reads one clip one way and returns what it read.

A view is ``view(clip, readings_so_far) -> [Reading]``; ``EngineOptions.views`` lists the ones that
run, in order. With the adapted model two pay for their time: ``greedy`` and ``pause``. A beam-5
n-best and a wide window (speech + 15 s) were views for the plain base; on the adapted model they
bought nothing on 600 dev clips (21 vs 22 false rejects without them, the same false accepts) for
~0.2 s on every undecided clip, and were deleted (docs/FIGURES.md).

A reading is text plus what that text says against the expected phrase; views never decide
(``app.core.judge`` does, once). Every view decodes the same encoder output or a window of the
same samples; none is ever given the expected phrase (docs/MODEL-NOTES.md, "Traps": Whisper
then "hears" it in noise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.core import decoding
from app.core.config import EngineOptions
from app.core.phrase import Phrase
from app.core.spoken import SpokenTime, hour_guess, parse_spoken, resolve


@dataclass(frozen=True)
class Clip:
    """One clip's audio and short-window encoder output, shared by every view."""

    samples: np.ndarray
    spans: list[tuple[int, int]]  # speech regions (VAD), sample indexes
    encoder_output: np.ndarray  # the speech + 1 s
    num_frames: int
    phrase: Phrase  # the expected phrase

    @property
    def speech(self) -> np.ndarray:
        return self.samples[self.spans[0][0] : self.spans[-1][1]]


@dataclass(frozen=True)
class Reading:
    """What one view read."""

    view: str
    text: str
    heard: Phrase | None  # the phrase the text reads as, against the expected one
    guess: bool  # the hour is a 12-hour (or "de 8") reading: the text alone cannot tell
    near: bool  # a slip worth scoring: no phrase at all, or two of type/hour/minute right
    rank: int = 0  # place in an n-best list

    def reads(self, phrase: Phrase) -> bool:
        """The text says exactly the expected phrase."""
        return self.heard == phrase and not self.guess

    def other(self, phrase: Phrase) -> bool:
        """The text says another phrase."""
        return self.heard is not None and self.heard != phrase


def near(phrase: Phrase, heard: Phrase | None) -> bool:
    """A garbled transcript that still holds a number, or one that gets two of type, hour and
    minute right: the slips Whisper makes on noisy audio ("3,20" for 13 20, "1220" for 12 21).
    Text with no number at all (unrelated speech, the type alone), or with more than one part
    wrong, is a clear no."""
    if heard is None:
        return True
    right = (heard.type == phrase.type, heard.hour == phrase.hour, heard.minute == phrase.minute)
    return sum(right) >= 2


def after_longest_gap(spans: list[tuple[int, int]]) -> int:
    """Where the speech after the longest pause starts (the time, after the type)."""
    gaps = [(spans[i + 1][0] - spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1)]
    return max(gaps)[1]


View = Callable[[Clip, list[Reading]], list[Reading]]


class Views:
    """The model, tokenizer and options every view needs; ``get(name)`` gives a view."""

    def __init__(self, model, tokenizer, options: EngineOptions):
        self.model, self.tokenizer, self.options = model, tokenizer, options

    def get(self, name: str) -> View:
        return {
            "greedy": self.greedy,
            "pause": self.pause,
        }[name]

    def hear(self, text: str, phrase: Phrase) -> tuple[SpokenTime, Phrase | None]:
        spoken = parse_spoken(text, self.options.punch_types)
        return spoken, resolve(spoken, phrase)

    def reading(self, view: str, text: str, phrase: Phrase, rank: int = 0) -> Reading:
        spoken, heard = self.hear(text, phrase)
        return Reading(view, text, heard, hour_guess(spoken, heard), near(phrase, heard), rank)

    def _decode(self, output: np.ndarray, beam: int = 1) -> list[str]:
        return decoding.decode(self.model, self.tokenizer, output, beam)

    def greedy(self, clip: Clip, readings: list[Reading]) -> list[Reading]:
        """The plain reading: greedy on the speech + 1 s (~0.1 s)."""
        text = self._decode(clip.encoder_output, self.options.beam_size)[0]
        return [self.reading("greedy", text, clip.phrase)]

    def pause(self, clip: Clip, readings: list[Reading]) -> list[Reading]:
        """The time decoded on its own window when greedy read no phrase and there is a pause:
        Whisper's decode ends at "Entrada." when the time follows a silence (docs/MODEL-NOTES.md,
        "Traps")."""
        if len(clip.spans) < 2 or any(r.heard is not None for r in readings):
            return []
        tail = clip.samples[after_longest_gap(clip.spans) : clip.spans[-1][1]]
        output, _ = decoding.encode(self.model, tail)
        first = readings[0].text if readings else ""
        joined = f"{first.rstrip(' .')}. {self._decode(output)[0].strip()}"
        return [self.reading("pause", joined, clip.phrase)]
