"""Closed-set scoring: is the expected phrase clearly the most likely phrase in the grammar?

The decoder is teacher-forced on candidate texts (CTranslate2 ``align`` returns per-token
probabilities) over the same encoder output, so a clip whose transcript came out garbled can still
be judged. The answer space is tiny (4 types x 1,440 times), so instead of a fixed neighbour list
the expected phrase is compared with the strongest *in-grammar* alternatives: the other types,
the minute and hour slips a wrong phrase would be (+-1/2/5/10/20 min, +-1/2/10 h), the digit
slips Whisper makes ("5" for "15", "56" for "15 56"), and whatever the n-best transcripts read
as a phrase. (The type said alone is no rival here: ``align`` gives no end-of-text probability.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from app.core.phrase import Phrase
from app.core.punch_types import label as type_label

_UNITS = [
    "zero",
    "um",
    "dois",
    "três",
    "quatro",
    "cinco",
    "seis",
    "sete",
    "oito",
    "nove",
    "dez",
    "onze",
    "doze",
    "treze",
    "quatorze",
    "quinze",
    "dezesseis",
    "dezessete",
    "dezoito",
    "dezenove",
]
_TENS = ("", "", "vinte", "trinta", "quarenta", "cinquenta")
_FEMININE = {1: "uma", 2: "duas"}

# Number styles, by index (a rival is scored in the expected phrase's best style).
N_STYLES = 9
TWELVE_HOUR_STYLES = (6, 8)
ADAPTED_STYLE = 7


def words(n: int, feminine: bool = False) -> str:
    """0-59 in pt-BR words ('vinte e uma' when feminine)."""
    if n < 20:
        return _FEMININE[n] if feminine and n in _FEMININE else _UNITS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens] if not unit else f"{_TENS[tens]} e {words(unit, feminine)}"


@dataclass(frozen=True)
class ScoreResult:
    margin: float  # best expected minus best competitor, in nats (summed log-probability)
    expected_mean_logprob: float  # per token, of the best expected rendering
    best_competitor: Phrase | None  # None when a transcript, word for word, won


def type_words(kind: str, punch_types: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Capitalised words a person says for a type ('INTERVALO' -> ['Intervalo', 'Pausa'])."""
    out = [type_label(kind)]
    for w in punch_types.get(kind, ()):
        cap = w.capitalize()
        if cap.lower() not in {x.lower() for x in out} and cap.lower() != "saida":
            out.append(cap)
    return out


def render(phrase: Phrase, word: str, style: int, sep: str = ",") -> str:
    """One written form of a phrase, the way Whisper writes pt-BR times. ``sep`` follows the
    type word in the styles that punctuate it ("Entrada." after a pause)."""
    h, m = phrase.hour, phrase.minute
    if style == 0:
        text = f"{word}, {h} horas" if m == 0 else f"{word}, {h} e {m}"
    elif style == 1:
        text = f"{word}, {h} horas" if m == 0 else f"{word}, {h} horas e {m} minutos"
    elif style == 2:
        text = f"{word} {h}:{m:02d}"
    elif style == 3:
        text = f"{word} {h}{m:02d}"  # a digit run: "Intervalo 1556"
    elif style == 4:
        text = f"{word} {h}h{m:02d}"
    elif style == 5:
        hw = {0: "meia-noite", 12: "meio-dia"}.get(h) or words(h, feminine=True)
        text = f"{word}, {hw}" if m == 0 else f"{word}, {hw} e {words(m)}"
    elif style == 6:  # 12-hour speech: "três e quinze" for 15:15
        h12 = h % 12 or 12
        text = f"{word}, {h12} horas" if m == 0 else f"{word}, {h12} e {m}"
    elif style == 7:  # the adapted model's own style (app.lab.adapt.data.target_text)
        text = f"{word}{sep} {h}h{m:02d}"
    else:  # ...for 12-hour speech: "8h58" for 20:58
        text = f"{word}{sep} {h % 12 or 12}h{m:02d}"
    return f" {text}."


