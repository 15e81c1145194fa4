"""What the verifier returns: plain dataclasses every front can serialise."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from app.core.phrase import Phrase

# Reasons (stable strings, used in logs, CLI JSON and kiosk messages).
MATCH = "match"
NO_SPEECH = "no speech"
TYPE_MISMATCH = "type mismatch"
TIME_MISMATCH = "time mismatch"
UNPARSED = "unparsed"
SCORED_ACCEPT = "closed-set accept"
SCORED_REJECT = "closed-set reject"


@dataclass
class Timings:
    """Seconds spent in each stage of one verification."""

    decode: float = 0.0  # audio bytes -> samples
    vad: float = 0.0
    encode: float = 0.0  # mel + Whisper encoder
    decode_text: float = 0.0  # greedy/beam text decoding (all passes)
    score: float = 0.0  # closed-set scoring
    total: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """What the judge decided from a clip's readings (``app.core.judge``)."""

    validated: bool
    spoken_text: str
    parsed: Phrase | None
    reason: str
    method: str  # the view that read it ("text" for greedy), "closed_set" or "none"
    margin: float | None = None


@dataclass(frozen=True)
class VerifyResult:
    validated: bool
    spoken_text: str  # Whisper's raw text, leading space kept (seed's spoken_text_in_audio)
    expected: Phrase
    parsed: Phrase | None  # what the transcript said, as (type, hour, minute), if understood
    reason: str
    method: str = "text"  # "text" (greedy), "pause", "wide", "closed_set", "none"
    margin: float | None = None  # closed-set margin in nats, when scoring ran
    timings: Timings = field(default_factory=Timings)
    views: tuple[str, ...] = ()  # the views that read the clip, in order

    @classmethod
    def of(
        cls, verdict: Verdict, expected: Phrase, timings: Timings, views: tuple[str, ...] = ()
    ) -> VerifyResult:
        v = verdict
        return cls(
            v.validated,
            v.spoken_text,
            expected,
            v.parsed,
            v.reason,
            v.method,
            v.margin,
            timings,
            views,
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["expected"] = self.expected.text()
        d["parsed"] = self.parsed.text() if self.parsed else None
        return d
