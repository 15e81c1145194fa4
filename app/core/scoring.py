"""Closed-set scoring: is the expected phrase more likely than its nearest competitors?

The decoder is teacher-forced on each candidate text (CTranslate2 ``align`` returns per-token
probabilities) over the same encoder output, so a clip whose transcript came out garbled can still
be judged. Candidates are the expected phrase and the phrases a wrong answer would be: the other
punch types, the minute +-1/5/10, the hour +-1, and whatever the transcript said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from app.core.phrase import Phrase
from app.core.punch_types import label as type_label

# Spoken-style renderings, in the forms Whisper writes for pt-BR times.
_STYLES = (
    "{t}, {h} e {m}.",
    "{t}, {h} horas e {m} minutos.",
    "{t} {h}:{mm}.",
    "{t} {h}{mm}.",
)


@dataclass(frozen=True)
class ScoreResult:
    margin: float  # best expected minus best competitor, in nats (summed log-probability)
    expected_mean_logprob: float  # per token, of the best expected rendering
    best_competitor: Phrase | None


def type_words(kind: str, punch_types: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Capitalised words a person says for a type ('INTERVALO' -> ['Intervalo', 'Pausa'])."""
    words = [type_label(kind)]
    for w in punch_types.get(kind, ()):
        cap = w.capitalize()
        if cap.lower() not in {x.lower() for x in words} and cap.lower() != "saida":
            words.append(cap)
    return words


def render(phrase: Phrase, word: str) -> list[str]:
    h, m = phrase.hour, phrase.minute
    if m == 0:
        return [f" {word}, {h} horas.", f" {word} {h}:00.", f" {word}, {h} em ponto."]
    return [" " + s.format(t=word, h=h, m=m, mm=f"{m:02d}") for s in _STYLES]


def competitors(expected: Phrase, punch_types: Mapping[str, tuple[str, ...]]) -> list[Phrase]:
    out: list[Phrase] = [Phrase(k, expected.hour, expected.minute) for k in punch_types]
    for dm in (-10, -5, -1, 1, 5, 10):
        m = expected.minute + dm
        if 0 <= m <= 59:
            out.append(Phrase(expected.type, expected.hour, m))
    for dh in (-1, 1):
        out.append(Phrase(expected.type, (expected.hour + dh) % 24, expected.minute))
    return [p for p in dict.fromkeys(out) if p != expected]


def score(
    model,  # faster_whisper.WhisperModel
    tokenizer,  # faster_whisper.tokenizer.Tokenizer
    encoder_output: np.ndarray,  # [1, frames, d_model]
    num_frames: int,
    expected: Phrase,
    punch_types: Mapping[str, tuple[str, ...]],
    extra: Phrase | None = None,
) -> ScoreResult:
    """Two small batches instead of one big one: first find the rendering (wording, number
    style) in which the expected phrase is most likely, then score every competitor in that
    same rendering, so style and length cancel out of the margin."""
    exp_texts = [
        (word, style)
        for word in type_words(expected.type, punch_types)
        for style in range(len(render(expected, word)))
    ]
    exp_scores = _logprobs(
        model, tokenizer, encoder_output, num_frames, [render(expected, w)[i] for w, i in exp_texts]
    )
    best = int(np.argmax([lp for lp, _ in exp_scores]))
    word, style = exp_texts[best]
    rivals = competitors(expected, punch_types)
    if extra is not None and extra != expected and extra not in rivals:
        rivals.append(extra)
    texts = []
    for rival in rivals:
        rival_word = word if rival.type == expected.type else type_words(rival.type, punch_types)[0]
        options = render(rival, rival_word)
        texts.append(options[min(style, len(options) - 1)] if rival.minute else options[0])
    rival_scores = _logprobs(model, tokenizer, encoder_output, num_frames, texts)
    top = int(np.argmax([lp for lp, _ in rival_scores]))
    best_lp, best_len = exp_scores[best]
    return ScoreResult(
        margin=best_lp - rival_scores[top][0],
        expected_mean_logprob=best_lp / max(1, best_len),
        best_competitor=rivals[top],
    )


def _logprobs(
    model, tokenizer, encoder_output: np.ndarray, num_frames: int, texts: list[str]
) -> list[tuple[float, int]]:
    """(summed log-probability, token count) of each text, teacher-forced on the audio."""
    import ctranslate2

    tokens = [tokenizer.encode(t) for t in texts]
    batch = ctranslate2.StorageView.from_array(
        np.ascontiguousarray(np.repeat(encoder_output, len(texts), axis=0))
    )
    start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    results = model.model.align(batch, start, tokens, num_frames)
    return [
        (float(np.sum(np.log(np.maximum(r.text_token_probs, 1e-12)))), len(tok))
        for r, tok in zip(results, tokens, strict=True)
    ]
