"""Whisper on a short window: encode only the speech, decode greedy or an n-best beam.

docs/MODEL-NOTES.md, "Speed": the encoder on a 30-s padded window is most of the cost; the clip's
own length (+1 s) is ~10x cheaper. Greedy decoding on a short window may repeat the phrase, so
generation is capped and the text cut at the first repeat.
"""

from __future__ import annotations

import re

import numpy as np

from app.core.audio import SAMPLE_RATE

TAIL_PAD_SECONDS = 1.0
MAX_TOKENS = 32  # a punch phrase is ~10 tokens; more is Whisper repeating itself


WINDOW_SECONDS = 30.0  # the window Whisper was trained on


def encode(
    model, speech: np.ndarray, pad_seconds: float = TAIL_PAD_SECONDS
) -> tuple[np.ndarray, int]:
    """Encoder output for the speech plus ``pad_seconds`` of silence (capped at Whisper's 30-s
    window), and its frame count."""
    import ctranslate2

    padded = np.concatenate([speech, np.zeros(int(pad_seconds * SAMPLE_RATE), np.float32)])
    padded = padded[: int(WINDOW_SECONDS * SAMPLE_RATE)]
    features = model.feature_extractor(padded)
    frames = min(features.shape[-1], model.feature_extractor.nb_max_frames)
    features = np.ascontiguousarray(features[None, :, :frames], dtype=np.float32)
    output = model.model.encode(ctranslate2.StorageView.from_array(features), to_cpu=True)
    return np.array(output), frames // 2


def decode(
    model,
    tokenizer,
    encoder_output: np.ndarray,
    beam_size: int,
    n_best: int = 1,
) -> list[str]:
    """The ``n_best`` transcripts, best first (each cut at its first repeat)."""
    import ctranslate2

    prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    result = model.model.generate(
        ctranslate2.StorageView.from_array(encoder_output),
        [prompt],
        beam_size=beam_size,
        num_hypotheses=min(n_best, beam_size),
        max_length=MAX_TOKENS,
        suppress_blank=True,
    )[0]
    return [first_sentence(tokenizer.decode(ids)) for ids in result.sequences_ids]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def first_sentence(text: str) -> str:
    """Whisper on a short window may repeat the phrase; keep the text up to the first repeat
    (a repeated sentence, or a run of three or more words said again: "8 e 25 8 e 25")."""
    parts = _SENTENCE_END.split(text.strip())
    if len(parts) > 1 and parts[0].strip(" .!?").lower() in (
        p.strip(" .!?").lower() for p in parts[1:]
    ):
        return " " + parts[0]
    text = _cut_repeated_run(text)
    return text if text.startswith(" ") or not text else " " + text


def _cut_repeated_run(text: str) -> str:
    words = text.split()
    plain = [w.strip(",.!?").lower() for w in words]
    for start in range(len(words)):
        for size in range(3, (len(words) - start) // 2 + 1):
            if plain[start : start + size] == plain[start + size : start + 2 * size]:
                return " ".join(words[: start + size])
    return text
