"""The verifier: audio + expected phrase -> VerifyResult. Every front calls this.

Pipeline (design.md §2-3, issue 11): decode -> VAD (speech regions) -> encode only the speech
(+1 s), not a padded 30-s window -> greedy decode -> parse the text as numbers -> decide. A miss
gets, on the same encoder output, views that use what is known: the time decoded on its own
window when a pause follows the type ("Entrada." ends a decode), then closed-set scoring of the
expected phrase against the strongest in-grammar alternatives, accepted only with a margin and
a plausibility floor; before scoring, a beam-5 n-best adds its readings as rivals. When greedy read
another phrase, the expected one is first scored against that transcript alone: failing it
decides the clip (more rivals only lower the margin). A clip still undecided is read once more,
greedy, on a wide window (the speech plus 15 s of silence: Whisper was trained on 30-s windows
and the short one garbles some clips), and, when enabled, after a prompt of the four type words
(the vocabulary view, off by default: the wide view reads what it read, for less); neither
accepts by text once a greedy transcript read another phrase.
A full-window beam-5 transcript can get the last word (off by default: slow).
The expected phrase is never given to Whisper as a prompt or hotword: that makes it "hear" it.
The vocabulary prompt names every type and no number, so it cannot supply a time.
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
from app.core.evidence import Clip, Evidence, after_longest_gap, judge_text, needs_second_look
from app.core.model import load_model
from app.core.phrase import Phrase, parse_expected
from app.core.result import (
    NO_SPEECH,
    SCORED_ACCEPT,
    SCORED_REJECT,
    TIME_MISMATCH,
    Timings,
    VerifyResult,
)
from app.core.spoken import SpokenTime, parse_spoken, resolve

RETRY_BEAM = 5
N_BEST = 5
# Silence after the speech for the wide view. The full 30-s window read 13 of 415 undecided dev
# clips, speech + 15 s read 11, at half the encoder cost (0.24 vs 0.46 s a clip, 2 cores).
WIDE_PAD_SECONDS = 15.0


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
                raise ModelError("o modelo Whisper só entende inglês; use um modelo multilíngue")
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

        clip = Clip(samples, spans, encoder_output, num_frames, phrase)
        evidence = Evidence()
        result = self._read(clip, "", evidence, t)
        if not result.validated:
            result = self._scrutinise(clip, result, evidence, t)
        if not result.validated and not evidence.decided and self.options.vocabulary_view:
            # Read once more after a prompt of the type words. Only its text can help: it
            # would add rivals to a scoring that has already refused, never take them away.
            second = self._read(clip, decoding.VOCABULARY, evidence, t)
            if second.validated:
                result = second
        if not result.validated and not evidence.decided and self.options.wide_view:
            wide = self._wide_read(clip, speech, evidence, t)
            if wide.validated:
                result = wide
        if not result.validated and self.options.full_window_fallback and evidence.unclear:
            mark = time.perf_counter()
            full_text = self._full_window(speech)
            t.decode_text += time.perf_counter() - mark
            full_spoken, full_heard = self._hear(full_text, phrase)
            margin = result.margin
            result = judge_text(full_text, phrase, full_spoken, full_heard)
            result.method, result.margin = "full_window", margin
        return self._done(result, t, start)

    def _read(self, clip: Clip, previous_text: str, evidence: Evidence, t: Timings) -> VerifyResult:
        """Greedy, and the time on its own window after a pause: a text verdict, or the
        greedy judgement with what was read added to ``evidence``. ``previous_text`` primes
        the decoder (the vocabulary view)."""
        model, tokenizer, phrase = self._model, self._tokenizer, clip.phrase
        method = "vocabulary" if previous_text else "text"
        mark = time.perf_counter()
        text = decoding.decode(
            model, tokenizer, clip.encoder_output, self.options.beam_size, 1, previous_text
        )[0]
        t.decode_text += time.perf_counter() - mark
        result = self._judge(text, phrase, method, evidence)
        if result.validated:
            return result
        heard = result.parsed
        evidence.add(phrase, text, heard, needs_second_look(phrase, heard), greedy=True)

        if heard is None and len(clip.spans) > 1:
            # A pause after the type: Whisper's decode ends at "Entrada." (design.md §3), so
            # the time is decoded on its own window and read after the type.
            mark = time.perf_counter()
            tail = clip.samples[after_longest_gap(clip.spans) : clip.spans[-1][1]]
            tail_output, _ = decoding.encode(model, tail)
            tail_text = decoding.decode(model, tokenizer, tail_output, 1, 1, previous_text)[0]
            t.decode_text += time.perf_counter() - mark
            joined = f"{text.rstrip(' .')}. {tail_text.strip()}"
            joined_result = self._judge(joined, phrase, "pause", evidence)
            if joined_result.validated:
                return joined_result
            joined_heard = joined_result.parsed
            evidence.add(
                phrase, joined, joined_heard, needs_second_look(phrase, joined_heard), greedy=False
            )
        return result

    def _wide_read(
        self, clip: Clip, speech: np.ndarray, evidence: Evidence, t: Timings
    ) -> VerifyResult:
        """Greedy on the speech plus WIDE_PAD_SECONDS of silence, nearer the 30-s window
        Whisper was trained on: it reads some clips the short window garbles ("Entrada, doas
        38" -> "Entrada, 2,38"). ~0.24 s (2 cores), so only for clips no earlier view decided;
        like the vocabulary view it accepts by text only when no greedy transcript read
        another phrase."""
        mark = time.perf_counter()
        output, _ = decoding.encode(self._model, speech, WIDE_PAD_SECONDS)
        text = decoding.decode(self._model, self._tokenizer, output, 1)[0]
        t.decode_text += time.perf_counter() - mark
        return self._judge(text, clip.phrase, "wide", evidence)

    def _scrutinise(
        self, clip: Clip, result: VerifyResult, evidence: Evidence, t: Timings
    ) -> VerifyResult:
        """The plain reading was no match: the early reject, the n-best beam, then
        closed-set scoring of the expected phrase against every rival read so far."""
        model, tokenizer, phrase = self._model, self._tokenizer, clip.phrase
        text, heard = result.spoken_text, result.parsed
        if evidence.other_reading and self.options.closed_set:
            # A greedy transcript read another phrase. Scoring only ever adds rivals to it, so when
            # the expected phrase does not beat that transcript by the margin (or is
            # implausible) the verdict is known: skip the beam, the rival batches and the
            # vocabulary view. Most wrong phrases end here.
            mark = time.perf_counter()
            rendering, bound = scoring.best_rendering(
                model,
                tokenizer,
                clip.encoder_output,
                clip.num_frames,
                phrase,
                self.options.punch_types,
                evidence.texts,
            )
            t.score += time.perf_counter() - mark
            evidence.rendering = rendering
            # (with the full-window pass on, a margin in [0, score_margin) still goes there)
            fallback = self.options.full_window_fallback
            limit = 0.0 if fallback else self.options.score_margin
            implausible = rendering.mean_logprob < self.options.score_floor and not fallback
            if implausible or bound < limit:
                evidence.decided = True
                if evidence.look_again:
                    return VerifyResult(
                        False, text, phrase, heard, SCORED_REJECT, "closed_set", bound
                    )
                return result

        if self.options.nbest_view and self.options.beam_size < RETRY_BEAM:
            # Beam search on the same short window, keeping its n-best: its transcripts name
            # the in-grammar phrases the expected one must beat, and a best transcript that
            # reads the expected phrase earns it a closer look. It does not accept by text:
            # its best lands on a digit slip of the expected phrase as readily as on it
            # ("Retorno de 9.39" for 19 39 against 9 39, a false accept on dev seed 2611);
            # scoring weighs both.
            mark = time.perf_counter()
            beams = decoding.decode(model, tokenizer, clip.encoder_output, RETRY_BEAM, N_BEST)
            t.decode_text += time.perf_counter() - mark
            for rank, beam_text in enumerate(beams):
                _, beam_heard = self._hear(beam_text, phrase)
                second_look = rank == 0 and needs_second_look(phrase, beam_heard)
                evidence.add(phrase, beam_text, beam_heard, second_look, greedy=False)
        if not evidence.look_again:
            evidence.decided = True  # a clear reading of something else: no closer look
            return result

        if not self.options.closed_set:
            evidence.unclear = True
            return result
        mark = time.perf_counter()
        scored = scoring.score(
            model,
            tokenizer,
            clip.encoder_output,
            clip.num_frames,
            phrase,
            self.options.punch_types,
            extra=evidence.seen,  # never the expected phrase (Evidence.add)
            heard_texts=evidence.texts,
            rendering=evidence.rendering,
        )
        t.score += time.perf_counter() - mark
        plausible = scored.expected_mean_logprob >= self.options.score_floor
        if plausible and scored.margin >= self.options.score_margin:
            return VerifyResult(
                True, text, phrase, heard, SCORED_ACCEPT, "closed_set", scored.margin
            )
        evidence.unclear = scored.margin >= 0
        return VerifyResult(False, text, phrase, heard, SCORED_REJECT, "closed_set", scored.margin)

    def _judge(self, text: str, phrase: Phrase, method: str, evidence: Evidence) -> VerifyResult:
        """The text verdict of one view's transcript. A reading of the expected phrase is not
        accepted by its text once a greedy transcript read another phrase: scoring has
        weighed both, and a later view must not overrule that by its text alone."""
        spoken, heard = self._hear(text, phrase)
        result = judge_text(text, phrase, spoken, heard)
        result.method = method
        if result.validated and evidence.other_reading:
            return VerifyResult(False, text, phrase, heard, TIME_MISMATCH, method)
        return result

    def _hear(self, text: str, phrase: Phrase) -> tuple[SpokenTime, Phrase | None]:
        """What a transcript says, and the phrase it reads as against the expected one."""
        spoken = parse_spoken(text, self.options.punch_types)
        return spoken, resolve(spoken, phrase)

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
