"""The verifier: audio + expected phrase -> VerifyResult. Every front calls this.

Pipeline (design.md §2-3, issue 11): decode -> VAD (speech regions) -> encode only the speech
(+1 s), not a padded 30-s window -> greedy decode -> parse the text as numbers -> decide. A miss
gets, on the same encoder output, views that use what is known: the time decoded on its own
window when a pause follows the type ("Entrada." ends a decode), then a beam-5 n-best whose best
transcript may match and whose readings become rivals, then closed-set scoring of the expected
phrase against the strongest in-grammar alternatives, accepted only with a margin and a
plausibility floor. When greedy read another phrase, the expected one is first scored against
that transcript alone: failing it decides the clip (more rivals only lower the margin). A
full-window beam-5 transcript can get the last word (off by default: slow).
The expected phrase is never given to Whisper as a prompt or hotword: that makes it "hear" it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from app import paths
from app.core import audio as audio_mod
from app.core import decoding, scoring, vad
from app.core.config import EngineOptions, options_from
from app.core.errors import ModelError
from app.core.model import load_model
from app.core.phrase import Phrase, parse_expected
from app.core.result import (
    MATCH,
    NO_SPEECH,
    SCORED_ACCEPT,
    SCORED_REJECT,
    TIME_MISMATCH,
    TYPE_MISMATCH,
    UNPARSED,
    Timings,
    VerifyResult,
)
from app.core.spoken import SpokenTime, half_day_guess, parse_spoken, resolve

RETRY_BEAM = 5
N_BEST = 5


class Verifier:
    """Loads the model once; ``verify`` is safe to call from several threads."""

    def __init__(self, options: EngineOptions | None = None, cache_root: Path | None = None):
        # No options: defaults plus PONTOVOZ_* environment (the API and Lambda way). The settings
        # file is never read here; fronts that honour it pass app.settings.engine_options().
        self.options = options or options_from({})
        self._cache_root = cache_root
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model(self):  # faster_whisper.WhisperModel
        if self._model is None:
            self.load()
        return self._model

    def load(self) -> float:
        """Load the model (assembling the embedded one on first use). Returns seconds spent."""
        with self._lock:
            if self._model is not None:
                return 0.0
            from faster_whisper.tokenizer import Tokenizer

            start = time.perf_counter()
            model = load_model(self.options, self._cache_root or paths.cache_dir())
            if not model.model.is_multilingual:
                raise ModelError("the Whisper model is English-only; PontoVoz needs multilingual")
            self._tokenizer = Tokenizer(
                model.hf_tokenizer, True, task="transcribe", language=self.options.language
            )
            self._model = model
            self.load_seconds = time.perf_counter() - start
            return self.load_seconds

    def verify(self, audio: audio_mod.AudioInput, expected: str | Phrase) -> VerifyResult:
        """Decide whether ``audio`` says ``expected``. Raises AudioError/PhraseError/ModelError."""
        model = self.model  # loads on first use; not counted in the timings
        t = Timings()
        start = time.perf_counter()
        phrase = (
            expected
            if isinstance(expected, Phrase)
            else parse_expected(expected, self.options.punch_types)
        )
        samples = audio_mod.decode(audio, self.options.max_audio_seconds)
        t.decode = time.perf_counter() - start

        mark = time.perf_counter()
        spans = vad.speech_spans(samples, self.options.vad_threshold)
        t.vad = time.perf_counter() - mark
        if not spans:
            t.total = time.perf_counter() - start
            return VerifyResult(False, "", phrase, None, NO_SPEECH, "none", timings=t)
        speech = samples[spans[0][0] : spans[-1][1]]

        mark = time.perf_counter()
        encoder_output, num_frames = decoding.encode(model, speech)
        t.encode = time.perf_counter() - mark

        mark = time.perf_counter()
        text = decoding.decode(model, self._tokenizer, encoder_output, self.options.beam_size)[0]
        t.decode_text = time.perf_counter() - mark
        spoken = parse_spoken(text, self.options.punch_types)
        heard = resolve(spoken, phrase)
        result = self._judge_text(text, phrase, spoken, heard)
        if result.validated:
            return self._done(result, t, start)
        seen = [heard]
        # transcripts of another phrase (one that reads as this phrase only in 12-hour speech is
        # neither: "3.19" may be 3:19 or 15:19)
        heard_texts = [text] if heard is not None and heard != phrase else []
        look_again = self._needs_second_look(phrase, heard, spoken)

        if heard is None and len(spans) > 1:
            # A pause after the type: Whisper's decode ends at "Entrada." (design.md §3), so
            # the time is decoded on its own window and read after the type.
            mark = time.perf_counter()
            tail = samples[_after_longest_gap(spans) : spans[-1][1]]
            tail_output, _ = decoding.encode(model, tail)
            tail_text = decoding.decode(model, self._tokenizer, tail_output, 1)[0]
            t.decode_text += time.perf_counter() - mark
            joined = f"{text.rstrip(' .')}. {tail_text.strip()}"
            joined_spoken = parse_spoken(joined, self.options.punch_types)
            joined_heard = resolve(joined_spoken, phrase)
            joined_result = self._judge_text(joined, phrase, joined_spoken, joined_heard)
            if joined_result.validated:
                joined_result.method = "pause"
                return self._done(joined_result, t, start)
            seen.append(joined_heard)
            if joined_heard is not None and joined_heard != phrase:
                heard_texts.append(joined)
            look_again = look_again or self._needs_second_look(phrase, joined_heard, joined_spoken)

        rendering = None
        if heard is not None and self.options.closed_set:
            # Greedy read a phrase that is not this one. Scoring only ever adds rivals to that
            # reading, so when the expected phrase does not beat the transcript itself by the
            # margin (or is implausible) the verdict is already known: skip the beam and the
            # rival batches. Most wrong phrases end here.
            mark = time.perf_counter()
            rendering, bound = scoring.best_rendering(
                model,
                self._tokenizer,
                encoder_output,
                num_frames,
                phrase,
                self.options.punch_types,
                heard_texts,
            )
            t.score += time.perf_counter() - mark
            # (with the full-window pass on, a margin in [0, score_margin) still goes there)
            fallback = self.options.full_window_fallback
            limit = 0.0 if fallback else self.options.score_margin
            implausible = rendering.mean_logprob < self.options.score_floor and not fallback
            if implausible or bound < limit:
                if look_again:
                    result = VerifyResult(
                        False, text, phrase, heard, SCORED_REJECT, "closed_set", bound
                    )
                return self._done(result, t, start)

        if self.options.beam_size < RETRY_BEAM:
            # Beam search on the same short window, keeping its n-best: the best transcript
            # fixes about a quarter of the greedy misses; the others name the in-grammar
            # phrases the expected one must beat.
            mark = time.perf_counter()
            beams = decoding.decode(model, self._tokenizer, encoder_output, RETRY_BEAM, N_BEST)
            t.decode_text += time.perf_counter() - mark
            for rank, beam_text in enumerate(beams):
                beam_spoken = parse_spoken(beam_text, self.options.punch_types)
                beam_heard = resolve(beam_spoken, phrase)
                if rank == 0:
                    beam_result = self._judge_text(beam_text, phrase, beam_spoken, beam_heard)
                    # Only when greedy read no phrase at all: beam against a clear greedy
                    # reading of another time is a coin toss, and scoring settles it.
                    if beam_result.validated and heard is None:
                        beam_result.method = "beam"
                        return self._done(beam_result, t, start)
                    look_again = look_again or self._needs_second_look(
                        phrase, beam_heard, beam_spoken
                    )
                seen.append(beam_heard)
                if beam_heard is not None and beam_heard != phrase:
                    heard_texts.append(beam_text)
        if not look_again:
            return self._done(result, t, start)

        margin = None
        if self.options.closed_set:
            mark = time.perf_counter()
            scored = scoring.score(
                model,
                self._tokenizer,
                encoder_output,
                num_frames,
                phrase,
                self.options.punch_types,
                extra=[p for p in seen if p is not None and p != phrase],
                heard_texts=heard_texts,
                rendering=rendering,
            )
            t.score += time.perf_counter() - mark
            margin = scored.margin
            plausible = scored.expected_mean_logprob >= self.options.score_floor
            if plausible and scored.margin >= self.options.score_margin:
                accepted = VerifyResult(
                    True, text, phrase, heard, SCORED_ACCEPT, "closed_set", margin
                )
                return self._done(accepted, t, start)
            if scored.margin < 0 or not self.options.full_window_fallback:
                rejected = VerifyResult(
                    False, text, phrase, heard, SCORED_REJECT, "closed_set", margin
                )
                return self._done(rejected, t, start)

        if self.options.full_window_fallback:
            mark = time.perf_counter()
            full_text = self._full_window(speech)
            t.decode_text += time.perf_counter() - mark
            full_spoken = parse_spoken(full_text, self.options.punch_types)
            full_heard = resolve(full_spoken, phrase)
            result = self._judge_text(full_text, phrase, full_spoken, full_heard)
            result.method = "full_window"
        result.margin = margin
        return self._done(result, t, start)

    @staticmethod
    def _done(result: VerifyResult, t: Timings, start: float) -> VerifyResult:
        t.total = time.perf_counter() - start
        result.timings = t
        return result

    def _full_window(self, speech: np.ndarray) -> str:
        segments, _ = self.model.transcribe(
            speech,
            language=self.options.language,
            beam_size=5,
            # one deterministic pass: faster-whisper's default temperature fallback re-decodes
            # noisy clips up to five times, with sampling, so a verdict could change between
            # two runs on the same audio
            temperature=0.0,
            without_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        return decoding.first_sentence("".join(s.text for s in segments))

    @staticmethod
    def _judge_text(
        text: str, phrase: Phrase, spoken: SpokenTime, heard: Phrase | None
    ) -> VerifyResult:
        if heard is None:
            return VerifyResult(False, text, phrase, None, UNPARSED, "text")
        if heard == phrase and not half_day_guess(spoken, heard):
            return VerifyResult(True, text, phrase, heard, MATCH, "text")
        if heard == phrase:  # "3.19" for 15 19 may be 13 19 with its "1" lost: scoring decides
            return VerifyResult(False, text, phrase, heard, TIME_MISMATCH, "text")
        reason = TYPE_MISMATCH if heard.type != phrase.type else TIME_MISMATCH
        return VerifyResult(False, text, phrase, heard, reason, "text")

    @staticmethod
    def _needs_second_look(phrase: Phrase, heard: Phrase | None, spoken: SpokenTime) -> bool:
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


def _after_longest_gap(spans: list[tuple[int, int]]) -> int:
    """Start of the speech region that follows the longest silence."""
    gaps = [(spans[i + 1][0] - spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1)]
    return max(gaps)[1]
