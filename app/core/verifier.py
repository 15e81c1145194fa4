"""The verifier: audio + expected phrase -> VerifyResult. Every front calls this.

Pipeline (design.md §2-3): decode -> VAD trim -> encode only the clip (+1 s), not a padded
30-s window -> greedy decode -> parse the text as numbers -> decide. A miss gets a beam-5 decode
of the same window. When the text is still not decisive (unparsed, or a near miss), closed-set
scoring on the same encoder output decides with a margin; when that is unclear, a full-window
beam-5 transcript gets the last word.
The expected phrase is never given to Whisper as a prompt or hotword: that makes it "hear" it.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import numpy as np

from app import paths
from app.core import audio as audio_mod
from app.core import scoring, vad
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
from app.core.spoken import SpokenTime, parse_spoken, resolve

TAIL_PAD_SECONDS = 1.0
MAX_TOKENS = 32
RETRY_BEAM = 5  # a punch phrase is ~10 tokens; more is Whisper repeating itself


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
        speech = vad.trim(samples, self.options.vad_threshold)
        t.vad = time.perf_counter() - mark
        if speech is None:
            t.total = time.perf_counter() - start
            return VerifyResult(False, "", phrase, None, NO_SPEECH, "none", timings=t)

        mark = time.perf_counter()
        encoder_output, num_frames = self._encode(speech)
        t.encode = time.perf_counter() - mark

        mark = time.perf_counter()
        text = self._decode(encoder_output, self.options.beam_size)
        t.decode_text = time.perf_counter() - mark
        spoken = parse_spoken(text, self.options.punch_types)
        heard = resolve(spoken, phrase)
        result = self._judge_text(text, phrase, heard)
        look_again = self._needs_second_look(phrase, heard, spoken)
        if not result.validated and text.strip() and self.options.beam_size < RETRY_BEAM:
            # Beam search on the same short window: ~0.1-0.2 s, and it fixes about a quarter
            # of the greedy misses (a dropped "1" of "13", "Jorazim" for "10 horas e 1").
            mark = time.perf_counter()
            beam_text = self._decode(encoder_output, RETRY_BEAM)
            t.decode_text += time.perf_counter() - mark
            beam_spoken = parse_spoken(beam_text, self.options.punch_types)
            beam_heard = resolve(beam_spoken, phrase)
            beam_result = self._judge_text(beam_text, phrase, beam_heard)
            if beam_result.validated:
                beam_result.method = "beam"
                result = beam_result
            else:
                look_again = look_again or self._needs_second_look(phrase, beam_heard, beam_spoken)
                heard = heard or beam_heard
        if result.validated or not look_again:
            result.timings = t
            t.total = time.perf_counter() - start
            return result

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
                extra=heard,
            )
            t.score = time.perf_counter() - mark
            margin = scored.margin
            plausible = scored.expected_mean_logprob >= self.options.score_floor
            if plausible and scored.margin >= self.options.score_margin:
                t.total = time.perf_counter() - start
                return VerifyResult(
                    True, text, phrase, heard, SCORED_ACCEPT, "closed_set", margin, t
                )
            if scored.margin < 0:  # a competitor is more likely: a clear no
                t.total = time.perf_counter() - start
                return VerifyResult(
                    False, text, phrase, heard, SCORED_REJECT, "closed_set", margin, t
                )

        if self.options.full_window_fallback:
            mark = time.perf_counter()
            full_text = self._full_window(speech)
            t.decode_text += time.perf_counter() - mark
            full_heard = resolve(parse_spoken(full_text, self.options.punch_types), phrase)
            result = self._judge_text(full_text, phrase, full_heard)
            result.method, result.margin, result.timings = "full_window", margin, t
            t.total = time.perf_counter() - start
            return result

        result.margin, result.timings = margin, t
        t.total = time.perf_counter() - start
        return result

    # -- stages ---------------------------------------------------------------------------

    def _encode(self, speech: np.ndarray) -> tuple[np.ndarray, int]:
        """Encode just the speech (+ a short tail), not a 30-s padded window: ~10x faster."""
        import ctranslate2

        padded = np.concatenate(
            [speech, np.zeros(int(TAIL_PAD_SECONDS * audio_mod.SAMPLE_RATE), np.float32)]
        )
        model = self.model
        features = model.feature_extractor(padded)
        frames = min(features.shape[-1], model.feature_extractor.nb_max_frames)
        features = np.ascontiguousarray(features[None, :, :frames], dtype=np.float32)
        output = model.model.encode(ctranslate2.StorageView.from_array(features), to_cpu=True)
        return np.array(output), frames // 2

    def _decode(self, encoder_output: np.ndarray, beam_size: int) -> str:
        import ctranslate2

        tok = self._tokenizer
        assert tok is not None
        prompt = [*tok.sot_sequence, tok.no_timestamps]
        result = self.model.model.generate(
            ctranslate2.StorageView.from_array(encoder_output),
            [prompt],
            beam_size=beam_size,
            max_length=MAX_TOKENS,
            suppress_blank=True,
        )[0]
        return first_sentence(tok.decode(result.sequences_ids[0]))

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
        return first_sentence("".join(s.text for s in segments))

    @staticmethod
    def _judge_text(text: str, phrase: Phrase, heard: Phrase | None) -> VerifyResult:
        if heard is None:
            return VerifyResult(False, text, phrase, None, UNPARSED, "text")
        if heard == phrase:
            return VerifyResult(True, text, phrase, heard, MATCH, "text")
        reason = TYPE_MISMATCH if heard.type != phrase.type else TIME_MISMATCH
        return VerifyResult(False, text, phrase, heard, reason, "text")

    @staticmethod
    def _needs_second_look(phrase: Phrase, heard: Phrase | None, spoken: SpokenTime) -> bool:
        """A garbled transcript that still holds a number, or one that gets two of type, hour
        and minute right: the slips Whisper makes on noisy audio ("3,20" for 13 20, "1220" for
        12 21). Text with no number at all (unrelated speech, the type alone), or with more
        than one part wrong, is a clear no."""
        if heard is None:
            return any(c.isdigit() for c in spoken.text)
        right = (
            heard.type == phrase.type,
            heard.hour == phrase.hour,
            heard.minute == phrase.minute,
        )
        return sum(right) >= 2


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def first_sentence(text: str) -> str:
    """Whisper on a short window may repeat the phrase; keep the text up to the first repeat."""
    parts = _SENTENCE_END.split(text.strip())
    if len(parts) > 1 and parts[0].strip(" .!?").lower() in (
        p.strip(" .!?").lower() for p in parts[1:]
    ):
        return " " + parts[0]
    return text if text.startswith(" ") or not text else " " + text