def digit_slips(expected: Phrase) -> list[Phrase]:
    """Phrases Whisper lands on when it drops or adds a tens digit: 15 -> 5, 5 -> 15."""
    out = []
    h, m = expected.hour, expected.minute
    for hour in {h % 10, h + 10, h + 20}:
        if 0 <= hour <= 23 and hour != h:
            out.append(Phrase(expected.type, hour, m))
    for minute in {m % 10, m + 10 * ((m // 10) or 1)}:
        if 0 <= minute <= 59 and minute != m:
            out.append(Phrase(expected.type, h, minute))
    return out


def competitors(
    expected: Phrase,
    punch_types: Mapping[str, tuple[str, ...]],
    extra: Iterable[Phrase] = (),
) -> list[Phrase]:
    """The in-grammar alternatives the expected phrase must beat (never itself)."""
    out: list[Phrase] = [Phrase(k, expected.hour, expected.minute) for k in punch_types]
    for dm in (-20, -10, -5, -2, -1, 1, 2, 5, 10, 20):
        m = expected.minute + dm
        if 0 <= m <= 59:
            out.append(Phrase(expected.type, expected.hour, m))
    for dh in (-10, -2, -1, 1, 2, 10):
        out.append(Phrase(expected.type, (expected.hour + dh) % 24, expected.minute))
    out += digit_slips(expected)
    out += list(extra)
    return [p for p in dict.fromkeys(out) if p != expected and not _same_12h(p, expected)]


def _same_12h(a: Phrase, b: Phrase) -> bool:
    """13:40 said as "uma e quarenta" is the expected phrase, not a rival."""
    return a.type == b.type and a.minute == b.minute and a.hour % 12 == b.hour % 12


@dataclass(frozen=True)
class Rendering:
    """The wording and number style in which the expected phrase is most likely."""

    word: str
    style: int
    logprob: float  # summed over its tokens
    tokens: int

    @property
    def mean_logprob(self) -> float:
        return self.logprob / max(1, self.tokens)


# Texts per ``align`` call. The encoder output is repeated once per text, and past ~8 copies
# the call slows down far faster than linearly (measured on 2 cores: 48 texts in one batch
# ~3 s, in batches of 8 ~0.8 s), so candidates go in small batches.
ALIGN_BATCH = 8


class Scorer:
    """Teacher-forced scoring on one clip's encoder output: the model, its tokenizer, the
    encoder output and the punch types, held once so each question is one call."""

    def __init__(
        self,
        model,  # faster_whisper.WhisperModel
        tokenizer,  # faster_whisper.tokenizer.Tokenizer
        encoder_output: np.ndarray,  # [1, frames, d_model]
        num_frames: int,
        punch_types: Mapping[str, tuple[str, ...]],
    ):
        self.model, self.tokenizer = model, tokenizer
        self.encoder_output, self.num_frames = encoder_output, num_frames
        self.punch_types = punch_types

    def best_rendering(
        self, expected: Phrase, heard_texts: Iterable[str] = (), sep: str = ","
    ) -> tuple[Rendering, float]:
        """The expected phrase's best rendering, and its margin over ``heard_texts``
        (transcripts that read as another phrase, scored word for word in the same batch;
        +inf when none).

        That margin bounds the full one from above (``score`` only adds rivals), so a clip
        that already fails it is rejected without the rest: the verdict is the same, and most
        wrong phrases never pay for the rival batches."""
        all_words = type_words(expected.type, self.punch_types)
        exp_texts = [(w, s) for w in all_words for s in range(N_STYLES)]
        heard = [t for t in dict.fromkeys(heard_texts) if t.strip()]
        scores = self.logprobs([render(expected, w, s, sep) for w, s in exp_texts] + heard)
        exp_scores, heard_scores = scores[: len(exp_texts)], scores[len(exp_texts) :]
        best = int(np.argmax([lp for lp, _ in exp_scores]))
        word, style = exp_texts[best]
        rendering = Rendering(word, style, *exp_scores[best])
        top_heard = max((lp for lp, _ in heard_scores), default=-np.inf)
        return rendering, rendering.logprob - top_heard

    def score(
        self,
        expected: Phrase,
        extra: Iterable[Phrase] = (),
        heard_texts: Iterable[str] = (),
        rendering: Rendering | None = None,
        sep: str = ",",
    ) -> ScoreResult:
        """Two small batches: first the wording and number style in which the expected phrase
        is most likely (skipped when ``rendering`` is given), then every competitor in that
        same wording, so style and length cancel out of the margin. ``heard_texts`` are
        transcripts that read as another phrase: they are rivals word for word too, since a
        rival rendered in the expected phrase's style may be far less likely than the way it
        was actually heard ("Intervalo 14 e 2" vs "Intervalo, 2 e 2")."""
        if rendering is None:
            rendering, _ = self.best_rendering(expected, sep=sep)
        rivals = competitors(expected, self.punch_types, extra)
        words = [
            rendering.word if r.type == expected.type else type_words(r.type, self.punch_types)[0]
            for r in rivals
        ]
        texts = [render(r, w, rendering.style, sep) for r, w in zip(rivals, words, strict=True)]
        if rendering.style in TWELVE_HOUR_STYLES:
            # "8h58" for 20:58 is also what a dropped "dez" of 18:58 sounds like: the rivals
            # are weighed as 24-hour times too ("18h58"), not only in 12-hour speech ("6h58")
            texts += [render(r, w, ADAPTED_STYLE, sep) for r, w in zip(rivals, words, strict=True)]
            rivals = rivals + rivals
        texts += [t for t in dict.fromkeys(heard_texts) if t.strip()]
        rival_scores = self.logprobs(texts)
        top = int(np.argmax([lp for lp, _ in rival_scores]))
        return ScoreResult(
            margin=rendering.logprob - rival_scores[top][0],
            expected_mean_logprob=rendering.mean_logprob,
            best_competitor=rivals[top] if top < len(rivals) else None,
        )

    def logprobs(self, texts: list[str]) -> list[tuple[float, int]]:
        """(summed log-probability, token count) of each text, teacher-forced on the audio."""
        import ctranslate2

        tokenizer = self.tokenizer
        start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        out: list[tuple[float, int]] = []
        for first in range(0, len(texts), ALIGN_BATCH):
            tokens = [tokenizer.encode(t) for t in texts[first : first + ALIGN_BATCH]]
            batch = ctranslate2.StorageView.from_array(
                np.ascontiguousarray(np.repeat(self.encoder_output, len(tokens), axis=0))
            )
            results = self.model.model.align(batch, start, tokens, self.num_frames)
            out += [
                (float(np.sum(np.log(np.maximum(r.text_token_probs, 1e-12)))), len(tok))
                for r, tok in zip(results, tokens, strict=True)
            ]
        return out
