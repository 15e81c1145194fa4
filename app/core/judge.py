"""One place that decides what a clip's readings say about the expected phrase.

Accept by text when a view that may do so read exactly the expected phrase, unless a greedy
reading read another phrase (scoring weighs both then; a later view must not overrule that by
its text alone). Otherwise score: the expected phrase against the in-grammar rivals and every
other phrase the views read, teacher-forced on the same encoder output, accepted only with a
margin and a plausibility floor. ``final`` tells the pipeline when no further view can change
the verdict, so most clips pay for one decode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.config import EngineOptions
from app.core.phrase import Phrase
from app.core.result import (
    MATCH,
    SCORED_ACCEPT,
    SCORED_REJECT,
    TIME_MISMATCH,
    TYPE_MISMATCH,
    UNPARSED,
    Verdict,
)
from app.core.scoring import Rendering, Scorer
from app.core.views import Reading

# Views whose own transcript may accept (every view today; a view that only adds rivals, like
# the n-best beam once was, stays out: its best lands on a digit slip as readily as on the
# expected phrase).
TEXT_VIEWS = ("greedy", "pause")
_TYPE_THEN_STOP = re.compile(r"^\s*[^\W\d]+\.\s")


def _reason(phrase: Phrase, reading: Reading) -> str:
    if reading.heard is None:
        return UNPARSED
    if reading.heard.type != phrase.type:
        return TYPE_MISMATCH
    return TIME_MISMATCH


@dataclass
class Judge:
    """Decides for one clip; caches the expected phrase's best rendering between calls."""

    scorer: Scorer
    phrase: Phrase
    options: EngineOptions
    _bound: tuple[Rendering, float] | None = field(default=None, repr=False)

    def text_accept(self, readings: list[Reading]) -> Reading | None:
        if self.contradicted(readings):
            return None
        return next((r for r in readings if r.view in TEXT_VIEWS and r.reads(self.phrase)), None)

    def contradicted(self, readings: list[Reading]) -> bool:
        """A greedy reading read another phrase."""
        return any(r.view == "greedy" and r.other(self.phrase) for r in readings)

    @staticmethod
    def _sep(readings: list[Reading]) -> str:
        """How the first reading ends the type word: "Entrada." when the speaker paused
        after it (the adapted model writes the pause), else "Entrada,"."""
        return "." if _TYPE_THEN_STOP.match(readings[0].text) else ","

    def _others(self, readings: list[Reading]) -> list[Reading]:
        return [r for r in readings if r.other(self.phrase)]

    def _early_reject(self, readings: list[Reading]) -> bool:
        """The expected phrase does not beat what greedy read, word for word, by the margin
        (or is implausible): scoring only adds rivals, so the verdict is already known."""
        if not self.contradicted(readings) or not self.options.closed_set:
            return False
        if self._bound is None:
            texts = [r.text for r in self._others(readings)]
            self._bound = self.scorer.best_rendering(self.phrase, texts, self._sep(readings))
        rendering, bound = self._bound
        return (
            rendering.mean_logprob < self.options.score_floor or bound < self.options.score_margin
        )

    def final(self, readings: list[Reading]) -> bool:
        """No further view can change the verdict."""
        if self.text_accept(readings) is not None:
            return True
        if self.contradicted(readings) and not any(r.near for r in readings):
            return True  # a clear reading of another phrase
        return self._early_reject(readings)

    def decide(self, readings: list[Reading]) -> Verdict:
        phrase, first = self.phrase, readings[0]
        accepted = self.text_accept(readings)
        if accepted is not None:
            method = "text" if accepted.view == "greedy" else accepted.view
            return Verdict(True, accepted.text, accepted.heard, MATCH, method)
        refused = Verdict(False, first.text, first.heard, _reason(phrase, first), "text")
        if not any(r.near for r in readings) or not self.options.closed_set:
            return refused
        if self._early_reject(readings):
            assert self._bound is not None
            return Verdict(
                False, first.text, first.heard, SCORED_REJECT, "closed_set", self._bound[1]
            )
        others = self._others(readings)
        rendering = self._bound[0] if self._bound else None
        scored = self.scorer.score(
            phrase,
            extra=[r.heard for r in others if r.heard is not None],
            heard_texts=[r.text for r in others],
            rendering=rendering,
            sep=self._sep(readings),
        )
        plausible = scored.expected_mean_logprob >= self.options.score_floor
        ok = plausible and scored.margin >= self.options.score_margin
        reason = SCORED_ACCEPT if ok else SCORED_REJECT
        return Verdict(ok, first.text, first.heard, reason, "closed_set", scored.margin)
