"""The punch flow's typed state and the small rules the controller applies to it.

``PunchAttempt`` is one worker's punch, from "who are you" to the receipt, across tries;
``Listening`` is one try (its recording and the verify jobs in flight). The ``PunchController``
owns the first, its ``Listener`` the second; each is replaced, never patched from outside.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from app.core.phrase import Phrase
from app.core.punch_types import CODES as PUNCH_TYPES
from app.core.punch_types import LABELS, challenge_word
from app.core.result import VerifyResult
from app.core.spoken import parse_spoken
from app.kiosk.recorder import Recording
from app.punch.words import user_message
from app.rep.records import Punch
from app.store.errors import DiskFullError
from app.store.models import Employee

__all__ = ["LABELS", "PUNCH_TYPES", "Listening", "PunchAttempt", "challenge_word", "clean_heard"]


@dataclass
class Listening:
    """One try: the snapshot verified during a pause and the full recording's verify job."""

    spec_job: int | None = None  # verify job of the current snapshot
    spec_seq: int | None = None
    spec_speech_end: float | None = None
    spec_result: VerifyResult | None = None  # held until the stop decision
    spec_samples: np.ndarray | None = None
    final_job: int | None = None  # verify job of the full recording
    recording: Recording | None = None
    started_at: float = 0.0  # monotonic, for the countdown
    verifying_since: float | None = None
    verdict_shown: bool = False
    paused: bool = False  # the phrase so far is incomplete: waiting for the rest

    def audio(self) -> np.ndarray | None:
        """The try's samples: the full recording, else the snapshot verified during a pause."""
        return self.recording.samples if self.recording is not None else self.spec_samples


@dataclass
class PunchAttempt:
    """One punch across its tries; ``challenged_at`` (first try) is the legal punch time;
    ``punch`` is set once the ledger's COMMIT returned, and never committed twice."""

    employee: Employee | None = None
    punch_type: str = ""
    phrase: Phrase | None = None
    challenged_at: datetime | None = None
    attempt: int = 1
    results: list[VerifyResult] = field(default_factory=list)
    flag_note: str = ""  # why the punch is flagged when no try could be verified
    last_validated: bool = False
    confirmed_duplicate: bool = False
    punch: Punch | None = None  # the stored punch, once committed


def incomplete(result: VerifyResult) -> bool:
    """A type heard but no full time yet ("Entrada." then a pause): wait for the rest."""
    if result.validated:
        return False
    spoken = parse_spoken(result.spoken_text)
    return spoken.type is not None and (spoken.hour is None or spoken.minute is None)


def not_stored(exc: Exception) -> str:
    """Why a punch was not stored, for the worker: a full disk is named (the admin must act)."""
    full = isinstance(exc, DiskFullError) or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    )
    if full:
        return "Disco cheio: não foi possível gravar o registro. Chame o administrador."
    return f"Não foi possível gravar o registro: {user_message(exc)}"


_WORD = re.compile(r"\w+", re.UNICODE)


def clean_heard(text: str, limit: int = 60) -> str:
    """What the screen shows of a transcript: the first sentence of a repeated phrase
    ("Entrada, 13 40. Entrada, 13 40. Entrada" -> "Entrada, 13 40"), no word run twice in a
    row ("Entrada Entrada Entrada" -> "Entrada"), at most ``limit`` characters."""
    text = " ".join(text.split())
    if not text:
        return ""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    norm = [" ".join(_WORD.findall(s.lower())) for s in sentences]
    kept = [s for i, s in enumerate(sentences)
            if norm[i] and not any(p.startswith(norm[i]) for p in norm[:i])]  # fmt: skip
    text = " ".join(kept) or sentences[0]
    out: list[str] = []
    for word in text.split():
        bare = " ".join(_WORD.findall(word.lower()))
        if out and bare and bare == " ".join(_WORD.findall(out[-1].lower())):
            continue
        out.append(word)
    text = " ".join(out).rstrip(".,;: ")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
